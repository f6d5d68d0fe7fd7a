/* test_warp.c — affine warps (RGB8 and tensor), letterbox geometry and mapping back. */
#include "frame/frame.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <cmocka.h>

static uint8_t *px(const struct frame *f, int x, int y)
{
    return f->data + (size_t)y * f->stride + (size_t)x * 3;
}

static void fill_pattern(struct frame *f)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t *p = px(f, x, y);
            p[0] = (uint8_t)(x * 7 + y);
            p[1] = (uint8_t)(y * 5);
            p[2] = (uint8_t)(x ^ y);
        }
}

static void test_identity_and_shift(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    struct frame_affine id = {{1, 0, 0, 0, 1, 0}}, half = {{1, 0, 0.5, 0, 1, 0}};
    (void)state;
    assert_int_equal(frame_alloc(&s, 9, 6, &e), KZ_OK);
    fill_pattern(&s);
    assert_int_equal(frame_alloc(&d, 9, 6, &e), KZ_OK);
    assert_int_equal(frame_warp_affine(&s, &id, &d, NULL, &e), KZ_OK);
    assert_memory_equal(s.data, d.data, s.stride * 6);
    /* Half-pixel shift right: each output is the mean of two neighbours. */
    assert_int_equal(frame_warp_affine(&s, &half, &d, NULL, &e), KZ_OK);
    for (int x = 0; x < 8; x++) {
        int want = (px(&s, x, 2)[0] + px(&s, x + 1, 2)[0] + 1) / 2;
        assert_true(abs(px(&d, x, 2)[0] - want) <= 1);
    }
    /* The last column blends with the (black) border half and half. */
    assert_true(abs(px(&d, 8, 2)[0] - (px(&s, 8, 2)[0] + 1) / 2) <= 1);
    frame_free(&s);
    frame_free(&d);
}

static void test_rect_rotation(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    struct frame_affine m, inv;
    double x, y;
    (void)state;
    /* A 6x4 source; rectangle = the whole image, rotated by +90 degrees, sampled into 4x6:
       the output is the source turned so that its x axis points down (+y). */
    assert_int_equal(frame_alloc(&s, 6, 4, &e), KZ_OK);
    fill_pattern(&s);
    assert_int_equal(frame_alloc(&d, 6, 4, &e), KZ_OK);
    frame_free(&d);
    assert_int_equal(frame_alloc(&d, 4, 6, &e), KZ_OK);
    frame_affine_rect(3, 2, 4, 6, M_PI / 2, 4, 6, &m);
    /* dst centre (2,3) maps to the source centre. */
    frame_affine_apply(&m, 2, 3, &x, &y);
    assert_true(fabs(x - 3) < 1e-9 && fabs(y - 2) < 1e-9);
    /* dst top-left corner (0,0): local (-2,-3) rotated by 90deg: (3, -2) + centre = (6, 0). */
    frame_affine_apply(&m, 0, 0, &x, &y);
    assert_true(fabs(x - 6) < 1e-9 && fabs(y - 0) < 1e-9);
    assert_int_equal(frame_warp_affine(&s, &m, &d, NULL, &e), KZ_OK);
    /* dst pixel (i, j) centre -> source pixel (5 - j, i) exactly (integer centres). */
    for (int j = 0; j < 6; j++)
        for (int i = 0; i < 4; i++)
            assert_memory_equal(px(&d, i, j), px(&s, 5 - j, i), 3);
    assert_int_equal(frame_affine_invert(&m, &inv, &e), KZ_OK);
    frame_affine_apply(&inv, 6, 0, &x, &y);
    assert_true(fabs(x) < 1e-9 && fabs(y) < 1e-9);
    struct frame_affine sing = {{1, 2, 0, 2, 4, 0}};
    assert_int_equal(frame_affine_invert(&sing, &inv, &e), KZ_E_INVALID);
    frame_free(&s);
    frame_free(&d);
}

static void test_tensor_ranges(void **state)
{
    struct frame s;
    struct err_ctx e = {0};
    float t[2 * 2 * 3];
    struct frame_affine id = {{1, 0, 0, 0, 1, 0}};
    /* dst 2x2 over a 1x2 source shifted: column 1 of the dst is fully outside. */
    struct frame_affine shifted = {{1, 0, 0, 0, 1, 0}};
    const uint8_t border[3] = {0, 0, 255};
    (void)state;
    assert_int_equal(frame_alloc(&s, 2, 2, &e), KZ_OK);
    px(&s, 0, 0)[0] = 255;
    px(&s, 1, 0)[1] = 51;
    px(&s, 0, 1)[2] = 102;
    assert_int_equal(frame_warp_affine_tensor(&s, &id, t, 2, 2, FRAME_RANGE_0_1, NULL, &e), KZ_OK);
    assert_true(fabsf(t[0] - 1.0f) < 1e-6f);
    assert_true(fabsf(t[1] - 0.0f) < 1e-6f);
    assert_true(fabsf(t[4] - 0.2f) < 1e-6f);
    assert_true(fabsf(t[6 + 2] - 0.4f) < 1e-6f);
    assert_int_equal(frame_warp_affine_tensor(&s, &id, t, 2, 2, FRAME_RANGE_M1_1, NULL, &e), KZ_OK);
    assert_true(fabsf(t[0] - 1.0f) < 1e-6f);
    assert_true(fabsf(t[1] + 1.0f) < 1e-6f);
    assert_true(fabsf(t[4] - (0.4f - 1.0f)) < 1e-6f);
    /* Far outside: pure border colour. */
    shifted.m[2] = 100;
    assert_int_equal(frame_warp_affine_tensor(&s, &shifted, t, 2, 2, FRAME_RANGE_M1_1, border, &e),
                     KZ_OK);
    for (int i = 0; i < 4; i++) {
        assert_true(fabsf(t[3 * i] + 1.0f) < 1e-6f);
        assert_true(fabsf(t[3 * i + 2] - 1.0f) < 1e-6f);
    }
    assert_int_equal(frame_warp_affine_tensor(&s, &id, t, 0, 2, FRAME_RANGE_0_1, NULL, &e),
                     KZ_E_INVALID);
    frame_free(&s);
}

static void test_letterbox(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    struct frame_letterbox lb;
    const uint8_t border[3] = {9, 9, 9};
    double x, y, bx, by;
    (void)state;
    /* 200x100 into 100x100: scale 0.5, content rows 25..74, border above and below. */
    assert_int_equal(frame_alloc(&s, 200, 100, &e), KZ_OK);
    for (int yy = 0; yy < 100; yy++)
        for (int xx = 0; xx < 200; xx++)
            px(&s, xx, yy)[0] = 200;
    assert_int_equal(frame_alloc(&d, 100, 100, &e), KZ_OK);
    assert_int_equal(frame_letterbox(&s, &d, border, &lb, &e), KZ_OK);
    assert_true(fabs(lb.scale - 0.5) < 1e-12);
    assert_true(fabs(lb.offset_x_px) < 1e-12);
    assert_true(fabs(lb.offset_y_px - 25) < 1e-12);
    assert_int_equal(px(&d, 50, 10)[0], 9);
    assert_int_equal(px(&d, 50, 24)[0], 9);
    assert_int_equal(px(&d, 50, 25)[0], 200);
    assert_int_equal(px(&d, 50, 74)[0], 200);
    assert_int_equal(px(&d, 50, 75)[0], 9);
    assert_int_equal(px(&d, 50, 50)[1], 0);
    frame_letterbox_from_src(&lb, 100, 50, &x, &y);
    assert_true(fabs(x - 50) < 1e-12 && fabs(y - 50) < 1e-12);
    frame_letterbox_to_src(&lb, 10, 30, &bx, &by);
    assert_true(fabs(bx - 20) < 1e-12 && fabs(by - 10) < 1e-12);
    frame_letterbox_from_src(&lb, bx, by, &x, &y);
    assert_true(fabs(x - 10) < 1e-12 && fabs(y - 30) < 1e-12);
    /* Portrait: 100x300 into 30 -> scale 0.1, offset_x 10. */
    frame_letterbox_compute(100, 300, 30, &lb, NULL);
    assert_true(fabs(lb.scale - 0.1) < 1e-12 && fabs(lb.offset_x_px - 10) < 1e-12);
    assert_int_equal(frame_letterbox(&s, &s, border, &lb, &e), KZ_E_INVALID); /* not square */
    frame_free(&s);
    frame_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_identity_and_shift),
        cmocka_unit_test(test_rect_rotation),
        cmocka_unit_test(test_tensor_ranges),
        cmocka_unit_test(test_letterbox),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
