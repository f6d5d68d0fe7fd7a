/*
 * test_render.c — the analyzed-video overlay on synthetic frames with known
 * landmark positions: left and right limbs appear in their own colours where
 * the limbs are, labels and markers change pixels where they should, and the
 * output size obeys the long-side limit, the aspect and the even-size rule.
 */
#include "render/render.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static const uint8_t grey = 90;

static void fill_grey(struct frame *f)
{
    for (int y = 0; y < f->height; y++)
        memset(f->data + (size_t)y * f->stride, grey, (size_t)f->width * 3);
}

static const uint8_t *px(const struct frame *f, int x, int y)
{
    return f->data + (size_t)y * f->stride + (size_t)x * 3;
}

/* Blue-dominant = left colour, red-dominant = right colour. */
static int is_left_color(const uint8_t *p)
{
    return p[2] > 200 && p[0] < 80;
}
static int is_right_color(const uint8_t *p)
{
    return p[0] > 200 && p[2] < 80 && p[1] < 100;
}

/* Two vertical legs: left at x = lx, right at x = rx (coordinate space). */
static void make_pose(struct render_overlay *ov, double scale, double lx, double rx)
{
    render_overlay_init(ov);
    ov->have_pose = 1;
    for (int i = 0; i < RENDER_N_LANDMARKS; i++)
        ov->lm[i] = (struct render_point){0, 0, 0.0}; /* invisible by default */
    struct {
        int i;
        double x, y;
    } pts[] = {
        {11, lx, 100},      {12, rx, 100},      {23, lx, 200},      {24, rx, 200},
        {25, lx, 300},      {26, rx, 300},      {27, lx, 400},      {28, rx, 400},
        {29, lx - 10, 420}, {30, rx - 10, 420}, {31, lx + 30, 425}, {32, rx + 30, 425},
    };
    for (size_t k = 0; k < sizeof(pts) / sizeof(pts[0]); k++)
        ov->lm[pts[k].i] = (struct render_point){pts[k].x * scale, pts[k].y * scale, 0.99};
}

static void test_colours_where_limbs_are(void **state)
{
    (void)state;
    struct frame src = {0};
    struct render *r = NULL;
    struct render_overlay ov;
    const struct frame *out = NULL;
    assert_int_equal(frame_alloc(&src, 640, 480, NULL), KZ_OK);
    fill_grey(&src);
    src.t_s = 1.25;
    src.index = 7;
    assert_int_equal(render_create(640, 480, NULL, &r, NULL), KZ_OK);
    make_pose(&ov, 1.0, 200, 440);
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    assert_non_null(out);
    assert_int_equal(out->width, 640);
    assert_int_equal(out->height, 480);
    assert_true(out->t_s == 1.25);
    assert_int_equal(out->index, 7);
    /* thigh and shank mid-points (away from the joint dots) */
    assert_true(is_left_color(px(out, 200, 250)));
    assert_true(is_left_color(px(out, 200, 350)));
    assert_true(is_right_color(px(out, 440, 250)));
    assert_true(is_right_color(px(out, 440, 350)));
    /* not the other way round, and the background in between untouched */
    assert_false(is_right_color(px(out, 200, 250)));
    assert_false(is_left_color(px(out, 440, 250)));
    const uint8_t *bg = px(out, 320, 250);
    assert_int_equal(bg[0], grey);
    assert_int_equal(bg[1], grey);
    assert_int_equal(bg[2], grey);
    /* joint dots are green */
    const uint8_t *knee = px(out, 200, 300);
    assert_true(knee[1] > 200 && knee[0] < 120 && knee[2] < 120);
    /* the source frame is not modified */
    assert_int_equal(px(&src, 200, 250)[2], grey);
    render_destroy(r);
    frame_free(&src);
}

static int count_diff(const struct frame *a, const struct frame *b, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++)
            if (memcmp(px(a, x, y), px(b, x, y), 3) != 0)
                n++;
    return n;
}

static int count_yellow(const struct frame *f, int x0, int y0, int x1, int y1)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *p = px(f, x, y);
            if (p[0] > 200 && p[1] > 180 && p[2] < 90)
                n++;
        }
    return n;
}

static void test_labels_and_markers(void **state)
{
    (void)state;
    struct frame src = {0}, plain = {0};
    struct render *r = NULL;
    struct render_overlay ov;
    const struct frame *out = NULL;
    assert_int_equal(frame_alloc(&src, 640, 480, NULL), KZ_OK);
    fill_grey(&src);
    assert_int_equal(render_create(640, 480, NULL, &r, NULL), KZ_OK);
    make_pose(&ov, 1.0, 200, 440);
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    assert_int_equal(frame_copy(&plain, out, NULL), KZ_OK);
    /* no yellow text anywhere without labels */
    assert_int_equal(count_yellow(&plain, 0, 0, 640, 480), 0);

    ov.angle_deg[RENDER_ANGLE_RKNE] = 143.0;
    ov.angle_deg[RENDER_ANGLE_LKNE] = 97.0;
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    /* right knee label: down-right of (440, 300); left knee: up-left of (200, 300) */
    assert_true(count_yellow(out, 440, 300, 540, 340) > 15);
    assert_true(count_yellow(out, 100, 260, 200, 300) > 15);
    /* an unlabelled joint (right hip) stays as before */
    assert_int_equal(count_diff(out, &plain, 445, 205, 540, 240), 0);

    /* contact marker under the right foot only */
    render_overlay_init(&ov);
    make_pose(&ov, 1.0, 200, 440);
    ov.contact[1] = 1;
    ov.contact[0] = 0;
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    assert_true(count_diff(out, &plain, 420, 428, 480, 460) > 50);
    assert_int_equal(count_diff(out, &plain, 180, 428, 240, 460), 0);

    /* phase label top-left */
    render_overlay_init(&ov);
    make_pose(&ov, 1.0, 200, 440);
    ov.phase = "takeoff";
    ov.info[0] = "flight 0.45 s";
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    assert_true(count_yellow(out, 0, 0, 160, 40) > 30);
    assert_true(count_diff(out, &plain, 0, 32, 160, 50) > 30);

    /* no overlay at all: frame passes through unchanged */
    assert_int_equal(render_draw(r, &src, NULL, &out, NULL), KZ_OK);
    assert_int_equal(count_diff(out, &src, 0, 0, 640, 480), 0);

    frame_free(&plain);
    render_destroy(r);
    frame_free(&src);
}

static void test_scaled_output(void **state)
{
    (void)state;
    /* 1080x1920 source coordinates drawn on a frame decoded at half size. */
    struct frame half = {0};
    struct render *r = NULL;
    struct render_overlay ov;
    const struct frame *out = NULL;
    int w = 0, h = 0;
    assert_int_equal(render_create(1080, 1920, NULL, &r, NULL), KZ_OK);
    render_size(r, &w, &h);
    assert_int_equal(w, 720);
    assert_int_equal(h, 1280);
    assert_int_equal(frame_alloc(&half, 540, 960, NULL), KZ_OK);
    fill_grey(&half);
    make_pose(&ov, 1.0, 300, 700); /* already coordinate-space pixels of 1080x1920 */
    assert_int_equal(render_draw(r, &half, &ov, &out, NULL), KZ_OK);
    assert_int_equal(out->width, 720);
    assert_int_equal(out->height, 1280);
    double s = 720.0 / 1080.0;
    assert_true(is_left_color(px(out, (int)(300 * s), (int)(250 * s))));
    assert_true(is_right_color(px(out, (int)(700 * s), (int)(350 * s))));
    render_destroy(r);
    frame_free(&half);
}

static void test_output_size_rules(void **state)
{
    (void)state;
    int w, h;
    assert_int_equal(render_output_size(1920, 1080, 0, &w, &h, NULL), KZ_OK);
    assert_int_equal(w, 1280);
    assert_int_equal(h, 720);
    assert_int_equal(render_output_size(1080, 1920, 0, &w, &h, NULL), KZ_OK);
    assert_int_equal(w, 720);
    assert_int_equal(h, 1280);
    assert_int_equal(render_output_size(1768, 994, 0, &w, &h, NULL), KZ_OK);
    assert_int_equal(w, 1280);
    assert_true(h == 718 || h == 720);
    assert_true(h % 2 == 0);
    /* small sources are never upscaled; odd sizes become even */
    assert_int_equal(render_output_size(481, 361, 0, &w, &h, NULL), KZ_OK);
    assert_int_equal(w, 480);
    assert_int_equal(h, 360);
    assert_int_equal(render_output_size(464, 832, 640, &w, &h, NULL), KZ_OK);
    assert_true(w <= 640 && h <= 640 && h == 640);
    assert_true(w % 2 == 0);
    assert_int_equal(render_output_size(1, 100, 0, &w, &h, NULL), KZ_E_INVALID);
    assert_int_equal(render_output_size(100, 0, 0, &w, &h, NULL), KZ_E_INVALID);
    struct render *r = NULL;
    assert_int_equal(render_create(0, 10, NULL, &r, NULL), KZ_E_INVALID);
    assert_null(r);
    render_destroy(NULL);
}

static void test_bar_trail_speed_colours(void **state)
{
    (void)state;
    uint8_t rgb[3];
    render_speed_color(0.0, 2.0, rgb);
    assert_true(rgb[2] > 200 && rgb[0] < 50); /* slow = blue */
    render_speed_color(2.0, 2.0, rgb);
    assert_true(rgb[0] > 200 && rgb[2] < 50 && rgb[1] < 60); /* fast = red */
    render_speed_color(5.0, 2.0, rgb);                       /* clamped */
    assert_true(rgb[0] > 200 && rgb[2] < 50);

    struct frame src = {0};
    struct render *r = NULL;
    struct render_overlay ov;
    const struct frame *out = NULL;
    assert_int_equal(frame_alloc(&src, 640, 480, NULL), KZ_OK);
    fill_grey(&src);
    assert_int_equal(render_create(640, 480, NULL, &r, NULL), KZ_OK);
    /* vertical bar path at x = 500 going up: slow at the bottom, fast at the top */
    struct render_bar_point bar[11];
    for (int i = 0; i <= 10; i++)
        bar[i] = (struct render_bar_point){500, 420 - 30.0 * i, 0.2 * i, 1};
    render_overlay_init(&ov);
    ov.bar = bar;
    ov.n_bar = 11;
    ov.bar_speed_max_mps = 2.0;
    ov.phase = "second pull";
    assert_int_equal(render_draw(r, &src, &ov, &out, NULL), KZ_OK);
    const uint8_t *low = px(out, 500, 405);  /* segment 0->1, speed 0.2 */
    const uint8_t *high = px(out, 500, 165); /* segment 8->9, speed 1.8 */
    assert_true(low[2] > 180 && low[0] < 80);
    assert_true(high[0] > 200 && high[2] < 80);
    render_destroy(r);
    frame_free(&src);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_colours_where_limbs_are), cmocka_unit_test(test_labels_and_markers),
        cmocka_unit_test(test_scaled_output),           cmocka_unit_test(test_output_size_rules),
        cmocka_unit_test(test_bar_trail_speed_colours),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches, for the leak checker */
    return rc;
}
