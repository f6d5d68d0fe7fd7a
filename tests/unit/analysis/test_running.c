/*
 * test_running.c — running metrics against synthetic treadmill running with
 * known cadence, contact time, flight time, speed, vertical oscillation,
 * foot-strike angle and overstride (synth.c), at 30/60/120/240 fps with
 * 1.5 px landmark noise, with jittered (variable) frame timing, with raw
 * left/right label swaps, and the unavailable cases (10 fps, feet hidden, a
 * slow-motion clock, a zooming camera); the exported keypoints carry the
 * repaired labels.
 * Every check states its tolerance next to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "synth.h"

static struct synth_run base_run(double fps)
{
    struct synth_run p;
    memset(&p, 0, sizeof p);
    synth_common_defaults(&p.c, fps);
    p.cadence_spm = 170;
    p.contact_s = 0.24;
    p.speed_mps = 3.0;
    p.vo_m = 0.08;
    p.strike_deg = 12;
    p.overstride_m = 0.25;
    p.duration_s = 6;
    return p;
}

static void run(const struct synth_run *p, struct an_running_result *r, struct synth_run_truth *t,
                int swap)
{
    struct an_series s;
    assert_int_equal(synth_run_make(p, &s, t), 0);
    if (swap) {
        /* Three windows where the pose model "swaps" the legs. */
        int n = s.n_frames;
        synth_swap_legs(&s, n / 7, n / 7 + (int)(0.1 * p->c.fps));
        synth_swap_legs(&s, n / 3, n / 3 + (int)(0.05 * p->c.fps) + 1);
        synth_swap_legs(&s, n / 2, n / 2 + (int)(0.2 * p->c.fps));
    }
    struct an_running_opts o = {.incline_deg = 1.5};
    struct err_ctx e;
    assert_int_equal(analysis_running_run(&s, &o, r, &e), KZ_OK);
    analysis_series_cleanup(&s);
}

static void check_run(double fps)
{
    struct synth_run p = base_run(fps);
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    double dt = 1.0 / fps;
    double step = 60.0 / p.cadence_spm;
    /* Every true contact is found (the clip edges may cut one). */
    assert_true(r.n_contacts >= t.n_contacts - 2 && r.n_contacts <= t.n_contacts);
    assert_int_equal(r.alternation_violations, 0);
    /* Cadence: mean within 1 % (≈1.7 steps/min). */
    assert_true(r.m[AN_RM_CADENCE].available);
    assert_true(fabs(r.m[AN_RM_CADENCE].avg - p.cadence_spm) < 0.01 * p.cadence_spm);
    /* Contact and flight time: mean within one frame interval + 8 ms method bias. */
    assert_true(fabs(r.m[AN_RM_CONTACT_TIME].avg - p.contact_s) < dt + 0.008);
    assert_true(fabs(r.m[AN_RM_FLIGHT_TIME].avg - (step - p.contact_s)) < dt + 0.008);
    /* Step and stride time within 5 ms; duty factor within 3 percentage points. */
    assert_true(fabs(r.m[AN_RM_STEP_TIME].avg - step) < 0.005);
    assert_true(fabs(r.m[AN_RM_STRIDE_TIME].avg - 2 * step) < 0.005);
    assert_true(fabs(r.m[AN_RM_DUTY_FACTOR].avg - 100 * p.contact_s / (2 * step)) < 3);
    /* Speed (treadmill belt) within 5 %, stride length within 5 %. */
    assert_true(fabs(r.m[AN_RM_SPEED].avg - p.speed_mps) < 0.05 * p.speed_mps);
    assert_true(fabs(r.m[AN_RM_STRIDE_LENGTH].avg - 2 * step * p.speed_mps) <
                0.05 * 2 * step * p.speed_mps);
    assert_true(r.treadmill);
    /* Vertical oscillation within 1 cm. */
    assert_true(fabs(r.m[AN_RM_VERTICAL_OSC].avg - 100 * p.vo_m) < 1.0);
    /* Overstride within 3 cm; trunk lean (8° by construction) within 1°. */
    assert_true(fabs(r.m[AN_RM_OVERSTRIDE].avg - 100 * p.overstride_m) < 3.0);
    assert_true(fabs(r.m[AN_RM_TRUNK_LEAN].avg - 8) < 1.0);
    /* Knee flexion at contact within 8° (filtered angle near a fast event). */
    assert_true(fabs(r.m[AN_RM_KNEE_FLEXION_CONTACT].avg - t.knee_flexion_contact_deg) < 8);
    /* Balance of a symmetric runner within 2 points of 50 %; its GCT asymmetry within
       3 points of 0 (bench: max 2.7 points at 30 fps). */
    assert_true(fabs(r.m[AN_RM_RBALANCE].avg - 50) < 2);
    assert_true(fabs(r.m[AN_RM_GCT_ASYMMETRY].avg) < 3);
    /* Pace = (1000/60)/speed within 2 % (bench: max 0.8 %). */
    double pace = (1000.0 / 60) / p.speed_mps;
    assert_true(fabs(r.m[AN_RM_PACE].avg - pace) < 0.02 * pace);
    /* Angles at the events against the generator's geometry at the true event times
       (synth.c): shank at contact within 6° (bench: bias −3 to −4.4°, max 5.8°: the
       filter rounds the foot's landing), contact angle within 2° (max 1.2°), hip at
       toe-off within 5° (max 4.9°). */
    assert_true(fabs(r.m[AN_RM_SHANK_ANGLE_CONTACT].avg - t.shank_angle_contact_deg) < 6);
    assert_true(fabs(r.m[AN_RM_CONTACT_ANGLE].avg - t.contact_angle_deg) < 2);
    assert_true(fabs(r.m[AN_RM_HIP_EXTENSION_TOEOFF].avg - t.hip_angle_toeoff_deg) < 5);
    /* Foot strike: angle within 3° and rearfoot at >= 60 fps, unavailable below. */
    if (fps >= 60) {
        assert_true(fabs(r.m[AN_RM_FOOTSTRIKE_ANGLE].avg - p.strike_deg) < 3);
        assert_int_equal(r.footstrike, AN_FS_REARFOOT);
    } else {
        assert_false(r.m[AN_RM_FOOTSTRIKE_ANGLE].available);
        assert_non_null(strstr(r.m[AN_RM_FOOTSTRIKE_ANGLE].reason, "fps"));
    }
    /* Incline is reported as given, with the setting's uncertainty (0.5 % grade steps:
       0.083°); every metric has a unit and an uncertainty. */
    assert_true(fabs(r.m[AN_RM_INCLINE].avg - 1.5) < 1e-9);
    assert_true(fabs(r.m[AN_RM_INCLINE].uncertainty - 0.0827) < 0.001);
    for (int i = 0; i < AN_RM__COUNT; i++) {
        assert_non_null(r.m[i].unit);
        if (r.m[i].available)
            assert_true(isfinite(r.m[i].uncertainty) && r.m[i].uncertainty >= 0);
    }
    /* The uncertainty of GCT is at least the 5 ms method floor and at most one frame
       interval above it; the measured error lies within 2 uncertainties. */
    double u = r.m[AN_RM_CONTACT_TIME].uncertainty;
    assert_true(u >= 0.005 && u < dt + 0.006);
    assert_true(fabs(r.m[AN_RM_CONTACT_TIME].avg - p.contact_s) < 2 * u);
    analysis_running_result_cleanup(&r);
}

static void test_run_30(void **st)
{
    (void)st;
    check_run(30);
}
static void test_run_60(void **st)
{
    (void)st;
    check_run(60);
}
static void test_run_120(void **st)
{
    (void)st;
    check_run(120);
}
static void test_run_240(void **st)
{
    (void)st;
    check_run(240);
}

/* Per-contact timing at 120 fps: every detected contact matches a true one within
   one frame interval + 6 ms. */
static void test_run_events(void **st)
{
    (void)st;
    struct synth_run p = base_run(120);
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    for (int c = 0; c < r.n_contacts; c++) {
        int best = 0;
        for (int j = 1; j < t.n_contacts; j++)
            if (fabs(t.t_on[j] - r.contacts[c].t_on_s) < fabs(t.t_on[best] - r.contacts[c].t_on_s))
                best = j;
        assert_int_equal(r.contacts[c].side, t.side[best]);
        assert_true(fabs(r.contacts[c].t_on_s - t.t_on[best]) < 1.0 / 120 + 0.006);
        assert_true(fabs(r.contacts[c].t_off_s - t.t_off[best]) < 1.0 / 120 + 0.006);
    }
    analysis_running_result_cleanup(&r);
}

/* Variable frame rate: 60 fps ± 35 % interval jitter gives the same answers
   (cadence within 1 %, GCT within 1.35 frame intervals + 8 ms). */
static void test_run_variable_rate(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.c.jitter = 0.35;
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    assert_true(fabs(r.m[AN_RM_CADENCE].avg - p.cadence_spm) < 0.01 * p.cadence_spm);
    assert_true(fabs(r.m[AN_RM_CONTACT_TIME].avg - p.contact_s) < 1.35 / 60 + 0.008);
    assert_true(fabs(r.m[AN_RM_SPEED].avg - p.speed_mps) < 0.05 * p.speed_mps);
    analysis_running_result_cleanup(&r);
}

/* Left/right swaps in the raw landmarks are repaired: the swapped frames are
   found, contacts alternate and the metrics match the clean clip; without the
   repair the same clip shows non-alternating contacts. */
static void test_run_lr_swap(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    struct an_running_result clean, fixed, raw;
    struct synth_run_truth t;
    run(&p, &clean, &t, 0);
    run(&p, &fixed, &t, 1);
    int injected = (int)(0.1 * 60) + (int)(0.05 * 60) + 1 + (int)(0.2 * 60);
    /* Repair relabels the injected frames (±2 frames per window). */
    assert_true(abs(fixed.kin.n_leg_swaps_fixed - injected) <= 6);
    assert_int_equal(fixed.alternation_violations, 0);
    assert_int_equal(fixed.n_contacts, clean.n_contacts);
    /* Metrics equal to the clean clip within 1 % (cadence) and 5 ms (GCT). */
    assert_true(fabs(fixed.m[AN_RM_CADENCE].avg - clean.m[AN_RM_CADENCE].avg) <
                0.01 * clean.m[AN_RM_CADENCE].avg);
    assert_true(fabs(fixed.m[AN_RM_CONTACT_TIME].avg - clean.m[AN_RM_CONTACT_TIME].avg) < 0.005);
    /* Without repair the swaps corrupt the contact sequence. */
    struct an_series s;
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    int n = s.n_frames;
    synth_swap_legs(&s, n / 7, n / 7 + 6);
    synth_swap_legs(&s, n / 3, n / 3 + 4);
    synth_swap_legs(&s, n / 2, n / 2 + 12);
    struct an_running_opts o = {.no_fix_sides = 1};
    assert_int_equal(analysis_running_run(&s, &o, &raw, NULL), KZ_OK);
    assert_true(raw.alternation_violations > 0 || raw.n_contacts != clean.n_contacts);
    analysis_series_cleanup(&s);
    analysis_running_result_cleanup(&clean);
    analysis_running_result_cleanup(&fixed);
    analysis_running_result_cleanup(&raw);
}

/* A 10 fps clip cannot time contacts: event metrics unavailable with the reason. */
/* Lower landmark confidence (feet seen at 0.6 instead of 0.95, same pixel noise)
   and a lower frame rate (30 vs 120 fps) give larger timing uncertainties. */
static void test_run_uncertainty_conf_fps(void **st)
{
    (void)st;
    struct an_running_result hi, lo, slow;
    struct synth_run_truth t;
    struct synth_run p = base_run(120);
    run(&p, &hi, &t, 0);
    p.c.foot_visibility = 0.6;
    run(&p, &lo, &t, 0);
    p = base_run(30);
    run(&p, &slow, &t, 0);
    static const int keys[] = {AN_RM_CONTACT_TIME, AN_RM_FLIGHT_TIME, AN_RM_STEP_TIME,
                               AN_RM_CADENCE, AN_RM_DUTY_FACTOR};
    for (size_t q = 0; q < sizeof keys / sizeof keys[0]; q++) {
        assert_true(lo.m[keys[q]].uncertainty > hi.m[keys[q]].uncertainty);
        assert_true(slow.m[keys[q]].uncertainty > hi.m[keys[q]].uncertainty);
    }
    analysis_running_result_cleanup(&hi);
    analysis_running_result_cleanup(&lo);
    analysis_running_result_cleanup(&slow);
}

static void test_run_low_fps(void **st)
{
    (void)st;
    struct synth_run p = base_run(10);
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    assert_false(r.m[AN_RM_CADENCE].available);
    assert_false(r.m[AN_RM_CONTACT_TIME].available);
    assert_non_null(strstr(r.m[AN_RM_CONTACT_TIME].reason, "frame rate"));
    assert_true(r.m[AN_RM_INCLINE].available);
    analysis_running_result_cleanup(&r);
}

/* Feet hidden (visibility 0.2 below the 0.3 usable threshold): unavailable. */
static void test_run_feet_hidden(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.c.foot_visibility = 0.2;
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    assert_false(r.m[AN_RM_CONTACT_TIME].available);
    assert_non_null(strstr(r.m[AN_RM_CONTACT_TIME].reason, "feet not visible"));
    analysis_running_result_cleanup(&r);
}

/* Too few steps: a 0.5 s clip has at most 2 contacts. */
static void test_run_too_few_steps(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.duration_s = 0.5;
    struct an_running_result r;
    struct synth_run_truth t;
    run(&p, &r, &t, 0);
    assert_false(r.m[AN_RM_CADENCE].available);
    assert_non_null(strstr(r.m[AN_RM_CADENCE].reason, "too few steps"));
    analysis_running_result_cleanup(&r);
}

/* The JSON document has the vendor's parts and our additions, with per-frame
   arrays as long as the clip. */
static void test_run_json(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.duration_s = 3;
    struct an_series s;
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    struct an_running_result r;
    assert_int_equal(analysis_running_run(&s, NULL, &r, NULL), KZ_OK);
    json_t *doc = analysis_running_json(&r, &s);
    assert_non_null(doc);
    size_t n = (size_t)s.n_frames;
    assert_int_equal(json_array_size(json_object_get(doc, "all_timestamps")), n);
    assert_int_equal(json_array_size(json_object_get(doc, "contact")), n);
    json_t *ang = json_object_get(doc, "angles");
    assert_int_equal(json_array_size(json_object_get(ang, "lkne_angle")), n);
    assert_int_equal(json_array_size(json_object_get(ang, "relb_angle")), n);
    json_t *kp = json_object_get(doc, "keypoints");
    assert_int_equal(json_array_size(json_object_get(kp, "ltoey")), n);
    assert_int_equal(json_array_size(json_object_get(kp, "headv")), n);
    json_t *cad = json_object_get(json_object_get(doc, "calculated_metrics"), "cadence");
    assert_true(fabs(json_real_value(json_object_get(cad, "avg")) - 170) < 2);
    assert_true(json_is_array(json_object_get(json_object_get(doc, "metrics"), "contact_time")));
    json_t *kz = json_object_get(doc, "kinalyze");
    assert_string_equal(json_string_value(json_object_get(json_object_get(kz, "units"), "cadence")),
                        "steps/min");
    assert_string_equal(json_string_value(json_object_get(json_object_get(kz, "scale"), "source")),
                        "world_landmarks");
    /* At 60 fps the foot-strike angle is measured, so it is not listed as unavailable. */
    assert_null(json_object_get(json_object_get(kz, "unavailable"), "footstrike_angle"));
    assert_non_null(json_object_get(json_object_get(kz, "uncertainty"), "contact_time"));
    char *txt = json_dumps(doc, JSON_COMPACT);
    assert_non_null(txt);
    free(txt);
    json_decref(doc);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

/* The exported keypoints carry the repaired labels: inside a window where the "pose
   model" swapped the legs, "lank"/"rank" hold the true left/right ankles again (the
   angles use the same labels); the raw labels are exported only with no repair. */
static void test_run_json_repaired_keypoints(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.duration_s = 3;
    struct an_series clean, s;
    assert_int_equal(synth_run_make(&p, &clean, NULL), 0);
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    int n = s.n_frames, a = n / 3, b = n / 3 + 12;
    synth_swap_legs(&s, a, b);
    struct an_running_result r;
    assert_int_equal(analysis_running_run(&s, NULL, &r, NULL), KZ_OK);
    assert_true(r.side_repair_kept);
    json_t *doc = analysis_running_json(&r, &s);
    assert_non_null(doc);
    json_t *kp = json_object_get(doc, "keypoints");
    const char *key[2] = {"lankx", "rankx"};
    const int lm[2] = {AN_L_ANKLE, AN_R_ANKLE};
    int checked = 0;
    for (int i = a + 2; i < b - 2; i++) /* the repair may cut a window's edge frame */
        for (int q = 0; q < 2; q++) {
            double x = json_number_value(json_array_get(json_object_get(kp, key[q]), (size_t)i));
            /* Exported to 0.1 px; the raw series has the other ankle there. */
            assert_true(fabs(x - clean.frames[i].lm[lm[q]].x_px) < 0.06);
            assert_true(fabs(x - s.frames[i].lm[lm[q]].x_px) > 1);
            checked++;
        }
    assert_true(checked >= 16);
    assert_int_equal(
        json_integer_value(json_object_get(json_object_get(doc, "kinalyze"), "side_swaps_fixed")),
        r.kin.n_leg_swaps_fixed);
    json_decref(doc);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
    analysis_series_cleanup(&clean);
}

/* Slow motion: the same run with its clock stretched 4x (a 240 fps capture played at
   60 fps) shows running at 42 steps/min of video time, which no runner does: the
   durations and rates are unavailable with the reason, the clock-free ratios stay. */
static void test_run_slow_motion(void **st)
{
    (void)st;
    struct synth_run p = base_run(240);
    p.duration_s = 3;
    struct an_series s;
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    for (int i = 0; i < s.n_frames; i++)
        s.frames[i].t_s *= 4;
    struct an_running_result r;
    assert_int_equal(analysis_running_run(&s, NULL, &r, NULL), KZ_OK);
    assert_true(r.time_base_not_real);
    const int timed[] = {AN_RM_CADENCE,   AN_RM_CONTACT_TIME, AN_RM_FLIGHT_TIME,
                         AN_RM_STEP_TIME, AN_RM_STRIDE_TIME,  AN_RM_SPEED,
                         AN_RM_PACE,      AN_RM_STRIDE_LENGTH};
    for (size_t q = 0; q < sizeof timed / sizeof timed[0]; q++) {
        assert_false(r.m[timed[q]].available);
        assert_non_null(strstr(r.m[timed[q]].reason, "slow motion"));
    }
    /* Duty factor is clock-free: within 3 points of the real-time value. */
    double step = 60.0 / p.cadence_spm;
    assert_true(r.m[AN_RM_DUTY_FACTOR].available);
    assert_true(fabs(r.m[AN_RM_DUTY_FACTOR].avg - 100 * p.contact_s / (2 * step)) < 3);
    assert_true(r.m[AN_RM_RBALANCE].available);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
    /* The real-time clip is not flagged. */
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    assert_int_equal(analysis_running_run(&s, NULL, &r, NULL), KZ_OK);
    assert_false(r.time_base_not_real);
    assert_true(r.m[AN_RM_CADENCE].available);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

/* A camera zooming in over the clip (apparent size x1.0 -> x2.0) leaves no single
   pixel-to-metre scale: speed, pace and stride length are unavailable with the
   reason, while the timing metrics (relative to the athlete) are still measured. */
static void test_run_zoom_no_scale(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.duration_s = 4;
    struct an_series s;
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    double cx = 0.5 * s.width_px, cy = 0.5 * s.height_px;
    for (int i = 0; i < s.n_frames; i++) {
        double z = 1.0 + (double)i / s.n_frames;
        for (int j = 0; j < AN_N_LANDMARKS; j++) {
            struct an_landmark *l = &s.frames[i].lm[j];
            l->x_px = (float)(cx + (l->x_px - cx) * z);
            l->y_px = (float)(cy + (l->y_px - cy) * z);
        }
    }
    struct an_running_result r;
    assert_int_equal(analysis_running_run(&s, NULL, &r, NULL), KZ_OK);
    const int metric[] = {AN_RM_SPEED, AN_RM_PACE, AN_RM_STRIDE_LENGTH};
    for (size_t q = 0; q < sizeof metric / sizeof metric[0]; q++) {
        assert_false(r.m[metric[q]].available);
        assert_non_null(strstr(r.m[metric[q]].reason, "apparent leg length"));
    }
    /* Cadence is clock- and scale-free: within 2 % of the truth. */
    assert_true(r.m[AN_RM_CADENCE].available);
    assert_true(fabs(r.m[AN_RM_CADENCE].avg - p.cadence_spm) < 0.02 * p.cadence_spm);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

/* Scale from the athlete's height is reported as such and agrees with the world
   landmarks within 5 %. */
static void test_run_height_scale(void **st)
{
    (void)st;
    struct synth_run p = base_run(60);
    p.duration_s = 2;
    struct an_series s;
    assert_int_equal(synth_run_make(&p, &s, NULL), 0);
    struct an_running_result r;
    struct an_running_opts o = {.height_cm = 175};
    assert_int_equal(analysis_running_run(&s, &o, &r, NULL), KZ_OK);
    assert_int_equal(r.kin.scale_source, AN_SCALE_ATHLETE_HEIGHT);
    assert_true(fabs(r.kin.scale_m_per_px - 0.002) < 0.05 * 0.002);
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_run_30),
        cmocka_unit_test(test_run_60),
        cmocka_unit_test(test_run_120),
        cmocka_unit_test(test_run_240),
        cmocka_unit_test(test_run_events),
        cmocka_unit_test(test_run_variable_rate),
        cmocka_unit_test(test_run_lr_swap),
        cmocka_unit_test(test_run_low_fps),
        cmocka_unit_test(test_run_feet_hidden),
        cmocka_unit_test(test_run_too_few_steps),
        cmocka_unit_test(test_run_json),
        cmocka_unit_test(test_run_json_repaired_keypoints),
        cmocka_unit_test(test_run_slow_motion),

        cmocka_unit_test(test_run_zoom_no_scale),
        cmocka_unit_test(test_run_height_scale),
        cmocka_unit_test(test_run_uncertainty_conf_fps),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
