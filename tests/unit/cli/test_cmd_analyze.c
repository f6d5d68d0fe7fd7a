/*
 * test_cmd_analyze.c — `kinalyze analyze` end to end as the real binary:
 * usage errors (missing --out, unknown activity or exercise, weightlifting
 * without an exercise, out-of-range numbers) exit 2 before any work; a
 * weightlifting run on the snatch clip writes result.json (the vendor's
 * weightlifting document with the bar metrics) and analyzed.mp4; a jumping
 * run with every body option and --no-video writes the document with those
 * options applied and no video; a running run reports the incline given.
 * Skips without the shared clips or the models.
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

#define MEDIA KZ_SOURCE_ROOT "/../shared/media/"

static char out_dir[] = "/tmp/kz_cmd_analyze_XXXXXX";

static int run(const char *args)
{
    char cmd[4096];
    const char *exe = getenv("KINALYZE_BIN");
    assert_non_null(exe);
    assert_int_equal(str_printf(cmd, sizeof cmd, "'%s' %s >/dev/null 2>&1", exe, args), KZ_OK);
    int st = system(cmd);
    assert_true(WIFEXITED(st));
    return WEXITSTATUS(st);
}

static int have(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && st.st_size > 0;
}

static int have_inputs(const char *clip)
{
    char lite[1024];
    const char *models = getenv("KINALYZE_MODELS_DIR");
    str_printf(lite, sizeof lite, "%s/pose_landmark_lite.tflite", models ? models : "");
    if (!have(clip) || !models || !have(lite)) {
        fprintf(stderr, "SKIP: %s or the models absent\n", clip);
        return 0;
    }
    return 1;
}

static json_t *load_result(const char *dir)
{
    char path[512];
    json_error_t jerr;
    str_printf(path, sizeof path, "%s/result.json", dir);
    json_t *root = json_load_file(path, 0, &jerr);
    if (!root)
        fail_msg("%s is not JSON: %s", path, jerr.text);
    return root;
}

static void test_usage_errors(void **state)
{
    (void)state;
    assert_int_equal(run("analyze"), 2);
    assert_int_equal(run("analyze running a.mp4"), 2);                       /* no --out */
    assert_int_equal(run("analyze swimming a.mp4 --out /tmp/kz_x"), 2);      /* activity */
    assert_int_equal(run("analyze weightlifting a.mp4 --out /tmp/kz_x"), 2); /* no exercise */
    assert_int_equal(run("analyze weightlifting a.mp4 --exercise deadlift --out /tmp/kz_x"), 2);
    assert_int_equal(run("analyze jumping a.mp4 --exercise 'Squat Jump' --out /tmp/kz_x"), 2);
    assert_int_equal(run("analyze running a.mp4 --incline 90 --out /tmp/kz_x"), 2);
    assert_int_equal(run("analyze running a.mp4 --mass-kg heavy --out /tmp/kz_x"), 2);
    assert_false(have("/tmp/kz_x/result.json"));
    assert_int_equal(run("analyze --help"), 0);
    /* a missing video is a run-time failure, not a usage error */
    assert_int_equal(run("analyze running /nonexistent.mp4 --out /tmp/kz_x --quiet"), 1);
    rmdir("/tmp/kz_x");
}

static void test_weightlifting(void **state)
{
    char args[2048], dir[512], mp4[600];
    (void)state;
    if (!have_inputs(MEDIA "snatch_side_ilyin.mp4"))
        skip();
    str_printf(dir, sizeof dir, "%s/lift", out_dir);
    str_printf(args, sizeof args,
               "analyze weightlifting '%s' --exercise snatch --barbell-mass 80 --model lite "
               "--out '%s' --quiet",
               MEDIA "snatch_side_ilyin.mp4", dir);
    assert_int_equal(run(args), 0);
    json_t *r = load_result(dir);
    assert_string_equal(json_string_value(json_object_get(r, "activity")), "Weightlifting");
    assert_string_equal(json_string_value(json_object_get(r, "exercise")), "snatch");
    json_t *m = json_object_get(r, "metrics");
    assert_float_equal(json_number_value(json_object_get(m, "barbell_weight")), 80.0, 1e-9);
    double v = json_number_value(json_object_get(m, "max_bar_speed"));
    if (!(v > 1.0 && v < 3.0)) /* METRICS-AND-PEERS.md §3.3: snatch 1-3 m/s */
        fail_msg("max_bar_speed %.3f m/s", v);
    size_t n = json_array_size(json_object_get(r, "all_timestamps"));
    assert_int_equal(n, 74);
    assert_int_equal(json_array_size(json_object_get(json_object_get(r, "report_metrics"), "bar")),
                     n);
    json_decref(r);
    str_printf(mp4, sizeof mp4, "%s/analyzed.mp4", dir);
    assert_true(have(mp4));
}

static void test_jumping_options_no_video(void **state)
{
    char args[2048], dir[512], mp4[600];
    (void)state;
    if (!have_inputs(MEDIA "jump_cmj_armswing_oblique.mp4"))
        skip();
    str_printf(dir, sizeof dir, "%s/jump", out_dir);
    str_printf(args, sizeof args,
               "analyze jumping '%s' --exercise 'Drop Jump' --mass-kg 70 --height-cm 180 "
               "--model lite --max-frames 40 --no-video --out '%s' --quiet",
               MEDIA "jump_cmj_armswing_oblique.mp4", dir);
    assert_int_equal(run(args), 0);
    json_t *r = load_result(dir);
    json_t *kz = json_object_get(r, "kinalyze");
    assert_string_equal(json_string_value(json_object_get(kz, "exercise")), "Drop Jump");
    assert_string_equal(json_string_value(json_object_get(json_object_get(kz, "scale"), "source")),
                        "athlete_height");
    assert_int_equal(json_array_size(json_object_get(r, "all_timestamps")), 40);
    assert_true(json_is_null(json_object_get(json_object_get(kz, "pipeline"), "analyzed_video")));
    json_decref(r);
    str_printf(mp4, sizeof mp4, "%s/analyzed.mp4", dir);
    assert_false(have(mp4));
}

static void test_running_incline(void **state)
{
    char args[2048], dir[512];
    (void)state;
    if (!have_inputs(MEDIA "running_outdoor_side_short.mp4"))
        skip();
    str_printf(dir, sizeof dir, "%s/run", out_dir);
    str_printf(args, sizeof args,
               "analyze running '%s' --incline 2.5 --model lite --no-video --out '%s' --quiet",
               MEDIA "running_outdoor_side_short.mp4", dir);
    assert_int_equal(run(args), 0);
    json_t *r = load_result(dir);
    json_t *kz = json_object_get(r, "kinalyze");
    assert_float_equal(json_number_value(json_object_get(kz, "incline_degree")), 2.5, 1e-9);
    assert_string_equal(json_string_value(json_object_get(r, "activity")), "Running");
    json_decref(r);
}

static int setup(void **state)
{
    (void)state;
    return mkdtemp(out_dir) ? 0 : -1;
}

static int teardown(void **state)
{
    char cmd[256];
    (void)state;
    str_printf(cmd, sizeof cmd, "rm -rf '%s'", out_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_usage_errors),
        cmocka_unit_test(test_weightlifting),
        cmocka_unit_test(test_jumping_options_no_video),
        cmocka_unit_test(test_running_incline),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
