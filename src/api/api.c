/*
 * api.c — wiring of the api: the route table (vendor paths; the http router
 * makes the trailing slash optional), the ONE table that turns kinalyze
 * errors into HTTP statuses, reply helpers, ids, and organization
 * bootstrap (used by `serve` on first start and by `admin create`).
 */
#include "api/api_int.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* ---- the error → HTTP status table (the only one) ---- */
static const struct {
    enum kz_err code;
    int status;
} api_status_table[] = {
    {KZ_E_INVALID, 400},
    {KZ_E_FORMAT, 400},
    {KZ_E_UNAUTHENTICATED, 401},
    {KZ_E_FORBIDDEN, 403},
    {KZ_E_NOT_FOUND, 404},
    /* the vendor answers business limits (sessions, users, keys) with 404 */
    {KZ_E_LIMIT, 404},
    {KZ_E_CONFLICT, 409},
    {KZ_E_TOO_LARGE, 413},
    {KZ_E_UNSUPPORTED, 415},
    {KZ_E_CANCELLED, 400},
    {KZ_E_BUSY, 503},
    {KZ_E_TIMEOUT, 503},
    {KZ_E_IO, 500},
    {KZ_E_NOMEM, 500},
    {KZ_E_INTERNAL, 500},
};

int api_status_for(enum kz_err code)
{
    for (size_t i = 0; i < KZ_ARRAY_LEN(api_status_table); i++)
        if (api_status_table[i].code == code)
            return api_status_table[i].status;
    return 500;
}

void api_reply_json(struct http_request *r, int status, json_t *body)
{
    char *s = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!s) {
        http_respond_error(r, 500, "An unexpected error occurred: out of memory");
        return;
    }
    http_respond(r, status, "application/json", s, strlen(s), NULL);
    free(s);
}

void api_reply_error(struct http_request *r, const struct err_ctx *e)
{
    int status = api_status_for(e->code);
    if (status >= 500) {
        char msg[ERR_MSG_MAX + 64];
        log_error("api: %s %s: %s", http_request_method(r), http_request_path(r), err_msg(e));
        str_printf(msg, sizeof msg, "An unexpected error occurred: %s", err_msg(e));
        http_respond_error(r, status, msg);
        return;
    }
    http_respond_error(r, status, err_msg(e));
}

enum kz_err api_body_json(struct http_request *r, json_t **out, struct err_ctx *e)
{
    size_t len;
    const char *body = http_request_body(r, &len);
    json_error_t je;
    json_t *v;
    *out = NULL;
    if (len == 0)
        return err_set(e, KZ_E_FORMAT, "Request body must be a JSON object.");
    v = json_loadb(body, len, JSON_REJECT_DUPLICATES, &je);
    if (!v)
        return err_set(e, KZ_E_FORMAT, "Invalid JSON body: %s", je.text);
    if (!json_is_object(v)) {
        json_decref(v);
        return err_set(e, KZ_E_FORMAT, "Request body must be a JSON object.");
    }
    *out = v;
    return KZ_OK;
}

int api_caller_is_staff(const struct api_caller *c)
{
    return strcmp(c->user.role, API_ROLE_ADMIN) == 0 ||
           strcmp(c->user.role, API_ROLE_SUB_ADMIN) == 0;
}

int api_caller_is_admin(const struct api_caller *c)
{
    return strcmp(c->user.role, API_ROLE_ADMIN) == 0;
}

void api_run(struct http_request *r, api_handler_fn fn)
{
    struct api *a = http_request_app(r);
    struct api_caller c;
    struct err_ctx e;
    enum kz_err rc;
    err_clear(&e);
    rc = api_authenticate(a, r, &c, &e);
    if (rc == KZ_OK)
        rc = fn(a, r, &c, &e);
    if (rc != KZ_OK)
        api_reply_error(r, &e);
    else if (!http_request_responded(r))
        http_respond_error(r, 500, "An unexpected error occurred: handler gave no answer");
}

/* ---- ids ---- */
void api_id_base62(char *out, size_t n)
{
    static const char alphabet[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    for (size_t i = 0; i < n; i++)
        out[i] = alphabet[randombytes_uniform(62)];
    out[n] = '\0';
}

void api_id_hex32(char *out)
{
    unsigned char b[16];
    randombytes_buf(b, sizeof b);
    sodium_bin2hex(out, 33, b, sizeof b);
}

/* ---- routes ---- */
#define API_ROUTE(name, fn)                                                                        \
    static void name(struct http_request *r)                                                       \
    {                                                                                              \
        api_run(r, fn);                                                                            \
    }
API_ROUTE(route_users_list, api_users_list)
API_ROUTE(route_users_create, api_users_create)
API_ROUTE(route_users_update, api_users_update)
API_ROUTE(route_users_delete, api_users_delete)
API_ROUTE(route_users_filter, api_users_filter)
API_ROUTE(route_users_get, api_users_get)
API_ROUTE(route_org_status, api_org_status)
API_ROUTE(route_keys_list, api_keys_list)
API_ROUTE(route_keys_create, api_keys_create)
API_ROUTE(route_keys_update, api_keys_update)
API_ROUTE(route_keys_status, api_keys_status)
API_ROUTE(route_session_get, api_session_get)
API_ROUTE(route_session_status, api_session_status)
API_ROUTE(route_sessions_list, api_sessions_list)
API_ROUTE(route_sessions_filter, api_sessions_filter)
API_ROUTE(route_sessions_by_ids, api_sessions_by_ids)
API_ROUTE(route_session_update, api_session_update)
API_ROUTE(route_session_delete, api_session_delete)
API_ROUTE(route_session_analyzed_video, api_session_analyzed_video)
API_ROUTE(route_session_export, api_session_export)

/* Literal routes come before parameter routes that could shadow them. */
static const struct http_route api_route_table[] = {
    {"POST", "/running/sessions/", api_upload_handle, &api_upload_ops},
    {"POST", "/running/management/sessions/", api_upload_handle, &api_upload_ops},
    {"POST", "/jumping/sessions/", api_upload_handle, &api_upload_ops},
    {"POST", "/jumping/management/sessions/", api_upload_handle, &api_upload_ops},
    {"POST", "/weightlifting/sessions/", api_upload_handle, &api_upload_ops},
    {"POST", "/weightlifting/management/sessions/", api_upload_handle, &api_upload_ops},
    {"GET", "/running/sessions/{session_id}/export/", route_session_export, NULL},
    {"GET", "/jumping/sessions/{session_id}/export/", route_session_export, NULL},
    {"GET", "/weightlifting/sessions/{session_id}/export/", route_session_export, NULL},
    {"GET", "/running/sessions/{session_id}/", route_session_get, NULL},
    {"GET", "/jumping/sessions/{session_id}/", route_session_get, NULL},
    {"GET", "/weightlifting/sessions/{session_id}/", route_session_get, NULL},
    {"GET", "/session-management/sessions/{session_id}/status/", route_session_status, NULL},
    {"GET", "/session-management/sessions/{session_id}/analyzed-video/",
     route_session_analyzed_video, NULL},
    {"GET", "/session-management/sessions/filter/", route_sessions_filter, NULL},
    {"POST", "/session-management/sessions/by-ids/", route_sessions_by_ids, NULL},
    {"GET", "/session-management/sessions/", route_sessions_list, NULL},
    {"PUT", "/session-management/sessions/{session_id}", route_session_update, NULL},
    {"DELETE", "/session-management/sessions/{session_id}", route_session_delete, NULL},
    {"GET", "/media/{session_id}/{file}", api_media_handle, NULL},
    {"GET", "/user-management/organization-status/", route_org_status, NULL},
    {"GET", "/user-management/users/filter/", route_users_filter, NULL},
    {"GET", "/user-management/users/", route_users_list, NULL},
    {"POST", "/user-management/users/", route_users_create, NULL},
    {"PUT", "/user-management/users/", route_users_update, NULL},
    {"DELETE", "/user-management/users/", route_users_delete, NULL},
    {"GET", "/user-management/users/{user_uid}", route_users_get, NULL},
    {"GET", "/api-management/keys/", route_keys_list, NULL},
    {"POST", "/api-management/keys/", route_keys_create, NULL},
    {"PATCH", "/api-management/keys/", route_keys_update, NULL},
    {"PATCH", "/api-management/keys/status/", route_keys_status, NULL},
};

const struct http_route *api_routes(size_t *n)
{
    *n = KZ_ARRAY_LEN(api_route_table);
    return api_route_table;
}

/* ---- lifecycle ---- */
enum kz_err api_create(const struct api_opts *o, struct api **out, struct err_ctx *e)
{
    struct api *a;
    *out = NULL;
    if (sodium_init() < 0)
        return err_set(e, KZ_E_INTERNAL, "libsodium failed to initialise");
    a = calloc(1, sizeof *a);
    if (!a)
        return err_set(e, KZ_E_NOMEM, NULL);
    a->store = o->store;
    a->blob = o->blob;
    a->job_max_attempts = o->job_max_attempts > 0 ? o->job_max_attempts : 3;
    a->signer = o->signer;
    str_copy(a->public_url, sizeof a->public_url, o->public_url ? o->public_url : "");
    a->media_url_ttl_s = o->media_url_ttl_s > 0 ? o->media_url_ttl_s : 6 * 3600;
    *out = a;
    return KZ_OK;
}

void api_destroy(struct api *a)
{
    free(a);
}

enum kz_err api_org_bootstrap(struct store *s, const char *org_name, const char *email,
                              const char *display_name, const char *units,
                              struct api_bootstrap *out, struct err_ctx *e)
{
    struct store_org o;
    struct store_user u;
    struct store_key k;
    enum kz_err rc;
    int64_t now = time_wall_ms();

    memset(out, 0, sizeof *out);
    if (sodium_init() < 0)
        return err_set(e, KZ_E_INTERNAL, "libsodium failed to initialise");
    if (!email || !strchr(email, '@') || strlen(email) >= sizeof u.email)
        return err_set(e, KZ_E_INVALID, "a valid --email is required");
    if (!units || (strcmp(units, "metric") != 0 && strcmp(units, "imperial") != 0))
        return err_set(e, KZ_E_INVALID, "units must be metric or imperial");
    memset(&o, 0, sizeof o);
    api_id_base62(o.id, 20);
    str_copy(o.name, sizeof o.name, org_name && *org_name ? org_name : "My organization");
    str_copy(o.unit_system, sizeof o.unit_system, units);
    str_copy(o.payment_type, sizeof o.payment_type, "Enterprise");
    o.created_at_ms = now;
    memset(&u, 0, sizeof u);
    api_id_base62(u.id, 28);
    str_copy(u.org_id, sizeof u.org_id, o.id);
    str_copy(u.role, sizeof u.role, API_ROLE_ADMIN);
    str_copy(u.email, sizeof u.email, email);
    str_copy(u.display_name, sizeof u.display_name,
             display_name && *display_name ? display_name : "Admin");
    u.created_at_ms = now;
    memset(&k, 0, sizeof k);
    str_copy(k.org_id, sizeof k.org_id, o.id);
    str_copy(k.user_id, sizeof k.user_id, u.id);
    str_copy(k.title, sizeof k.title, "Initial admin key");
    str_copy(k.domain, sizeof k.domain, "*");
    k.is_active = 1;
    k.created_at_ms = now;
    if ((rc = api_key_generate(&k, out->api_key, sizeof out->api_key, e)) != KZ_OK)
        return rc;
    if ((rc = store_org_insert(s, &o, e)) != KZ_OK || (rc = store_user_insert(s, &u, e)) != KZ_OK ||
        (rc = store_key_insert(s, &k, e)) != KZ_OK) {
        memset(out, 0, sizeof *out);
        return rc;
    }
    str_copy(out->organization_id, sizeof out->organization_id, o.id);
    str_copy(out->user_id, sizeof out->user_id, u.id);
    return KZ_OK;
}
