/* test_shared_clips.c — probe every real clip in <source root>/../shared/media
 * (skips when absent) and decode the start of the portrait treadmill clip. */
#include "media/media.h"

#include <dirent.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <cmocka.h>

#define MEDIA_DIR KZ_SOURCE_ROOT "/../shared/media"

static void test_probe_all(void **state)
{
    DIR *dir = opendir(MEDIA_DIR);
    struct dirent *de;
    int n = 0;
    (void)state;
    if (!dir)
        skip();
    while ((de = readdir(dir))) {
        char path[1024];
        struct media_info in;
        struct err_ctx e = {0};
        size_t len = strlen(de->d_name);
        if (len < 5 || strcmp(de->d_name + len - 4, ".mp4") != 0)
            continue;
        assert_int_equal(str_printf(path, sizeof path, "%s/%s", MEDIA_DIR, de->d_name), KZ_OK);
        if (media_probe(path, &in, &e) != KZ_OK)
            fail_msg("%s: %s", de->d_name, err_msg(&e));
        assert_true(in.width >= 64 && in.height >= 64 && in.width <= 8192 && in.height <= 8192);
        assert_true(in.rotation_deg == 0 || in.rotation_deg == 90 || in.rotation_deg == 180 ||
                    in.rotation_deg == 270);
        if (in.rotation_deg % 180 == 0)
            assert_true(in.width == in.coded_width && in.height == in.coded_height);
        else
            assert_true(in.width == in.coded_height && in.height == in.coded_width);
        assert_true(in.fps > 1 && in.fps <= 240);
        assert_true(in.frame_count > 0);
        assert_true(in.duration_s > 0.2 && in.duration_s < 600);
        n++;
    }
    closedir(dir);
    assert_true(n > 0);
}

static void test_treadmill(void **state)
{
    const char *path = MEDIA_DIR "/running_treadmill_side_60fps.mp4";
    struct media_info in;
    struct media_decoder *d = NULL;
    struct media_decode_opts o = {.max_long_side_px = 256};
    const struct frame *f;
    struct err_ctx e = {0};
    struct stat st;
    (void)state;
    if (stat(path, &st) != 0)
        skip();
    assert_int_equal(media_probe(path, &in, &e), KZ_OK);
    assert_int_equal(in.width, 1080); /* portrait phone clip */
    assert_int_equal(in.height, 1920);
    assert_true(fabs(in.fps - 60) < 0.01);
    assert_int_equal(media_decoder_open(path, &o, &d, &e), KZ_OK);
    for (int i = 0; i < 30; i++) {
        assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
        assert_non_null(f);
        assert_int_equal(f->width, 144);
        assert_int_equal(f->height, 256);
        assert_true(fabs(f->t_s - i / 60.0) < 2e-3);
    }
    media_decoder_close(d);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_all),
        cmocka_unit_test(test_treadmill),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
