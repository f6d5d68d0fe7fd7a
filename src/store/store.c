/*
 * store.c — the store facade: picks a backend from the registry by URL scheme
 * and forwards each call to its ops table. Nothing else lives here, so adding
 * a backend (e.g. store_pg.c) means one ops table and one registry row.
 */
#include "store/store_int.h"

#include <stdlib.h>
#include <string.h>

static const struct store_ops *const store_registry[] = {
    &store_sqlite_ops,
};

enum kz_err store_open(const char *url, struct store **out, struct err_ctx *e)
{
    const struct store_ops *ops = NULL;
    const char *location = url;
    const char *colon = url ? strchr(url, ':') : NULL;
    struct store *s = NULL;
    enum kz_err rc;

    *out = NULL;
    if (!url || !*url)
        return err_set(e, KZ_E_INVALID, "empty store URL");
    /* "scheme:rest" when a colon comes before any slash; otherwise a bare path. */
    if (colon && colon != url && strcspn(url, "/") > (size_t)(colon - url)) {
        for (size_t i = 0; i < KZ_ARRAY_LEN(store_registry); i++)
            if (strlen(store_registry[i]->name) == (size_t)(colon - url) &&
                strncmp(store_registry[i]->name, url, (size_t)(colon - url)) == 0)
                ops = store_registry[i];
        if (!ops)
            return err_set(e, KZ_E_UNSUPPORTED, "unknown store backend in '%s'", url);
        location = colon + 1;
    } else {
        ops = store_registry[0]; /* a bare path: the default backend */
    }
    s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, KZ_E_NOMEM, NULL);
    s->ops = ops;
    rc = ops->open(location, &s->impl, e);
    if (rc != KZ_OK) {
        free(s);
        return rc;
    }
    *out = s;
    return KZ_OK;
}

void store_close(struct store *s)
{
    if (!s)
        return;
    s->ops->close(s->impl);
    free(s);
}

const char *store_backend_name(const struct store *s)
{
    return s->ops->name;
}

void store_session_cleanup(struct store_session *ss)
{
    if (!ss)
        return;
    free(ss->media_json);
    free(ss->results_json);
    free(ss->metrics_json);
    ss->media_json = NULL;
    ss->results_json = NULL;
    ss->metrics_json = NULL;
}

/* ---- dispatch ---- */
enum kz_err store_org_insert(struct store *s, const struct store_org *o, struct err_ctx *e)
{
    return s->ops->org_insert(s->impl, o, e);
}

enum kz_err store_org_get(struct store *s, const char *id, struct store_org *out, struct err_ctx *e)
{
    return s->ops->org_get(s->impl, id, out, e);
}

enum kz_err store_org_count(struct store *s, int64_t *out, struct err_ctx *e)
{
    return s->ops->org_count(s->impl, out, e);
}

enum kz_err store_user_insert(struct store *s, const struct store_user *u, struct err_ctx *e)
{
    return s->ops->user_insert(s->impl, u, e);
}

enum kz_err store_user_get(struct store *s, const char *id, struct store_user *out,
                           struct err_ctx *e)
{
    return s->ops->user_get(s->impl, id, out, e);
}

enum kz_err store_user_update(struct store *s, const struct store_user *u, struct err_ctx *e)
{
    return s->ops->user_update(s->impl, u, e);
}

enum kz_err store_user_delete(struct store *s, const char *org_id, const char *id,
                              struct err_ctx *e)
{
    return s->ops->user_delete(s->impl, org_id, id, e);
}

enum kz_err store_user_list(struct store *s, const char *org_id, const char *role, store_user_fn fn,
                            void *ctx, struct err_ctx *e)
{
    return s->ops->user_list(s->impl, org_id, role, fn, ctx, e);
}

enum kz_err store_key_insert(struct store *s, const struct store_key *k, struct err_ctx *e)
{
    return s->ops->key_insert(s->impl, k, e);
}

enum kz_err store_key_get(struct store *s, const char *id, struct store_key *out, struct err_ctx *e)
{
    return s->ops->key_get(s->impl, id, out, e);
}

enum kz_err store_key_update(struct store *s, const struct store_key *k, struct err_ctx *e)
{
    return s->ops->key_update(s->impl, k, e);
}

enum kz_err store_key_list(struct store *s, const char *org_id, store_key_fn fn, void *ctx,
                           struct err_ctx *e)
{
    return s->ops->key_list(s->impl, org_id, fn, ctx, e);
}

enum kz_err store_key_count(struct store *s, const char *user_id, int64_t *out, struct err_ctx *e)
{
    return s->ops->key_count(s->impl, user_id, out, e);
}

enum kz_err store_session_create(struct store *s, const struct store_session *ss, int max_attempts,
                                 struct err_ctx *e)
{
    return s->ops->session_create(s->impl, ss, max_attempts, e);
}

enum kz_err store_session_get(struct store *s, const char *id, struct store_session *out,
                              struct err_ctx *e)
{
    return s->ops->session_get(s->impl, id, out, e);
}

enum kz_err store_session_count(struct store *s, const char *org_id, const char *user_id,
                                int64_t *out, struct err_ctx *e)
{
    return s->ops->session_count(s->impl, org_id, user_id, out, e);
}

enum kz_err store_session_list(struct store *s, const struct store_session_query *q,
                               store_session_fn fn, void *ctx, struct err_ctx *e)
{
    if (!q || !q->org_id)
        return err_set(e, KZ_E_INVALID, "session list: organization required");
    if (q->cursor_dir < 0 && q->limit <= 0)
        return err_set(e, KZ_E_INVALID, "session list: a backward cursor needs a limit");
    return s->ops->session_list(s->impl, q, fn, ctx, e);
}

enum kz_err store_session_update(struct store *s, const char *id, const char *title,
                                 int64_t created_at_ms, struct err_ctx *e)
{
    return s->ops->session_update(s->impl, id, title, created_at_ms, e);
}

enum kz_err store_session_delete(struct store *s, const char *org_id, const char *id,
                                 struct err_ctx *e)
{
    return s->ops->session_delete(s->impl, org_id, id, e);
}

enum kz_err store_session_set_media(struct store *s, const char *id, const char *media_json,
                                    const char *thumbnail_key, struct err_ctx *e)
{
    return s->ops->session_set_media(s->impl, id, media_json, thumbnail_key, e);
}

enum kz_err store_session_set_results(struct store *s, const char *id, const char *results_json,
                                      struct err_ctx *e)
{
    return s->ops->session_set_results(s->impl, id, results_json, e);
}

enum kz_err store_job_claim(struct store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                            struct store_job *out, struct err_ctx *e)
{
    return s->ops->job_claim(s->impl, owner, now_ms, lease_ms, out, e);
}

enum kz_err store_job_heartbeat(struct store *s, const struct store_job *j, int64_t lease_until_ms,
                                int progress, const char *stage, struct err_ctx *e)
{
    return s->ops->job_heartbeat(s->impl, j, lease_until_ms, progress, stage, e);
}

enum kz_err store_job_complete(struct store *s, const struct store_job *j, struct err_ctx *e)
{
    return s->ops->job_complete(s->impl, j, e);
}

enum kz_err store_job_fail(struct store *s, const struct store_job *j, const char *reason,
                           int retry, int *requeued, struct err_ctx *e)
{
    return s->ops->job_fail(s->impl, j, reason, retry, requeued, e);
}

enum kz_err store_job_release(struct store *s, const struct store_job *j, struct err_ctx *e)
{
    return s->ops->job_release(s->impl, j, e);
}

enum kz_err store_job_state(struct store *s, const char *session_id, char *state, size_t cap,
                            struct err_ctx *e)
{
    return s->ops->job_state(s->impl, session_id, state, cap, e);
}
