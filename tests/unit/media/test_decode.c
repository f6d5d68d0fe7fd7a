/* test_decode.c — the decoder on generated clips: frame count, real timestamps
 * (CFR with B-frames and VFR), rotation applied (a red corner moves where the
 * display matrix says, and matches ffmpeg's own autorotated output), downscale. */
#include "media/media.h"
#include "media_testutil.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int setup(void **state)
{
    (void)state;
    if (!tu_tmpdir())
        return -1;
    if (tu_ffmpeg("-f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 30 -c:v libx264 "
                  "-pix_fmt yuv420p cfr.mp4") ||
        /* 10 frames at 25 fps, then 10 frames at 8.33 fps. */
        tu_ffmpeg("-f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 20 "
                  "-vf \"setpts='if(lt(N,10),N,10+3*(N-10))'\" -vsync vfr "
                  "-video_track_timescale 1000 -c:v libx264 -pix_fmt yuv420p vfr.mp4") ||
        /* Blue 160x120 with a red 40x30 block in the top-left corner. */
        tu_ffmpeg("-f lavfi -i color=c=blue:size=160x120:rate=25 "
                  "-vf drawbox=x=0:y=0:w=40:h=30:color=red:t=fill -frames:v 5 -c:v libx264 "
                  "-pix_fmt yuv420p corner.mp4") ||
        tu_ffmpeg("-i corner.mp4 -c copy -metadata:s:v:0 rotate=90 corner90.mp4") ||
        tu_ffmpeg("-i corner.mp4 -c copy -metadata:s:v:0 rotate=180 corner180.mp4") ||
        tu_ffmpeg("-i corner.mp4 -c copy -metadata:s:v:0 rotate=270 corner270.mp4"))
        return -1;
    if (tu_ffmpeg("-i cfr.mp4 -c copy -movflags +faststart cfr_fs.mp4"))
        return -1;
    {
        /* Cut a faststart file in the middle of its media data. */
        size_t len = 0;
        uint8_t *b = tu_read_file(tu_path("cfr_fs.mp4"), &len);
        int bad = !b || tu_write_file(tu_path("cut.mp4"), b, len * 6 / 10);
        free(b);
        if (bad)
            return -1;
    }
    for (int r = 90; r <= 270; r += 90) {
        if (tu_ffmpeg("-i corner%d.mp4 -frames:v 1 -f rawvideo -pix_fmt rgb24 corner%d.rgb", r, r))
            return -1;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtmp();
    return 0;
}

static void test_cfr(void **state)
{
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    int n = 0;
    (void)state;
    assert_int_equal(media_decoder_open(tu_path("cfr.mp4"), NULL, &d, &e), KZ_OK);
    assert_int_equal(media_decoder_info(d)->width, 320);
    for (;;) {
        assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
        if (!f)
            break;
        assert_int_equal(f->width, 320);
        assert_int_equal(f->height, 240);
        assert_int_equal(f->index, n);
        if (fabs(f->t_s - n * 0.04) > 1e-6)
            fail_msg("frame %d at %.6f s, want %.6f", n, f->t_s, n * 0.04);
        n++;
    }
    assert_int_equal(n, 30);
    /* After the end: stays at the end. */
    assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
    assert_null(f);
    media_decoder_close(d);
    media_decoder_close(NULL);
}

static void test_vfr(void **state)
{
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    struct media_decode_opts o = {.threads = 2};
    int n = 0;
    (void)state;
    assert_int_equal(media_decoder_open(tu_path("vfr.mp4"), &o, &d, &e), KZ_OK);
    for (;;) {
        double want;
        assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
        if (!f)
            break;
        want = n < 10 ? n * 0.04 : 0.4 + (n - 10) * 0.12;
        if (fabs(f->t_s - want) > 1.5e-3)
            fail_msg("VFR frame %d at %.6f s, want %.6f", n, f->t_s, want);
        n++;
    }
    assert_int_equal(n, 20);
    media_decoder_close(d);
}

static void test_truncated(void **state)
{
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    int n = 0;
    enum kz_err rc;
    (void)state;
    /* The index promises 30 frames, the data stops early: decode what is there, then end. */
    assert_int_equal(media_decoder_open(tu_path("cut.mp4"), NULL, &d, &e), KZ_OK);
    assert_int_equal(media_decoder_info(d)->frame_count, 30);
    while ((rc = media_decoder_next(d, &f, &e)) == KZ_OK && f)
        n++;
    assert_int_equal(rc, KZ_OK);
    if (n < 1 || n >= 30)
        fail_msg("decoded %d frames of a cut file", n);
    media_decoder_close(d);
}

static int is_red(const uint8_t *p)
{
    return p[0] > 200 && p[1] < 60 && p[2] < 60;
}
static int is_blue(const uint8_t *p)
{
    return p[0] < 60 && p[1] < 60 && p[2] > 200;
}

static void check_rotation(const char *name, const char *ref_rgb, int expect_w, int expect_h,
                           int keep)
{
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    struct media_decode_opts o = {.keep_rotation = keep};
    const struct media_info *in;
    int rot, red_right, red_bottom;
    uint8_t *ref;
    size_t len = 0;

    assert_int_equal(media_decoder_open(tu_path(name), &o, &d, &e), KZ_OK);
    in = media_decoder_info(d);
    rot = keep ? 0 : in->rotation_deg;
    assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
    assert_non_null(f);
    if (rot == 90 || rot == 270) {
        assert_int_equal(f->width, expect_h);
        assert_int_equal(f->height, expect_w);
    } else {
        assert_int_equal(f->width, expect_w);
        assert_int_equal(f->height, expect_h);
    }
    assert_int_equal(in->width, f->width);
    assert_int_equal(in->height, f->height);
    /* Source: red top-left. Clockwise 90: top-right; 180: bottom-right; 270: bottom-left. */
    red_right = rot == 90 || rot == 180;
    red_bottom = rot == 180 || rot == 270;
    {
        int rx = red_right ? f->width - 3 : 2, ry = red_bottom ? f->height - 3 : 2;
        int bx = red_right ? 2 : f->width - 3, by = red_bottom ? 2 : f->height - 3;
        if (!is_red(tu_px(f, rx, ry)))
            fail_msg("%s (rotation %d): corner (%d,%d) is %d,%d,%d, want red", name, rot, rx, ry,
                     tu_px(f, rx, ry)[0], tu_px(f, rx, ry)[1], tu_px(f, rx, ry)[2]);
        assert_true(is_blue(tu_px(f, bx, by)));
    }
    /* Same picture as ffmpeg's autorotated decode. */
    if (ref_rgb) {
        ref = tu_read_file(tu_path(ref_rgb), &len);
        assert_non_null(ref);
        assert_int_equal(len, (size_t)f->width * f->height * 3);
        double mad = tu_mean_abs_diff(f, ref, (size_t)f->width * 3);
        free(ref);
        if (mad > 4.0)
            fail_msg("%s differs from ffmpeg's autorotated frame: mean abs diff %.2f", name, mad);
    }
    media_decoder_close(d);
}

static void test_rotation(void **state)
{
    (void)state;
    check_rotation("corner.mp4", NULL, 160, 120, 0);
    check_rotation("corner90.mp4", "corner90.rgb", 160, 120, 0);
    check_rotation("corner180.mp4", "corner180.rgb", 160, 120, 0);
    check_rotation("corner270.mp4", "corner270.rgb", 160, 120, 0);
    check_rotation("corner90.mp4", NULL, 160, 120, 1); /* keep_rotation: coded orientation */
}

static void test_downscale(void **state)
{
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    struct media_decode_opts o = {.max_long_side_px = 80};
    (void)state;
    assert_int_equal(media_decoder_open(tu_path("corner90.mp4"), &o, &d, &e), KZ_OK);
    assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
    assert_non_null(f);
    assert_int_equal(f->width, 60);
    assert_int_equal(f->height, 80);
    assert_int_equal(media_decoder_info(d)->width, 60);
    assert_int_equal(media_decoder_info(d)->coded_width, 160);
    media_decoder_close(d);
    /* Never upscale. */
    o.max_long_side_px = 1000;
    assert_int_equal(media_decoder_open(tu_path("cfr.mp4"), &o, &d, &e), KZ_OK);
    assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
    assert_int_equal(f->width, 320);
    media_decoder_close(d);
    o.max_long_side_px = -1;
    assert_int_equal(media_decoder_open(tu_path("cfr.mp4"), &o, &d, &e), KZ_E_INVALID);
    assert_null(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cfr),       cmocka_unit_test(test_vfr),
        cmocka_unit_test(test_rotation),  cmocka_unit_test(test_downscale),
        cmocka_unit_test(test_truncated),
    };
    if (!tu_have_ffmpeg()) {
        fprintf(stderr, "SKIP: ffmpeg is not on PATH\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
