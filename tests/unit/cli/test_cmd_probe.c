/* test_cmd_probe.c — `kinalyze probe VIDEO` prints media_info as JSON, and a
 * JSON error with exit status 1 for a file that is not a video. Runs the real
 * binary (KINALYZE_BIN) on clips made with the ffmpeg CLI; skips without ffmpeg. */
#include "core/core.h"

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <cmocka.h>

static char dir[256];

/* Run `cmd`, capture its stdout into buf; returns the exit status. */
static int run(const char *cmd, char *buf, size_t cap)
{
    FILE *p = popen(cmd, "r");
    size_t n;
    int st;
    assert_non_null(p);
    n = fread(buf, 1, cap - 1, p);
    buf[n] = 0;
    st = pclose(p);
    return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void test_probe_json(void **state)
{
    char cmd[1024], out[4096];
    json_error_t jerr;
    json_t *o;
    (void)state;
    assert_int_equal(str_printf(cmd, sizeof cmd,
                                "cd '%s' && ffmpeg -nostdin -v error -y -f lavfi "
                                "-i testsrc2=size=200x100:rate=30 -frames:v 12 -c:v libx264 "
                                "-pix_fmt yuv420p clip.mp4 && printf 'not a video' > text.mp4",
                                dir),
                     KZ_OK);
    assert_int_equal(system(cmd), 0);
    assert_int_equal(
        str_printf(cmd, sizeof cmd, "'%s' probe '%s/clip.mp4'", getenv("KINALYZE_BIN"), dir),
        KZ_OK);
    assert_int_equal(run(cmd, out, sizeof out), 0);
    o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "codec")), "h264");
    assert_int_equal(json_integer_value(json_object_get(o, "width")), 200);
    assert_int_equal(json_integer_value(json_object_get(o, "height")), 100);
    assert_int_equal(json_integer_value(json_object_get(o, "rotation_deg")), 0);
    assert_int_equal(json_integer_value(json_object_get(o, "frame_count")), 12);
    assert_true(json_real_value(json_object_get(o, "fps")) == 30.0);
    assert_true(json_is_false(json_object_get(o, "has_audio")));
    json_decref(o);

    assert_int_equal(
        str_printf(cmd, sizeof cmd, "'%s' probe '%s/text.mp4' 2>&1", getenv("KINALYZE_BIN"), dir),
        KZ_OK);
    assert_int_equal(run(cmd, out, sizeof out), 1);
    o = json_loads(out, 0, &jerr);
    assert_non_null(o);
    assert_string_equal(json_string_value(json_object_get(o, "error")), "FORMAT");
    json_decref(o);

    assert_int_equal(str_printf(cmd, sizeof cmd, "'%s' probe 2>/dev/null", getenv("KINALYZE_BIN")),
                     KZ_OK);
    assert_int_equal(run(cmd, out, sizeof out), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_probe_json)};
    char rm[300];
    int rc;
    if (system("command -v ffmpeg >/dev/null 2>&1") != 0) {
        fprintf(stderr, "SKIP: ffmpeg is not on PATH\n");
        return 77;
    }
    if (!getenv("KINALYZE_BIN") || str_printf(dir, sizeof dir, "/tmp/kz-probe-XXXXXX") ||
        !mkdtemp(dir))
        return 1;
    rc = cmocka_run_group_tests(tests, NULL, NULL);
    if (str_printf(rm, sizeof rm, "rm -rf '%s'", dir) == KZ_OK)
        (void)!system(rm);
    return rc;
}
