/* test_str.c — bounded copies and strict number parsing. */
#include "core/core.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void test_copy(void **state)
{
    char b[4];
    (void)state;
    assert_int_equal(str_copy(b, sizeof b, "abc"), KZ_OK);
    assert_string_equal(b, "abc");
    assert_int_equal(str_copy(b, sizeof b, "abcd"), KZ_E_TOO_LARGE);
    assert_string_equal(b, "abc");
    assert_int_equal(str_printf(b, sizeof b, "%d", 12345), KZ_E_TOO_LARGE);
    assert_int_equal(str_printf(b, sizeof b, "%d", 12), KZ_OK);
    assert_string_equal(b, "12");
}

static void test_parse_int(void **state)
{
    int64_t v = 0;
    (void)state;
    assert_int_equal(str_to_i64("42", 0, 100, &v), KZ_OK);
    assert_int_equal(v, 42);
    assert_int_equal(str_to_i64("42x", 0, 100, &v), KZ_E_FORMAT);
    assert_int_equal(str_to_i64("", 0, 100, &v), KZ_E_INVALID);
    assert_int_equal(str_to_i64("101", 0, 100, &v), KZ_E_TOO_LARGE);
    assert_int_equal(str_to_i64("99999999999999999999", 0, 100, &v), KZ_E_TOO_LARGE);
}

static void test_parse_double(void **state)
{
    double d = 0;
    (void)state;
    assert_int_equal(str_to_double("5.5", -45, 45, &d), KZ_OK);
    assert_true(d == 5.5);
    assert_int_equal(str_to_double("nan", -45, 45, &d), KZ_E_FORMAT);
    assert_int_equal(str_to_double("inf", -45, 45, &d), KZ_E_FORMAT);
    assert_int_equal(str_to_double("50", -45, 45, &d), KZ_E_TOO_LARGE);
    assert_int_equal(str_to_double("5 ", -45, 45, &d), KZ_E_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_copy),
        cmocka_unit_test(test_parse_int),
        cmocka_unit_test(test_parse_double),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
