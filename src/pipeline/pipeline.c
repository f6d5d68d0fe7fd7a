/*
 * pipeline.c — decode → pose → analysis → analyzed video → results for one
 * video (see pipeline.h for the stages and the result document).
 *
 * Pass 1 decodes every frame at its native (upright) size and runs the pose
 * tracker on it, keeping only the landmarks (about 1 KB per frame); for a
 * lift the plate tracker sees the same frame (pipeline_lift.c). The
 * analysis module then turns the landmark series into metrics and the
 * vendor's document parts. Pass 2 (pipeline_video.c) decodes the video
 * again, already downscaled to the analyzed video's size, draws the overlay
 * for the same frame index from the kept landmarks and the analysis results
 * (the analysis decides left/right identity, so the colours of legs and arms
 * follow its repaired labels), and encodes it, the three steps overlapped on
 * threads.
 * Keeping decoded frames between passes would cost gigabytes for a phone
 * clip; decoding twice costs a few milliseconds per frame.
 */
#include "pipeline/pipeline.h"
#include "pipeline/pipeline_int.h"

#include "analysis/analysis.h"
#include "frame/frame.h"
#include "media/media.h"
#include "pose/pose.h"
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_FRAMES (1 << 20) /* about 4.8 hours at 60 fps; analysis caps at 2^22 */

/* Overall-progress share of each stage (start percentages). */
#define PCT_PROBE 0
#define PCT_POSE 2
#define PCT_ANALYSIS 80
#define PCT_VIDEO 83
#define PCT_RESULTS 99

struct progress {
    pipeline_progress_fn fn;
    void *user;
    int last_overall;
    const char *last_stage;
    int last_stage_pct;
};

static void progress_report(struct progress *p, const char *stage, int stage_pct, int start,
                            int end)
{
    if (!p->fn)
        return;
    if (stage_pct < 0)
        stage_pct = 0;
    if (stage_pct > 100)
        stage_pct = 100;
    int overall = start + (end - start) * stage_pct / 100;
    if (overall < p->last_overall)
        overall = p->last_overall;
    if (p->last_stage == stage && p->last_stage_pct == stage_pct)
        return;
    p->last_stage = stage;
    p->last_stage_pct = stage_pct;
    p->last_overall = overall;
    p->fn(p->user, stage, stage_pct, overall);
}

static int cancelled(const struct pipeline_opts *o)
{
    return o->cancel && atomic_load(o->cancel) != 0;
}

static const char *base_name(const char *path)
{
    const char *s = strrchr(path, '/');
    return s ? s + 1 : path;
}

/* Prefix the message in `e` with the stage name and record the stage. */
static enum kz_err stage_fail(struct pipeline_result *out, struct err_ctx *e, const char *stage,
                              enum kz_err rc)
{
    char msg[ERR_MSG_MAX];
    str_copy(out->failed_stage, sizeof(out->failed_stage), stage);
    if (e) {
        str_copy(msg, sizeof(msg), err_msg(e));
        if (strncmp(msg, stage, strlen(stage)) == 0 && msg[strlen(stage)] == ':')
            return rc;
        err_set(e, rc, "%s: %s", stage, msg);
    }
    return rc;
}

void pipeline_opts_init(struct pipeline_opts *o)
{
    if (!o)
        return;
    memset(o, 0, sizeof(*o));
    o->activity = PIPELINE_RUNNING;
    /* One inference thread: libavcodec's frame threads decode on the other core
       meanwhile, which beats 2 inference threads end to end on a 2-core machine
       (RTF 1.25 vs 1.43 on the treadmill clip; docs/BENCHMARKS.md, summary). */
    o->threads = 1;
}

enum kz_err pipeline_activity_parse(const char *s, enum pipeline_activity *out, struct err_ctx *e)
{
    if (!s || !out)
        return err_set(e, KZ_E_INVALID, "activity: missing");
    if (strcmp(s, "running") == 0 || strcmp(s, "Running") == 0)
        *out = PIPELINE_RUNNING;
    else if (strcmp(s, "jumping") == 0 || strcmp(s, "Jumping") == 0 ||
             strcmp(s, "Vertical Jump") == 0)
        *out = PIPELINE_JUMPING;
    else if (strcmp(s, "weightlifting") == 0 || strcmp(s, "Weightlifting") == 0)
        *out = PIPELINE_WEIGHTLIFTING;
    else
        return err_set(e, KZ_E_INVALID,
                       "activity: '%s' is not one of running, jumping, weightlifting", s);
    return KZ_OK;
}

const char *pipeline_activity_name(enum pipeline_activity a)
{
    switch (a) {
    case PIPELINE_RUNNING:
        return "Running";
    case PIPELINE_JUMPING:
        return "Jumping";
    case PIPELINE_WEIGHTLIFTING:
        return "Weightlifting";
    }
    return NULL;
}

void pipeline_result_cleanup(struct pipeline_result *r)
{
    if (!r)
        return;
    json_decref(r->doc);
    memset(r, 0, sizeof(*r));
}

/* ---- pass 1: decode + pose ---- */

struct pose_track {
    int n, cap;
    struct pose_result *res;
    int width, height; /* pass-1 frame size: the landmarks' coordinate space */
};

static enum kz_err track_push(struct pose_track *t, const struct pose_result *r, struct err_ctx *e)
{
    if (t->n == t->cap) {
        int cap = t->cap ? t->cap * 2 : 256;
        size_t bytes;
        if (cap > MAX_FRAMES || size_mul((size_t)cap, sizeof(*t->res), &bytes) != 0)
            return err_set(e, KZ_E_TOO_LARGE, "pose: more than %d frames", MAX_FRAMES);
        struct pose_result *p = realloc(t->res, bytes);
        if (!p)
            return err_set(e, KZ_E_NOMEM, "pose: out of memory for landmarks");
        t->res = p;
        t->cap = cap;
    }
    t->res[t->n++] = *r;
    return KZ_OK;
}

static enum kz_err run_pose(const struct pipeline_opts *o, const struct media_info *info,
                            struct pose_track *track, struct pl_lift *lift,
                            struct pipeline_result *out, struct progress *prog, struct err_ctx *e)
{
    struct pose_tracker *tracker = NULL;
    struct media_decoder *dec = NULL;
    struct pose_opts popts;
    struct pose_result pr;
    enum kz_err rc;
    double t0 = time_mono_s();

    pose_opts_init(&popts);
    popts.models_dir = o->models_dir;
    popts.model = o->model;
    popts.backend = o->backend;
    popts.threads = o->threads;
    rc = pose_tracker_create(&popts, &tracker, e);
    out->timing.pose_s += time_mono_s() - t0;
    if (rc != KZ_OK)
        goto fail;
    str_copy(out->backend, sizeof(out->backend), pose_tracker_backend(tracker));
    rc = media_decoder_open(o->video_path, NULL, &dec, e);
    if (rc != KZ_OK)
        goto fail;
    track->width = media_decoder_info(dec)->width;
    track->height = media_decoder_info(dec)->height;
    int64_t expect = info->frame_count > 0 ? info->frame_count : 0;
    if (o->max_frames > 0 && (expect == 0 || expect > o->max_frames))
        expect = o->max_frames;
    double last_t = -INFINITY;
    for (;;) {
        const struct frame *f = NULL;
        if (cancelled(o)) {
            rc = err_set(e, KZ_E_CANCELLED, "cancelled at frame %d", track->n);
            goto fail;
        }
        if (o->max_frames > 0 && track->n >= o->max_frames)
            break;
        double ta = time_mono_s();
        rc = media_decoder_next(dec, &f, e);
        double tb = time_mono_s();
        out->timing.decode_s += tb - ta;
        if (rc != KZ_OK)
            goto fail;
        if (!f)
            break;
        rc = pose_tracker_process(tracker, f, &pr, e);
        out->timing.pose_s += time_mono_s() - tb;
        if (rc != KZ_OK)
            goto fail;
        /* The analysis needs strictly increasing timestamps; a decoder that
           repeats one (broken container) gets the next frame nudged by 1 µs. */
        if (!(pr.t_s > last_t))
            pr.t_s = last_t + 1e-6;
        last_t = pr.t_s;
        pr.frame_index = track->n;
        if (lift) { /* weightlifting: the plate on the same full-size frame */
            rc = pl_lift_frame(lift, f, &pr, e);
            if (rc != KZ_OK)
                goto fail;
        }
        rc = track_push(track, &pr, e);
        if (rc != KZ_OK)
            goto fail;
        if (pr.found)
            out->n_frames_with_pose++;
        if (o->person_wait_s > 0 && out->n_frames_with_pose == 0 &&
            pr.t_s - track->res[0].t_s >= o->person_wait_s) {
            rc = err_set(e, KZ_E_NOT_FOUND, "no person found in the first %.1f s (%d frames)",
                         o->person_wait_s, track->n);
            out->n_frames = track->n;
            goto fail;
        }
        if (expect > 0)
            progress_report(prog, PIPELINE_STAGE_POSE, (int)(100 * track->n / (expect + 1)),
                            PCT_POSE, PCT_ANALYSIS);
    }
    out->n_frames = track->n;
    if (track->n == 0) {
        rc = err_set(e, KZ_E_FORMAT, "no frame could be decoded");
        goto fail;
    }
    if (out->n_frames_with_pose == 0) {
        rc = err_set(e, KZ_E_NOT_FOUND, "no person found in any of the %d frames", track->n);
        goto fail;
    }
    progress_report(prog, PIPELINE_STAGE_POSE, 100, PCT_POSE, PCT_ANALYSIS);
    rc = KZ_OK;
fail:
    media_decoder_close(dec);
    pose_tracker_destroy(tracker);
    return rc;
}

/* ---- analysis ---- */

struct analysis_out {
    struct an_series series;
    int have_running, have_jumping;
    struct an_running_result run;
    struct an_jumping_result jump;
    int have_lift;
    struct pl_lift lift; /* weightlifting: bar track, body kinematics, lift result */
    json_t *doc;
};

static void analysis_out_cleanup(struct analysis_out *a)
{
    if (a->have_running)
        analysis_running_result_cleanup(&a->run);
    if (a->have_jumping)
        analysis_jumping_result_cleanup(&a->jump);
    if (a->have_lift)
        pl_lift_cleanup(&a->lift);
    analysis_series_cleanup(&a->series);
    json_decref(a->doc);
    memset(a, 0, sizeof(*a));
}

void pipeline_frame_from_pose(const struct pose_result *pr, struct an_frame *f)
{
    f->t_s = pr->t_s;
    f->valid = pr->found;
    if (!pr->found)
        return;
    for (int k = 0; k < AN_N_LANDMARKS && k < POSE_N_LANDMARKS; k++) {
        f->lm[k].x_px = pr->lm[k].x_px;
        f->lm[k].y_px = pr->lm[k].y_px;
        f->lm[k].z = pr->lm[k].z;
        f->lm[k].visibility = pr->lm[k].visibility;
        f->lm[k].presence = pr->lm[k].presence;
        for (int c = 0; c < 3; c++)
            f->world_m[k][c] = pr->world_m[k][c];
    }
}

static enum kz_err build_series(const struct pose_track *t, struct an_series *s, struct err_ctx *e)
{
    enum kz_err rc = analysis_series_init(s, t->n, t->width, t->height, e);
    if (rc != KZ_OK)
        return rc;
    for (int i = 0; i < t->n; i++)
        pipeline_frame_from_pose(&t->res[i], &s->frames[i]);
    return KZ_OK;
}

static enum kz_err run_analysis(const struct pipeline_opts *o, const struct pose_track *t,
                                struct analysis_out *a, struct err_ctx *e)
{
    enum kz_err rc = build_series(t, &a->series, e);
    if (rc != KZ_OK)
        return rc;
    switch (o->activity) {
    case PIPELINE_RUNNING: {
        struct an_running_opts ro = {0};
        ro.incline_deg = o->incline_deg;
        ro.height_cm = o->height_cm;
        ro.mass_kg = o->mass_kg;
        a->have_running = 1;
        rc = analysis_running_run(&a->series, &ro, &a->run, e);
        if (rc != KZ_OK)
            return rc;
        a->doc = analysis_running_json(&a->run, &a->series);
        break;
    }
    case PIPELINE_JUMPING: {
        struct an_jumping_opts jo = {0};
        rc = analysis_jump_kind_parse(o->exercise ? o->exercise : "Countermovement Jump", &jo.kind,
                                      e);
        if (rc != KZ_OK)
            return rc;
        jo.height_cm = o->height_cm;
        jo.mass_kg = o->mass_kg;
        a->have_jumping = 1;
        rc = analysis_jumping_run(&a->series, &jo, &a->jump, e);
        if (rc != KZ_OK)
            return rc;
        a->doc = analysis_jumping_json(&a->jump, &a->series);
        break;
    }
    case PIPELINE_WEIGHTLIFTING:
        rc = pl_lift_analyze(o, &a->lift, &a->series, &a->doc, e);
        if (rc != KZ_OK)
            return rc;
        break;
    }
    if (!a->doc)
        return err_set(e, KZ_E_NOMEM, "out of memory building the result document");
    return KZ_OK;
}

/* ---- pass 2: the analyzed video ---- */

/* Per-frame overlay state derived once from the analysis results. */
struct overlay_plan {
    int n;
    signed char *contact; /* 2 per frame: left, right; -1 unknown */
    const double *angle[RENDER_N_ANGLES];
    const unsigned char *side_swapped; /* legs relabelled by the analysis, per frame */
    const unsigned char *arm_swapped;  /* arms relabelled by the analysis, per frame */
    char info[RENDER_MAX_INFO][64];
};

static void plan_cleanup(struct overlay_plan *p)
{
    free(p->contact);
    memset(p, 0, sizeof(*p));
}

static enum kz_err plan_build(const struct pipeline_opts *o, struct analysis_out *a, int n,
                              struct overlay_plan *p, struct err_ctx *e)
{
    const struct an_kinematics *kin = a->have_running    ? &a->run.kin
                                      : a->have_jumping  ? &a->jump.kin
                                      : a->lift.have_kin ? &a->lift.kin
                                                         : NULL;
    memset(p, 0, sizeof(*p));
    p->n = n;
    p->contact = malloc((size_t)n * 2);
    if (!p->contact)
        return err_set(e, KZ_E_NOMEM, "out of memory");
    memset(p->contact, a->have_running ? 0 : -1, (size_t)n * 2);
    if (kin && kin->n == n) {
        for (int r = 0; r < RENDER_N_ANGLES; r++)
            for (int k = 0; k < AN_ANG__COUNT; k++)
                if (strcmp(render_angle_name((enum render_angle)r),
                           analysis_angle_name((enum an_angle)k)) == 0)
                    p->angle[r] = kin->angle_deg[k];
        p->side_swapped = kin->side_swapped;
        p->arm_swapped = kin->arm_swapped;
    }
    if (a->have_running) {
        for (int c = 0; c < a->run.n_contacts; c++) {
            const struct an_contact *ct = &a->run.contacts[c];
            if (ct->side < 0 || ct->side > 1)
                continue;
            for (int i = ct->frame_on; i <= ct->frame_off; i++)
                if (i >= 0 && i < n)
                    p->contact[2 * i + ct->side] = 1;
        }
        const struct an_metric *cad = &a->run.m[AN_RM_CADENCE];
        const struct an_metric *gct = &a->run.m[AN_RM_CONTACT_TIME];
        if (cad->available)
            str_printf(p->info[0], sizeof(p->info[0]), "cadence %.0f steps/min", cad->avg);
        if (gct->available)
            str_printf(p->info[1], sizeof(p->info[1]), "contact time %.0f ms", gct->avg * 1e3);
        if (a->run.footstrike != AN_FS_UNKNOWN)
            str_printf(p->info[2], sizeof(p->info[2]), "foot strike: %s",
                       analysis_footstrike_name(a->run.footstrike));
    }
    if (a->have_lift)
        return pl_lift_plan(&a->lift, e);
    (void)o;
    return KZ_OK;
}

/* Jump phase shown at frame i: the last phase event at or before i within its jump. */
static const char *jump_phase_at(const struct an_jumping_result *j, int i, int *jump_no)
{
    for (int k = 0; k < j->n_jumps; k++) {
        const struct an_jump *jp = &j->jumps[k];
        int first = -1;
        for (int ph = 0; ph < AN_PH__COUNT; ph++)
            if (jp->frame[ph] >= 0 && (first < 0 || jp->frame[ph] < first))
                first = jp->frame[ph];
        if (first < 0 || i < first || i > jp->end_frame)
            continue;
        int best = -1, best_frame = -1;
        for (int ph = 0; ph < AN_PH__COUNT; ph++)
            if (jp->frame[ph] >= 0 && jp->frame[ph] <= i && jp->frame[ph] >= best_frame) {
                best = ph;
                best_frame = jp->frame[ph];
            }
        if (best < 0)
            return NULL;
        *jump_no = k;
        return analysis_phase_name((enum an_phase)best);
    }
    return NULL;
}

/* Swap the left/right landmarks first..last (left at even offsets from first), as the
   analysis did: legs POSE_LEFT_HIP..POSE_RIGHT_FOOT_INDEX, arms
   POSE_LEFT_SHOULDER..POSE_RIGHT_THUMB. */
static void swap_sides(struct render_overlay *ov, int first, int last)
{
    for (int k = first; k < last; k += 2) {
        struct render_point tmp = ov->lm[k];
        ov->lm[k] = ov->lm[k + 1];
        ov->lm[k + 1] = tmp;
    }
}

static void overlay_fill(const struct pose_track *t, struct analysis_out *a,
                         const struct overlay_plan *p, int i, struct render_overlay *ov,
                         char *phase_buf, size_t phase_cap, char *jump_buf, size_t jump_cap)
{
    render_overlay_init(ov);
    if (i < 0 || i >= t->n)
        return;
    const struct pose_result *pr = &t->res[i];
    if (pr->found) {
        ov->have_pose = 1;
        for (int k = 0; k < RENDER_N_LANDMARKS && k < POSE_N_LANDMARKS; k++) {
            ov->lm[k].x_px = pr->lm[k].x_px;
            ov->lm[k].y_px = pr->lm[k].y_px;
            /* MediaPipe draws a landmark when it is likely visible and in frame */
            ov->lm[k].visibility = pr->lm[k].visibility < pr->lm[k].presence ? pr->lm[k].visibility
                                                                             : pr->lm[k].presence;
        }
        if (p->side_swapped && i < p->n && p->side_swapped[i])
            swap_sides(ov, POSE_LEFT_HIP, POSE_RIGHT_FOOT_INDEX);
        if (p->arm_swapped && i < p->n && p->arm_swapped[i])
            swap_sides(ov, POSE_LEFT_SHOULDER, POSE_RIGHT_THUMB);
        for (int r = 0; r < RENDER_N_ANGLES; r++)
            if (p->angle[r] && i < p->n)
                ov->angle_deg[r] = p->angle[r][i];
        if (i < p->n) {
            ov->contact[0] = p->contact[2 * i];
            ov->contact[1] = p->contact[2 * i + 1];
        }
    }
    for (int k = 0; k < RENDER_MAX_INFO; k++)
        ov->info[k] = p->info[k][0] ? p->info[k] : NULL;
    if (a->have_lift)
        pl_lift_overlay(&a->lift, i, ov);
    if (a->have_jumping) {
        int jn = -1;
        const char *ph = jump_phase_at(&a->jump, i, &jn);
        if (ph) {
            /* "takeoff", "zero_velocity" -> "zero velocity" */
            str_copy(phase_buf, phase_cap, ph);
            for (char *c = phase_buf; *c; c++)
                if (*c == '_')
                    *c = ' ';
            ov->phase = phase_buf;
            const struct an_metric *ft = &a->jump.m[AN_JM_FLIGHT_TIME];
            const struct an_metric *jh = &a->jump.m[AN_JM_JUMP_HEIGHT];
            int w = 0;
            if (ft->available && jn < ft->n && isfinite(ft->values[jn]))
                w = str_printf(jump_buf, jump_cap, "jump %d/%d  flight %.2f s", jn + 1,
                               a->jump.n_jumps, ft->values[jn]) == KZ_OK;
            if (w && jh->available && jn < jh->n && isfinite(jh->values[jn])) {
                size_t len = strlen(jump_buf);
                str_printf(jump_buf + len, jump_cap - len, "  height %.1f %s", jh->values[jn],
                           jh->unit ? jh->unit : "");
            }
            if (w)
                ov->info[0] = jump_buf;
        }
    }
}

struct overlay_user {
    const struct pose_track *t;
    struct analysis_out *a;
    const struct overlay_plan *plan;
    char phase_buf[48], jump_buf[96];
};

static void overlay_cb(void *user, int i, struct render_overlay *ov)
{
    struct overlay_user *u = user;
    overlay_fill(u->t, u->a, u->plan, i, ov, u->phase_buf, sizeof(u->phase_buf), u->jump_buf,
                 sizeof(u->jump_buf));
}

struct video_progress {
    struct progress *prog;
};

static void video_progress_cb(void *user, int done, int n)
{
    struct video_progress *vp = user;
    progress_report(vp->prog, PIPELINE_STAGE_VIDEO, (int)(100LL * done / (n + 1)), PCT_VIDEO,
                    PCT_RESULTS);
}

static enum kz_err run_video(const struct pipeline_opts *o, const struct media_info *info,
                             const struct pose_track *t, struct analysis_out *a,
                             struct pipeline_result *out, struct progress *prog, struct err_ctx *e)
{
    struct overlay_plan plan = {0};
    struct overlay_user ou = {t, a, &plan, "", ""};
    struct video_progress vp = {prog};
    struct pl_video_job job = {0};
    struct pl_video_stats st;
    enum kz_err rc;

    rc = plan_build(o, a, t->n, &plan, e);
    if (rc != KZ_OK)
        goto fail;
    double fps = info->fps;
    if (!(fps > 0.0) || !isfinite(fps))
        fps = out->duration_s > 0 ? t->n / out->duration_s : 30.0;
    job.in_path = o->video_path;
    job.out_path = o->out_video_path;
    job.coord_w = t->width;
    job.coord_h = t->height;
    job.max_long_side_px = o->max_long_side_px;
    job.n_frames = t->n;
    job.fps = fps;
    job.overlay = overlay_cb;
    job.overlay_user = &ou;
    job.progress = video_progress_cb;
    job.progress_user = &vp;
    job.cancel = o->cancel;
    rc = pl_video_write(&job, &st, e);
    out->timing.render_s = st.render_s;
    out->timing.encode_s = st.encode_s;
    out->video_frames = st.frames;
    if (rc != KZ_OK)
        goto fail;
    out->video_width = st.width;
    out->video_height = st.height;
    progress_report(prog, PIPELINE_STAGE_VIDEO, 100, PCT_VIDEO, PCT_RESULTS);
fail:
    plan_cleanup(&plan);
    return rc;
}

/* ---- results ---- */

static json_t *timing_json(const struct pipeline_timing *t)
{
    return json_pack("{s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f, s:f}", "probe", t->probe_s,
                     "decode", t->decode_s, "pose", t->pose_s, "bar", t->bar_s, "analysis",
                     t->analysis_s, "render", t->render_s, "encode", t->encode_s, "video",
                     t->video_s, "results", t->results_s, "total", t->total_s);
}

static enum kz_err doc_set(json_t *obj, const char *key, json_t *v, struct err_ctx *e)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        return err_set(e, KZ_E_NOMEM, "out of memory setting '%s'", key);
    return KZ_OK;
}

static enum kz_err finish_doc(const struct pipeline_opts *o, const struct media_info *info,
                              struct pipeline_result *out, json_t *doc, struct err_ctx *e)
{
    enum kz_err rc;
    char date[16], clock[16];
    int64_t ms = o->created_at_ms > 0 ? o->created_at_ms : time_wall_ms();
    time_t secs = (time_t)(ms / 1000);
    struct tm tm;
    if (!gmtime_r(&secs, &tm))
        memset(&tm, 0, sizeof(tm));
    int hour12 = tm.tm_hour % 12 == 0 ? 12 : tm.tm_hour % 12;
    str_printf(date, sizeof(date), "%02d/%02d/%04d", tm.tm_mday, tm.tm_mon + 1, tm.tm_year + 1900);
    str_printf(clock, sizeof(clock), "%02d:%02d %s", hour12, tm.tm_min,
               tm.tm_hour < 12 ? "AM" : "PM");

    const char *video_url = o->video_url ? o->video_url : base_name(o->video_path);
    const char *analyzed = o->analyzed_video_url ? o->analyzed_video_url
                           : o->out_video_path   ? base_name(o->out_video_path)
                                                 : "";
    if ((rc = doc_set(doc, "activity", json_string(pipeline_activity_name(o->activity)), e)) ||
        (rc = doc_set(doc, "title", json_string(o->title ? o->title : base_name(o->video_path)),
                      e)) ||
        (rc = doc_set(doc, "video_url", json_string(video_url), e)) ||
        (rc = doc_set(doc, "analyzed_video_url", json_string(analyzed), e)) ||
        (rc = doc_set(doc, "user_name", json_string(o->user_name ? o->user_name : ""), e)) ||
        (rc = doc_set(doc, "created_at", json_pack("{s:s, s:s}", "date", date, "time", clock), e)))
        return rc;
    if (o->activity == PIPELINE_WEIGHTLIFTING && o->exercise) {
        if ((rc = doc_set(doc, "exercise", json_string(o->exercise), e)))
            return rc;
    }
    json_t *kz = json_object_get(doc, "kinalyze");
    if (!kz) {
        if ((rc = doc_set(doc, "kinalyze", json_object(), e)))
            return rc;
        kz = json_object_get(doc, "kinalyze");
    }
    json_t *video =
        out->video_width > 0
            ? json_pack("{s:i, s:i, s:f, s:I}", "width", out->video_width, "height",
                        out->video_height, "fps", out->fps, "frames", (json_int_t)out->video_frames)
            : json_null();
    json_t *pl = json_pack(
        "{s:s, s:s, s:I, s:I, s:f, s:{s:i, s:i, s:f, s:i, s:s}, s:o, s:o, s:f}", "model",
        o->model ? o->model : "full", "backend", out->backend, "frames", (json_int_t)out->n_frames,
        "frames_with_pose", (json_int_t)out->n_frames_with_pose, "duration_s", out->duration_s,
        "source", "width", info->width, "height", info->height, "fps", info->fps, "rotation_deg",
        info->rotation_deg, "codec", info->codec, "analyzed_video", video, "timing_s",
        timing_json(&out->timing), "real_time_factor",
        out->duration_s > 0 ? out->timing.total_s / out->duration_s : 0.0);
    return doc_set(kz, "pipeline", pl, e);
}

static enum kz_err write_json(const char *path, const json_t *doc, struct err_ctx *e)
{
    char tmp[4096];
    if (str_printf(tmp, sizeof(tmp), "%s.tmp", path) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "output path too long");
    if (json_dump_file(doc, tmp, JSON_INDENT(1) | JSON_REAL_PRECISION(8)) != 0) {
        remove(tmp);
        return err_set(e, KZ_E_IO, "cannot write %s", tmp);
    }
    if (rename(tmp, path) != 0) {
        remove(tmp);
        return err_set(e, KZ_E_IO, "cannot rename %s to %s", tmp, path);
    }
    return KZ_OK;
}

enum kz_err pipeline_opts_check(const struct pipeline_opts *o, struct err_ctx *e)
{
    if (!o || !o->video_path || !o->video_path[0] || !pipeline_activity_name(o->activity))
        return err_set(e, KZ_E_INVALID, "options: a video and an activity are required");
    if (!(o->mass_kg >= 0) || !(o->height_cm >= 0) || !(o->barbell_mass_kg >= 0) ||
        !isfinite(o->incline_deg))
        return err_set(e, KZ_E_INVALID,
                       "options: body mass, height and barbell mass must be "
                       ">= 0 and the incline finite");
    if (o->activity == PIPELINE_JUMPING && o->exercise) {
        enum an_jump_kind kind;
        return analysis_jump_kind_parse(o->exercise, &kind, e);
    }
    if (o->activity == PIPELINE_WEIGHTLIFTING) {
        enum lift_exercise ex;
        if (!o->exercise)
            return err_set(e, KZ_E_INVALID,
                           "weightlifting needs an exercise: snatch, clean or clean_and_jerk");
        return lift_exercise_parse(o->exercise, &ex, e);
    }
    return KZ_OK;
}

enum kz_err pipeline_run(const struct pipeline_opts *o, struct pipeline_result *out,
                         struct err_ctx *e)
{
    struct pose_track track = {0};
    struct analysis_out an = {0};
    struct media_info info;
    struct progress prog = {0};
    enum kz_err rc;
    const char *stage = PIPELINE_STAGE_PROBE;
    double t_start = time_mono_s(), t0;

    if (!out)
        return err_set(e, KZ_E_INVALID, "pipeline_run: NULL result");
    memset(out, 0, sizeof(*out));
    rc = pipeline_opts_check(o, e);
    if (rc != KZ_OK)
        goto fail;
    prog.fn = o->progress;
    prog.user = o->progress_user;

    /* probe */
    progress_report(&prog, stage, 0, PCT_PROBE, PCT_POSE);
    t0 = time_mono_s();
    rc = media_probe(o->video_path, &info, e);
    out->timing.probe_s = time_mono_s() - t0;
    if (rc != KZ_OK)
        goto fail;
    out->fps = info.fps;
    progress_report(&prog, stage, 100, PCT_PROBE, PCT_POSE);

    /* pose (pass 1), with the barbell plate tracked on the same frames */
    stage = PIPELINE_STAGE_POSE;
    progress_report(&prog, stage, 0, PCT_POSE, PCT_ANALYSIS);
    if (o->activity == PIPELINE_WEIGHTLIFTING) {
        stage = PIPELINE_STAGE_BAR;
        rc = pl_lift_begin(o, &an.lift, e);
        an.have_lift = 1; /* also after a failed begin: cleanup frees what it made */
        if (rc != KZ_OK)
            goto fail;
        stage = PIPELINE_STAGE_POSE;
    }
    rc = run_pose(o, &info, &track, an.have_lift ? &an.lift : NULL, out, &prog, e);
    if (rc != KZ_OK)
        goto fail;
    {
        double dt = track.n > 1 ? (track.res[track.n - 1].t_s - track.res[0].t_s) / (track.n - 1)
                                : (info.fps > 0 ? 1.0 / info.fps : 0.0);
        out->duration_s = track.res[track.n - 1].t_s - track.res[0].t_s + dt;
    }

    /* bar track (weightlifting): spikes out, short gaps interpolated and flagged */
    if (an.have_lift) {
        stage = PIPELINE_STAGE_BAR;
        progress_report(&prog, stage, 0, PCT_ANALYSIS, PCT_ANALYSIS);
        t0 = time_mono_s();
        rc = pl_lift_finish_bar(&an.lift, e); /* joins the tracker thread */
        out->timing.bar_s = an.lift.track_s + an.lift.copy_s + (time_mono_s() - t0);
        if (rc != KZ_OK)
            goto fail;
        progress_report(&prog, stage, 100, PCT_ANALYSIS, PCT_ANALYSIS);
    }

    /* analysis */
    stage = PIPELINE_STAGE_ANALYSIS;
    progress_report(&prog, stage, 0, PCT_ANALYSIS, PCT_VIDEO);
    t0 = time_mono_s();
    rc = run_analysis(o, &track, &an, e);
    out->timing.analysis_s = time_mono_s() - t0;
    if (rc != KZ_OK)
        goto fail;
    progress_report(&prog, stage, 100, PCT_ANALYSIS, PCT_VIDEO);
    if (cancelled(o)) {
        rc = err_set(e, KZ_E_CANCELLED, "cancelled");
        goto fail;
    }

    /* analyzed video (pass 2) */
    stage = PIPELINE_STAGE_VIDEO;
    if (o->out_video_path) {
        progress_report(&prog, stage, 0, PCT_VIDEO, PCT_RESULTS);
        t0 = time_mono_s();
        rc = run_video(o, &info, &track, &an, out, &prog, e);
        out->timing.video_s = time_mono_s() - t0;
        if (rc != KZ_OK)
            goto fail;
    }

    /* results */
    stage = PIPELINE_STAGE_RESULTS;
    progress_report(&prog, stage, 0, PCT_RESULTS, 100);
    t0 = time_mono_s();
    out->timing.total_s = t0 - t_start; /* provisional, for the document */
    rc = finish_doc(o, &info, out, an.doc, e);
    if (rc != KZ_OK)
        goto fail;
    if (o->out_json_path) {
        rc = write_json(o->out_json_path, an.doc, e);
        if (rc != KZ_OK)
            goto fail;
    }
    out->doc = an.doc;
    an.doc = NULL;
    out->timing.results_s = time_mono_s() - t0;
    out->timing.total_s = time_mono_s() - t_start;
    progress_report(&prog, stage, 100, PCT_RESULTS, 100);
    analysis_out_cleanup(&an);
    free(track.res);
    return KZ_OK;
fail:
    analysis_out_cleanup(&an);
    free(track.res);
    out->timing.total_s = time_mono_s() - t_start;
    return stage_fail(out, e, stage, rc);
}
