/*
 * test_track.c — the tracking state machine driven by scripted fake model
 * stages: detection on the first frame, tracking from the auxiliary points
 * afterwards, the track ending when presence drops (detector again on the
 * next frame), nobody found, and errors propagating.
 */
#include "pose/pose_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

struct fake {
    int n_detect, n_landmarks;
    int detect_finds;         /* 1: the detector finds the person */
    float scores[16];         /* landmark presence per landmark call */
    float shift_px;           /* the person moves right by this much per landmark call */
    struct pose_roi last_roi; /* ROI given to the landmark stage */
    int fail_landmarks;
};

static enum kz_err fake_detect(void *ctx, const struct frame *f, int *found, struct pose_roi *roi,
                               struct err_ctx *e)
{
    struct fake *k = ctx;
    (void)f;
    (void)e;
    k->n_detect++;
    *found = k->detect_finds;
    if (*found)
        pose_roi_from_points(500, 600, 500, 400, POSE_ROI_SCALE, roi);
    return KZ_OK;
}

static enum kz_err fake_landmarks(void *ctx, const struct frame *f, const struct pose_roi *roi,
                                  struct pose_lm_set *out, struct err_ctx *e)
{
    struct fake *k = ctx;
    (void)f;
    if (k->fail_landmarks)
        return err_set(e, KZ_E_INTERNAL, "fake failure");
    k->last_roi = *roi;
    memset(out, 0, sizeof *out);
    out->score = k->scores[k->n_landmarks % 16];
    float dx = k->shift_px * (float)k->n_landmarks;
    for (int i = 0; i < POSE_LM_N_ALL; i++) {
        out->x_px[i] = 480 + dx + (float)i;
        out->y_px[i] = 300 + 10.0f * (float)i;
        out->visibility[i] = out->presence[i] = 0.9f;
    }
    /* aux: hip centre (510 + dx, 620), scale point 200 px above */
    out->x_px[POSE_LM_AUX_CENTRE] = 510 + dx;
    out->y_px[POSE_LM_AUX_CENTRE] = 620;
    out->x_px[POSE_LM_AUX_SCALE] = 510 + dx;
    out->y_px[POSE_LM_AUX_SCALE] = 420;
    k->n_landmarks++;
    return KZ_OK;
}

static const struct pose_stage_ops fake_ops = {fake_detect, fake_landmarks};

static void test_detect_then_track_then_lose(void **state)
{
    struct pose_track t;
    struct fake k;
    struct pose_result r;
    (void)state;
    memset(&k, 0, sizeof k);
    k.detect_finds = 1;
    for (int i = 0; i < 16; i++)
        k.scores[i] = 0.95f;
    k.scores[2] = 0.3f; /* third landmark call: person lost */
    pose_track_init(&t, 0);

    /* frame 0: detector, ROI from the detection */
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 0.0, 0, &r, NULL), KZ_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.from_detection, 1);
    assert_int_equal(k.n_detect, 1);
    assert_float_equal(k.last_roi.cx_px, 500, 1e-4);
    assert_float_equal(k.last_roi.size_px, 500, 1e-3); /* 2 * 200 * 1.25 */
    assert_float_equal(r.lm[0].x_px, 480, 0);
    assert_float_equal(r.lm[0].visibility, 0.9f, 0);
    assert_float_equal(r.t_s, 0.0, 0);

    /* frame 1: tracking, ROI from frame 0's auxiliary points */
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 1 / 30.0, 1, &r, NULL),
                     KZ_OK);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.from_detection, 0);
    assert_int_equal(k.n_detect, 1);
    assert_float_equal(k.last_roi.cx_px, 510, 1e-4);
    assert_float_equal(k.last_roi.cy_px, 620, 1e-4);
    assert_float_equal(k.last_roi.size_px, 500, 1e-3);
    assert_float_equal(k.last_roi.rotation_rad, 0, 1e-6);
    assert_int_equal(r.frame_index, 1);

    /* frame 2: presence 0.3 < 0.5 -> no pose, track ended */
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 2 / 30.0, 2, &r, NULL),
                     KZ_OK);
    assert_int_equal(r.found, 0);
    assert_int_equal(k.n_detect, 1);
    assert_int_equal(t.has_roi, 0);

    /* frame 3: detector again */
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 3 / 30.0, 3, &r, NULL),
                     KZ_OK);
    assert_int_equal(k.n_detect, 2);
    assert_int_equal(r.found, 1);
    assert_int_equal(r.from_detection, 1);
}

static void test_nobody_keeps_detecting(void **state)
{
    struct pose_track t;
    struct fake k;
    struct pose_result r;
    (void)state;
    memset(&k, 0, sizeof k);
    pose_track_init(&t, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 640, 480, i / 30.0, i, &r, NULL),
                         KZ_OK);
        assert_int_equal(r.found, 0);
    }
    assert_int_equal(k.n_detect, 3);
    assert_int_equal(k.n_landmarks, 0);
}

static void test_smoothing_applies_when_tracking(void **state)
{
    struct pose_track t;
    struct fake k;
    struct pose_result r;
    (void)state;
    memset(&k, 0, sizeof k);
    k.detect_finds = 1;
    k.shift_px = 30; /* jumps 30 px per frame */
    for (int i = 0; i < 16; i++)
        k.scores[i] = 0.9f;
    pose_track_init(&t, 1);
    pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 0.0, 0, &r, NULL);
    assert_float_equal(r.lm[0].x_px, 480, 0);
    pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 1 / 30.0, 1, &r, NULL);
    assert_true(r.lm[0].x_px > 480 && r.lm[0].x_px < 510); /* filtered, not the raw 510 */
    /* the next ROI follows the filtered auxiliary point, which lags the raw one */
    pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 2 / 30.0, 2, &r, NULL);
    assert_true(k.last_roi.cx_px > 510 && k.last_roi.cx_px < 540);
}

static void test_errors_propagate(void **state)
{
    struct pose_track t;
    struct fake k;
    struct pose_result r;
    struct err_ctx e;
    (void)state;
    memset(&k, 0, sizeof k);
    k.detect_finds = 1;
    k.fail_landmarks = 1;
    pose_track_init(&t, 1);
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 1000, 800, 0.0, 0, &r, &e),
                     KZ_E_INTERNAL);
    assert_string_equal(err_msg(&e), "fake failure");
    assert_int_equal(pose_track_step(&t, &fake_ops, &k, NULL, 0, 800, 0.0, 0, &r, &e),
                     KZ_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_detect_then_track_then_lose),
        cmocka_unit_test(test_nobody_keeps_detecting),
        cmocka_unit_test(test_smoothing_applies_when_tracking),
        cmocka_unit_test(test_errors_propagate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
