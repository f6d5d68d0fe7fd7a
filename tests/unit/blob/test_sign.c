/* test_sign.c — signed media URLs: the secret persists, a signature binds key,
   expiry and disposition, and tampering or expiry is refused. */
#include "blob/blob.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

static void test_sign_verify(void **state)
{
    char dir[] = "/tmp/kz-sign-XXXXXX", path[128], sig[BLOB_SIG_HEX], sig2[BLOB_SIG_HEX];
    struct blob_signer *s = NULL, *again = NULL;
    struct err_ctx e;
    struct stat st;
    (void)state;
    assert_non_null(mkdtemp(dir));
    assert_int_equal(blob_signer_open(dir, &s, &e), KZ_OK);
    snprintf(path, sizeof path, "%s/secret.key", dir);
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_size, 32);
    assert_int_equal(st.st_mode & 0777, 0600);

    blob_signer_sign(s, "sessions/abc/original.mp4", 2000, 0, sig);
    assert_int_equal(strlen(sig), 64);
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 0, sig, 1999, &e),
                     KZ_OK);
    /* expired */
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 0, sig, 2001, &e),
                     KZ_E_FORBIDDEN);
    /* another file, another expiry, another disposition */
    assert_int_equal(blob_signer_verify(s, "sessions/abd/original.mp4", 2000, 0, sig, 1, &e),
                     KZ_E_FORBIDDEN);
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2001, 0, sig, 1, &e),
                     KZ_E_FORBIDDEN);
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 1, sig, 1, &e),
                     KZ_E_FORBIDDEN);
    /* one flipped digit, truncated, garbage */
    memcpy(sig2, sig, sizeof sig);
    sig2[10] = sig2[10] == '0' ? '1' : '0';
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 0, sig2, 1, &e),
                     KZ_E_FORBIDDEN);
    sig2[10] = '\0';
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 0, sig2, 1, &e),
                     KZ_E_FORBIDDEN);
    assert_int_equal(blob_signer_verify(s, "sessions/abc/original.mp4", 2000, 0, NULL, 1, &e),
                     KZ_E_FORBIDDEN);
    assert_string_equal(err_msg(&e), "Invalid or expired media signature.");

    /* the secret survives a restart: the same signature verifies */
    assert_int_equal(blob_signer_open(dir, &again, &e), KZ_OK);
    assert_int_equal(blob_signer_verify(again, "sessions/abc/original.mp4", 2000, 0, sig, 1999, &e),
                     KZ_OK);
    blob_signer_close(again);
    blob_signer_close(s);
    blob_signer_close(NULL);
    unlink(path);
    rmdir(dir);
}

static void test_bad_secret_file(void **state)
{
    char dir[] = "/tmp/kz-sign-XXXXXX", path[128];
    struct blob_signer *s = NULL;
    struct err_ctx e;
    FILE *f;
    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/secret.key", dir);
    f = fopen(path, "w");
    fputs("short", f);
    fclose(f);
    assert_int_equal(blob_signer_open(dir, &s, &e), KZ_E_IO);
    assert_null(s);
    unlink(path);
    rmdir(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_sign_verify),
        cmocka_unit_test(test_bad_secret_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
