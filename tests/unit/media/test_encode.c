/* test_encode.c — encoder round trip (H.264 in faststart MP4, frame count,
 * timestamps incl. VFR, odd sizes made even, pixels survive) and JPEG thumbnails. */
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
    return tu_tmpdir() ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    tu_rmtmp();
    return 0;
}

/* A moving gradient with a white square whose position encodes the frame number. */
static void paint(struct frame *f, int i)
{
    for (int y = 0; y < f->height; y++)
        for (int x = 0; x < f->width; x++) {
            uint8_t *p = f->data + (size_t)y * f->stride + (size_t)x * 3;
            p[0] = (uint8_t)(x + 2 * i);
            p[1] = (uint8_t)(y * 2);
            p[2] = 90;
        }
    for (int y = 20; y < 60; y++)
        for (int x = 10 + 4 * i; x < 50 + 4 * i && x < f->width; x++)
            memset(f->data + (size_t)y * f->stride + (size_t)x * 3, 255, 3);
}

/* Offsets of the top-level "moov" and "mdat" boxes of an MP4 file. */
static void top_boxes(const char *path, long *moov, long *mdat)
{
    size_t len = 0, off = 0;
    uint8_t *b = tu_read_file(path, &len);
    *moov = *mdat = -1;
    assert_non_null(b);
    while (off + 8 <= len) {
        uint64_t size = (uint64_t)b[off] << 24 | (uint64_t)b[off + 1] << 16 |
                        (uint64_t)b[off + 2] << 8 | b[off + 3];
        if (memcmp(b + off + 4, "moov", 4) == 0)
            *moov = (long)off;
        if (memcmp(b + off + 4, "mdat", 4) == 0)
            *mdat = (long)off;
        if (size == 1 && off + 16 <= len) {
            size = 0;
            for (int k = 0; k < 8; k++)
                size = size << 8 | b[off + 8 + k];
        }
        if (size < 8)
            break;
        off += size;
    }
    free(b);
}

static void roundtrip(const char *name, int vfr)
{
    struct media_encoder *enc = NULL;
    struct media_encode_opts o = {.width = 321, .height = 241, .fps = 30, .crf = 18};
    struct err_ctx e = {0};
    struct frame f, ref;
    struct media_info in;
    struct media_decoder *d = NULL;
    const struct frame *g;
    double t[24];
    long moov, mdat;
    int n = 0;

    for (int i = 0; i < 24; i++)
        t[i] = vfr ? (i < 12 ? i / 30.0 : 0.4 + (i - 12) * 0.1) : i / 30.0;
    assert_int_equal(frame_alloc(&f, 321, 241, &e), KZ_OK);
    assert_int_equal(media_encoder_open(tu_path(name), &o, &enc, &e), KZ_OK);
    for (int i = 0; i < 24; i++) {
        paint(&f, i);
        f.t_s = 5.0 + t[i]; /* the encoder starts the file at 0 */
        assert_int_equal(media_encoder_write(enc, &f, &e), KZ_OK);
    }
    assert_int_equal(media_encoder_finish(enc, &e), KZ_OK);

    assert_int_equal(media_probe(tu_path(name), &in, &e), KZ_OK);
    assert_string_equal(in.codec, "h264");
    assert_int_equal(in.width, 320); /* odd sizes made even */
    assert_int_equal(in.height, 240);
    assert_int_equal(in.frame_count, 24);
    if (!vfr)
        assert_true(fabs(in.fps - 30) < 0.01);
    top_boxes(tu_path(name), &moov, &mdat);
    assert_true(moov >= 0 && mdat >= 0);
    if (moov > mdat)
        fail_msg("%s: moov at %ld after mdat at %ld (not faststart)", name, moov, mdat);

    assert_int_equal(media_decoder_open(tu_path(name), NULL, &d, &e), KZ_OK);
    assert_int_equal(frame_alloc(&ref, 320, 240, &e), KZ_OK);
    for (;;) {
        assert_int_equal(media_decoder_next(d, &g, &e), KZ_OK);
        if (!g)
            break;
        assert_true(n < 24);
        if (fabs(g->t_s - t[n]) > 1e-3)
            fail_msg("%s frame %d at %.5f s, want %.5f", name, n, g->t_s, t[n]);
        if (n == 0 || n == 23) {
            paint(&f, n);
            for (int y = 0; y < 240; y++)
                memcpy(ref.data + (size_t)y * ref.stride, f.data + (size_t)y * f.stride, 320 * 3);
            double mad = tu_mean_abs_diff(g, ref.data, ref.stride);
            if (mad > 6)
                fail_msg("%s frame %d: mean abs diff %.2f after round trip", name, n, mad);
        }
        n++;
    }
    assert_int_equal(n, 24);
    media_decoder_close(d);
    frame_free(&ref);
    frame_free(&f);
}

static void test_roundtrip_cfr(void **state)
{
    (void)state;
    roundtrip("cfr.mp4", 0);
}

static void test_roundtrip_vfr(void **state)
{
    (void)state;
    roundtrip("vfr.mp4", 1);
}

static void test_encoder_errors(void **state)
{
    struct media_encoder *enc = NULL;
    struct media_encode_opts o = {.width = 1, .height = 240, .fps = 30};
    struct err_ctx e = {0};
    struct frame f;
    (void)state;
    assert_int_equal(media_encoder_open(tu_path("x.mp4"), &o, &enc, &e), KZ_E_INVALID);
    o.width = 64;
    o.height = 64;
    o.fps = 0;
    assert_int_equal(media_encoder_open(tu_path("x.mp4"), &o, &enc, &e), KZ_E_INVALID);
    o.fps = 25;
    assert_int_equal(media_encoder_open("/nonexistent-dir/x.mp4", &o, &enc, &e), KZ_E_IO);
    assert_null(enc);
    assert_int_equal(media_encoder_open(tu_path("x.mp4"), &o, &enc, &e), KZ_OK);
    assert_int_equal(frame_alloc(&f, 32, 32, &e), KZ_OK);
    assert_int_equal(media_encoder_write(enc, &f, &e), KZ_E_INVALID); /* wrong size */
    media_encoder_destroy(enc);                                       /* abort */
    media_encoder_destroy(NULL);
    frame_free(&f);
}

static void test_thumbnail(void **state)
{
    struct frame f;
    struct err_ctx e = {0};
    uint8_t *b;
    size_t len = 0;
    int w = -1, h = -1;
    (void)state;
    assert_int_equal(frame_alloc(&f, 640, 360, &e), KZ_OK);
    paint(&f, 3);
    assert_int_equal(media_write_thumbnail(&f, tu_path("t.jpg"), 320, &e), KZ_OK);
    b = tu_read_file(tu_path("t.jpg"), &len);
    assert_non_null(b);
    assert_true(len > 100 && b[0] == 0xFF && b[1] == 0xD8 && b[len - 2] == 0xFF &&
                b[len - 1] == 0xD9);
    /* Baseline SOF0 marker carries the size. */
    for (size_t i = 0; i + 9 < len; i++)
        if (b[i] == 0xFF && b[i + 1] == 0xC0) {
            h = b[i + 5] << 8 | b[i + 6];
            w = b[i + 7] << 8 | b[i + 8];
            break;
        }
    free(b);
    assert_int_equal(w, 320);
    assert_int_equal(h, 180);
    assert_int_equal(media_write_thumbnail(&f, "/nonexistent-dir/t.jpg", 0, &e), KZ_E_IO);
    frame_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_roundtrip_cfr),
        cmocka_unit_test(test_roundtrip_vfr),
        cmocka_unit_test(test_encoder_errors),
        cmocka_unit_test(test_thumbnail),
    };
    if (!tu_have_ffmpeg()) {
        fprintf(stderr, "SKIP: ffmpeg is not on PATH\n");
        return 77;
    }
    return cmocka_run_group_tests(tests, setup, teardown);
}
