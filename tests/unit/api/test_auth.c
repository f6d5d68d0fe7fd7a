/* test_auth.c — API keys and authentication helpers: the three documented
   header forms, key format parsing, generate → verify round trip, and the
   one error → HTTP status table. */
#include "api/api_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>
#include <sodium.h>

static void test_header_forms(void **state)
{
    char buf[256];
    (void)state;
    assert_string_equal(api_auth_token("API-KEY kz_abc", NULL, buf, sizeof buf), "kz_abc");
    assert_string_equal(api_auth_token("api-key   kz_abc  ", NULL, buf, sizeof buf), "kz_abc");
    assert_string_equal(api_auth_token("API-KEY: kz_abc", NULL, buf, sizeof buf), "kz_abc");
    assert_string_equal(api_auth_token("Bearer kz_abc", NULL, buf, sizeof buf), "kz_abc");
    assert_string_equal(api_auth_token(NULL, "kz_abc", buf, sizeof buf), "kz_abc");
    assert_string_equal(api_auth_token("kz_bare", NULL, buf, sizeof buf), "kz_bare");
    /* Authorization wins over API-KEY when both are present */
    assert_string_equal(api_auth_token("Bearer kz_a", "kz_b", buf, sizeof buf), "kz_a");
    assert_null(api_auth_token(NULL, NULL, buf, sizeof buf));
    assert_null(api_auth_token("", "", buf, sizeof buf));
    assert_null(api_auth_token("Bearer ", NULL, buf, sizeof buf));
}

static void test_key_parse(void **state)
{
    char id[64], secret[128];
    (void)state;
    assert_int_equal(
        api_key_parse("kz_0123456789abcdef_SeCrEt-_x", id, sizeof id, secret, sizeof secret), 0);
    assert_string_equal(id, "0123456789abcdef");
    assert_string_equal(secret, "SeCrEt-_x");
    assert_int_equal(api_key_parse("kz_0123456789abcdeF_x", id, sizeof id, secret, sizeof secret),
                     -1);
    assert_int_equal(api_key_parse("kz_0123_x", id, sizeof id, secret, sizeof secret), -1);
    assert_int_equal(api_key_parse("kz_0123456789abcdef_", id, sizeof id, secret, sizeof secret),
                     -1);
    assert_int_equal(api_key_parse("xx_0123456789abcdef_s", id, sizeof id, secret, sizeof secret),
                     -1);
    assert_int_equal(api_key_parse(NULL, id, sizeof id, secret, sizeof secret), -1);
}

static void test_generate_and_verify(void **state)
{
    struct store_key k, k2;
    char tok[128], tok2[128], id[64], secret[128];
    struct err_ctx e;
    (void)state;
    assert_true(sodium_init() >= 0);
    memset(&k, 0, sizeof k);
    memset(&k2, 0, sizeof k2);
    assert_int_equal(api_key_generate(&k, tok, sizeof tok, &e), KZ_OK);
    assert_int_equal(api_key_generate(&k2, tok2, sizeof tok2, &e), KZ_OK);
    assert_string_not_equal(tok, tok2);
    assert_int_equal(api_key_parse(tok, id, sizeof id, secret, sizeof secret), 0);
    assert_string_equal(id, k.id);
    /* 256 random bits: 43 base64url characters */
    assert_int_equal(strlen(secret), 43);
    assert_true(api_key_matches(&k, secret));
    assert_false(api_key_matches(&k2, secret));
    secret[0] = secret[0] == 'A' ? 'B' : 'A';
    assert_false(api_key_matches(&k, secret));
    assert_int_equal(api_key_generate(&k, tok, 20, &e), KZ_E_INTERNAL);
}

static void test_status_table(void **state)
{
    (void)state;
    assert_int_equal(api_status_for(KZ_E_INVALID), 400);
    assert_int_equal(api_status_for(KZ_E_FORMAT), 400);
    assert_int_equal(api_status_for(KZ_E_UNAUTHENTICATED), 401);
    assert_int_equal(api_status_for(KZ_E_FORBIDDEN), 403);
    assert_int_equal(api_status_for(KZ_E_NOT_FOUND), 404);
    assert_int_equal(api_status_for(KZ_E_LIMIT), 404); /* vendor quirk */
    assert_int_equal(api_status_for(KZ_E_TOO_LARGE), 413);
    assert_int_equal(api_status_for(KZ_E_IO), 500);
    assert_int_equal(api_status_for(KZ_E_BUSY), 503);
    /* every code maps to a real status */
    for (int c = 1; c < KZ_E__COUNT; c++) {
        int s = api_status_for((enum kz_err)c);
        assert_true(s >= 400 && s < 600);
    }
}

static void test_ids(void **state)
{
    char a[40], b[40];
    (void)state;
    assert_true(sodium_init() >= 0);
    api_id_hex32(a);
    api_id_hex32(b);
    assert_int_equal(strlen(a), 32);
    assert_string_not_equal(a, b);
    for (int i = 0; i < 32; i++)
        assert_non_null(strchr("0123456789abcdef", a[i]));
    api_id_base62(a, 28);
    assert_int_equal(strlen(a), 28);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_header_forms),
        cmocka_unit_test(test_key_parse),
        cmocka_unit_test(test_generate_and_verify),
        cmocka_unit_test(test_status_table),
        cmocka_unit_test(test_ids),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
