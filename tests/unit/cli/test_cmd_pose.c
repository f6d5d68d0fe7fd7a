/*
 * test_cmd_pose.c — `kinalyze pose` end to end: the real binary on the first
 * frames of the treadmill clip (lite model) writes the documented JSON
 * (per frame: index, t_s from the stream, found, source detection/tracking,
 * 33 x [x_px, y_px, z, visibility, presence] and 33 x [x, y, z] metres; a
 * summary), and usage errors give exit status 2. Skips without the shared
 * clip or the models.
 */
#include "core/core.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define CLIP KZ_SOURCE_ROOT "/../shared/media/running_treadmill_side_60fps.mp4"

static int run(const char *args)
{
    char cmd[4096];
    const char *exe = getenv("KINALYZE_BIN");
    assert_non_null(exe);
    assert_int_equal(str_printf(cmd, sizeof cmd, "'%s' %s 2>/dev/null", exe, args), KZ_OK);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static void test_usage_errors(void **state)
{
    (void)state;
    assert_int_equal(run("pose"), 2);
    assert_int_equal(run("pose a.mp4 b.mp4"), 2);
    assert_int_equal(run("pose a.mp4 --threads many"), 2);
    assert_int_equal(run("pose --help >/dev/null"), 0);
    assert_int_equal(run("pose /nonexistent.mp4 --model huge"), 1);
}

static void test_json_output(void **state)
{
    struct stat st;
    const char *models = getenv("KINALYZE_MODELS_DIR");
    char path[] = "/tmp/kz_cmd_pose_XXXXXX", args[2048], lite[1024];
    json_error_t jerr;
    (void)state;
    str_printf(lite, sizeof lite, "%s/pose_landmark_lite.tflite", models ? models : "");
    if (stat(CLIP, &st) != 0 || !models || stat(lite, &st) != 0) {
        fprintf(stderr, "SKIP: clip or models absent\n");
        skip();
    }
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    str_printf(args, sizeof args, "pose '%s' --model lite --max-frames 3 --out '%s'", CLIP, path);
    assert_int_equal(run(args), 0);
    json_t *root = json_load_file(path, 0, &jerr);
    unlink(path);
    if (!root)
        fail_msg("output is not JSON: %s (line %d)", jerr.text, jerr.line);
    assert_string_equal(json_string_value(json_object_get(root, "model")), "lite");
    assert_int_equal(json_integer_value(json_object_get(root, "width")), 1080);
    assert_int_equal(json_integer_value(json_object_get(root, "height")), 1920);
    json_t *names = json_object_get(root, "landmark_names");
    assert_int_equal(json_array_size(names), 33);
    assert_string_equal(json_string_value(json_array_get(names, 31)), "left_foot_index");
    json_t *frames = json_object_get(root, "frames");
    assert_int_equal(json_array_size(frames), 3);
    for (size_t i = 0; i < 3; i++) {
        json_t *f = json_array_get(frames, i);
        assert_int_equal(json_integer_value(json_object_get(f, "index")), (json_int_t)i);
        /* 60 fps stream: real timestamps i / 60 s */
        assert_float_equal(json_real_value(json_object_get(f, "t_s")), (double)i / 60.0, 1e-3);
        assert_true(json_is_true(json_object_get(f, "found")));
        assert_string_equal(json_string_value(json_object_get(f, "source")),
                            i == 0 ? "detection" : "tracking");
        json_t *lm = json_object_get(f, "landmarks"), *w = json_object_get(f, "world_landmarks");
        assert_int_equal(json_array_size(lm), 33);
        assert_int_equal(json_array_size(w), 33);
        for (size_t k = 0; k < 33; k++) {
            json_t *p = json_array_get(lm, k);
            assert_int_equal(json_array_size(p), 5);
            double x = json_number_value(json_array_get(p, 0));
            double y = json_number_value(json_array_get(p, 1));
            assert_true(x > 0 && x < 1080 && y > 0 && y < 1920);
            double vis = json_number_value(json_array_get(p, 3));
            assert_true(vis >= 0 && vis <= 1);
            assert_int_equal(json_array_size(json_array_get(w, k)), 3);
        }
    }
    json_t *sum = json_object_get(root, "summary");
    assert_int_equal(json_integer_value(json_object_get(sum, "frames")), 3);
    assert_int_equal(json_integer_value(json_object_get(sum, "frames_with_pose")), 3);
    assert_int_equal(json_integer_value(json_object_get(sum, "detector_runs")), 1);
    assert_true(json_number_value(json_object_get(sum, "fps")) > 0);
    json_decref(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_json_output),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
