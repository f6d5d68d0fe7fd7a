/* test_config.c — the settings table: defaults, environment, flags (both
   forms), range checks, unknown flags handed to the command. */
#include "core/core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static int extra_seen;

static int extra(void *ctx, const char *flag, const char *value)
{
    (void)ctx;
    if (strcmp(flag, "--email") == 0 && value) {
        extra_seen = 1;
        return 2;
    }
    return -1;
}

static void test_layers(void **state)
{
    struct kz_config c;
    struct err_ctx e;
    char *argv[] = {"serve", "--listen", "127.0.0.1:0", "--workers=3", "--email", "a@b"};
    (void)state;
    unsetenv("KINALYZE_WORKERS");
    setenv("KINALYZE_DATA_DIR", "/tmp/from-env", 1);
    setenv("KINALYZE_MAX_UPLOAD_BYTES", "12345", 1);
    assert_int_equal(config_load(&c, 6, argv, extra, NULL, &e), KZ_OK);
    assert_string_equal(c.data_dir, "/tmp/from-env"); /* env over default */
    assert_string_equal(c.listen, "127.0.0.1:0");     /* flag */
    assert_int_equal(c.workers, 3);                   /* --name=value form */
    assert_int_equal(c.max_upload_bytes, 12345);
    assert_string_equal(c.models_dir, "models"); /* default */
    assert_int_equal(extra_seen, 1);
    setenv("KINALYZE_DATA_DIR", "/tmp/from-env", 1);
    char *argv2[] = {"serve", "--data-dir", "/tmp/flag"};
    assert_int_equal(config_load(&c, 3, argv2, NULL, NULL, &e), KZ_OK);
    assert_string_equal(c.data_dir, "/tmp/flag"); /* flag over env */
    unsetenv("KINALYZE_DATA_DIR");
    unsetenv("KINALYZE_MAX_UPLOAD_BYTES");
}

static void test_errors(void **state)
{
    struct kz_config c;
    struct err_ctx e;
    char *a1[] = {"serve", "--workers", "many"};
    char *a2[] = {"serve", "--bogus"};
    char *a3[] = {"serve", "--listen"};
    char *a4[] = {"serve", "--workers", "100000"};
    (void)state;
    assert_int_equal(config_load(&c, 3, a1, NULL, NULL, &e), KZ_E_FORMAT);
    assert_non_null(strstr(err_msg(&e), "--workers"));
    assert_int_equal(config_load(&c, 2, a2, NULL, NULL, &e), KZ_E_INVALID);
    assert_int_equal(config_load(&c, 2, a3, NULL, NULL, &e), KZ_E_INVALID);
    assert_int_equal(config_load(&c, 3, a4, NULL, NULL, &e), KZ_E_FORMAT);
    setenv("KINALYZE_HTTP_THREADS", "0", 1);
    assert_int_equal(config_load(&c, 1, a1, NULL, NULL, &e), KZ_E_FORMAT);
    assert_non_null(strstr(err_msg(&e), "KINALYZE_HTTP_THREADS"));
    unsetenv("KINALYZE_HTTP_THREADS");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_layers),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
