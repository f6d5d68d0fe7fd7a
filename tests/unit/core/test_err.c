/* test_err.c — the error table and err_ctx message handling. */
#include "core/core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

static void test_names_and_defaults(void **state)
{
    (void)state;
    assert_string_equal(err_name(KZ_OK), "OK");
    assert_string_equal(err_name(KZ_E_NOT_FOUND), "NOT_FOUND");
    assert_string_equal(err_default_msg(KZ_E_NOMEM), "out of memory");
    assert_string_equal(err_name((enum kz_err)9999), "UNKNOWN");
}

static void test_set_formats_and_returns_code(void **state)
{
    struct err_ctx e;
    (void)state;
    err_clear(&e);
    assert_int_equal(err_set(&e, KZ_E_IO, "open %s: %d", "x.mp4", 2), KZ_E_IO);
    assert_int_equal(e.code, KZ_E_IO);
    assert_string_equal(err_msg(&e), "open x.mp4: 2");
    err_set(&e, KZ_E_FORMAT, NULL);
    assert_string_equal(err_msg(&e), "malformed data");
    assert_int_equal(err_set(NULL, KZ_E_LIMIT, "ignored"), KZ_E_LIMIT);
}

static void test_long_message_is_truncated_safely(void **state)
{
    struct err_ctx e;
    char big[4096];
    (void)state;
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    err_set(&e, KZ_E_INVALID, "%s", big);
    assert_int_equal(strlen(e.msg), ERR_MSG_MAX - 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names_and_defaults),
        cmocka_unit_test(test_set_formats_and_returns_code),
        cmocka_unit_test(test_long_message_is_truncated_safely),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
