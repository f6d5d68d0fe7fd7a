/*
 * store_int.h — what a store backend implements: one const ops table per
 * backend (name + open/close + one entry per facade function), registered in
 * store.c. The facade adds nothing but dispatch, so a backend sees exactly the
 * contracts documented in store.h.
 */
#ifndef KZ_STORE_INT_H
#define KZ_STORE_INT_H

#include "store/store.h"

struct store_backend; /* a backend's private state */

struct store_ops {
    const char *name; /* URL scheme: "sqlite" */
    /* `location` is the URL without "<scheme>:". */
    enum kz_err (*open)(const char *location, struct store_backend **out, struct err_ctx *e);
    void (*close)(struct store_backend *b);
    enum kz_err (*org_insert)(struct store_backend *b, const struct store_org *o,
                              struct err_ctx *e);
    enum kz_err (*org_get)(struct store_backend *b, const char *id, struct store_org *out,
                           struct err_ctx *e);
    enum kz_err (*org_count)(struct store_backend *b, int64_t *out, struct err_ctx *e);
    enum kz_err (*user_insert)(struct store_backend *b, const struct store_user *u,
                               struct err_ctx *e);
    enum kz_err (*user_get)(struct store_backend *b, const char *id, struct store_user *out,
                            struct err_ctx *e);
    enum kz_err (*user_update)(struct store_backend *b, const struct store_user *u,
                               struct err_ctx *e);
    enum kz_err (*user_delete)(struct store_backend *b, const char *org_id, const char *id,
                               struct err_ctx *e);
    enum kz_err (*user_list)(struct store_backend *b, const char *org_id, const char *role,
                             store_user_fn fn, void *ctx, struct err_ctx *e);
    enum kz_err (*key_insert)(struct store_backend *b, const struct store_key *k,
                              struct err_ctx *e);
    enum kz_err (*key_get)(struct store_backend *b, const char *id, struct store_key *out,
                           struct err_ctx *e);
    enum kz_err (*key_update)(struct store_backend *b, const struct store_key *k,
                              struct err_ctx *e);
    enum kz_err (*key_list)(struct store_backend *b, const char *org_id, store_key_fn fn, void *ctx,
                            struct err_ctx *e);
    enum kz_err (*key_count)(struct store_backend *b, const char *user_id, int64_t *out,
                             struct err_ctx *e);
    enum kz_err (*session_create)(struct store_backend *b, const struct store_session *ss,
                                  int max_attempts, struct err_ctx *e);
    enum kz_err (*session_get)(struct store_backend *b, const char *id, struct store_session *out,
                               struct err_ctx *e);
    enum kz_err (*session_count)(struct store_backend *b, const char *org_id, const char *user_id,
                                 int64_t *out, struct err_ctx *e);
    enum kz_err (*session_list)(struct store_backend *b, const struct store_session_query *q,
                                store_session_fn fn, void *ctx, struct err_ctx *e);
    enum kz_err (*session_update)(struct store_backend *b, const char *id, const char *title,
                                  int64_t created_at_ms, struct err_ctx *e);
    enum kz_err (*session_delete)(struct store_backend *b, const char *org_id, const char *id,
                                  struct err_ctx *e);
    enum kz_err (*session_set_media)(struct store_backend *b, const char *id,
                                     const char *media_json, const char *thumbnail_key,
                                     struct err_ctx *e);
    enum kz_err (*session_set_results)(struct store_backend *b, const char *id,
                                       const char *results_json, struct err_ctx *e);
    enum kz_err (*job_claim)(struct store_backend *b, const char *owner, int64_t now_ms,
                             int64_t lease_ms, struct store_job *out, struct err_ctx *e);
    enum kz_err (*job_heartbeat)(struct store_backend *b, const struct store_job *j,
                                 int64_t lease_until_ms, int progress, const char *stage,
                                 struct err_ctx *e);
    enum kz_err (*job_complete)(struct store_backend *b, const struct store_job *j,
                                struct err_ctx *e);
    enum kz_err (*job_fail)(struct store_backend *b, const struct store_job *j, const char *reason,
                            int retry, int *requeued, struct err_ctx *e);
    enum kz_err (*job_release)(struct store_backend *b, const struct store_job *j,
                               struct err_ctx *e);
    enum kz_err (*job_state)(struct store_backend *b, const char *session_id, char *state,
                             size_t cap, struct err_ctx *e);
};

struct store {
    const struct store_ops *ops;
    struct store_backend *impl;
};

extern const struct store_ops store_sqlite_ops;

#endif
