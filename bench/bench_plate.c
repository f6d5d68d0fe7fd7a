/*
 * bench_plate.c — barbell plate tracking on a real video: decode (media),
 * optionally run the pose tracker for wrist seeds, track the near plate
 * (vision) and analyse the lift (lift). Prints the tracking speed (frames per
 * second of the tracker alone, excluding decode and pose), the tracking
 * figures and the main lift metrics; --frames prints one line per frame.
 *
 * usage: bench_plate VIDEO [--exercise snatch|clean|clean_and_jerk]
 *                          [--pose lite|full|heavy] [--max-side PX] [--frames]
 */
#include "core/core.h"
#include "lift/lift.h"
#include "media/media.h"
#if KZ_HAVE_POSE_TRACKER
#include "pose/pose.h"
#endif
#include "vision/vision.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(int argc, char **argv)
{
    const char *path = NULL, *pose_model = NULL;
    enum lift_exercise ex = LIFT_SNATCH;
    int per_frame = 0, rc = 1;
    struct err_ctx e;
    struct media_decoder *dec = NULL;
    struct vision_plate_tracker *trk = NULL;
#if KZ_HAVE_POSE_TRACKER
    struct pose_tracker *pt = NULL;
#else
    void *pt = NULL;
#endif
    struct vision_plate_track tr;
    struct lift_result *res = NULL;
    double *hx = NULL;
    size_t n = 0;
#if KZ_HAVE_POSE_TRACKER
    size_t cap = 0;
#endif
    struct media_decode_opts mo = {0};
    memset(&tr, 0, sizeof tr);
    if (getenv("KZ_DEBUG"))
        log_set_level(LOG_DEBUG);
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--frames") == 0)
            per_frame = 1;
        else if (strcmp(argv[i], "--exercise") == 0 && i + 1 < argc) {
            if (lift_exercise_parse(argv[++i], &ex, &e) != KZ_OK) {
                fprintf(stderr, "%s\n", e.msg);
                return 2;
            }
        } else if (strcmp(argv[i], "--max-side") == 0 && i + 1 < argc) {
            int64_t v;
            if (str_to_i64(argv[++i], 0, 16384, &v) != KZ_OK)
                return 2;
            mo.max_long_side_px = (int)v;
        } else if (strcmp(argv[i], "--pose") == 0 && i + 1 < argc)
            pose_model = argv[++i];
        else
            path = argv[i];
    }
    if (!path) {
        fprintf(stderr, "usage: bench_plate VIDEO [--exercise X] [--pose lite|full|heavy] "
                        "[--frames]\n");
        return 2;
    }
    if (media_decoder_open(path, &mo, &dec, &e) != KZ_OK ||
        vision_plate_tracker_create(NULL, &trk, &e) != KZ_OK)
        goto fail;
    if (pose_model) {
#if !KZ_HAVE_POSE_TRACKER
        fprintf(stderr, "bench_plate: built without the pose tracker\n");
        goto fail;
#else
        struct pose_opts po;
        pose_opts_init(&po);
        po.model = pose_model;
        if (pose_tracker_create(&po, &pt, &e) != KZ_OK)
            goto fail;
#endif
    }
    double t_track = 0;
    for (;;) {
        const struct frame *f;
        if (media_decoder_next(dec, &f, &e) != KZ_OK)
            goto fail;
        if (!f)
            break;
        struct vision_hands hands = {0};
#if KZ_HAVE_POSE_TRACKER
        if (pt) {
            struct pose_result pr;
            if (pose_tracker_process(pt, f, &pr, &e) != KZ_OK)
                goto fail;
            for (int w = 15; pr.found && w <= 16; w++)
                if (pr.lm[w].visibility >= 0.5f) {
                    hands.x_px[hands.n] = pr.lm[w].x_px;
                    hands.y_px[hands.n] = pr.lm[w].y_px;
                    hands.n++;
                }
            if (n == cap) {
                cap = cap ? 2 * cap : 256;
                double *p = realloc(hx, cap * 2 * sizeof *p);
                if (!p)
                    goto fail;
                hx = p;
            }
            hx[2 * n] = hands.n ? hands.x_px[0] : NAN;
            hx[2 * n + 1] = hands.n ? hands.y_px[0] : NAN;
        }
#endif
        double t0 = time_mono_s();
        if (vision_plate_tracker_process(trk, f, pt ? &hands : NULL, NULL, &e) != KZ_OK)
            goto fail;
        t_track += time_mono_s() - t0;
        n++;
    }
    if (vision_plate_tracker_finish(trk, &tr, &e) != KZ_OK)
        goto fail;
    const struct media_info *mi = media_decoder_info(dec);
    printf("video %s %dx%d %.2f fps, %zu frames, seeds: %s\n", path, mi->width, mi->height, mi->fps,
           tr.n, pt ? "pose wrists" : "bottom-centre search (no pose)");
    printf("tracker: %.1f frames/s (%.2f ms/frame)\n", (double)tr.n / t_track,
           1000.0 * t_track / (double)tr.n);
    printf("plate: measured %zu, interpolated %zu, lost %zu (found %.1f %%), spikes removed %zu, "
           "mean confidence %.2f, diameter %.1f px, scale %.5f m/px (±%.1f %%)\n",
           tr.n_measured, tr.n_interpolated, tr.n_lost, 100 * tr.found_fraction,
           tr.n_spikes_removed, tr.mean_confidence, tr.diameter_px, tr.m_per_px,
           100 * tr.m_per_px_rel_unc);
    if (per_frame)
        for (size_t i = 0; i < tr.n; i++) {
            const struct vision_plate_obs *o = &tr.obs[i];
            printf("frame %3zu t %.3f st %d conf %.2f x %.1f y %.1f d %.1f", i, o->t_s, o->status,
                   o->confidence, o->x_px, o->y_px, o->diameter_px);
            if (hx)
                printf(" wrist %.1f %.1f", hx[2 * i], hx[2 * i + 1]);
            printf("\n");
        }
    if (tr.n_measured >= 4 && isfinite(tr.m_per_px)) {
        double *t = malloc(tr.n * sizeof *t), *x = malloc(tr.n * sizeof *x);
        double *y = malloc(tr.n * sizeof *y), *c = malloc(tr.n * sizeof *c);
        uint8_t *fl = malloc(tr.n);
        if (!t || !x || !y || !c || !fl) {
            free(t), free(x), free(y), free(c), free(fl);
            goto fail;
        }
        for (size_t i = 0; i < tr.n; i++) {
            t[i] = tr.obs[i].t_s;
            x[i] = tr.obs[i].x_px;
            y[i] = tr.obs[i].y_px;
            c[i] = tr.obs[i].confidence;
            fl[i] = (uint8_t)tr.obs[i].status;
        }
        struct lift_input in = {.exercise = ex,
                                .n_frames = tr.n,
                                .t_s = t,
                                .bar_x_px = x,
                                .bar_y_px = y,
                                .bar_flag = fl,
                                .bar_conf = c,
                                .m_per_px = tr.m_per_px,
                                .m_per_px_rel_unc = tr.m_per_px_rel_unc,
                                .barbell_mass_kg = LIFT_DEFAULT_BARBELL_KG};
        enum kz_err lrc = lift_analyze(&in, &res, &e);
        free(t), free(x), free(y), free(c), free(fl);
        if (lrc != KZ_OK)
            goto fail;
        for (int k = 0; k < LIFT_EV__COUNT; k++)
            if (res->ev[k].found)
                printf("event %-18s %.3f s (%s)\n", lift_event_name((enum lift_event)k),
                       res->ev[k].t_s, res->ev[k].method);
        for (int k = 0; k < LIFT_M__COUNT; k++)
            if (res->m[k].available)
                printf("metric %-32s %10.3f %s\n", lift_metric_name((enum lift_metric)k),
                       res->m[k].value, lift_metric_unit((enum lift_metric)k));
    }
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "bench_plate: %s\n", err_msg(&e));
    lift_result_destroy(res);
    vision_plate_track_cleanup(&tr);
    vision_plate_tracker_destroy(trk);
#if KZ_HAVE_POSE_TRACKER
    pose_tracker_destroy(pt);
#endif
    media_decoder_close(dec);
    free(hx);
    return rc;
}
