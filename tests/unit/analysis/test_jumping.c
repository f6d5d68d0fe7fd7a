/*
 * test_jumping.c — jump metrics against synthetic countermovement and drop
 * jumps with known flight time (0.5 s → 30.6 cm), countermovement depth
 * (0.30 m) and drop-jump contact time (0.25 s), at 30/60/120/240 fps with
 * 1.5 px landmark noise, jittered timing, a tucked landing, and the
 * unavailable cases. Every check states its tolerance next to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "synth.h"

#define G 9.80665

static struct synth_jump base_jump(double fps)
{
    struct synth_jump p;
    memset(&p, 0, sizeof p);
    synth_common_defaults(&p.c, fps);
    p.flight_s = 0.5;
    p.depth_m = 0.30;
    p.n_jumps = 2;
    p.box_m = 0.4;
    p.contact_s = 0.25;
    return p;
}

static void jump(const struct synth_jump *p, double mass, struct an_jumping_result *r,
                 struct synth_jump_truth *t)
{
    struct an_series s;
    assert_int_equal(synth_jump_make(p, &s, t), 0);
    struct an_jumping_opts o = {.kind = p->drop ? AN_JUMP_DROP : AN_JUMP_CMJ, .mass_kg = mass};
    struct err_ctx e;
    assert_int_equal(analysis_jumping_run(&s, &o, r, &e), KZ_OK);
    analysis_series_cleanup(&s);
}

static void check_cmj(double fps)
{
    struct synth_jump p = base_jump(fps);
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    double dt = 1.0 / fps;
    assert_int_equal(r.n_jumps, t.n);
    for (int j = 0; j < r.n_jumps; j++) {
        /* Take-off and landing each within one frame interval. */
        assert_true(fabs(r.jumps[j].t_s[AN_PH_TAKEOFF] - t.t_takeoff[j]) < dt);
        assert_true(fabs(r.jumps[j].t_s[AN_PH_LANDING] - t.t_landing[j]) < dt);
        /* Flight time within one frame interval. */
        double tf = r.m[AN_JM_FLIGHT_TIME].values[j];
        assert_true(fabs(tf - t.flight_s[j]) < dt);
        /* Height by flight time within the height of one frame: g·t_f/4·dt. */
        double h = r.m[AN_JM_JUMP_HEIGHT].values[j] / 100;
        assert_true(fabs(h - t.height_ft_m[j]) < G * t.flight_s[j] / 4 * dt);
        /* Height by take-off velocity within 3 cm (depends on the world-landmark scale). */
        assert_true(fabs(r.m[AN_JM_JUMP_HEIGHT_VELOCITY].values[j] / 100 - t.height_v_m[j]) < 0.03);
        assert_true(r.m[AN_JM_HEIGHT_DISAGREE].values[j] == 0);
        /* Countermovement depth within 2 cm. */
        assert_true(fabs(r.m[AN_JM_CM_DEPTH].values[j] / 100 - t.depth_m[j]) < 0.02);
        /* Phases in order. */
        for (int q = 1; q < AN_PH__COUNT; q++)
            assert_true(r.jumps[j].frame[q] >= r.jumps[j].frame[q - 1]);
        /* Concentric 0.35 s by construction: within 2 frames + 20 ms; eccentric (0.45 s,
           onset at 10 % of peak downward speed cuts its slow start) within 60 ms. */
        assert_true(fabs(r.m[AN_JM_CONCENTRIC_DURATION].values[j] - 0.35) < 2 * dt + 0.02);
        assert_true(fabs(r.m[AN_JM_ECCENTRIC_DURATION].values[j] - 0.45) < 0.06);
        /* Against the phase times by the same definitions on the true hip motion
           (synth.c): eccentric, concentric and time to take-off within 2 frames + 30 ms
           (bench: max 35 ms), knee flexion at the lowest point within 1.5° (max 0.9°). */
        double tol = 2 * dt + 0.03;
        assert_true(fabs(r.m[AN_JM_ECCENTRIC_DURATION].values[j] - (t.t_lowest[j] - t.t_onset[j])) <
                    tol);
        assert_true(fabs(r.m[AN_JM_CONCENTRIC_DURATION].values[j] -
                         (t.t_takeoff[j] - t.t_lowest[j])) < tol);
        assert_true(fabs(r.m[AN_JM_TIME_TO_TAKEOFF].values[j] - (t.t_takeoff[j] - t.t_onset[j])) <
                    tol);
        assert_true(fabs(r.m[AN_JM_KNEE_ANGLE_ECC_END].values[j] - t.knee_lowest_deg[j]) < 1.5);
        /* Knee flexion at the lowest point is a deep squat (60–130°). */
        double kn = r.m[AN_JM_KNEE_ANGLE_ECC_END].values[j];
        assert_true(kn > 60 && kn < 130);
    }
    /* RSImod per jump within 8 % of h_ft / (take-off − onset) on the true motion (bench:
       max 6 % at 30 fps). */
    for (int j = 0; j < r.n_jumps; j++) {
        double rsim = t.height_ft_m[j] / (t.t_takeoff[j] - t.t_onset[j]);
        assert_true(fabs(r.m[AN_JM_RSI_MODIFIED].values[j] - rsim) < 0.08 * rsim);
    }
    /* RSImod = h / time to take-off, within 10 % of the true 0.3065 / 0.80. */
    assert_true(fabs(r.m[AN_JM_RSI_MODIFIED].avg - 0.3065 / 0.80) < 0.1 * 0.3065 / 0.80);
    assert_false(r.m[AN_JM_RSI].available);
    assert_false(r.m[AN_JM_PEAK_POWER].available);
    assert_non_null(strstr(r.m[AN_JM_PEAK_POWER].reason, "mass"));
    /* The ballistic fit recovers gravity within 5 % (checks the scale). */
    assert_true(fabs(r.m[AN_JM_G_ESTIMATE].avg - G) < 0.05 * G);
    analysis_jumping_result_cleanup(&r);
}

static void test_cmj_30(void **st)
{
    (void)st;
    check_cmj(30);
}
static void test_cmj_60(void **st)
{
    (void)st;
    check_cmj(60);
}
static void test_cmj_120(void **st)
{
    (void)st;
    check_cmj(120);
}
static void test_cmj_240(void **st)
{
    (void)st;
    check_cmj(240);
}

/* Drop jump: ground-contact time within one frame interval + 3 ms, RSI within 10 %. */
static void check_drop(double fps)
{
    struct synth_jump p = base_jump(fps);
    p.drop = 1;
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    assert_int_equal(r.n_jumps, t.n);
    for (int j = 0; j < r.n_jumps; j++) {
        double gct = r.m[AN_JM_CONTACT_TIME].values[j];
        assert_true(fabs(gct - p.contact_s) < 1.0 / fps + 0.003);
        assert_true(fabs(r.m[AN_JM_FLIGHT_TIME].values[j] - t.flight_s[j]) < 1.0 / fps);
        /* Eccentric = box landing → lowest hip point, within 2 frames + 10 ms (bench:
           max 9.6 ms at 60 fps); knee at the lowest point within 2° (max 1.1°). */
        assert_true(fabs(r.m[AN_JM_ECCENTRIC_DURATION].values[j] -
                         (t.t_lowest[j] - t.t_contact[j])) < 2.0 / fps + 0.01);
        assert_true(fabs(r.m[AN_JM_KNEE_ANGLE_ECC_END].values[j] - t.knee_lowest_deg[j]) < 2);
    }
    double rsi = t.height_ft_m[0] / p.contact_s;
    assert_true(fabs(r.m[AN_JM_RSI].avg - rsi) < 0.1 * rsi);
    assert_false(r.m[AN_JM_RSI_MODIFIED].available);
    analysis_jumping_result_cleanup(&r);
}

static void test_drop_60(void **st)
{
    (void)st;
    check_drop(60);
}
static void test_drop_240(void **st)
{
    (void)st;
    check_drop(240);
}

/* Landing with the legs tucked by 10 cm inflates the flight time: the two
   heights disagree and the flag is raised. */
static void test_tucked_landing(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(120);
    p.tuck_m = 0.10;
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    assert_int_equal(r.n_jumps, 2);
    for (int j = 0; j < 2; j++) {
        assert_true(r.m[AN_JM_HEIGHT_DISAGREE].values[j] == 1);
        /* The velocity height still matches the true COM rise within 3 cm. */
        assert_true(fabs(r.m[AN_JM_JUMP_HEIGHT_VELOCITY].values[j] / 100 - t.height_v_m[j]) < 0.03);
    }
    analysis_jumping_result_cleanup(&r);
}

/* Variable frame rate (60 fps ± 35 %): flight time within 1.35 nominal frames. */
static void test_cmj_variable_rate(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(60);
    p.c.jitter = 0.35;
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    assert_int_equal(r.n_jumps, 2);
    for (int j = 0; j < 2; j++)
        assert_true(fabs(r.m[AN_JM_FLIGHT_TIME].values[j] - t.flight_s[j]) < 1.35 / 60);
    analysis_jumping_result_cleanup(&r);
}

/* Body mass known: GRF and power are estimated; peak take-off GRF between 1 and
   5 body weights, Sayers power from its formula. */
static void test_cmj_mass(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(120);
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 75, &r, &t);
    assert_non_null(r.grf_n);
    double bw = 75 * G;
    assert_true(r.m[AN_JM_PEAK_GRF_TAKEOFF].avg > bw && r.m[AN_JM_PEAK_GRF_TAKEOFF].avg < 5 * bw);
    assert_true(r.m[AN_JM_PEAK_POWER].avg > 0);
    double say = 60.7 * r.m[AN_JM_JUMP_HEIGHT].avg + 45.3 * 75 - 2055;
    assert_true(fabs(r.m[AN_JM_SAYERS_POWER].avg - say) < 1e-6);
    /* Against the true hip motion (the generator's GRF = m (g + a_hip)): take-off peak
       within 45 % (bench at 120 fps: bias +17 %, max +41 %: the maximum of a noisy
       second derivative), landing peak within 25 % (max 17 %), peak power within 35 %
       (max 32 %); normalized power is peak power / mass. */
    for (int j = 0; j < r.n_jumps; j++) {
        double f_to = 75 * (G + t.peak_a_takeoff[j]), f_la = 75 * (G + t.peak_a_landing[j]);
        double pw = 75 * t.peak_power_per_kg[j];
        assert_true(fabs(r.m[AN_JM_PEAK_GRF_TAKEOFF].values[j] - f_to) < 0.45 * f_to);
        assert_true(fabs(r.m[AN_JM_PEAK_GRF_LANDING].values[j] - f_la) < 0.25 * f_la);
        assert_true(fabs(r.m[AN_JM_PEAK_POWER].values[j] - pw) < 0.35 * pw);
        assert_true(fabs(r.m[AN_JM_NORMALIZED_POWER].values[j] -
                         r.m[AN_JM_PEAK_POWER].values[j] / 75) < 1e-9);
    }
    /* Per-frame series against the true motion over the whole clip: RMS of hipy
       within 1 cm, vhipy within 0.1 m/s, ahipy within 5 m/s² (bench MAE 0.07 cm,
       0.03 m/s, 2 m/s²), toey within 1 cm; in flight the GRF averages 0 ± 150 N. */
    struct an_series s;
    assert_int_equal(synth_jump_make(&p, &s, NULL), 0);
    double e_h = 0, e_v = 0, e_a = 0, e_t = 0, fsum = 0;
    int m = 0, mf = 0;
    for (int i = 0; i < s.n_frames; i++) {
        struct synth_jump_state sj;
        synth_jump_state_at(&p, s.frames[i].t_s, &sj);
        if (!isfinite(r.hipy_m[i]) || !isfinite(r.ahipy_mps2[i]) || !isfinite(r.toey_m[i]))
            continue;
        e_h += pow(r.hipy_m[i] - (sj.hip_y_m - t.stand_hip_m), 2);
        e_v += pow(r.vhipy_mps[i] - sj.hip_v_mps, 2);
        e_a += pow(r.ahipy_mps2[i] - sj.hip_a_mps2, 2);
        e_t += pow(r.toey_m[i] - sj.foot_y_m, 2);
        m++;
        for (int j = 0; j < t.n; j++)
            if (s.frames[i].t_s > t.t_takeoff[j] + 0.1 && s.frames[i].t_s < t.t_landing[j] - 0.1)
                fsum += r.grf_n[i], mf++;
    }
    assert_true(m > s.n_frames / 2 && mf > 10);
    assert_true(sqrt(e_h / m) < 0.01 && sqrt(e_v / m) < 0.1 && sqrt(e_a / m) < 5);
    assert_true(sqrt(e_t / m) < 0.01);
    assert_true(fabs(fsum / mf) < 150);
    analysis_series_cleanup(&s);
    analysis_jumping_result_cleanup(&r);
}

/* Uncertainties grow when the pose model is less confident (visibility 0.6
   instead of 0.95, same pixel noise): phase durations, flight time, heights,
   depth, knee angle, GRF and power; and when the frame rate is lower (60 vs
   240 fps): durations, flight time and height. */
static void test_uncertainty_conf_fps(void **st)
{
    (void)st;
    static const int keys[] = {
        AN_JM_ECCENTRIC_DURATION, AN_JM_TIME_TO_TAKEOFF,  AN_JM_FLIGHT_TIME,
        AN_JM_JUMP_HEIGHT,        AN_JM_TAKEOFF_VELOCITY, AN_JM_CM_DEPTH,
        AN_JM_KNEE_ANGLE_ECC_END, AN_JM_PEAK_GRF_TAKEOFF, AN_JM_PEAK_GRF_LANDING,
        AN_JM_PEAK_POWER,         AN_JM_NORMALIZED_POWER};
    struct an_jumping_result hi, lo, slow;
    struct synth_jump_truth t;
    struct synth_jump p = base_jump(240);
    jump(&p, 75, &hi, &t);
    p.c.visibility = 0.6;
    jump(&p, 75, &lo, &t);
    p = base_jump(60);
    jump(&p, 75, &slow, &t);
    for (size_t q = 0; q < sizeof keys / sizeof keys[0]; q++) {
        const struct an_metric *a = &hi.m[keys[q]], *b = &lo.m[keys[q]], *c = &slow.m[keys[q]];
        assert_true(a->available && b->available && c->available);
        assert_true(isfinite(a->uncertainty) && a->uncertainty > 0);
        assert_true(b->uncertainty > a->uncertainty);
        /* Frame rate: times and heights. Not the knee angle (a position), the take-off
           velocity and depth (dominated by the scale's uncertainty), nor GRF and
           power: the three-point derivative's own attenuation at 60 fps offsets the
           longer interval (an_noise_gains: similar acceleration noise gains). */
        if (q < 4)
            assert_true(c->uncertainty > a->uncertainty);
    }
    /* GRF: the propagated u covers the difference between the take-off peak at 240 and
       at 60 fps (both estimate the same true peak). */
    double d = fabs(hi.m[AN_JM_PEAK_GRF_TAKEOFF].avg - slow.m[AN_JM_PEAK_GRF_TAKEOFF].avg);
    assert_true(d < 3 * hypot(hi.m[AN_JM_PEAK_GRF_TAKEOFF].uncertainty,
                              slow.m[AN_JM_PEAK_GRF_TAKEOFF].uncertainty));
    /* The disagreement flag carries a Bernoulli uncertainty in [0, 0.5]. */
    double uf = hi.m[AN_JM_HEIGHT_DISAGREE].uncertainty;
    assert_true(uf >= 0 && uf <= 0.5);
    analysis_jumping_result_cleanup(&hi);
    analysis_jumping_result_cleanup(&lo);
    analysis_jumping_result_cleanup(&slow);
}

static void test_jump_low_fps(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(10);
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    assert_false(r.m[AN_JM_FLIGHT_TIME].available);
    assert_non_null(strstr(r.m[AN_JM_JUMP_HEIGHT].reason, "frame rate"));
    analysis_jumping_result_cleanup(&r);
}

static void test_jump_feet_hidden(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(60);
    p.c.foot_visibility = 0.2;
    struct an_jumping_result r;
    struct synth_jump_truth t;
    jump(&p, 0, &r, &t);
    assert_false(r.m[AN_JM_FLIGHT_TIME].available);
    assert_non_null(strstr(r.m[AN_JM_FLIGHT_TIME].reason, "feet not visible"));
    analysis_jumping_result_cleanup(&r);
}

static void test_jump_json(void **st)
{
    (void)st;
    struct synth_jump p = base_jump(60);
    struct an_series s;
    assert_int_equal(synth_jump_make(&p, &s, NULL), 0);
    struct an_jumping_result r;
    struct an_jumping_opts o = {.kind = AN_JUMP_CMJ, .mass_kg = 70};
    assert_int_equal(analysis_jumping_run(&s, &o, &r, NULL), KZ_OK);
    json_t *doc = analysis_jumping_json(&r, &s);
    assert_non_null(doc);
    size_t n = (size_t)s.n_frames;
    json_t *w = json_object_get(doc, "whole_report_metrics");
    const char *ser[] = {"hipy", "vhipy", "ahipy", "toey", "vtoey", "grf"};
    for (size_t i = 0; i < 6; i++)
        assert_int_equal(json_array_size(json_object_get(w, ser[i])), n);
    json_t *ang = json_object_get(doc, "angles");
    const char *an[] = {"hip_intersection_angle",
                        "ank_angle",
                        "rkne_angle",
                        "lkne_angle",
                        "kne_angle",
                        "rank_angle",
                        "lank_angle"};
    for (size_t i = 0; i < 7; i++)
        assert_int_equal(json_array_size(json_object_get(ang, an[i])), n);
    assert_int_equal(json_array_size(json_object_get(doc, "end_frames")), 2);
    json_t *pd = json_array_get(json_object_get(doc, "phase_data"), 0);
    assert_non_null(json_object_get(json_object_get(pd, "zero_velocity"), "video_frame"));
    json_t *jh = json_object_get(json_object_get(doc, "metrics"), "jump_height");
    assert_int_equal(json_array_size(jh), 2);
    json_t *kz = json_object_get(doc, "kinalyze");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(kz, "units"), "jump_height")), "cm");
    assert_non_null(json_object_get(json_object_get(kz, "unavailable"), "rsi"));
    json_decref(doc);
    analysis_jumping_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

static void test_kind_parse(void **st)
{
    (void)st;
    enum an_jump_kind k;
    assert_int_equal(analysis_jump_kind_parse("Drop Jump", &k, NULL), KZ_OK);
    assert_int_equal(k, AN_JUMP_DROP);
    assert_int_equal(analysis_jump_kind_parse("Countermovement Jump", &k, NULL), KZ_OK);
    assert_int_equal(k, AN_JUMP_CMJ);
    assert_int_equal(analysis_jump_kind_parse("Squat", &k, NULL), KZ_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cmj_30),           cmocka_unit_test(test_cmj_60),
        cmocka_unit_test(test_cmj_120),          cmocka_unit_test(test_cmj_240),
        cmocka_unit_test(test_drop_60),          cmocka_unit_test(test_drop_240),
        cmocka_unit_test(test_tucked_landing),   cmocka_unit_test(test_cmj_variable_rate),
        cmocka_unit_test(test_cmj_mass),         cmocka_unit_test(test_jump_low_fps),
        cmocka_unit_test(test_jump_feet_hidden), cmocka_unit_test(test_jump_json),
        cmocka_unit_test(test_kind_parse),       cmocka_unit_test(test_uncertainty_conf_fps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
