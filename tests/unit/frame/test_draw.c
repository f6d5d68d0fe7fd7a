/* test_draw.c — Cairo drawing onto frames: shapes land where asked, text draws a box. */
#include "frame/frame.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static uint8_t *px(const struct frame *f, int x, int y)
{
    return f->data + (size_t)y * f->stride + (size_t)x * 3;
}

static void test_shapes(void **state)
{
    struct frame f;
    struct frame_canvas *c = NULL;
    struct err_ctx e = {0};
    const struct frame_rgba red = {1, 0, 0, 1}, green = {0, 1, 0, 1}, half_blue = {0, 0, 1, 0.5};
    double tri[6] = {10, 90, 30, 90, 20, 70};
    (void)state;
    assert_int_equal(frame_alloc(&f, 120, 100, &e), KZ_OK);
    px(&f, 5, 5)[1] = 77; /* survives the round trip */
    assert_int_equal(frame_canvas_create(0, 10, &c, &e), KZ_E_INVALID);
    assert_int_equal(frame_canvas_create(120, 100, &c, &e), KZ_OK);
    assert_int_equal(frame_canvas_begin(c, &f, &e), KZ_OK);
    frame_canvas_circle(c, 60, 50, 10, 1, 0, red);
    frame_canvas_line(c, 0, 20.5, 120, 20.5, 3, green);
    frame_canvas_rect(c, 100, 80, 10, 10, 1, 0, half_blue);
    frame_canvas_polyline(c, tri, 3, 1, 2, green);
    assert_int_equal(frame_canvas_end(c, &f, &e), KZ_OK);
    assert_int_equal(px(&f, 60, 50)[0], 255);
    assert_int_equal(px(&f, 60, 50)[1], 0);
    assert_int_equal(px(&f, 60, 65)[0], 0); /* outside the circle */
    assert_int_equal(px(&f, 30, 20)[1], 255);
    assert_int_equal(px(&f, 30, 25)[1], 0);
    assert_true(px(&f, 105, 85)[2] >= 126 && px(&f, 105, 85)[2] <= 129); /* 50% over black */
    assert_int_equal(px(&f, 20, 90)[1], 255);                            /* triangle base */
    assert_int_equal(px(&f, 5, 5)[1], 77);
    /* Size mismatch is refused. */
    struct frame g;
    assert_int_equal(frame_alloc(&g, 10, 10, &e), KZ_OK);
    assert_int_equal(frame_canvas_begin(c, &g, &e), KZ_E_INVALID);
    frame_free(&g);
    frame_canvas_destroy(c);
    frame_canvas_destroy(NULL);
    frame_free(&f);
}

static void test_text(void **state)
{
    struct frame f;
    struct frame_canvas *c = NULL;
    struct err_ctx e = {0};
    const struct frame_rgba white = {1, 1, 1, 1}, black = {0, 0, 0, 1};
    double w;
    int white_px = 0, black_px = 0;
    (void)state;
    assert_int_equal(frame_alloc(&f, 200, 60, &e), KZ_OK);
    for (size_t i = 0; i < f.stride * 60; i++)
        f.data[i] = 128;
    assert_int_equal(frame_canvas_create(200, 60, &c, &e), KZ_OK);
    assert_int_equal(frame_canvas_begin(c, &f, &e), KZ_OK);
    w = frame_canvas_text(c, 10, 10, "Knee 42°", 20, white, black);
    assert_int_equal(frame_canvas_end(c, &f, &e), KZ_OK);
    assert_true(w > 40 && w < 190);
    /* Inside the box: black background plus white glyph pixels; outside untouched. */
    for (int y = 10; y < 35; y++)
        for (int x = 10; x < 10 + (int)w; x++) {
            if (px(&f, x, y)[0] == 255)
                white_px++;
            if (px(&f, x, y)[0] == 0)
                black_px++;
        }
    assert_true(white_px > 20);
    assert_true(black_px > 100);
    assert_int_equal(px(&f, 5, 5)[0], 128);
    assert_int_equal(px(&f, 195, 55)[0], 128);
    frame_canvas_destroy(c);
    frame_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_text),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    frame_draw_global_cleanup();
    return rc;
}
