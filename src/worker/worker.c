/*
 * worker.c — the job runner and the thread pool around it. A worker thread
 * loops: claim (lease) → run every stage → complete | fail | release. The
 * lease is renewed through worker_job_progress(), so a stage that reports
 * progress keeps its job; one that stalls longer than the lease loses it to
 * another worker, and the store refuses its late writes.
 */
#include "worker/worker.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

struct worker_job {
    struct store *store;
    struct blob_store *blob;
    const struct worker_opts *opts;
    struct store_job job;
    struct store_session session;
    char video_path[BLOB_PATH_MAX];
    const atomic_int *stop;
    atomic_int cancel; /* raised by worker_job_progress when the job must stop */
    int lost;          /* lease lost or session gone: write nothing more */
    size_t stage;
    char step[16]; /* sub-step of the stage ("" = none), see worker_job_set_step */
    int weight_before, weight_total;
    double last_beat_s;
    int last_progress;
};

const struct store_session *worker_job_session(const struct worker_job *j)
{
    return &j->session;
}
const char *worker_job_video_path(const struct worker_job *j)
{
    return j->video_path;
}
struct store *worker_job_store(const struct worker_job *j)
{
    return j->store;
}
struct blob_store *worker_job_blob(const struct worker_job *j)
{
    return j->blob;
}
const char *worker_job_models_dir(const struct worker_job *j)
{
    return j->opts->models_dir;
}

int worker_job_cancelled(const struct worker_job *j)
{
    return j->lost || (j->stop && atomic_load(j->stop)) || atomic_load(&j->cancel);
}

const atomic_int *worker_job_cancel_flag(const struct worker_job *j)
{
    return &j->cancel;
}

void worker_job_set_step(struct worker_job *j, const char *step)
{
    if (strcmp(j->step, step ? step : "") == 0)
        return;
    str_copy(j->step, sizeof(j->step), step ? step : "");
    j->last_beat_s = 0; /* a new step is published at the next progress report */
}

static enum kz_err job_beat(struct worker_job *j, int progress, struct err_ctx *e)
{
    char stage[32];
    if (j->step[0])
        str_printf(stage, sizeof(stage), "%s:%s", worker_stages[j->stage].name, j->step);
    else
        str_copy(stage, sizeof(stage), worker_stages[j->stage].name);
    enum kz_err rc = store_job_heartbeat(j->store, &j->job, time_wall_ms() + j->opts->lease_ms,
                                         progress, stage, e);
    if (rc == KZ_E_CONFLICT || rc == KZ_E_NOT_FOUND) {
        log_warn("worker: job %lld (session %s): %s; abandoning it", (long long)j->job.id,
                 j->job.session_id, err_msg(e));
        j->lost = 1;
        atomic_store(&j->cancel, 1);
        return err_set(e, KZ_E_CANCELLED, "job abandoned: %s", err_msg(e));
    }
    if (rc == KZ_OK) {
        j->last_beat_s = time_mono_s();
        j->last_progress = progress;
    }
    return rc;
}

enum kz_err worker_job_progress(struct worker_job *j, double fraction, struct err_ctx *e)
{
    int progress;
    double now = time_mono_s();
    double every_s = (double)j->opts->lease_ms / 3000.0;
    if (worker_job_cancelled(j)) {
        atomic_store(&j->cancel, 1);
        return err_set(e, KZ_E_CANCELLED, "job cancelled");
    }
    if (fraction < 0)
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    progress = (int)((j->weight_before + fraction * worker_stages[j->stage].weight) * 100.0 /
                     (j->weight_total > 0 ? j->weight_total : 1));
    if (progress > 99)
        progress = 99; /* 100 means completed */
    if (every_s > 0.5)
        every_s = 0.5;
    if (now - j->last_beat_s < every_s && progress == j->last_progress)
        return KZ_OK;
    if (now - j->last_beat_s < 0.1)
        return KZ_OK; /* do not hammer the store */
    return job_beat(j, progress, e);
}

/* Errors that say "this video cannot be processed": no point retrying. */
static int job_error_permanent(enum kz_err rc)
{
    return rc == KZ_E_FORMAT || rc == KZ_E_UNSUPPORTED || rc == KZ_E_INVALID ||
           rc == KZ_E_TOO_LARGE;
}

enum kz_err worker_job_run(struct store *s, struct blob_store *b, const struct worker_opts *o,
                           const struct store_job *job, const atomic_int *stop, struct err_ctx *e)
{
    struct worker_job *j = calloc(1, sizeof *j);
    struct err_ctx se;
    enum kz_err rc;
    double t0 = time_mono_s();
    if (!j)
        return err_set(e, KZ_E_NOMEM, NULL);
    j->store = s;
    j->blob = b;
    j->opts = o;
    j->job = *job;
    j->stop = stop;
    j->last_progress = -1;
    for (size_t i = 0; i < worker_n_stages; i++)
        j->weight_total += worker_stages[i].weight;
    err_clear(&se);
    rc = store_session_get(s, job->session_id, &j->session, &se);
    if (rc == KZ_OK)
        rc = blob_path(b, j->session.video_key, j->video_path, &se);
    log_info("worker: job %lld session %s (%s) attempt %d/%d", (long long)job->id, job->session_id,
             j->session.activity, job->attempts, job->max_attempts);
    for (size_t i = 0; rc == KZ_OK && i < worker_n_stages; i++) {
        j->stage = i;
        j->step[0] = '\0';
        if ((rc = job_beat(j, j->weight_before * 100 / (j->weight_total ? j->weight_total : 1),
                           &se)) != KZ_OK)
            break;
        if (worker_job_cancelled(j)) {
            rc = err_set(&se, KZ_E_CANCELLED, "job cancelled");
            break;
        }
        rc = worker_stages[i].run(j, &se);
        if (rc == KZ_OK)
            log_info("worker: session %s: stage %s done (%.2f s)", job->session_id,
                     worker_stages[i].name, time_mono_s() - t0);
        j->weight_before += worker_stages[i].weight;
    }
    if (rc == KZ_OK) {
        rc = store_job_complete(s, &j->job, &se);
        if (rc == KZ_OK)
            log_info("worker: session %s completed in %.2f s", job->session_id, time_mono_s() - t0);
    } else if (rc == KZ_E_CANCELLED || j->lost) {
        if (!j->lost && store_job_release(s, &j->job, NULL) == KZ_OK)
            log_info("worker: session %s released back to the queue", job->session_id);
        rc = err_set(&se, KZ_E_CANCELLED, "%s", err_msg(&se));
    } else {
        char reason[512];
        int requeued = 0;
        enum kz_err orig = rc;
        str_printf(reason, sizeof reason, "%s: %s",
                   worker_stages[j->stage < worker_n_stages ? j->stage : 0].name, err_msg(&se));
        if (store_job_fail(s, &j->job, reason, !job_error_permanent(rc), &requeued, NULL) == KZ_OK)
            log_warn("worker: session %s %s: %s", job->session_id,
                     requeued ? "attempt failed, re-queued" : "failed", reason);
        rc = err_set(&se, orig, "%s", reason);
    }
    /* Deleted while running (noticed at a heartbeat, or only now because the
       last stage finished first): remove whatever the stages wrote after the
       api removed the session's files, so nothing is left behind. */
    struct store_session gone = {0};
    if (store_session_get(s, job->session_id, &gone, NULL) == KZ_E_NOT_FOUND) {
        char dir[STORE_ID_MAX + 16];
        if (blob_session_key(job->session_id, NULL, dir, sizeof dir, NULL) == KZ_OK &&
            blob_remove_prefix(b, dir, NULL) == KZ_OK)
            log_info("worker: session %s was deleted; its files are removed", job->session_id);
    }
    store_session_cleanup(&gone);
    if (e)
        *e = se;
    store_session_cleanup(&j->session);
    free(j);
    return rc;
}

/* ---- the pool ---- */
struct worker_pool {
    struct store *store;
    struct blob_store *blob;
    struct worker_opts opts;
    pthread_t *threads;
    int n;
    atomic_int stop; /* read by job threads without the mutex */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    char owner_base[96];
};

struct worker_thread_arg {
    struct worker_pool *p;
    int index;
};

static void pool_nap(struct worker_pool *p, double s)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    ts.tv_nsec += (long)(s * 1e9);
    ts.tv_sec += ts.tv_nsec / 1000000000L;
    ts.tv_nsec %= 1000000000L;
    pthread_mutex_lock(&p->mu);
    if (!atomic_load(&p->stop))
        pthread_cond_timedwait(&p->cv, &p->mu, &ts);
    pthread_mutex_unlock(&p->mu);
}

static void *pool_thread(void *arg)
{
    struct worker_thread_arg *ta = arg;
    struct worker_pool *p = ta->p;
    char owner[128];
    str_printf(owner, sizeof owner, "%s:%d", p->owner_base, ta->index);
    free(ta);
    while (!atomic_load(&p->stop)) {
        struct store_job job;
        struct err_ctx e;
        enum kz_err rc =
            store_job_claim(p->store, owner, time_wall_ms(), p->opts.lease_ms, &job, &e);
        if (rc == KZ_E_NOT_FOUND) {
            pool_nap(p, 0.25);
            continue;
        }
        if (rc != KZ_OK) {
            log_warn("worker %s: claim failed: %s", owner, err_msg(&e));
            pool_nap(p, 1.0);
            continue;
        }
        str_copy(job.lease_owner, sizeof job.lease_owner, owner);
        worker_job_run(p->store, p->blob, &p->opts, &job, &p->stop, NULL);
    }
    return NULL;
}

enum kz_err worker_pool_start(struct store *s, struct blob_store *b, const struct worker_opts *o,
                              struct worker_pool **out, struct err_ctx *e)
{
    struct worker_pool *p;
    char host[64] = "host";
    *out = NULL;
    if (o->threads < 1 || o->lease_ms < 1000)
        return err_set(e, KZ_E_INVALID, "worker pool needs >= 1 thread and a lease >= 1 s");
    p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, KZ_E_NOMEM, NULL);
    p->threads = calloc((size_t)o->threads, sizeof *p->threads);
    if (!p->threads) {
        free(p);
        return err_set(e, KZ_E_NOMEM, NULL);
    }
    p->store = s;
    p->blob = b;
    p->opts = *o;
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    gethostname(host, sizeof host - 1);
    str_printf(p->owner_base, sizeof p->owner_base, "%s:%ld:%lld", host, (long)getpid(),
               (long long)time_wall_ms());
    for (int i = 0; i < o->threads; i++) {
        struct worker_thread_arg *ta = malloc(sizeof *ta);
        if (ta) {
            ta->p = p;
            ta->index = i;
        }
        if (!ta || pthread_create(&p->threads[i], NULL, pool_thread, ta) != 0) {
            free(ta);
            p->n = i;
            worker_pool_stop(p);
            return err_set(e, KZ_E_INTERNAL, "cannot start worker thread %d", i);
        }
        p->n = i + 1;
    }
    log_info("worker: %d thread(s), lease %lld ms, %zu stage(s)", o->threads,
             (long long)o->lease_ms, worker_n_stages);
    *out = p;
    return KZ_OK;
}

void worker_pool_stop(struct worker_pool *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    atomic_store(&p->stop, 1);
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    for (int i = 0; i < p->n; i++)
        pthread_join(p->threads[i], NULL);
    pthread_mutex_destroy(&p->mu);
    pthread_cond_destroy(&p->cv);
    free(p->threads);
    free(p);
}
