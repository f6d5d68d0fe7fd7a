/* test_probe.c — media_probe on generated clips: good video, rotation metadata,
 * audio, and the rejects (text named .mp4, audio only, truncated, missing). */
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
    /* 320x240, 25 fps, 30 frames, moov at the end (default). */
    if (tu_ffmpeg("-f lavfi -i testsrc2=size=320x240:rate=25 -frames:v 30 -c:v libx264 "
                  "-pix_fmt yuv420p plain.mp4") ||
        tu_ffmpeg("-i plain.mp4 -c copy -metadata:s:v:0 rotate=90 rot90.mp4") ||
        tu_ffmpeg("-i plain.mp4 -c copy -metadata:s:v:0 rotate=180 rot180.mp4") ||
        tu_ffmpeg("-f lavfi -i testsrc2=size=160x120:rate=30 -f lavfi -i sine=f=440:r=8000 "
                  "-frames:v 15 -t 0.5 -c:v libx264 -c:a aac -shortest av.mp4") ||
        tu_ffmpeg("-f lavfi -i sine=f=440 -t 1 -c:a aac audio.m4a") ||
        tu_ffmpeg("-f lavfi -i sine=f=440 -t 1 -c:a aac -f mp4 audio_named.mp4"))
        return -1;
    {
        static const char text[] = "this is not a video, just text pretending to be one\n";
        size_t len = 0;
        uint8_t *b;
        if (tu_write_file(tu_path("text.mp4"), text, sizeof text - 1))
            return -1;
        b = tu_read_file(tu_path("plain.mp4"), &len);
        if (!b || tu_write_file(tu_path("truncated.mp4"), b, len / 2)) {
            free(b);
            return -1;
        }
        free(b);
        /* moov first, then only a sliver of mdat: opens, but nothing decodes. */
        if (tu_ffmpeg("-i plain.mp4 -c copy -movflags +faststart faststart.mp4"))
            return -1;
        b = tu_read_file(tu_path("faststart.mp4"), &len);
        size_t mdat = 0;
        for (size_t i = 0; b && i + 4 <= len; i++)
            if (memcmp(b + i, "mdat", 4) == 0) {
                mdat = i;
                break;
            }
        if (!b || mdat == 0 || tu_write_file(tu_path("truncated_fs.mp4"), b, mdat + 64)) {
            free(b);
            return -1;
        }
        free(b);
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtmp();
    return 0;
}

static void test_plain(void **state)
{
    struct media_info in;
    struct err_ctx e = {0};
    (void)state;
    assert_int_equal(media_probe(tu_path("plain.mp4"), &in, &e), KZ_OK);
    assert_string_equal(in.codec, "h264");
    assert_non_null(strstr(in.container, "mp4"));
    assert_int_equal(in.width, 320);
    assert_int_equal(in.height, 240);
    assert_int_equal(in.coded_width, 320);
    assert_int_equal(in.coded_height, 240);
    assert_int_equal(in.rotation_deg, 0);
    assert_true(fabs(in.fps - 25.0) < 1e-6);
    assert_int_equal(in.frame_count, 30);
    assert_true(fabs(in.duration_s - 1.2) < 0.05);
    assert_int_equal(in.has_audio, 0);
}

static void test_audio_track(void **state)
{
    struct media_info in;
    struct err_ctx e = {0};
    (void)state;
    assert_int_equal(media_probe(tu_path("av.mp4"), &in, &e), KZ_OK);
    assert_int_equal(in.has_audio, 1);
    assert_int_equal(in.width, 160);
    assert_true(fabs(in.fps - 30.0) < 1e-6);
}

static void test_rotation(void **state)
{
    struct media_info in;
    struct err_ctx e = {0};
    (void)state;
    assert_int_equal(media_probe(tu_path("rot90.mp4"), &in, &e), KZ_OK);
    /* FFmpeg 5.1's CLI writes the "rotate" tag as a counter-clockwise display
       matrix, newer ones as clockwise: either way a quarter turn. */
    assert_true(in.rotation_deg == 90 || in.rotation_deg == 270);
    assert_int_equal(in.width, 240);
    assert_int_equal(in.height, 320);
    assert_int_equal(in.coded_width, 320);
    assert_int_equal(in.coded_height, 240);
    assert_int_equal(media_probe(tu_path("rot180.mp4"), &in, &e), KZ_OK);
    assert_int_equal(in.rotation_deg, 180);
    assert_int_equal(in.width, 320);
}

static void expect_format(const char *name, const char *needle)
{
    struct media_info in;
    struct err_ctx e = {0};
    assert_int_equal(media_probe(tu_path(name), &in, &e), KZ_E_FORMAT);
    assert_int_equal(e.code, KZ_E_FORMAT);
    if (needle && !strstr(e.msg, needle))
        fail_msg("message for %s lacks '%s': %s", name, needle, e.msg);
}

static void test_rejects(void **state)
{
    struct media_info in;
    struct err_ctx e = {0};
    (void)state;
    expect_format("text.mp4", NULL);
    expect_format("audio.m4a", "no video stream (audio only)");
    expect_format("audio_named.mp4", "no video stream");
    expect_format("truncated.mp4", NULL);
    expect_format("truncated_fs.mp4", NULL);
    assert_int_equal(media_probe(tu_path("missing.mp4"), &in, &e), KZ_E_IO);
    assert_int_equal(media_probe(NULL, &in, &e), KZ_E_INVALID);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain),
        cmocka_unit_test(test_audio_track),
        cmocka_unit_test(test_rotation),
        cmocka_unit_test(test_rejects),
    };
    if (!tu_have_ffmpeg()) {
        fprintf(stderr, "SKIP: ffmpeg is not on PATH\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
