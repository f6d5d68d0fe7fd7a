/*
 * api.h — the AiKYNETIX-compatible HTTP API on top of http, store, blob and
 * media (probe only). One file per resource (api_users.c, api_keys.c,
 * api_uploads.c, api_sessions.c); authentication in api_auth.c; the single
 * error → HTTP status table and the route table in api.c.
 *
 * Thread-safety: an api object is read-only after api_create() and is used
 * by every HTTP thread at once.
 */
#ifndef KZ_API_H
#define KZ_API_H

#include "blob/blob.h"
#include "core/core.h"
#include "http/http.h"
#include "store/store.h"

struct api;

struct api_opts {
    struct store *store;        /* borrowed, must outlive the api */
    struct blob_store *blob;    /* borrowed, must outlive the api */
    int job_max_attempts;       /* for jobs created by uploads */
    struct blob_signer *signer; /* borrowed; signs media URLs (required) */
    const char *public_url;     /* copied; "" or NULL = http://<Host header> */
    int64_t media_url_ttl_s;    /* lifetime of signed media URLs; 0 = 6 h */
};

/* Errors: KZ_E_NOMEM, KZ_E_INTERNAL (libsodium failed to initialise). */
enum kz_err api_create(const struct api_opts *o, struct api **out, struct err_ctx *e);
void api_destroy(struct api *a); /* NULL-safe */

/* The route table to hand to http_server_start() (with `app` = the api). */
const struct http_route *api_routes(size_t *n);

/* What api_org_bootstrap created; api_key is shown once and never stored. */
struct api_bootstrap {
    char organization_id[STORE_ID_MAX];
    char user_id[STORE_ID_MAX];
    char api_key[128];
};

/*
 * Create an organization named `org_name` (units "metric" or "imperial"),
 * its admin user (`email`, `display_name`) and one API key for that admin.
 * Errors: KZ_E_INVALID bad email/units, KZ_E_CONFLICT, store errors.
 * Thread-safe.
 */
enum kz_err api_org_bootstrap(struct store *s, const char *org_name, const char *email,
                              const char *display_name, const char *units,
                              struct api_bootstrap *out, struct err_ctx *e);

#endif
