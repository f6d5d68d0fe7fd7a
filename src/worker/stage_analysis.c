/*
 * stage_analysis.c — the worker's "analysis" stage: runs src/pipeline on the
 * upload (pose, bar tracking for weightlifting, running/jumping/weightlifting
 * metrics, the analyzed video) and stores the
 * outcome so the session endpoints have real values when the job completes:
 *   - the analyzed video is placed at blob key sessions/<id>/analyzed.mp4
 *     (before the results, so results never point at a missing file);
 *   - the result document (pipeline.h) goes to sessions.results_json, with
 *     kinalyze.analyzed_video_key naming that blob.
 * Athlete body mass and height come from the session owner's profile when
 * set; incline, exercise and barbell mass from the upload form.
 *
 * Failures keep the upload: the worker marks the session failed with
 * "analysis: <pipeline stage>: <reason>". A video without a person is a
 * permanent failure (no retry); a raised stop/lease loss cancels the run at
 * the next frame.
 */
#include "pipeline/pipeline.h"
#include "worker/worker.h"
#include "worker/worker_int.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lift/lift.h" /* LIFT_LB_TO_KG */
/* Give up when nobody is seen in the first seconds of an upload (saves
   minutes of detector runs on a clip without an athlete). */
#define PERSON_WAIT_S 3.0

#define BEAT_EVERY_S 0.25 /* heartbeat period while the pipeline runs */

/*
 * pipeline_run blocks for long stretches without progress (model loading,
 * the analysis, the encoder's flush), longer than a short job lease, so a
 * helper thread owns the job's heartbeat while it runs: the pipeline's
 * progress callback only records the percentage, the helper publishes it
 * (renewing the lease) and raises the cancel flag when the job must stop.
 * Only the helper touches the worker_job during the run.
 */
struct stage_ctx {
    struct worker_job *job;
    atomic_int cancel;          /* read by the pipeline between frames */
    atomic_int overall_pct;     /* written by the progress callback */
    _Atomic(const char *) step; /* pipeline stage name (a static string) */
    atomic_int done;            /* tells the helper to exit */
    enum kz_err beat_rc;        /* first heartbeat failure (helper only, read after join) */
    struct err_ctx beat_err;
};

static void on_progress(void *user, const char *stage, int stage_pct, int overall_pct)
{
    struct stage_ctx *c = user;
    (void)stage_pct;
    atomic_store(&c->step, stage);
    atomic_store(&c->overall_pct, overall_pct);
}

static void *beat_main(void *arg)
{
    struct stage_ctx *c = arg;
    struct timespec ts = {0, (long)(BEAT_EVERY_S * 1e9)};
    while (!atomic_load(&c->done)) {
        if (c->beat_rc == KZ_OK) {
            int pct = atomic_load(&c->overall_pct);
            worker_job_set_step(c->job, atomic_load(&c->step));
            enum kz_err rc = worker_job_progress(c->job, pct / 100.0, &c->beat_err);
            if (rc != KZ_OK || worker_job_cancelled(c->job)) {
                c->beat_rc = rc != KZ_OK ? rc : KZ_E_CANCELLED;
                atomic_store(&c->cancel, 1);
            }
        }
        nanosleep(&ts, NULL);
    }
    return NULL;
}

enum kz_err worker_stage_analysis(struct worker_job *j, struct err_ctx *e)
{
    const struct store_session *s = worker_job_session(j);
    struct blob_store *b = worker_job_blob(j);
    struct pipeline_opts o;
    struct pipeline_result res = {0};
    struct store_user user;
    struct stage_ctx ctx;
    char tmp[BLOB_PATH_MAX] = "", key[256];
    char *text = NULL;
    int fd = -1;
    enum kz_err rc;

    pipeline_opts_init(&o);
    rc = pipeline_activity_parse(s->activity, &o.activity, e);
    if (rc != KZ_OK)
        return rc;
    memset(&ctx, 0, sizeof(ctx));
    ctx.job = j;
    atomic_init(&ctx.cancel, 0);
    atomic_init(&ctx.overall_pct, 0);
    atomic_init(&ctx.done, 0);
    atomic_init(&ctx.step, (const char *)NULL);
    o.video_path = worker_job_video_path(j);
    o.models_dir = worker_job_models_dir(j);
    o.exercise = s->exercise[0] ? s->exercise : NULL;
    o.incline_deg = s->has_incline ? s->incline_deg : 0.0;
    if (s->has_barbell)
        o.barbell_mass_kg =
            strcmp(s->barbell_unit, "lb") == 0 ? s->barbell_mass * LIFT_LB_TO_KG : s->barbell_mass;
    if (store_user_get(worker_job_store(j), s->user_id, &user, NULL) == KZ_OK) {
        if (user.weight_kg > 0 && user.weight_kg < 500)
            o.mass_kg = user.weight_kg;
        if (user.height_cm > 50 && user.height_cm < 300)
            o.height_cm = user.height_cm;
    }
    o.title = s->title;
    o.video_url = "";
    o.analyzed_video_url = "";
    o.created_at_ms = s->created_at_ms;
    o.progress = on_progress;
    o.progress_user = &ctx;
    o.person_wait_s = PERSON_WAIT_S;
    o.cancel = &ctx.cancel;

    rc = blob_session_key(s->id, BLOB_FILE_ANALYZED, key, sizeof(key), e);
    if (rc != KZ_OK)
        goto fail;
    rc = blob_tmp_create(b, ".mp4", &fd, tmp, e);
    if (rc != KZ_OK)
        goto fail;
    close(fd);
    o.out_video_path = tmp;

    pthread_t beat;
    if (pthread_create(&beat, NULL, beat_main, &ctx) != 0) {
        rc = err_set(e, KZ_E_INTERNAL, "cannot start the heartbeat thread");
        goto fail;
    }
    rc = pipeline_run(&o, &res, e);
    atomic_store(&ctx.done, 1);
    pthread_join(beat, NULL);
    if (rc != KZ_OK) {
        if (ctx.beat_rc != KZ_OK) {
            /* the job was stopped (shutdown, lease lost, session deleted) */
            rc = ctx.beat_rc;
            if (e)
                *e = ctx.beat_err;
            if (rc != KZ_E_CANCELLED)
                rc = err_set(e, KZ_E_CANCELLED, "job stopped: %s", err_msg(&ctx.beat_err));
        } else if (rc == KZ_E_NOT_FOUND && (strcmp(res.failed_stage, PIPELINE_STAGE_POSE) == 0 ||
                                            strcmp(res.failed_stage, PIPELINE_STAGE_BAR) == 0)) {
            /* no person, or no barbell plate, in the video: retrying cannot help */
            char msg[ERR_MSG_MAX];
            str_copy(msg, sizeof(msg), err_msg(e));
            rc = err_set(e, KZ_E_FORMAT, "%s", msg);
        }
        goto fail;
    }
    json_t *kz = json_object_get(res.doc, "kinalyze");
    if (!kz || json_object_set_new(kz, "analyzed_video_key", json_string(key)) != 0) {
        rc = err_set(e, KZ_E_NOMEM, "out of memory");
        goto fail;
    }
    text = json_dumps(res.doc, JSON_COMPACT | JSON_REAL_PRECISION(8));
    if (!text) {
        rc = err_set(e, KZ_E_NOMEM, "cannot serialise the results");
        goto fail;
    }
    rc = blob_place(b, tmp, key, e);
    if (rc != KZ_OK)
        goto fail;
    tmp[0] = 0;
    worker_job_set_step(j, PIPELINE_STAGE_RESULTS); /* the beat thread has stopped */
    rc = worker_job_progress(j, 1.0, e);
    if (rc == KZ_OK)
        rc = store_session_set_results(worker_job_store(j), s->id, text, e);
fail:
    if (tmp[0])
        unlink(tmp);
    free(text);
    pipeline_result_cleanup(&res);
    return rc;
}
