/*
 * test_prep.c — kinematics preparation: joint-angle conventions on a
 * constructed pose (both facing directions), scale sources, velocities and
 * accelerations of a body in free flight (known parabola) at two frame rates
 * and with variable frame intervals, and the validation of the input series.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "analysis/analysis.h"

#define D2R (M_PI / 180)

struct p2 {
    double x, y; /* metres, y up */
};

/* A pose facing `f` (+1 right, -1 left): trunk lean 10°, hip flexion 30°,
   knee flexion 40°, ankle dorsiflexion 5°, shoulder flexion 20°, elbow 90°. */
static void make_pose(struct an_frame *fr, int f, double t)
{
    struct p2 P[AN_N_LANDMARKS];
    memset(P, 0, sizeof P);
    struct p2 hip = {0, 1.0};
    double lean = 10 * D2R;
    struct p2 sh = {hip.x + f * 0.5 * sin(lean), hip.y + 0.5 * cos(lean)};
    /* Thigh direction: trunk-down rotated forward by 30°; shank: thigh rotated back 40°. */
    double th = lean + M_PI - 30 * D2R; /* angle from +y, clockwise toward +x (facing right) */
    struct p2 knee = {hip.x + f * 0.45 * sin(th), hip.y + 0.45 * cos(th)};
    double sk = th + 40 * D2R;
    struct p2 ank = {knee.x + f * 0.45 * sin(sk), knee.y + 0.45 * cos(sk)};
    /* Foot: perpendicular to the shank minus 5° dorsiflexion → toe rotated up. */
    double ft = sk - 90 * D2R - 5 * D2R; /* direction from heel to toe */
    struct p2 heel = {ank.x - f * 0.05 * sin(ft), ank.y - 0.07};
    struct p2 toe = {heel.x + f * 0.2 * sin(ft), heel.y + 0.2 * cos(ft)};
    double ua = lean + M_PI - 20 * D2R;
    struct p2 elb = {sh.x + f * 0.3 * sin(ua), sh.y + 0.3 * cos(ua)};
    double fa = ua - 90 * D2R;
    struct p2 wri = {elb.x + f * 0.25 * sin(fa), elb.y + 0.25 * cos(fa)};
    for (int s = 0; s < 2; s++) {
        P[AN_L_HIP + s] = hip;
        P[AN_L_KNEE + s] = knee;
        P[AN_L_ANKLE + s] = ank;
        P[AN_L_HEEL + s] = heel;
        P[AN_L_FOOT + s] = toe;
        P[AN_L_SHOULDER + s] = sh;
        P[AN_L_ELBOW + s] = elb;
        P[AN_L_WRIST + s] = wri;
    }
    P[AN_NOSE] = (struct p2){sh.x + f * 0.1, sh.y + 0.2};
    P[AN_L_EAR] = P[AN_R_EAR] = (struct p2){sh.x, sh.y + 0.2};
    fr->t_s = t;
    fr->valid = 1;
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        fr->lm[j].x_px = (float)(500 + P[j].x / 0.002);
        fr->lm[j].y_px = (float)(1800 - P[j].y / 0.002);
        fr->lm[j].visibility = fr->lm[j].presence = 0.99f;
        fr->world_m[j][0] = (float)(P[j].x - hip.x);
        fr->world_m[j][1] = (float)-(P[j].y - hip.y);
        fr->world_m[j][2] = 0;
    }
}

static void check_angles(int facing)
{
    struct an_series s;
    assert_int_equal(analysis_series_init(&s, 30, 1080, 1920, NULL), KZ_OK);
    for (int i = 0; i < 30; i++)
        make_pose(&s.frames[i], facing, i / 30.0);
    struct an_kinematics k;
    assert_int_equal(analysis_prepare(&s, NULL, &k, NULL), KZ_OK);
    assert_int_equal(k.facing, facing);
    int i = 15;
    /* Tolerance 0.5° (float pixel rounding only). */
    assert_true(fabs(k.angle_deg[AN_ANG_TRUNK][i] - 10) < 0.5);
    assert_true(fabs(k.angle_deg[AN_ANG_LHIP][i] - 30) < 0.5);
    assert_true(fabs(k.angle_deg[AN_ANG_RKNE][i] - 40) < 0.5);
    assert_true(fabs(k.angle_deg[AN_ANG_LANK][i] - 5) < 0.5);
    assert_true(fabs(k.angle_deg[AN_ANG_RSHO][i] - 20) < 0.5);
    assert_true(fabs(k.angle_deg[AN_ANG_LELB][i] - 90) < 0.5);
    /* Scale from world landmarks: 0.002 m/px within 1 %. */
    assert_int_equal(k.scale_source, AN_SCALE_WORLD_LANDMARKS);
    assert_true(fabs(k.scale_m_per_px - 0.002) < 0.00002);
    analysis_kinematics_cleanup(&k);
    analysis_series_cleanup(&s);
}

static void test_angles_facing_right(void **st)
{
    (void)st;
    check_angles(1);
}
static void test_angles_facing_left(void **st)
{
    (void)st;
    check_angles(-1);
}

/* No world landmarks and no height: no scale, reported as such. */
static void test_no_scale(void **st)
{
    (void)st;
    struct an_series s;
    assert_int_equal(analysis_series_init(&s, 10, 100, 100, NULL), KZ_OK);
    for (int i = 0; i < 10; i++) {
        make_pose(&s.frames[i], 1, i / 30.0);
        memset(s.frames[i].world_m, 0, sizeof s.frames[i].world_m);
    }
    struct an_kinematics k;
    assert_int_equal(analysis_prepare(&s, NULL, &k, NULL), KZ_OK);
    assert_int_equal(k.scale_source, AN_SCALE_NONE);
    assert_string_equal(analysis_scale_source_name(k.scale_source), "none");
    analysis_kinematics_cleanup(&k);
    analysis_series_cleanup(&s);
}

/*
 * The whole constructed pose in a parabolic flight: y(t) = −g/2 (t − 0.5)² and
 * x(t) = (t − 0.5)² metres (accelerations −g and +2 m/s², velocities −g(t − 0.5)
 * and 2(t − 0.5)). Checked over the middle half of a 1 s clip, where the
 * filter's end effects (odd reflection does not continue a parabola) have
 * died out. jitter: each frame interval is (1 ± jitter·u)/fps.
 */
static void check_parabola(double fps, double jitter, double tol_a_rel, double tol_v_mps)
{
    const double g = 9.80665, sc = 0.002;
    int n = (int)(fps * 1.0) + 1;
    struct an_series s;
    assert_int_equal(analysis_series_init(&s, n, 1080, 1920, NULL), KZ_OK);
    uint64_t rs = 12345;
    double t = 0;
    for (int i = 0; i < n; i++) {
        make_pose(&s.frames[i], 1, t);
        double dx = (t - 0.5) * (t - 0.5), dy = -0.5 * g * (t - 0.5) * (t - 0.5);
        for (int j = 0; j < AN_N_LANDMARKS; j++) {
            s.frames[i].lm[j].x_px += (float)(dx / sc);
            s.frames[i].lm[j].y_px -= (float)(dy / sc);
        }
        rs = rs * 6364136223846793005ULL + 1442695040888963407ULL;
        double u = 2.0 * (double)(rs >> 11) / 9007199254740992.0 - 1.0;
        t += (1 + jitter * u) / fps;
    }
    struct an_kinematics k;
    assert_int_equal(analysis_prepare(&s, NULL, &k, NULL), KZ_OK);
    /* Positions are metres at the estimated scale: compare in those units. */
    double f = k.scale_m_per_px / sc;
    int checked = 0;
    for (int i = 0; i < n; i++) {
        double ti = k.t_s[i];
        if (ti < 0.25 || ti > 0.75)
            continue;
        int lms[3] = {AN_L_HIP, AN_R_KNEE, AN_NOSE};
        for (int q = 0; q < 3; q++) {
            int j = lms[q];
            assert_true(fabs(k.ay[j][i] / f + g) < tol_a_rel * g);
            assert_true(fabs(k.ax[j][i] / f - 2.0) < tol_a_rel * g);
            assert_true(fabs(k.vy[j][i] / f + g * (ti - 0.5)) < tol_v_mps);
            assert_true(fabs(k.vx[j][i] / f - 2 * (ti - 0.5)) < tol_v_mps);
        }
        checked++;
    }
    assert_true(checked >= (int)(0.45 * fps));
    analysis_kinematics_cleanup(&k);
    analysis_series_cleanup(&s);
}

/* Uniform rate: measured max errors 0.05 % g / 0.3 mm/s at 30 fps, 0.002 % g at
   120 fps (float pixel rounding); tolerance 0.5 % of g and 5 mm/s. */
static void test_accel_parabola_30fps(void **st)
{
    (void)st;
    check_parabola(30, 0, 0.005, 0.005);
}
static void test_accel_parabola_120fps(void **st)
{
    (void)st;
    check_parabola(120, 0, 0.005, 0.005);
}
/* Variable frame rate, ±35 % interval jitter around 60 fps: measured max 3.0 % g
   and 6 mm/s (the linear resampling onto the filter's uniform grid); tolerance
   5 % of g and 2 cm/s. With a linear interpolation back from the grid this
   failed (> 5 %). */
static void test_accel_parabola_vfr(void **st)
{
    (void)st;
    check_parabola(60, 0.35, 0.05, 0.02);
}

static void test_bad_series(void **st)
{
    (void)st;
    struct an_series s;
    struct an_kinematics k;
    struct err_ctx e;
    assert_int_equal(analysis_series_init(&s, -1, 10, 10, &e), KZ_E_INVALID);
    assert_int_equal(analysis_series_init(&s, 3, 10, 10, &e), KZ_OK);
    s.frames[0].t_s = 0;
    s.frames[1].t_s = 0.1;
    s.frames[2].t_s = 0.05; /* not increasing */
    assert_int_equal(analysis_prepare(&s, NULL, &k, &e), KZ_E_INVALID);
    analysis_series_cleanup(&s);
    analysis_series_cleanup(&s); /* idempotent */
    analysis_kinematics_cleanup(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_angles_facing_right),
        cmocka_unit_test(test_angles_facing_left),
        cmocka_unit_test(test_no_scale),
        cmocka_unit_test(test_accel_parabola_30fps),
        cmocka_unit_test(test_accel_parabola_120fps),
        cmocka_unit_test(test_accel_parabola_vfr),
        cmocka_unit_test(test_bad_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
