/*
 * api_int.h — what the api's resource files share: the api object, the
 * authenticated caller, reply helpers (the only place errors become HTTP
 * statuses), id/key generation and the vendor document builders that unit
 * tests check directly.
 */
#ifndef KZ_API_INT_H
#define KZ_API_INT_H

#include "api/api.h"

#include <jansson.h>

struct api {
    struct store *store;
    struct blob_store *blob;
    int job_max_attempts;
    struct blob_signer *signer; /* signs media URLs */
    char public_url[512];       /* "" = http://<Host header> */
    int64_t media_url_ttl_s;
};

/* Signed URLs of one session's media files; "" when the file does not exist. */
struct api_urls {
    char video[1024];
    char analyzed[1024];
    char thumbnail[1024];
};

/* The authenticated caller: the key's user and its organization. */
struct api_caller {
    struct store_user user;
    struct store_org org;
    char key_id[STORE_ID_MAX];
};

#define API_ROLE_ADMIN "admin"
#define API_ROLE_SUB_ADMIN "sub_admin"
#define API_ROLE_USER "user"

/* 1 for admin and sub_admin. */
int api_caller_is_staff(const struct api_caller *c);
int api_caller_is_admin(const struct api_caller *c);

/*
 * A handler: KZ_OK after it replied; otherwise the error (with the vendor's
 * message in e) is answered by api_reply_error through the status table.
 */
typedef enum kz_err (*api_handler_fn)(struct api *a, struct http_request *r,
                                      const struct api_caller *c, struct err_ctx *e);
/* Authenticate, then run `fn`, then map its error. */
void api_run(struct http_request *r, api_handler_fn fn);

/* ---- replies ---- */
/* The one error → HTTP status table. */
int api_status_for(enum kz_err code);
/* Reply with `body` (reference stolen) and `status`. */
void api_reply_json(struct http_request *r, int status, json_t *body);
/* Reply {"error": msg} with the status the table gives for e->code (500 gets the vendor prefix). */
void api_reply_error(struct http_request *r, const struct err_ctx *e);
/* Parse the buffered body as a JSON object; KZ_E_FORMAT with a message otherwise. */
enum kz_err api_body_json(struct http_request *r, json_t **out, struct err_ctx *e);

/* ---- authentication (api_auth.c) ---- */
/*
 * Find the key in the request headers and load its caller. Errors:
 * KZ_E_UNAUTHENTICATED ("No token provided." when absent, else invalid or
 * inactive key), store errors.
 */
enum kz_err api_authenticate(struct api *a, struct http_request *r, struct api_caller *out,
                             struct err_ctx *e);
/* Extract the token from the three documented header forms; NULL when absent. */
const char *api_auth_token(const char *authorization, const char *api_key_header, char *buf,
                           size_t cap);
/* Split "kz_<key_id>_<secret>"; 0 on success. */
int api_key_parse(const char *token, char *key_id, size_t id_cap, char *secret, size_t secret_cap);
/* New key: fills k->id and k->hash, writes the full token (shown once) into `token`. */
enum kz_err api_key_generate(struct store_key *k, char *token, size_t cap, struct err_ctx *e);
/* Hash of a secret as stored; constant-time comparison against k->hash. 1 = match. */
int api_key_matches(const struct store_key *k, const char *secret);

/* ---- ids ---- */
/* `n` random characters of [0-9a-zA-Z] (Firestore-style uid). cap > n. */
void api_id_base62(char *out, size_t n);
/* 32 lowercase hex characters (vendor session id). cap >= 33. */
void api_id_hex32(char *out);

/* ---- resources ---- */
enum kz_err api_users_list(struct api *a, struct http_request *r, const struct api_caller *c,
                           struct err_ctx *e);
enum kz_err api_users_create(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e);
enum kz_err api_users_update(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e);
enum kz_err api_users_delete(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e);
enum kz_err api_users_filter(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e);
enum kz_err api_users_get(struct api *a, struct http_request *r, const struct api_caller *c,
                          struct err_ctx *e);
enum kz_err api_org_status(struct api *a, struct http_request *r, const struct api_caller *c,
                           struct err_ctx *e);
enum kz_err api_keys_list(struct api *a, struct http_request *r, const struct api_caller *c,
                          struct err_ctx *e);
enum kz_err api_keys_create(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e);
enum kz_err api_keys_update(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e);
enum kz_err api_keys_status(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e);
enum kz_err api_session_get(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e);
enum kz_err api_session_status(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e);
extern const struct http_upload_ops api_upload_ops;
void api_upload_handle(struct http_request *r);

/* ---- vendor documents (api_docs.c) ---- */
/* Vendor activity name: "Running", "Vertical Jump", "Weightlifting"; NULL if unknown. */
const char *api_activity_display(const char *activity);
/* {"date": "DD/MM/YYYY", "time": "HH:MM AM/PM"} in UTC. */
json_t *api_created_at(int64_t ms);
/* User object of the users endpoints. */
json_t *api_user_doc(const struct store_user *u);
/* 1 when `c` may see session `s` (same organization; staff, or its owner). */
int api_session_visible(const struct api_caller *c, const struct store_session *s);
/*
 * GET /{activity}/sessions/{id}/ body: the stored results object with the
 * vendor's required fields defaulted, identity fields (activity, title,
 * created_at, user_name, exercise) from the session row, plus our session_id,
 * status, progress and media. NULL on out-of-memory.
 */
json_t *api_session_detail(const struct store_session *s, const char *user_name,
                           const struct api_urls *urls);
/*
 * The same document serialised (caller frees). When the stored results
 * already hold every required field their text is copied verbatim after our
 * fields (no number is re-encoded); otherwise it falls back to
 * api_session_detail(). NULL on out-of-memory.
 */
char *api_session_detail_text(const struct store_session *s, const char *user_name,
                              const struct api_urls *urls);
/* Media URLs (video_url, analyzed_video_url) given to a detail document; NULL = "". */

/* ---- session management and media (api_manage.c, api_media.c) ---- */
/*
 * Signed URL of `file` ("original.mp4", "analyzed.mp4", "thumbnail.jpg") of
 * session `session_id`, valid for the api's media TTL, served by GET
 * /media/{session_id}/{file}. `attachment` makes the browser download it.
 */
void api_media_url(struct api *a, struct http_request *r, const char *session_id, const char *file,
                   int attachment, char *out, size_t cap);
/* Fill every URL of `s` whose file exists. */
void api_session_urls(struct api *a, struct http_request *r, const struct store_session *s,
                      struct api_urls *u);
/* The listing document of one session (vendor fields + status/progress). NULL on OOM. */
json_t *api_session_summary(const struct store_session *s, const char *user_name,
                            const char *user_role, const struct api_urls *urls);
enum kz_err api_sessions_list(struct api *a, struct http_request *r, const struct api_caller *c,
                              struct err_ctx *e);
enum kz_err api_sessions_filter(struct api *a, struct http_request *r, const struct api_caller *c,
                                struct err_ctx *e);
enum kz_err api_sessions_by_ids(struct api *a, struct http_request *r, const struct api_caller *c,
                                struct err_ctx *e);
enum kz_err api_session_update(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e);
enum kz_err api_session_delete(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e);
enum kz_err api_session_analyzed_video(struct api *a, struct http_request *r,
                                       const struct api_caller *c, struct err_ctx *e);
enum kz_err api_session_export(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e);
/* GET /media/{session_id}/{file}: no API key; the signature in the query authorises. */
void api_media_handle(struct http_request *r);
/* Parse "dd/mm/yyyy" (UTC midnight) into Unix ms; KZ_E_FORMAT otherwise. */
enum kz_err api_parse_date_dmy(const char *s, int64_t *ms);
/* Parse "YYYY-MM-DD HH:MM:SS" (UTC) into Unix ms; KZ_E_FORMAT otherwise. */
enum kz_err api_parse_datetime(const char *s, int64_t *ms);

/* GET /session-management/sessions/{id}/status/ body. */
json_t *api_session_status_doc(const struct store_session *s);

#endif
