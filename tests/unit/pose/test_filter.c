/*
 * test_filter.c — MediaPipe's low-pass and one-euro filters on synthetic
 * signals: a step (hand-computed exponential response), a ramp sampled at
 * irregular intervals (the derivative uses the real timestamps), timestamps
 * that do not advance, and the pose smoother's parameters and reset.
 */
#include "pose/pose_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

static void test_lowpass_step(void **state)
{
    struct pose_lowpass f;
    (void)state;
    memset(&f, 0, sizeof f);
    assert_float_equal(pose_lowpass_apply(&f, 0.0f, 0.1f), 0.0, 0); /* first passes through */
    for (int n = 1; n <= 20; n++) {
        float y = pose_lowpass_apply(&f, 1.0f, 0.1f);
        assert_float_equal(y, 1.0 - pow(0.9, n), 1e-5); /* 1 - (1 - alpha)^n */
    }
}

static void test_one_euro_step_fixed_rate(void **state)
{
    struct pose_one_euro f;
    struct pose_one_euro_params p = {30.0, 1.0, 0.0, 1.0}; /* beta 0: plain EMA at 1 Hz cutoff */
    (void)state;
    pose_one_euro_reset(&f, &p);
    assert_float_equal(pose_one_euro_apply(&f, &p, 0.0, 1.0, 0.0), 0.0, 0);
    /* alpha = 1 / (1 + tau / te), tau = 1 / (2 pi fc), te = 1/30 s */
    double alpha = 1.0 / (1.0 + (1.0 / (2 * M_PI)) * 30.0);
    double y = 0;
    for (int k = 1; k <= 30; k++) {
        double out = pose_one_euro_apply(&f, &p, k / 30.0, 1.0, 1.0);
        y = alpha * 1.0 + (1 - alpha) * y;
        assert_float_equal(out, y, 1e-5);
    }
}

static void test_one_euro_variable_intervals(void **state)
{
    struct pose_one_euro f;
    struct pose_one_euro_params p = {30.0, 2.0, 0.0, 1.0};
    static const double dt[] = {0.010, 0.050, 0.016, 0.033, 0.100, 0.020, 0.017, 0.070};
    (void)state;
    pose_one_euro_reset(&f, &p);
    /* ramp x = 3 t: the derivative estimate is exactly the slope at every
       sample whatever the interval, because it divides by the real interval */
    double t = 1.0, y = 3.0;
    pose_one_euro_apply(&f, &p, t, 0.5, 3.0 * t);
    for (size_t k = 0; k < sizeof dt / sizeof dt[0]; k++) {
        t += dt[k];
        double out = pose_one_euro_apply(&f, &p, t, 0.5, 3.0 * t);
        double a = 1.0 / (1.0 + 1.0 / (2 * M_PI * 2.0 * dt[k]));
        y = a * 3.0 * t + (1 - a) * y;
        assert_float_equal(out, y, 1e-4);
        assert_float_equal(f.frequency, 1.0 / dt[k], 1e-6 / dt[k]);
        if (k > 0)
            assert_float_equal(f.dx.raw, 3.0 * 0.5, 1e-4); /* slope * value_scale */
    }
}

static void test_one_euro_speed_raises_cutoff(void **state)
{
    struct pose_one_euro slow, fast;
    const struct pose_one_euro_params *p = &pose_smoothing_mediapipe.landmarks;
    (void)state;
    pose_one_euro_reset(&slow, p);
    pose_one_euro_reset(&fast, p);
    /* a landmark moving at 0.05 vs 2 object sizes per second, 60 fps; lag after 1 s */
    double ys = 0, yf = 0;
    for (int k = 0; k <= 60; k++) {
        double t = k / 60.0;
        ys = pose_one_euro_apply(&slow, p, t, 1.0, 0.05 * t);
        yf = pose_one_euro_apply(&fast, p, t, 1.0, 2.0 * t);
    }
    double lag_slow = (0.05 - ys) / 0.05, lag_fast = (2.0 - yf) / 2.0; /* in seconds */
    assert_true(lag_fast < 0.01); /* beta 80: nearly no lag when moving fast */
    assert_true(lag_slow > lag_fast * 5);
}

static void test_one_euro_non_increasing_time_passes_through(void **state)
{
    struct pose_one_euro f;
    struct pose_one_euro_params p = {30.0, 1.0, 0.0, 1.0};
    (void)state;
    pose_one_euro_reset(&f, &p);
    pose_one_euro_apply(&f, &p, 1.0, 1.0, 0.0);
    double a = pose_one_euro_apply(&f, &p, 1.0, 1.0, 5.0); /* same time */
    assert_float_equal(a, 5.0, 0);
    double b = pose_one_euro_apply(&f, &p, 0.5, 1.0, 7.0); /* earlier */
    assert_float_equal(b, 7.0, 0);
    /* state untouched: next real sample filters against 0.0 at t = 1.0 */
    double c = pose_one_euro_apply(&f, &p, 1.0 + 1.0 / 30, 1.0, 1.0);
    assert_float_equal(c, 1.0 / (1.0 + 30.0 / (2 * M_PI)), 1e-5);
}

static void fill_set(struct pose_lm_set *s, float x)
{
    memset(s, 0, sizeof *s);
    s->score = 1;
    for (int i = 0; i < POSE_LM_N_ALL; i++) {
        s->x_px[i] = x + (float)i;
        s->y_px[i] = 100.0f + (float)i;
        s->visibility[i] = 1.0f;
    }
    s->x_px[POSE_LM_AUX_CENTRE] = x;
    s->y_px[POSE_LM_AUX_CENTRE] = 300;
    s->x_px[POSE_LM_AUX_SCALE] = x;
    s->y_px[POSE_LM_AUX_SCALE] = 200; /* object scale 2 * 100 = 200 px */
    s->world_m[0][0] = x / 100.0f;
}

static void test_smoother_parameters_and_reset(void **state)
{
    struct pose_smoother sm;
    struct pose_lm_set s;
    const struct pose_smoothing_params *p = &pose_smoothing_mediapipe;
    (void)state;
    /* MediaPipe's pose_landmark_filtering.pbtxt values */
    assert_float_equal(p->visibility_alpha, 0.1, 1e-7);
    assert_float_equal(p->landmarks.min_cutoff, 0.05, 0);
    assert_float_equal(p->landmarks.beta, 80.0, 0);
    assert_float_equal(p->world.min_cutoff, 0.1, 0);
    assert_float_equal(p->world.beta, 40.0, 0);
    assert_float_equal(p->aux.min_cutoff, 0.01, 0);
    assert_float_equal(p->aux.beta, 10.0, 0);

    pose_smoother_reset(&sm);
    fill_set(&s, 100);
    pose_smoother_apply(&sm, p, 0.0, &s);
    assert_float_equal(s.x_px[0], 100, 0); /* first frame passes through */
    fill_set(&s, 120);
    for (int i = 0; i < POSE_LM_N_ALL; i++)
        s.visibility[i] = 0.0f;
    pose_smoother_apply(&sm, p, 1.0 / 30, &s);
    assert_true(s.x_px[0] > 100 && s.x_px[0] < 120);         /* smoothed */
    assert_float_equal(s.visibility[0], 0.9, 1e-6);          /* 0.1 * 0 + 0.9 * 1 */
    assert_true(s.x_px[POSE_LM_AUX_CENTRE] < s.x_px[0] - 1); /* aux smoothed harder */
    assert_true(s.world_m[0][0] > 1.0f && s.world_m[0][0] < 1.2f);
    pose_smoother_reset(&sm);
    fill_set(&s, 120);
    pose_smoother_apply(&sm, p, 2.0 / 30, &s);
    assert_float_equal(s.x_px[0], 120, 0); /* after a reset: passes through again */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lowpass_step),
        cmocka_unit_test(test_one_euro_step_fixed_rate),
        cmocka_unit_test(test_one_euro_variable_intervals),
        cmocka_unit_test(test_one_euro_speed_raises_cutoff),
        cmocka_unit_test(test_one_euro_non_increasing_time_passes_through),
        cmocka_unit_test(test_smoother_parameters_and_reset),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
