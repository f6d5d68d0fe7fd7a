/*
 * test_plate_real.c — end to end on the real lift clips in
 * <source root>/../shared/media: decode (media), track the near plate
 * (vision), analyse (lift). Skips (exit 77) when the clips are absent.
 * Checks: the plate is found in most frames, the fitted diameter is steady,
 * and the values are physically plausible (peak bar speed 1–3 m/s for the
 * snatch and cleans, a slow bar in the back squat, a lift-off and a max height
 * for the Olympic lifts); the clip that starts after lift-off (Randy) reports
 * no lift-off and no height above it; the squat reports no pull at all.
 * Seeds: the pose tracker is not part of this test (it lands separately and
 * costs seconds per clip under the sanitizers); the tracker starts with its
 * global search and bottom-centre prior.
 */
#include "lift/lift.h"
#include "media/media.h"
#include "vision/vision.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

static char media_dir[4096];

struct expect {
    const char *file;
    enum lift_exercise ex;
    double min_found;  /* fraction of frames MEASURED */
    double vmin, vmax; /* peak vertical bar speed, m/s */
    int olympic;       /* 1: lift-off and max height; 2: lift-off before the clip; 0: no pull */
};

static void run(const struct expect *x)
{
    char path[4200];
    struct err_ctx e;
    struct media_decoder *d = NULL;
    struct vision_plate_tracker *t = NULL;
    struct vision_plate_track tr;
    struct media_decode_opts mo = {.max_long_side_px = 960};
    memset(&tr, 0, sizeof tr);
    assert_int_equal(str_printf(path, sizeof path, "%s/%s", media_dir, x->file), KZ_OK);
    if (media_decoder_open(path, &mo, &d, &e) != KZ_OK)
        fail_msg("open %s: %s", path, e.msg);
    assert_int_equal(vision_plate_tracker_create(NULL, &t, &e), KZ_OK);
    double t0 = time_mono_s();
    for (;;) {
        const struct frame *f;
        if (media_decoder_next(d, &f, &e) != KZ_OK)
            fail_msg("decode: %s", e.msg);
        if (!f)
            break;
        if (vision_plate_tracker_process(t, f, NULL, NULL, &e) != KZ_OK)
            fail_msg("track: %s", e.msg);
    }
    double dt = time_mono_s() - t0;
    assert_int_equal(vision_plate_tracker_finish(t, &tr, &e), KZ_OK);

    /* diameter spread over measured frames */
    double dev = 0;
    for (size_t i = 0; i < tr.n; i++)
        if (tr.obs[i].status == VISION_PLATE_MEASURED)
            dev = fmax(dev, fabs(tr.obs[i].diameter_px - tr.diameter_px) / tr.diameter_px);

    size_t n = tr.n;
    double *ts = calloc(n, sizeof *ts), *xs = calloc(n, sizeof *xs), *ys = calloc(n, sizeof *ys);
    double *cf = calloc(n, sizeof *cf);
    uint8_t *fl = calloc(n, 1);
    assert_non_null(fl);
    for (size_t i = 0; i < n; i++) {
        ts[i] = tr.obs[i].t_s;
        xs[i] = tr.obs[i].x_px;
        ys[i] = tr.obs[i].y_px;
        cf[i] = tr.obs[i].confidence;
        fl[i] = (uint8_t)tr.obs[i].status;
    }
    struct lift_input in = {.exercise = x->ex,
                            .n_frames = n,
                            .t_s = ts,
                            .bar_x_px = xs,
                            .bar_y_px = ys,
                            .bar_flag = fl,
                            .bar_conf = cf,
                            .m_per_px = tr.m_per_px,
                            .m_per_px_rel_unc = tr.m_per_px_rel_unc,
                            .barbell_mass_kg = LIFT_DEFAULT_BARBELL_KG};
    struct lift_result *r = NULL;
    if (lift_analyze(&in, &r, &e) != KZ_OK)
        fail_msg("lift: %s", e.msg);
    double vmax = r->m[LIFT_M_MAX_BAR_VEL_Y].value;
    if (!x->olympic) /* no pull: the fastest upward bar motion over the clip */
        for (size_t i = 0; i < n; i++)
            if (isfinite(r->vel_y_mps[i]) && !(r->vel_y_mps[i] <= vmax))
                vmax = r->vel_y_mps[i];
    printf("%s: %zu frames (%.1f frames/s decode+track), measured %.1f %%, interpolated %zu, "
           "lost %zu, mean conf %.2f, diameter %.1f px (max dev %.1f %%), scale %.5f m/px, "
           "peak vy %.2f m/s, max height %.3f m, bar drop %.3f m\n",
           x->file, n, (double)n / dt, 100 * tr.found_fraction, tr.n_interpolated, tr.n_lost,
           tr.mean_confidence, tr.diameter_px, 100 * dev, tr.m_per_px, vmax,
           r->m[LIFT_M_MAX_BAR_HEIGHT].value, r->m[LIFT_M_BAR_DROP].value);
    assert_true(tr.found_fraction >= x->min_found);
    assert_true(dev <= 0.25);
    assert_true(vmax >= x->vmin && vmax <= x->vmax);
    assert_int_equal(r->m[LIFT_M_MAX_BAR_VEL_Y].available, x->olympic != 0);
    assert_int_equal(r->ev[LIFT_EV_START_OF_LIFTING].found, x->olympic == 1);
    assert_int_equal(r->ev[LIFT_EV_MAX_HEIGHT].found, x->olympic != 0);
    if (x->olympic == 1) {
        double h = r->m[LIFT_M_MAX_BAR_HEIGHT].value;
        assert_true(h > 0.5 && h < 2.0); /* metres above lift-off */
    } else {
        assert_false(r->m[LIFT_M_MAX_BAR_HEIGHT].available);
    }
    lift_result_destroy(r);
    free(ts);
    free(xs);
    free(ys);
    free(cf);
    free(fl);
    vision_plate_track_cleanup(&tr);
    vision_plate_tracker_destroy(t);
    media_decoder_close(d);
}

static void test_snatch(void **s)
{
    (void)s;
    run(&(struct expect){"snatch_side_ilyin.mp4", LIFT_SNATCH, 0.80, 1.0, 3.0, 1});
}
static void test_clean_dave(void **s)
{
    (void)s;
    run(&(struct expect){"clean_side_dave.mp4", LIFT_CLEAN, 0.80, 1.0, 3.0, 1});
}
static void test_clean_randy(void **s)
{
    (void)s;
    /* a fragment: the bar is already rising in its first frame */
    run(&(struct expect){"clean_side_randy.mp4", LIFT_CLEAN, 0.80, 1.0, 3.0, 2});
}
static void test_squat(void **s)
{
    (void)s;
    /* back squat: the bar moves slowly (< 1.5 m/s) and is not pulled above its
       starting height: no lift phases */
    run(&(struct expect){"squat_barbell_side_stabilised.mp4", LIFT_CLEAN, 0.85, 0.1, 1.5, 0});
}

int main(void)
{
    if (str_printf(media_dir, sizeof media_dir, "%s/../shared/media", KZ_SOURCE_ROOT) != KZ_OK ||
        access(media_dir, R_OK) != 0) {
        printf("SKIP: no clips at %s\n", media_dir);
        return 77;
    }
    printf("seeds: global plate search with a bottom-centre prior (pose wrists not used here)\n");
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_snatch),
        cmocka_unit_test(test_clean_dave),
        cmocka_unit_test(test_clean_randy),
        cmocka_unit_test(test_squat),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
