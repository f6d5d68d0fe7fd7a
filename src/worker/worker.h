/*
 * worker.h — processing jobs: a pool of threads (inside `kinalyze serve`, or
 * a standalone worker process) that claim jobs from the store's durable
 * queue with a lease and run each through a pipeline of stages
 * (worker_stages[] in stages.c). Status goes queued → processing (progress
 * 0–100, current stage) → completed | failed (reason).
 *
 * Durability: the lease is renewed with every progress report; a process
 * killed mid-job (SIGKILL) stops renewing, and after the lease expires any
 * worker re-claims the job from the start (attempts are bounded by the job's
 * max_attempts, then the session fails). A clean stop (worker_pool_stop)
 * cancels running jobs at their next progress report and gives them back
 * to the queue without spending an attempt; queued jobs stay queued.
 *
 * Adding a stage: write `enum kz_err run(struct worker_job *j, struct err_ctx *e)`
 * using the accessors below, and add a row to worker_stages[]. A stage
 * reports progress often (worker_job_progress), stops when it returns
 * KZ_E_CANCELLED, and returns KZ_E_FORMAT/KZ_E_UNSUPPORTED/KZ_E_INVALID for
 * a permanent failure of this video (no retry); any other error is retried.
 */
#ifndef KZ_WORKER_H
#define KZ_WORKER_H

#include "blob/blob.h"
#include "core/core.h"
#include "store/store.h"

#include <stdatomic.h>

struct worker_pool;
struct worker_job;

struct worker_opts {
    int threads;            /* >= 1 */
    int64_t lease_ms;       /* job lease; renewed at least every lease_ms / 3 */
    const char *models_dir; /* for stages that need the pose models; borrowed */
};

/*
 * Start `o->threads` worker threads on `s` and `b` (borrowed; must outlive
 * the pool). Errors: KZ_E_INVALID, KZ_E_NOMEM, KZ_E_INTERNAL (thread
 * creation). *out: stop with worker_pool_stop().
 */
enum kz_err worker_pool_start(struct store *s, struct blob_store *b, const struct worker_opts *o,
                              struct worker_pool **out, struct err_ctx *e);
/* Stop claiming, cancel and release running jobs, join the threads, free. NULL-safe. */
void worker_pool_stop(struct worker_pool *p);

/*
 * Run one claimed job through every stage on the calling thread (used by
 * the pool; exposed for tests and `kinalyze worker --once` style tools).
 * `stop` (may be NULL) is polled at progress reports. Returns the outcome
 * already recorded in the store: KZ_OK completed, KZ_E_CANCELLED released
 * or abandoned, otherwise the stage's error (failed or re-queued).
 */
enum kz_err worker_job_run(struct store *s, struct blob_store *b, const struct worker_opts *o,
                           const struct store_job *job, const atomic_int *stop, struct err_ctx *e);

/* ---- for stages ---- */
struct worker_stage {
    const char *name; /* shown as the session's `stage` */
    int weight;       /* share of the progress bar (relative to the other stages) */
    enum kz_err (*run)(struct worker_job *j, struct err_ctx *e);
};
extern const struct worker_stage worker_stages[];
extern const size_t worker_n_stages;

/* The session being processed (borrowed; media_json/results_json as claimed). */
const struct store_session *worker_job_session(const struct worker_job *j);
/* Absolute path of the uploaded video. */
const char *worker_job_video_path(const struct worker_job *j);
struct store *worker_job_store(const struct worker_job *j);
struct blob_store *worker_job_blob(const struct worker_job *j);
const char *worker_job_models_dir(const struct worker_job *j);
/*
 * Report that the current stage is `fraction` (0..1) done. Renews the lease
 * and publishes progress at most a few times per second. Returns
 * KZ_E_CANCELLED when the job must stop now (shutdown, lease lost, session
 * deleted); other store errors are returned as is.
 */
enum kz_err worker_job_progress(struct worker_job *j, double fraction, struct err_ctx *e);
/*
 * Name the step the current stage is in ("pose", "video", ...; NULL or ""
 * for none): the published stage becomes "<stage>:<step>", e.g.
 * "analysis:pose", from the next progress report on. `step` is copied
 * (at most 15 characters) and published at the next progress report even
 * when the percentage did not change. Call from the thread that reports
 * progress.
 */
void worker_job_set_step(struct worker_job *j, const char *step);
/* 1 when the job should stop (cheap; no store access). */
int worker_job_cancelled(const struct worker_job *j);
/*
 * A flag that becomes non-zero once the job must stop, for code that polls an
 * atomic_int between frames (pipeline_run's `cancel`). It is raised by
 * worker_job_progress(), so such code must also report progress (e.g. from
 * its progress callback). Valid for the life of the stage.
 */
const atomic_int *worker_job_cancel_flag(const struct worker_job *j);

#endif
