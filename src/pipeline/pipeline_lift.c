/*
 * pipeline_lift.c — weightlifting inside the pipeline: the near plate is
 * tracked on the pose pass' full-size frames (src/vision, seeded at the
 * lifter's visible wrists) by a thread of its own, fed through a bounded
 * frame queue so tracking overlaps pose estimation; the track is finished
 * (spikes removed, short gaps interpolated and flagged), body kinematics come
 * from analysis_prepare() on the same frames, src/lift turns both into
 * phases, bar kinematics and power, and this file assembles the vendor's
 * weightlifting document and the per-frame overlay (bar trail coloured by
 * speed, phase name, key figures).
 *
 * Scale: metres per pixel from the plate's apparent diameter (450 mm IWF
 * bumper plate unless the caller says otherwise), reported with its relative
 * uncertainty under kinalyze.scale.
 */
#include "pipeline/pipeline_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WRIST_MIN_VISIBILITY 0.5 /* wrists below this do not seed the plate search */

static void *track_main(void *arg)
{
    struct pl_lift *l = arg;
    const struct frame *f;
    while ((f = pl_fq_peek(&l->q)) != NULL) {
        double t0 = time_mono_s();
        enum kz_err rc = vision_plate_tracker_process(
            l->tracker, f, &l->hands[pl_fq_slot_index(&l->q, f)], NULL, &l->track_e);
        l->track_s += time_mono_s() - t0;
        pl_fq_release(&l->q);
        if (rc != KZ_OK) {
            l->track_rc = rc;
            pl_fq_abort(&l->q); /* the producer's next acquire sees it */
            break;
        }
    }
    return NULL;
}

enum kz_err pl_lift_begin(const struct pipeline_opts *o, struct pl_lift *l, struct err_ctx *e)
{
    struct vision_plate_opts vo = {0};
    enum kz_err rc;
    (void)o;
    memset(l, 0, sizeof(*l));
    vo.plate_diameter_m = VISION_PLATE_DIAMETER_M;
    rc = vision_plate_tracker_create(&vo, &l->tracker, e);
    if (rc != KZ_OK)
        return rc;
    pl_fq_init(&l->q);
    l->queue_ready = 1;
    if (pthread_create(&l->thread, NULL, track_main, l) != 0)
        return err_set(e, KZ_E_INTERNAL, "cannot start the plate tracker thread");
    l->thread_started = 1;
    return KZ_OK;
}

enum kz_err pl_lift_frame(struct pl_lift *l, const struct frame *f, const struct pose_result *pr,
                          struct err_ctx *e)
{
    struct vision_hands hands = {0};
    static const int wrist[2] = {POSE_LEFT_WRIST, POSE_RIGHT_WRIST};
    for (int k = 0; pr && pr->found && k < 2; k++) {
        const struct pose_landmark *lm = &pr->lm[wrist[k]];
        if (lm->visibility >= WRIST_MIN_VISIBILITY && isfinite(lm->x_px) && isfinite(lm->y_px)) {
            hands.x_px[hands.n] = lm->x_px;
            hands.y_px[hands.n] = lm->y_px;
            hands.n++;
        }
    }
    double t0 = time_mono_s();
    struct frame *slot = pl_fq_acquire(&l->q);
    if (!slot) { /* the tracker failed (it aborted the queue before returning) */
        if (e)
            *e = l->track_e;
        return l->track_rc != KZ_OK ? l->track_rc
                                    : err_set(e, KZ_E_INTERNAL, "plate tracker stopped");
    }
    enum kz_err rc = pl_frame_fill(slot, f, e);
    if (rc != KZ_OK)
        return rc;
    l->hands[pl_fq_slot_index(&l->q, slot)] = hands;
    pl_fq_commit(&l->q);
    l->copy_s += time_mono_s() - t0;
    return KZ_OK;
}

enum kz_err pl_lift_finish_bar(struct pl_lift *l, struct err_ctx *e)
{
    if (l->thread_started) {
        pl_fq_close(&l->q);
        pthread_join(l->thread, NULL);
        l->thread_started = 0;
    }
    if (l->track_rc != KZ_OK) {
        if (e)
            *e = l->track_e;
        return l->track_rc;
    }
    enum kz_err rc = vision_plate_tracker_finish(l->tracker, &l->bar, e);
    if (rc != KZ_OK)
        return rc;
    if (l->bar.n_measured == 0 || !(l->bar.m_per_px > 0))
        return err_set(e, KZ_E_NOT_FOUND,
                       "no barbell plate found in any of the %zu frames (film from the side "
                       "with the near plate fully in view)",
                       l->bar.n);
    return KZ_OK;
}

static enum kz_err set_new(json_t *obj, const char *key, json_t *v, struct err_ctx *e)
{
    if (!v || json_object_set_new(obj, key, v) != 0)
        return err_set(e, KZ_E_NOMEM, "out of memory building '%s'", key);
    return KZ_OK;
}

/* kinalyze.bar_tracking: how well the plate was followed. */
static json_t *bar_tracking_json(const struct vision_plate_track *b)
{
    return json_pack("{s:I, s:I, s:I, s:I, s:I, s:f, s:f, s:f}", "frames", (json_int_t)b->n,
                     "measured", (json_int_t)b->n_measured, "interpolated",
                     (json_int_t)b->n_interpolated, "lost", (json_int_t)b->n_lost, "spikes_removed",
                     (json_int_t)b->n_spikes_removed, "found_fraction", b->found_fraction,
                     "mean_confidence", b->mean_confidence, "plate_diameter_px",
                     isfinite(b->diameter_px) ? b->diameter_px : 0.0);
}

enum kz_err pl_lift_analyze(const struct pipeline_opts *o, struct pl_lift *l,
                            const struct an_series *s, json_t **doc, struct err_ctx *e)
{
    struct lift_input in = {0};
    struct an_prep_opts po = {0};
    double *t = NULL, *x = NULL, *y = NULL, *conf = NULL;
    uint8_t *flag = NULL;
    json_t *d = NULL, *kz = NULL, *kp = NULL, *barkp = NULL;
    enum kz_err rc;
    size_t n = (size_t)s->n_frames;

    *doc = NULL;
    if (!o->exercise)
        return err_set(e, KZ_E_INVALID,
                       "weightlifting needs an exercise (snatch, clean, "
                       "clean_and_jerk)");
    rc = lift_exercise_parse(o->exercise, &in.exercise, e);
    if (rc != KZ_OK)
        return rc;
    if (l->bar.n != n)
        return err_set(e, KZ_E_INTERNAL, "bar track has %zu frames, pose %zu", l->bar.n, n);

    po.height_cm = o->height_cm;
    rc = analysis_prepare(s, &po, &l->kin, e);
    if (rc != KZ_OK)
        return rc;
    l->have_kin = 1;

    t = malloc(n * sizeof(*t));
    x = malloc(n * sizeof(*x));
    y = malloc(n * sizeof(*y));
    conf = malloc(n * sizeof(*conf));
    flag = malloc(n);
    if (!t || !x || !y || !conf || !flag) {
        rc = err_set(e, KZ_E_NOMEM, "out of memory");
        goto fail;
    }
    for (size_t i = 0; i < n; i++) {
        const struct vision_plate_obs *ob = &l->bar.obs[i];
        t[i] = s->frames[i].t_s; /* the pose pass' (strictly increasing) timestamps */
        x[i] = ob->x_px;
        y[i] = ob->y_px;
        conf[i] = ob->confidence;
        flag[i] = (uint8_t)ob->status; /* same numbering as enum lift_bar_flag */
    }
    in.n_frames = n;
    in.t_s = t;
    in.bar_x_px = x;
    in.bar_y_px = y;
    in.bar_flag = flag;
    in.bar_conf = conf;
    in.m_per_px = l->bar.m_per_px;
    in.m_per_px_rel_unc = l->bar.m_per_px_rel_unc;
    in.kin = &l->kin;
    in.image_height_px = s->height_px;
    in.barbell_mass_kg = o->barbell_mass_kg > 0 ? o->barbell_mass_kg : LIFT_DEFAULT_BARBELL_KG;
    in.body_mass_kg = o->mass_kg;
    rc = lift_analyze(&in, &l->res, e);
    if (rc != KZ_OK)
        goto fail;

    /* the vendor document: metrics, angles, report_metrics, all_timestamps, keypoints */
    d = json_object();
    kz = json_object();
    kp = analysis_keypoints_json(s, l->have_kin ? &l->kin : NULL);
    barkp = lift_result_json_keypoints(l->res);
    if (!d || !kz || !kp || !barkp || json_object_update(kp, barkp) != 0) {
        rc = err_set(e, KZ_E_NOMEM, "out of memory building the result document");
        goto fail;
    }
    if ((rc = set_new(d, "metrics", lift_result_json_metrics(l->res), e)) ||
        (rc = set_new(d, "angles", lift_result_json_angles(l->res), e)) ||
        (rc = set_new(d, "report_metrics", lift_result_json_report_metrics(l->res), e)) ||
        (rc = set_new(d, "all_timestamps", lift_result_json_timestamps(l->res), e)) ||
        (rc = set_new(d, "keypoints", json_incref(kp), e)) ||
        (rc = set_new(d, "segments", json_integer(1), e)))
        goto fail;
    if ((rc = set_new(kz, "metrics", lift_result_json_metric_details(l->res), e)) ||
        (rc = set_new(kz, "bar_tracking", bar_tracking_json(&l->bar), e)) ||
        (rc = set_new(kz, "scale",
                      json_pack("{s:s, s:f, s:f, s:f}", "source", "plate_diameter", "m_per_px",
                                l->bar.m_per_px, "rel_uncertainty", l->bar.m_per_px_rel_unc,
                                "plate_diameter_m", VISION_PLATE_DIAMETER_M),
                      e)) ||
        (rc = set_new(kz, "body_scale",
                      json_pack("{s:s, s:f}", "source",
                                analysis_scale_source_name(l->kin.scale_source), "m_per_px",
                                l->kin.scale_m_per_px),
                      e)) ||
        (rc = set_new(kz, "barbell_mass_kg", json_real(in.barbell_mass_kg), e)) ||
        (rc = set_new(kz, "exercise", json_string(lift_exercise_name(in.exercise)), e)) ||
        (rc = set_new(kz, "fps", json_real(l->kin.fps_median), e)))
        goto fail;
    if ((rc = set_new(d, "kinalyze", kz, e)) != KZ_OK) {
        kz = NULL; /* set_new consumed it */
        goto fail;
    }
    kz = NULL;
    *doc = d;
    d = NULL;
fail:
    json_decref(kp);
    json_decref(barkp);
    json_decref(kz);
    json_decref(d);
    free(t);
    free(x);
    free(y);
    free(conf);
    free(flag);
    return rc;
}

enum kz_err pl_lift_plan(struct pl_lift *l, struct err_ctx *e)
{
    const struct lift_result *r = l->res;
    if (!r)
        return KZ_OK;
    l->trail = calloc(r->n ? r->n : 1, sizeof(*l->trail));
    if (!l->trail)
        return err_set(e, KZ_E_NOMEM, "out of memory");
    l->trail_first = -1;
    for (size_t i = 0; i < r->n; i++) {
        struct render_bar_point *p = &l->trail[i];
        p->x_px = r->bar_x_px[i];
        p->y_px = r->bar_y_px[i];
        p->speed_mps = r->speed_mps[i];
        p->valid = r->flag[i] == LIFT_BAR_MEASURED;
        if (l->trail_first < 0 && isfinite(p->x_px) && isfinite(p->y_px))
            l->trail_first = (int)i;
    }
    if (r->pull_start < r->n) /* lift-off, or the first frame of a clip that starts mid-pull */
        l->trail_first = (int)r->pull_start;
    const struct lift_metric_value *vmax = &r->m[LIFT_M_MAX_BAR_SPEED];
    l->speed_max_mps = vmax->available ? vmax->value : 0.0;

    int k = 0;
    str_printf(l->info[k++], sizeof(l->info[0]), "%s  %.0f kg", lift_exercise_name(r->exercise),
               r->barbell_mass_kg);
    if (vmax->available)
        str_printf(l->info[k++], sizeof(l->info[0]), "max bar speed %.2f m/s", vmax->value);
    /* say on screen what the clip does not allow (the reasons are in the JSON) */
    if (r->pull_start >= r->n)
        str_copy(l->info[k++], sizeof(l->info[0]), "no snatch/clean pull found");
    else if (!r->liftoff_in_clip)
        str_copy(l->info[k++], sizeof(l->info[0]), "lift-off before the clip");
    const struct lift_metric_value *h = &r->m[LIFT_M_MAX_BAR_HEIGHT];
    if (h->available && k < RENDER_MAX_INFO)
        str_printf(l->info[k++], sizeof(l->info[0]), "max bar height %.2f m", h->value);
    const struct lift_metric_value *p = &r->m[LIFT_M_PEAK_PULL_POWER];
    if (p->available && k < RENDER_MAX_INFO)
        str_printf(l->info[k++], sizeof(l->info[0]), "peak pull power %.0f W", p->value);
    return KZ_OK;
}

void pl_lift_overlay(struct pl_lift *l, int i, struct render_overlay *ov)
{
    const struct lift_result *r = l->res;
    if (!r || i < 0 || (size_t)i >= r->n)
        return;
    for (int k = 0; k < RENDER_MAX_INFO; k++)
        ov->info[k] = l->info[k][0] ? l->info[k] : NULL;
    if (l->trail && l->trail_first >= 0 && i >= l->trail_first) {
        ov->bar = &l->trail[l->trail_first];
        ov->n_bar = i - l->trail_first + 1;
        ov->bar_speed_max_mps = l->speed_max_mps;
    }
    const char *name = lift_phase_name((enum lift_phase)r->phase[i]);
    if (name[0]) {
        str_copy(l->phase, sizeof(l->phase), name); /* "second_pull" -> "second pull" */
        for (char *c = l->phase; *c; c++)
            if (*c == '_')
                *c = ' ';
        ov->phase = l->phase;
    }
}

void pl_lift_cleanup(struct pl_lift *l)
{
    if (!l)
        return;
    if (l->thread_started) {
        pl_fq_abort(&l->q);
        pthread_join(l->thread, NULL);
    }
    if (l->queue_ready)
        pl_fq_destroy(&l->q);
    vision_plate_tracker_destroy(l->tracker);
    vision_plate_track_cleanup(&l->bar);
    if (l->have_kin)
        analysis_kinematics_cleanup(&l->kin);
    lift_result_destroy(l->res);
    free(l->trail);
    memset(l, 0, sizeof(*l));
}
