/*
 * test_roi.c — ROI geometry (rotation, size) against hand-computed values,
 * the crop warp and projection back to pixels as exact inverses, border
 * modes, and landmark decoding (sigmoid, world rotation, heatmap refinement).
 */
#include "pose/pose_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static void test_normalize_radians(void **state)
{
    (void)state;
    assert_float_equal(pose_normalize_radians(0.0), 0.0, 1e-12);
    assert_float_equal(pose_normalize_radians(M_PI), -M_PI, 1e-12);
    assert_float_equal(pose_normalize_radians(-M_PI), -M_PI, 1e-12);
    assert_float_equal(pose_normalize_radians(3 * M_PI / 2), -M_PI / 2, 1e-12);
    assert_float_equal(pose_normalize_radians(-5 * M_PI / 2), -M_PI / 2, 1e-12);
}

static void test_roi_from_points(void **state)
{
    struct pose_roi r;
    (void)state;
    /* upright person: scale point straight above the hip centre -> no rotation */
    pose_roi_from_points(100, 200, 100, 100, 1.25f, &r);
    assert_float_equal(r.cx_px, 100, 1e-6);
    assert_float_equal(r.cy_px, 200, 1e-6);
    assert_float_equal(r.size_px, 2 * 100 * 1.25, 1e-4);
    assert_float_equal(r.rotation_rad, 0.0, 1e-6);
    /* scale point to the right: 90 deg - atan2(0, 100) = +pi/2 */
    pose_roi_from_points(100, 200, 200, 200, 1.25f, &r);
    assert_float_equal(r.rotation_rad, M_PI / 2, 1e-6);
    /* below (upside down): 90 - (-90) = 180 deg -> normalised to -pi */
    pose_roi_from_points(100, 200, 100, 300, 1.0f, &r);
    assert_float_equal(r.rotation_rad, -M_PI, 1e-6);
    assert_float_equal(r.size_px, 200, 1e-4);
    /* 30 deg tilt: scale point at angle 120 deg (math convention, y up) */
    float x1 = 100 + 80 * (float)cos(120 * M_PI / 180),
          y1 = 200 - 80 * (float)sin(120 * M_PI / 180);
    pose_roi_from_points(100, 200, x1, y1, 1.25f, &r);
    assert_float_equal(r.rotation_rad, -30 * M_PI / 180, 1e-5);
    assert_float_equal(r.size_px, 200, 1e-3);
}

static void test_project_hand_computed(void **state)
{
    float x, y;
    (void)state;
    struct pose_roi r = {100, 200, 250, 0};
    pose_roi_project(&r, 0.5f, 0.5f, &x, &y);
    assert_float_equal(x, 100, 1e-4);
    assert_float_equal(y, 200, 1e-4);
    pose_roi_project(&r, 0, 0, &x, &y);
    assert_float_equal(x, -25, 1e-4);
    assert_float_equal(y, 75, 1e-4);
    /* rotated +90 deg: the crop's right edge points down the image */
    r.rotation_rad = (float)(M_PI / 2);
    pose_roi_project(&r, 1.0f, 0.5f, &x, &y);
    assert_float_equal(x, 100, 1e-3);
    assert_float_equal(y, 325, 1e-3);
    pose_roi_project(&r, 0.5f, 0.0f, &x, &y); /* crop top -> image right */
    assert_float_equal(x, 225, 1e-3);
    assert_float_equal(y, 200, 1e-3);
}

/* Image whose R = x, G = y (pixel index), B = 7: bilinear sampling is exact on it. */
static uint8_t *gradient_image(int w, int h)
{
    uint8_t *img = malloc((size_t)w * h * 3);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            uint8_t *p = img + ((size_t)y * w + x) * 3;
            p[0] = (uint8_t)x;
            p[1] = (uint8_t)y;
            p[2] = 7;
        }
    return img;
}

static void test_warp_then_project_round_trip(void **state)
{
    (void)state;
    const int W = 256, H = 256, N = 32;
    uint8_t *img = gradient_image(W, H);
    float *t = malloc(sizeof(float) * N * N * 3);
    struct pose_roi r = {120.0f, 130.0f, 100.0f, (float)(35 * M_PI / 180)};
    double m[6];
    pose_roi_affine(&r, N, m);
    pose_warp_tensor(img, W, H, (size_t)W * 3, m, t, N, N, 1.0f, 0.0f, POSE_BORDER_REPLICATE);
    for (int j = 0; j < N; j++)
        for (int i = 0; i < N; i++) {
            float x, y;
            /* the centre of crop pixel (i, j) projects to image (x, y) */
            pose_roi_project(&r, (i + 0.5f) / N, (j + 0.5f) / N, &x, &y);
            const float *p = t + ((size_t)j * N + i) * 3;
            /* the tensor sampled there: R = x - 0.5 (pixel-centre convention) */
            assert_float_equal(p[0], x - 0.5f, 2e-3);
            assert_float_equal(p[1], y - 0.5f, 2e-3);
            assert_float_equal(p[2], 7.0f, 1e-4);
        }
    free(t);
    free(img);
}

static void test_warp_value_range_and_borders(void **state)
{
    (void)state;
    const int W = 8, H = 8, N = 4;
    uint8_t img[8 * 8 * 3];
    memset(img, 255, sizeof img);
    float t[4 * 4 * 3];
    /* ROI far to the left of the image: zero border gives the "black" value */
    struct pose_roi r = {-100.0f, 4.0f, 8.0f, 0.0f};
    double m[6];
    pose_roi_affine(&r, N, m);
    pose_warp_tensor(img, W, H, W * 3, m, t, N, N, 2.0f / 255.0f, -1.0f, POSE_BORDER_ZERO);
    for (int i = 0; i < N * N * 3; i++)
        assert_float_equal(t[i], -1.0f, 1e-6);
    pose_warp_tensor(img, W, H, W * 3, m, t, N, N, 2.0f / 255.0f, -1.0f, POSE_BORDER_REPLICATE);
    for (int i = 0; i < N * N * 3; i++)
        assert_float_equal(t[i], 1.0f, 1e-5);
    /* inside: [0,1] range */
    r.cx_px = 4.0f;
    pose_roi_affine(&r, N, m);
    pose_warp_tensor(img, W, H, W * 3, m, t, N, N, 1.0f / 255.0f, 0.0f, POSE_BORDER_ZERO);
    assert_float_equal(t[(1 * N + 1) * 3], 1.0f, 1e-5);
    /* huge coordinates stay defined (no UB in conversions) */
    r.cx_px = 1e30f;
    pose_roi_affine(&r, N, m);
    pose_warp_tensor(img, W, H, W * 3, m, t, N, N, 1.0f, 0.0f, POSE_BORDER_REPLICATE);
    assert_float_equal(t[0], 255.0f, 1e-3);
}

static void test_landmarks_decode(void **state)
{
    (void)state;
    float raw[POSE_LM_N_ALL * 5], world[POSE_LM_N_ALL * 3];
    struct pose_lm_set s;
    memset(raw, 0, sizeof raw);
    memset(world, 0, sizeof world);
    raw[0] = 128; /* landmark 0 at the crop centre */
    raw[1] = 128;
    raw[2] = 256;         /* z = one crop width */
    raw[3] = 0;           /* visibility logit 0 -> 0.5 */
    raw[4] = 2;           /* presence logit 2 */
    raw[5 * 1 + 0] = 256; /* landmark 1 at the right-middle edge */
    raw[5 * 1 + 1] = 128;
    world[0] = 1.0f; /* world (1, 0, 0.5) rotated by +90 deg -> (0, 1, 0.5) */
    world[2] = 0.5f;
    struct pose_roi r = {300, 400, 200, (float)(M_PI / 2)};
    pose_landmarks_decode(raw, NULL, world, 0.9f, &r, &s);
    assert_float_equal(s.score, 0.9f, 0);
    assert_float_equal(s.x_px[0], 300, 1e-3);
    assert_float_equal(s.y_px[0], 400, 1e-3);
    assert_float_equal(s.z_px[0], 200, 1e-3);
    assert_float_equal(s.visibility[0], 0.5, 1e-6);
    assert_float_equal(s.presence[0], 1.0 / (1.0 + exp(-2.0)), 1e-6);
    assert_float_equal(s.x_px[1], 300, 1e-3);
    assert_float_equal(s.y_px[1], 500, 1e-3);
    assert_float_equal(s.world_m[0][0], 0.0, 1e-6);
    assert_float_equal(s.world_m[0][1], 1.0, 1e-6);
    assert_float_equal(s.world_m[0][2], 0.5, 1e-6);
}

static void test_heatmap_refinement(void **state)
{
    (void)state;
    const int S = POSE_HEATMAP_SIZE, C = POSE_LM_N_ALL;
    float *hm = malloc(sizeof(float) * S * S * C);
    for (int i = 0; i < S * S * C; i++)
        hm[i] = -30.0f;
    hm[((size_t)20 * S + 10) * C + 0] = 30.0f; /* landmark 0: peak at col 10, row 20 */
    float u[POSE_LM_N_ALL], v[POSE_LM_N_ALL];
    for (int i = 0; i < C; i++)
        u[i] = v[i] = 0.3f;
    u[0] = 12.5f / S; /* within 3 cells of the peak */
    v[0] = 21.2f / S;
    u[1] = 5.0f; /* outside: untouched */
    pose_heatmap_refine(hm, S, S, C, POSE_HEATMAP_KERNEL, POSE_HEATMAP_MIN_CONF, u, v, C);
    assert_float_equal(u[0], 10.0 / S, 1e-5);
    assert_float_equal(v[0], 20.0 / S, 1e-5);
    assert_float_equal(u[1], 5.0, 0);
    assert_float_equal(u[2], 0.3, 1e-7); /* low confidence everywhere: untouched */
    free(hm);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_normalize_radians),
        cmocka_unit_test(test_roi_from_points),
        cmocka_unit_test(test_project_hand_computed),
        cmocka_unit_test(test_warp_then_project_round_trip),
        cmocka_unit_test(test_warp_value_range_and_borders),
        cmocka_unit_test(test_landmarks_decode),
        cmocka_unit_test(test_heatmap_refinement),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
