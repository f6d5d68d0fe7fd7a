/*
 * test_signal.c — the signal-conditioning and angle helpers of the analysis
 * module: zero-lag low-pass (gain, phase, attenuation, variable frame rate),
 * gap filling, non-uniform derivatives, the noise gains the uncertainties are
 * propagated with, and the angle conventions.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <stdlib.h>

#include "analysis/analysis_int.h"

/* Deterministic LCG so tests do not depend on libc rand(). */
static uint32_t rng = 12345;
static double urand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (rng >> 8) / 16777216.0;
}

/* A 2 Hz sine through a 10 Hz cutoff keeps its amplitude (±1 %) and phase
   (peak within 1 ms) — the filter is zero-lag. */
static void test_lowpass_passband_zero_lag(void **state)
{
    (void)state;
    int n = 400;
    double *t = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n),
           *y = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        t[i] = i / 100.0;
        x[i] = sin(2 * M_PI * 2 * t[i]);
    }
    double used = 0;
    assert_int_equal(analysis_signal_lowpass(t, x, n, 10, y, &used, NULL), KZ_OK);
    assert_true(fabs(used - 10) < 1e-9);
    double err = 0;
    for (int i = 50; i < n - 50; i++)
        err = fmax(err, fabs(y[i] - x[i]));
    assert_true(err < 0.02); /* tolerance: 2 % of amplitude incl. 1 % gain + phase */
    free(t), free(x), free(y);
}

/* A 25 Hz component through a 6 Hz cutoff is attenuated below 5 % (4th order:
   (6/25)^4 ≈ 0.3 %). */
static void test_lowpass_stopband(void **state)
{
    (void)state;
    int n = 600;
    double *t = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n),
           *y = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++) {
        t[i] = i / 120.0;
        x[i] = sin(2 * M_PI * 25 * t[i]);
    }
    assert_int_equal(analysis_signal_lowpass(t, x, n, 6, y, NULL, NULL), KZ_OK);
    double amp = 0;
    for (int i = 60; i < n - 60; i++)
        amp = fmax(amp, fabs(y[i]));
    assert_true(amp < 0.05);
    free(t), free(x), free(y);
}

/* Variable frame rate: timestamps jittered ±30 % of the interval; a 1.5 Hz
   sine is still reproduced within 3 % and NaN gaps stay NaN. */
static void test_lowpass_variable_rate(void **state)
{
    (void)state;
    int n = 300;
    double *t = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n),
           *y = malloc(sizeof(double) * n);
    double tt = 0;
    for (int i = 0; i < n; i++) {
        t[i] = tt;
        tt += (1.0 / 60) * (0.7 + 0.6 * urand());
        x[i] = sin(2 * M_PI * 1.5 * t[i]);
    }
    x[150] = NAN;
    assert_int_equal(analysis_signal_lowpass(t, x, n, 8, y, NULL, NULL), KZ_OK);
    assert_true(isnan(y[150]));
    double err = 0;
    for (int i = 30; i < n - 30; i++)
        if (abs(i - 150) > 25)
            err = fmax(err, fabs(y[i] - x[i]));
    assert_true(err < 0.03);
    free(t), free(x), free(y);
}

static void test_lowpass_rejects_bad_time(void **state)
{
    (void)state;
    double t[3] = {0, 0.1, 0.1}, x[3] = {1, 2, 3}, y[3];
    assert_int_equal(analysis_signal_lowpass(t, x, 3, 5, y, NULL, NULL), KZ_E_INVALID);
    double t2[3] = {0, 0.1, 0.2};
    assert_int_equal(analysis_signal_lowpass(t2, x, 3, 0, y, NULL, NULL), KZ_E_INVALID);
}

/* Gaps up to max_gap_s are filled linearly in time; longer ones are kept. */
static void test_fill_gaps(void **state)
{
    (void)state;
    double t[8] = {0, 0.1, 0.15, 0.3, 0.4, 0.5, 1.5, 1.6};
    double x[8] = {0, NAN, NAN, 3, 4, NAN, NAN, 16};
    int f = analysis_signal_fill_gaps(t, x, 8, 0.5);
    assert_int_equal(f, 2);
    assert_true(fabs(x[1] - 1.0) < 1e-12);
    assert_true(fabs(x[2] - 1.5) < 1e-12);
    assert_true(isnan(x[5]) && isnan(x[6]));
}

/* The three-point derivative is exact for quadratics on any spacing. */
static void test_derivative_nonuniform(void **state)
{
    (void)state;
    double t[6] = {0, 0.01, 0.035, 0.05, 0.09, 0.1}, x[6], d[6];
    for (int i = 0; i < 6; i++)
        x[i] = 3 * t[i] * t[i] - 2 * t[i] + 1;
    analysis_signal_derivative(t, x, 6, d);
    for (int i = 1; i < 5; i++)
        assert_true(fabs(d[i] - (6 * t[i] - 2)) < 1e-9);
}

static double gauss(void)
{
    double u1 = (urand() + 1e-9), u2 = urand();
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

/* The noise gains (an_noise_gains) against white Gaussian noise of σ = 1 pushed
   through the real chain (low-pass, derivative, derivative): the standard
   deviations of the residual, velocity and acceleration agree within 10 %
   (sampling error of 60 s of data is ~2-5 %). */
static void check_gains(double fps, double fc)
{
    int n = (int)(60 * fps);
    double *t = malloc(sizeof(double) * n), *x = malloc(sizeof(double) * n),
           *f = malloc(sizeof(double) * n), *v = malloc(sizeof(double) * n),
           *a = malloc(sizeof(double) * n);
    for (int i = 0; i < n; i++)
        t[i] = i / fps, x[i] = gauss();
    assert_int_equal(analysis_signal_lowpass(t, x, n, fc, f, NULL, NULL), KZ_OK);
    analysis_signal_derivative(t, f, n, v);
    analysis_signal_derivative(t, v, n, a);
    double s0 = 0, s1 = 0, s2 = 0;
    int m = 0;
    for (int i = n / 10; i < n - n / 10; i++, m++)
        s0 += (x[i] - f[i]) * (x[i] - f[i]), s1 += v[i] * v[i], s2 += a[i] * a[i];
    double g[3];
    assert_int_equal(an_noise_gains(1 / fps, fc, g), 0);
    assert_true(fabs(sqrt(s0 / m) / g[0] - 1) < 0.1);
    assert_true(fabs(sqrt(s1 / m) / g[1] - 1) < 0.1);
    assert_true(fabs(sqrt(s2 / m) / g[2] - 1) < 0.1);
    free(t), free(x), free(f), free(v), free(a);
}

static void test_noise_gains(void **state)
{
    (void)state;
    check_gains(30, 10);
    check_gains(60, 10);
    check_gains(240, 10);
    /* At 240 fps the three-point derivative is close to ideal, where the acceleration
       gain of a 4th-order zero-phase Butterworth is (2π)²·√(2Δt·f'^5·B) with
       f' = fc / 0.802 (the double-pass correction) and B = ∫u⁴/(1+u⁴)²du =
       Γ(5/4)Γ(3/4)/4 = 0.2777: 1041 /s² at 10 Hz; within 15 %. */
    double g240[3];
    assert_int_equal(an_noise_gains(1 / 240.0, 10, g240), 0);
    double fp = 10 / pow(pow(2.0, 0.5) - 1, 0.25);
    double ideal = pow(2 * M_PI, 2) * sqrt(2.0 / 240 * pow(fp, 5) * 0.2777);
    assert_true(fabs(g240[2] / ideal - 1) < 0.15);
    double bad[3];
    assert_int_equal(an_noise_gains(0, 10, bad), -1);
    assert_true(isnan(bad[2]));
}

static void test_angles(void **state)
{
    (void)state;
    assert_true(fabs(analysis_angle_3pt_deg(1, 0, 0, 0, 0, 1) - 90) < 1e-9);
    assert_true(fabs(analysis_angle_3pt_deg(1, 0, 0, 0, -1, 0) - 180) < 1e-9);
    assert_true(isnan(analysis_angle_3pt_deg(0, 0, 0, 0, 1, 1)));
    /* Leaning forward toward +x by 10° when facing +x is +10; facing -x it is -10. */
    double dx = sin(10 * M_PI / 180), dy = cos(10 * M_PI / 180);
    assert_true(fabs(analysis_angle_from_vertical_deg(dx, dy, 1) - 10) < 1e-9);
    assert_true(fabs(analysis_angle_from_vertical_deg(dx, dy, -1) + 10) < 1e-9);
    /* A thigh swinging forward from hanging down is positive flexion. */
    assert_true(fabs(analysis_angle_between_deg(0, -1, dx, -dy, 1) - 10) < 1e-9);
    assert_true(fabs(analysis_angle_between_deg(0, -1, -dx, -dy, -1) - 10) < 1e-9);
    assert_true(analysis_angle_between_deg(0, -1, -dx, -dy, 1) < 0);
}

static void test_at(void **state)
{
    (void)state;
    double t[3] = {0, 1, 3}, x[3] = {0, 10, 30};
    assert_true(fabs(analysis_signal_at(t, x, 3, 2) - 20) < 1e-12);
    assert_true(isnan(analysis_signal_at(t, x, 3, 3.5)));
    assert_true(fabs(analysis_signal_median_dt(t, 3) - 1.5) < 1e-12);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lowpass_passband_zero_lag),
        cmocka_unit_test(test_lowpass_stopband),
        cmocka_unit_test(test_lowpass_variable_rate),
        cmocka_unit_test(test_lowpass_rejects_bad_time),
        cmocka_unit_test(test_fill_gaps),
        cmocka_unit_test(test_derivative_nonuniform),
        cmocka_unit_test(test_noise_gains),
        cmocka_unit_test(test_angles),
        cmocka_unit_test(test_at),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
