/* test_frame.c — frame memory, copy/crop and bilinear resize against hand-computed values. */
#include "frame/frame.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static uint8_t *px(const struct frame *f, int x, int y)
{
    return f->data + (size_t)y * f->stride + (size_t)x * 3;
}

static void set_gray(struct frame *f, int x, int y, uint8_t v)
{
    uint8_t *p = px(f, x, y);
    p[0] = p[1] = p[2] = v;
}

static void test_alloc(void **state)
{
    struct frame f;
    struct err_ctx e = {0};
    (void)state;
    assert_int_equal(frame_alloc(&f, 0, 10, &e), KZ_E_INVALID);
    assert_null(f.data);
    assert_int_equal(frame_alloc(&f, 10, FRAME_MAX_SIDE_PX + 1, &e), KZ_E_INVALID);
    assert_int_equal(frame_alloc(NULL, 10, 10, &e), KZ_E_INVALID);
    assert_int_equal(frame_alloc(&f, 7, 5, &e), KZ_OK);
    assert_int_equal(f.width, 7);
    assert_int_equal(f.height, 5);
    assert_true(f.stride >= 21);
    for (size_t i = 0; i < f.stride * 5; i++)
        assert_int_equal(f.data[i], 0);
    frame_free(&f);
    assert_null(f.data);
    frame_free(&f); /* twice is fine */
    frame_free(NULL);
}

static void test_copy_crop(void **state)
{
    struct frame f, c, d;
    struct err_ctx e = {0};
    (void)state;
    assert_int_equal(frame_alloc(&f, 4, 3, &e), KZ_OK);
    for (int y = 0; y < 3; y++)
        for (int x = 0; x < 4; x++)
            set_gray(&f, x, y, (uint8_t)(10 * y + x));
    f.t_s = 1.5;
    f.index = 7;
    assert_int_equal(frame_crop(&c, &f, 1, 1, 2, 2, &e), KZ_OK);
    assert_int_equal(c.width, 2);
    assert_int_equal(px(&c, 0, 0)[0], 11);
    assert_int_equal(px(&c, 1, 1)[2], 22);
    assert_true(c.t_s == 1.5);
    assert_int_equal(c.index, 7);
    assert_int_equal(frame_crop(&d, &f, 3, 0, 2, 1, &e), KZ_E_INVALID);
    assert_int_equal(frame_copy(&d, &f, &e), KZ_OK);
    assert_memory_equal(d.data, f.data, f.stride * 3);
    frame_free(&c);
    frame_free(&d);
    frame_free(&f);
}

static void test_resize_up(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    (void)state;
    /* 2x1 [0, 100] -> 4x1: dst centres map to source index -0.25, 0.25, 0.75,
       1.25; clamped at the edges: 0, 25, 75, 100. */
    assert_int_equal(frame_alloc(&s, 2, 1, &e), KZ_OK);
    set_gray(&s, 1, 0, 100);
    assert_int_equal(frame_alloc(&d, 4, 1, &e), KZ_OK);
    assert_int_equal(frame_resize(&d, &s, &e), KZ_OK);
    assert_int_equal(px(&d, 0, 0)[0], 0);
    assert_int_equal(px(&d, 1, 0)[0], 25);
    assert_int_equal(px(&d, 2, 0)[1], 75);
    assert_int_equal(px(&d, 3, 0)[2], 100);
    frame_free(&s);
    frame_free(&d);
}

static void test_resize_up_2d(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    static const int axis[4] = {0, 25, 75, 100}; /* clamped source offsets x 100 */
    (void)state;
    /* 2x2 with value 100 * (x + y) -> 4x4: value = axis[i] + axis[r], edges clamped. */
    assert_int_equal(frame_alloc(&s, 2, 2, &e), KZ_OK);
    set_gray(&s, 1, 0, 100);
    set_gray(&s, 0, 1, 100);
    set_gray(&s, 1, 1, 200);
    assert_int_equal(frame_alloc(&d, 4, 4, &e), KZ_OK);
    assert_int_equal(frame_resize(&d, &s, &e), KZ_OK);
    for (int r = 0; r < 4; r++)
        for (int i = 0; i < 4; i++)
            for (int c = 0; c < 3; c++)
                if (abs(px(&d, i, r)[c] - (axis[i] + axis[r])) > 1)
                    fail_msg("resize (%d,%d) = %d, want %d", i, r, px(&d, i, r)[c],
                             axis[i] + axis[r]);
    frame_free(&s);
    frame_free(&d);
}

static void test_resize_down(void **state)
{
    struct frame s, d;
    struct err_ctx e = {0};
    (void)state;
    /* 4x4 -> 2x2: dst centres map to source index 0.5 and 2.5, the mean of each 2x2 block. */
    assert_int_equal(frame_alloc(&s, 4, 4, &e), KZ_OK);
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 4; x++)
            set_gray(&s, x, y, (uint8_t)(x * 10 + y * 40));
    assert_int_equal(frame_alloc(&d, 2, 2, &e), KZ_OK);
    assert_int_equal(frame_resize(&d, &s, &e), KZ_OK);
    assert_int_equal(px(&d, 0, 0)[0], 25);  /* (0+10+40+50)/4 */
    assert_int_equal(px(&d, 1, 0)[0], 45);  /* (20+30+60+70)/4 */
    assert_int_equal(px(&d, 0, 1)[0], 105); /* (80+90+120+130)/4 */
    assert_int_equal(px(&d, 1, 1)[0], 125);
    frame_free(&s);
    frame_free(&d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_alloc),       cmocka_unit_test(test_copy_crop),
        cmocka_unit_test(test_resize_up),   cmocka_unit_test(test_resize_up_2d),
        cmocka_unit_test(test_resize_down),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
