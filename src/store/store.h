/*
 * store.h — kinalyze's persistence facade: organizations, users, API keys,
 * sessions and the durable job queue. Callers see plain records with bounded
 * fields; the backend behind them is picked by URL from a registry of const
 * ops tables (store_int.h). `sqlite:<path>` (SQLite in WAL mode, the default)
 * is always built; a PostgreSQL backend can be added without touching callers.
 *
 * Ids are opaque strings chosen by the caller (the api layer generates them
 * from libsodium randomness); the store only checks their length.
 *
 * Thread-safety: a `struct store` may be used from any number of threads at
 * once; every function is one atomic unit (its own transaction). Records are
 * plain values owned by the caller; those with heap members are released with
 * the matching *_cleanup() (NULL-safe, idempotent).
 *
 * Errors common to every function: KZ_E_IO (backend failure, the message has
 * the backend's text), KZ_E_BUSY (the database stayed locked past the busy
 * timeout), KZ_E_NOMEM.
 */
#ifndef KZ_STORE_H
#define KZ_STORE_H

#include "core/core.h"

#include <stdint.h>

#define STORE_ID_MAX 64
#define STORE_NAME_MAX 256
#define STORE_DESC_MAX 1024
#define STORE_KEY_HASH_BYTES 32

struct store;

struct store_org {
    char id[STORE_ID_MAX];
    char name[STORE_NAME_MAX];
    char unit_system[16];  /* "metric" | "imperial" */
    char payment_type[32]; /* vendor plan name shown by organization-status */
    int64_t created_at_ms;
};

/* role: "admin" | "sub_admin" | "user" (vendor strings). */
struct store_user {
    char id[STORE_ID_MAX];
    char org_id[STORE_ID_MAX];
    char role[16];
    char email[STORE_NAME_MAX];
    char display_name[STORE_NAME_MAX];
    char phone[64];
    char age[16];
    double weight_kg, height_cm, ycom, leg_length_m;
    char shoe_size[16];
    char brand[128];
    char shoe_model[128];
    char gender[32];
    int64_t created_at_ms;
};

struct store_key {
    char id[STORE_ID_MAX]; /* public key id, part of the key string */
    char org_id[STORE_ID_MAX];
    char user_id[STORE_ID_MAX]; /* the user the key acts as */
    char title[STORE_NAME_MAX];
    char domain[STORE_NAME_MAX];
    char description[STORE_DESC_MAX];
    int has_description;
    uint8_t hash[STORE_KEY_HASH_BYTES]; /* hash of the secret part; the secret is never stored */
    int is_active;
    int64_t created_at_ms;
};

/* Session status values (our addition to the vendor API). */
#define STORE_STATUS_QUEUED "queued"
#define STORE_STATUS_PROCESSING "processing"
#define STORE_STATUS_COMPLETED "completed"
#define STORE_STATUS_FAILED "failed"

struct store_session {
    char id[STORE_ID_MAX];
    char org_id[STORE_ID_MAX];
    char user_id[STORE_ID_MAX];
    char activity[16]; /* "running" | "jumping" | "weightlifting" */
    char title[STORE_NAME_MAX];
    char exercise[64]; /* jumping: Countermovement Jump|Drop Jump; lifting: snatch.. */
    int has_incline;
    double incline_deg;
    int has_barbell;
    double barbell_mass;                /* in barbell_unit */
    char barbell_unit[8];               /* "kg" | "lb" */
    char body_joint_angles[128];        /* normalised comma list, "all" by default */
    char video_key[STORE_NAME_MAX];     /* blob key of the original upload */
    char video_name[STORE_NAME_MAX];    /* client's file name */
    char thumbnail_key[STORE_NAME_MAX]; /* blob key, "" until the job made one */
    char status[16];                    /* STORE_STATUS_* */
    int progress;                       /* 0..100 */
    char stage[32];                     /* pipeline stage running or last run */
    char failure_reason[512];
    int attempts;       /* of its job so far */
    char *media_json;   /* media facts object, heap, NULL until known */
    char *results_json; /* analysis results object, heap, NULL until known */
    char *metrics_json; /* the results' "metrics" object only, heap; filled by list, else NULL */
    int segments;       /* the results' "segments" (filled by list); 0 when unknown */
    int64_t created_at_ms, updated_at_ms;
};

/* A claimed job: what a worker needs to run it and to prove it still owns it. */
struct store_job {
    int64_t id;
    char session_id[STORE_ID_MAX];
    char kind[32]; /* "analyze" */
    int attempts;  /* including this one */
    int max_attempts;
    char lease_owner[128];
    int64_t lease_until_ms;
};

/* Visitor for list functions: return 0 to continue, non-zero to stop. */
typedef int (*store_user_fn)(void *ctx, const struct store_user *u);
typedef int (*store_key_fn)(void *ctx, const struct store_key *k);
typedef int (*store_session_fn)(void *ctx, const struct store_session *s);

/*
 * What store_session_list() selects. Sessions come newest first, ordered by
 * (created_at_ms, id) descending, which is also the keyset the cursors use:
 * a page after cursor C holds only sessions strictly older than C (in that
 * order), so paging forward visits every session once even while new ones are
 * created (they sort before the first page).
 */
struct store_session_query {
    const char *org_id;       /* required */
    const char *user_id;      /* NULL = every user of the organization */
    const char *activity;     /* NULL = any; "running" | "jumping" | "weightlifting" */
    const char *title_substr; /* NULL = any; case-insensitive (ASCII) substring of the title */
    int64_t from_ms;          /* created_at_ms >= from_ms (when has_from) */
    int64_t to_ms;            /* created_at_ms < to_ms (when has_to) */
    int has_from, has_to;
    /* Keyset cursor: cursor_dir > 0 → strictly older than (cursor_created_ms,
       cursor_id); < 0 → strictly newer, nearest first (the page just before it);
       0 → no cursor. */
    int cursor_dir;
    int64_t cursor_created_ms;
    const char *cursor_id;
    int limit; /* > 0: at most this many; 0 = all (cursor_dir < 0 needs a limit) */
};

/*
 * Open the store named by `url`: "sqlite:<path>" or a bare path (SQLite).
 * Creates the database when missing and applies pending schema migrations.
 * Errors: KZ_E_UNSUPPORTED unknown scheme, KZ_E_IO cannot open/migrate.
 * *out is owned by the caller: store_close().
 */
enum kz_err store_open(const char *url, struct store **out, struct err_ctx *e);
void store_close(struct store *s); /* NULL-safe; no call may be running */
/* Name of the backend ("sqlite"). */
const char *store_backend_name(const struct store *s);

/* ---- organizations ---- */
enum kz_err store_org_insert(struct store *s, const struct store_org *o, struct err_ctx *e);
/* KZ_E_NOT_FOUND when unknown. */
enum kz_err store_org_get(struct store *s, const char *id, struct store_org *out,
                          struct err_ctx *e);
/* Number of organizations (0 on a fresh store). */
enum kz_err store_org_count(struct store *s, int64_t *out, struct err_ctx *e);

/* ---- users ---- */
/* KZ_E_CONFLICT when the email is already used in that organization. */
enum kz_err store_user_insert(struct store *s, const struct store_user *u, struct err_ctx *e);
/* KZ_E_NOT_FOUND when unknown (any organization). */
enum kz_err store_user_get(struct store *s, const char *id, struct store_user *out,
                           struct err_ctx *e);
/* Rewrites every mutable field of the row with u->id. KZ_E_NOT_FOUND, KZ_E_CONFLICT (email). */
enum kz_err store_user_update(struct store *s, const struct store_user *u, struct err_ctx *e);
/* Deletes the user of `org_id` and its API keys. KZ_E_NOT_FOUND when no such user there. */
enum kz_err store_user_delete(struct store *s, const char *org_id, const char *id,
                              struct err_ctx *e);
/* Users of `org_id` ordered by (created_at, id), optionally only role `role` (NULL = all). */
enum kz_err store_user_list(struct store *s, const char *org_id, const char *role, store_user_fn fn,
                            void *ctx, struct err_ctx *e);

/* ---- API keys ---- */
enum kz_err store_key_insert(struct store *s, const struct store_key *k, struct err_ctx *e);
/* KZ_E_NOT_FOUND when unknown. */
enum kz_err store_key_get(struct store *s, const char *id, struct store_key *out,
                          struct err_ctx *e);
/* Update title/domain/description/is_active of k->id. KZ_E_NOT_FOUND when unknown. */
enum kz_err store_key_update(struct store *s, const struct store_key *k, struct err_ctx *e);
/* Keys of `org_id` ordered by creation. */
enum kz_err store_key_list(struct store *s, const char *org_id, store_key_fn fn, void *ctx,
                           struct err_ctx *e);
/* Number of keys owned by `user_id` (active or not). */
enum kz_err store_key_count(struct store *s, const char *user_id, int64_t *out, struct err_ctx *e);

/* ---- sessions and jobs ---- */
/*
 * Insert the session and its "analyze" job (state queued, `max_attempts`)
 * in ONE transaction: both rows exist or neither. The session's status is
 * forced to queued. KZ_E_CONFLICT when the id exists.
 */
enum kz_err store_session_create(struct store *s, const struct store_session *ss, int max_attempts,
                                 struct err_ctx *e);
/* KZ_E_NOT_FOUND when unknown. `out` must be cleaned up (heap JSON members). */
enum kz_err store_session_get(struct store *s, const char *id, struct store_session *out,
                              struct err_ctx *e);
void store_session_cleanup(struct store_session *ss); /* frees heap members; NULL-safe */
/* Sessions of `org_id` (and of `user_id` when not NULL). */
enum kz_err store_session_count(struct store *s, const char *org_id, const char *user_id,
                                int64_t *out, struct err_ctx *e);
/*
 * Visit the sessions `q` selects, newest first; `fn` returning non-zero stops
 * early. Each visited record has metrics_json/segments filled and
 * results_json/media_json left NULL (listing never loads whole results).
 * Errors: KZ_E_INVALID (no org_id, or cursor_dir < 0 without a limit).
 */
enum kz_err store_session_list(struct store *s, const struct store_session_query *q,
                               store_session_fn fn, void *ctx, struct err_ctx *e);
/*
 * Rename and/or re-date a session: `title` NULL keeps it; `created_at_ms` < 0
 * keeps it. KZ_E_NOT_FOUND when unknown.
 */
enum kz_err store_session_update(struct store *s, const char *id, const char *title,
                                 int64_t created_at_ms, struct err_ctx *e);
/*
 * Delete the session of `org_id` and its jobs in one transaction. A worker
 * running its job learns it at its next heartbeat (KZ_E_NOT_FOUND) and stops.
 * Media files are the caller's (blob) business. KZ_E_NOT_FOUND when unknown.
 */
enum kz_err store_session_delete(struct store *s, const char *org_id, const char *id,
                                 struct err_ctx *e);
/* Store media facts (JSON object text, borrowed) and the thumbnail blob key. */
enum kz_err store_session_set_media(struct store *s, const char *id, const char *media_json,
                                    const char *thumbnail_key, struct err_ctx *e);
/* Store analysis results (JSON object text, borrowed); NULL clears them. */
enum kz_err store_session_set_results(struct store *s, const char *id, const char *results_json,
                                      struct err_ctx *e);

/*
 * Claim the oldest runnable job for `owner`: a queued job, or a running one
 * whose lease expired before `now_ms` (its worker died). The job becomes
 * running with lease_until = now_ms + lease_ms and attempts + 1; its session
 * becomes processing. A job whose lease expired with no attempts left is
 * marked failed (and its session failed) instead of being claimed.
 * KZ_E_NOT_FOUND when nothing is runnable.
 */
enum kz_err store_job_claim(struct store *s, const char *owner, int64_t now_ms, int64_t lease_ms,
                            struct store_job *out, struct err_ctx *e);
/*
 * Renew the lease to `lease_until_ms` and publish progress (0..100) and the
 * running stage. KZ_E_CONFLICT when `owner` no longer holds the job (lease
 * taken over), KZ_E_NOT_FOUND when the job or its session is gone (deleted).
 */
enum kz_err store_job_heartbeat(struct store *s, const struct store_job *j, int64_t lease_until_ms,
                                int progress, const char *stage, struct err_ctx *e);
/* Mark done; session completed at 100 %. KZ_E_CONFLICT / KZ_E_NOT_FOUND as heartbeat. */
enum kz_err store_job_complete(struct store *s, const struct store_job *j, struct err_ctx *e);
/*
 * Record a failure with `reason`. When `retry` and attempts remain the job
 * goes back to queued (session queued, reason kept); otherwise the job and
 * session are failed. *requeued (may be NULL) says which happened.
 */
enum kz_err store_job_fail(struct store *s, const struct store_job *j, const char *reason,
                           int retry, int *requeued, struct err_ctx *e);
/* Give the job back unfinished without spending an attempt (clean shutdown). */
enum kz_err store_job_release(struct store *s, const struct store_job *j, struct err_ctx *e);
/* Job state of a session's job ("queued", "running", "done", "failed"); KZ_E_NOT_FOUND. */
enum kz_err store_job_state(struct store *s, const char *session_id, char *state, size_t cap,
                            struct err_ctx *e);

#endif
