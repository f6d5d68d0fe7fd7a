/*
 * test_prep.c — kinematics preparation: joint-angle conventions on a
 * constructed pose (both facing directions), scale sources, and the
 * validation of the input series.
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
        cmocka_unit_test(test_bad_series),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
