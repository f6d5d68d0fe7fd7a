/* test_detect.c — detector decoding, weighted NMS and letterbox removal on synthetic tensors. */
#include "pose/pose_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

static struct pose_anchor anchors[POSE_DET_N_ANCHORS];
static float boxes[POSE_DET_N_ANCHORS * POSE_DET_N_COORDS];
static float scores[POSE_DET_N_ANCHORS];

static int setup(void **state)
{
    struct pose_anchor_opts o;
    (void)state;
    pose_anchor_opts_blazepose(&o);
    pose_anchors_generate(&o, anchors, POSE_DET_N_ANCHORS);
    memset(boxes, 0, sizeof boxes);
    for (int i = 0; i < POSE_DET_N_ANCHORS; i++)
        scores[i] = -20.0f;
    return 0;
}

static void test_decode_box_and_keypoints(void **state)
{
    struct pose_detection d[8];
    (void)state;
    setup(NULL);
    /* anchor 1960: centre (0.5/7, 0.5/7) */
    float *r = boxes + 1960 * POSE_DET_N_COORDS;
    r[0] = 22.4f;  /* +0.1 in x */
    r[1] = -11.2f; /* -0.05 in y */
    r[2] = 44.8f;  /* w 0.2 */
    r[3] = 67.2f;  /* h 0.3 */
    r[4] = 0.0f;   /* kp0 at the anchor */
    r[5] = 0.0f;
    r[6] = 112.0f; /* kp1 +0.5 x */
    r[7] = -56.0f; /* kp1 -0.25 y */
    scores[1960] = 2.0f;
    int n = pose_detections_decode(boxes, scores, anchors, POSE_DET_N_ANCHORS, 0.5f, d, 8);
    assert_int_equal(n, 1);
    double acx = 0.5 / 7;
    assert_float_equal(d[0].score, 1.0 / (1.0 + exp(-2.0)), 1e-6);
    assert_float_equal(d[0].xmin, acx + 0.1 - 0.1, 1e-6);
    assert_float_equal(d[0].ymin, acx - 0.05 - 0.15, 1e-6);
    assert_float_equal(d[0].w, 0.2, 1e-6);
    assert_float_equal(d[0].h, 0.3, 1e-6);
    assert_float_equal(d[0].kp[0][0], acx, 1e-6);
    assert_float_equal(d[0].kp[1][0], acx + 0.5, 1e-6);
    assert_float_equal(d[0].kp[1][1], acx - 0.25, 1e-6);
}

static void test_scores_threshold_clip_and_negative_size(void **state)
{
    struct pose_detection d[8];
    (void)state;
    setup(NULL);
    for (int i = 0; i < 4; i++)
        boxes[i * POSE_DET_N_COORDS + 2] = boxes[i * POSE_DET_N_COORDS + 3] = 10.0f;
    scores[0] = 0.0f;    /* exactly 0.5: kept (threshold is inclusive) */
    scores[1] = -0.01f;  /* just below: dropped */
    scores[2] = 1000.0f; /* clipped to 100: sigmoid 1 */
    scores[3] = 5.0f;    /* good score but negative width: dropped */
    boxes[3 * POSE_DET_N_COORDS + 2] = -1.0f;
    int n = pose_detections_decode(boxes, scores, anchors, POSE_DET_N_ANCHORS, 0.5f, d, 8);
    assert_int_equal(n, 2);
    assert_float_equal(d[0].score, 0.5, 1e-7);
    assert_float_equal(d[1].score, 1.0, 1e-7);
    /* cap 1 keeps the better one */
    n = pose_detections_decode(boxes, scores, anchors, POSE_DET_N_ANCHORS, 0.5f, d, 1);
    assert_int_equal(n, 1);
    assert_float_equal(d[0].score, 1.0, 1e-7);
}

static struct pose_detection det(float score, float x, float y, float w, float h)
{
    struct pose_detection d;
    memset(&d, 0, sizeof d);
    d.score = score;
    d.xmin = x;
    d.ymin = y;
    d.w = w;
    d.h = h;
    for (int k = 0; k < POSE_DET_N_KP; k++) {
        d.kp[k][0] = x + 0.01f * (float)k;
        d.kp[k][1] = y;
    }
    return d;
}

static void test_iou(void **state)
{
    (void)state;
    struct pose_detection a = det(1, 0.1f, 0.1f, 0.3f, 0.3f), b = det(1, 0.12f, 0.1f, 0.3f, 0.3f);
    /* intersection 0.28 * 0.3 = 0.084, union 0.09 + 0.09 - 0.084 = 0.096 */
    assert_float_equal(pose_detection_iou(&a, &b), 0.084 / 0.096, 1e-5);
    struct pose_detection c = det(1, 0.6f, 0.6f, 0.2f, 0.2f);
    assert_float_equal(pose_detection_iou(&a, &c), 0.0, 0.0);
}

static void test_weighted_nms(void **state)
{
    (void)state;
    struct pose_detection in[3], out[4];
    in[0] = det(0.6f, 0.12f, 0.1f, 0.3f, 0.3f); /* overlaps in[2] */
    in[1] = det(0.8f, 0.6f, 0.6f, 0.2f, 0.2f);  /* alone */
    in[2] = det(0.9f, 0.1f, 0.1f, 0.3f, 0.3f);  /* best */
    int n = pose_nms_weighted(in, 3, 0.3f, out, 4);
    assert_int_equal(n, 2);
    /* first: score of the best, box and keypoints averaged with weights .9/.6 */
    assert_float_equal(out[0].score, 0.9, 1e-7);
    assert_float_equal(out[0].xmin, (0.1 * 0.9 + 0.12 * 0.6) / 1.5, 1e-6);
    assert_float_equal(out[0].w, ((0.4 * 0.9 + 0.42 * 0.6) / 1.5) - (0.1 * 0.9 + 0.12 * 0.6) / 1.5,
                       1e-6);
    assert_float_equal(out[0].ymin, 0.1, 1e-6);
    assert_float_equal(out[0].kp[2][0], (0.12 * 0.9 + 0.14 * 0.6) / 1.5, 1e-6);
    assert_float_equal(out[1].score, 0.8, 1e-7);
    assert_float_equal(out[1].xmin, 0.6, 1e-7);
    /* cap honoured */
    in[0] = det(0.6f, 0.12f, 0.1f, 0.3f, 0.3f);
    in[1] = det(0.8f, 0.6f, 0.6f, 0.2f, 0.2f);
    in[2] = det(0.9f, 0.1f, 0.1f, 0.3f, 0.3f);
    assert_int_equal(pose_nms_weighted(in, 3, 0.3f, out, 1), 1);
    assert_int_equal(pose_nms_weighted(in, 0, 0.3f, out, 1), 0);
}

static void test_letterbox_round_trip(void **state)
{
    struct pose_letterbox lb;
    (void)state;
    /* portrait 1080x1920: horizontal padding (1 - 1080/1920) / 2 */
    pose_letterbox_compute(1080, 1920, &lb);
    assert_float_equal(lb.pad_x, (1.0 - 1080.0 / 1920.0) / 2.0, 1e-6);
    assert_float_equal(lb.pad_y, 0.0, 0.0);
    /* a point at image x = 540 px (centre) and x = 0 */
    struct pose_detection d = det(1, 0.5f, 0.25f, 0.1f, 0.2f);
    d.kp[0][0] = (float)lb.pad_x; /* left edge of the picture inside the tensor */
    d.kp[0][1] = 0.5f;
    pose_detection_unletterbox(&d, &lb);
    assert_float_equal(d.xmin, 0.5, 1e-6);
    assert_float_equal(d.w, 0.1 / (1.0 - 2.0 * lb.pad_x), 1e-6);
    assert_float_equal(d.kp[0][0], 0.0, 1e-6);
    assert_float_equal(d.ymin, 0.25, 1e-6);
    /* landscape 640x480 */
    pose_letterbox_compute(640, 480, &lb);
    assert_float_equal(lb.pad_y, 0.125, 1e-6);
    assert_float_equal(lb.pad_x, 0.0, 0.0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decode_box_and_keypoints),
        cmocka_unit_test(test_scores_threshold_clip_and_negative_size),
        cmocka_unit_test(test_iou),
        cmocka_unit_test(test_weighted_nms),
        cmocka_unit_test(test_letterbox_round_trip),
    };
    return cmocka_run_group_tests(tests, setup, NULL);
}
