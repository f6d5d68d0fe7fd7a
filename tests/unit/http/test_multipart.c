/* test_multipart.c — the streaming multipart parser: every split of the input
   gives the same parts, quoted names, missing parts and garbage. */
#include "http/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

/* What the callbacks saw, flattened: "[name|filename|ctype]data..." per part. */
struct sink {
    char out[8192];
    size_t n;
    int parts, ends;
    int refuse_at_part; /* 0 = never */
};

static void sink_put(struct sink *s, const char *d, size_t n)
{
    assert_true(s->n + n < sizeof s->out);
    memcpy(s->out + s->n, d, n);
    s->n += n;
    s->out[s->n] = '\0';
}

static int on_begin(void *ctx, const struct http_part *p)
{
    struct sink *s = ctx;
    char b[1024];
    s->parts++;
    if (s->refuse_at_part && s->parts == s->refuse_at_part)
        return 1;
    snprintf(b, sizeof b, "[%s|%s%s|%s]", p->name, p->has_filename ? "F:" : "", p->filename,
             p->content_type);
    sink_put(s, b, strlen(b));
    return 0;
}
static int on_data(void *ctx, const char *d, size_t n)
{
    sink_put(ctx, d, n);
    return 0;
}
static int on_end(void *ctx)
{
    struct sink *s = ctx;
    s->ends++;
    sink_put(s, "<end>", 5);
    return 0;
}

/* Parse `body` fed in pieces of the given sizes (cycled); returns feed/finish code. */
static enum kz_err parse_split(const char *boundary, const char *body, size_t len,
                               const size_t *splits, size_t n_splits, struct sink *s,
                               struct err_ctx *e)
{
    struct http_multipart *m = NULL;
    struct http_multipart_cb cb = {s, on_begin, on_data, on_end};
    enum kz_err rc;
    size_t off = 0, k = 0;
    assert_int_equal(http_multipart_create(boundary, &cb, &m, e), KZ_OK);
    while (off < len) {
        size_t n = n_splits ? splits[k++ % n_splits] : len;
        if (n > len - off)
            n = len - off;
        rc = http_multipart_feed(m, body + off, n, e);
        if (rc != KZ_OK) {
            http_multipart_destroy(m);
            return rc;
        }
        off += n;
    }
    rc = http_multipart_finish(m, e);
    http_multipart_destroy(m);
    return rc;
}

static const char BODY[] = "preamble text\r\n"
                           "--XyZ-123\r\n"
                           "Content-Disposition: form-data; name=\"session_name\"\r\n"
                           "\r\n"
                           "Morning Run\r\n"
                           "--XyZ-123\r\n"
                           "content-disposition: form-data; name=\"video\"; "
                           "filename=\"a \\\"b\\\".mp4\"\r\n"
                           "Content-Type: video/mp4\r\n"
                           "\r\n"
                           "\r\n--XyZ-12\r\r\n--XyZ-13\r\n"
                           "--XyZ-123\r\n"
                           "Content-Disposition: form-data; name=user_id\r\n"
                           "\r\n"
                           "\r\n"
                           "--XyZ-123--\r\n"
                           "epilogue --XyZ-123 ignored";

static const char EXPECT[] = "[session_name||]Morning Run<end>"
                             "[video|F:a \"b\".mp4|video/mp4]\r\n--XyZ-12\r\r\n--XyZ-13<end>"
                             "[user_id||]<end>";

static void test_whole(void **state)
{
    struct sink s = {0};
    struct err_ctx e;
    (void)state;
    assert_int_equal(parse_split("XyZ-123", BODY, strlen(BODY), NULL, 0, &s, &e), KZ_OK);
    assert_string_equal(s.out, EXPECT);
    assert_int_equal(s.parts, 3);
    assert_int_equal(s.ends, 3);
}

/* Two pieces split at every offset, then fixed chunk sizes 1..17. */
static void test_every_split(void **state)
{
    size_t len = strlen(BODY);
    (void)state;
    for (size_t cut = 0; cut <= len; cut++) {
        struct sink s = {0};
        struct err_ctx e;
        size_t splits[2] = {cut ? cut : 1, len};
        assert_int_equal(parse_split("XyZ-123", BODY, len, splits, 2, &s, &e), KZ_OK);
        assert_string_equal(s.out, EXPECT);
    }
    for (size_t step = 1; step <= 17; step++) {
        struct sink s = {0};
        struct err_ctx e;
        assert_int_equal(parse_split("XyZ-123", BODY, len, &step, 1, &s, &e), KZ_OK);
        assert_string_equal(s.out, EXPECT);
    }
}

static void test_starts_with_boundary(void **state)
{
    const char *b = "--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n1\r\n--b--";
    struct sink s = {0};
    struct err_ctx e;
    (void)state;
    assert_int_equal(parse_split("b", b, strlen(b), NULL, 0, &s, &e), KZ_OK);
    assert_string_equal(s.out, "[x||]1<end>");
}

static void expect_error(const char *body, enum kz_err code, const char *msg_part)
{
    struct sink s = {0};
    struct err_ctx e;
    enum kz_err rc = parse_split("b", body, strlen(body), NULL, 0, &s, &e);
    assert_int_equal(rc, code);
    if (msg_part && !strstr(err_msg(&e), msg_part))
        fail_msg("message '%s' lacks '%s'", err_msg(&e), msg_part);
}

static void test_errors(void **state)
{
    (void)state;
    /* no closing boundary: a cut-off upload */
    expect_error("--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\npartial data",
                 KZ_E_FORMAT, "closing boundary");
    /* no boundary at all */
    expect_error("just some text", KZ_E_FORMAT, "without any boundary");
    expect_error("", KZ_E_FORMAT, "without any boundary");
    /* missing name */
    expect_error("--b\r\nContent-Disposition: form-data; filename=\"v.mp4\"\r\n\r\nx\r\n--b--",
                 KZ_E_FORMAT, "without a name");
    /* missing Content-Disposition */
    expect_error("--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--", KZ_E_FORMAT,
                 "Content-Disposition");
    /* garbage after a boundary */
    expect_error("--bXX\r\n", KZ_E_FORMAT, "garbage");
    /* header line without colon */
    expect_error("--b\r\nnonsense\r\n\r\nx\r\n--b--", KZ_E_FORMAT, "malformed");
    /* unterminated quoted name */
    expect_error("--b\r\nContent-Disposition: form-data; name=\"x\r\n\r\nx\r\n--b--", KZ_E_FORMAT,
                 "unterminated");
    /* bare CR after boundary */
    expect_error("--b\rX", KZ_E_FORMAT, "CRLF");
}

static void test_header_limit(void **state)
{
    char *body = malloc(20000);
    size_t n = 0;
    struct sink s = {0};
    struct err_ctx e;
    (void)state;
    n += (size_t)snprintf(body, 20000, "--b\r\nContent-Disposition: form-data; name=\"x\"\r\nX: ");
    memset(body + n, 'a', 10000);
    n += 10000;
    memcpy(body + n, "\r\n\r\n", 5);
    n += 4;
    assert_int_equal(parse_split("b", body, n, NULL, 0, &s, &e), KZ_E_FORMAT);
    assert_non_null(strstr(err_msg(&e), "too large"));
    free(body);
}

static void test_refuse(void **state)
{
    struct sink s = {0};
    struct err_ctx e;
    (void)state;
    s.refuse_at_part = 2;
    assert_int_equal(parse_split("XyZ-123", BODY, strlen(BODY), NULL, 0, &s, &e), KZ_E_CANCELLED);
}

static void test_boundary_param(void **state)
{
    char b[256];
    struct err_ctx e;
    (void)state;
    assert_int_equal(http_multipart_boundary("multipart/form-data; boundary=abc", b, sizeof b, &e),
                     KZ_OK);
    assert_string_equal(b, "abc");
    assert_int_equal(http_multipart_boundary("Multipart/Form-Data;charset=utf-8; "
                                             "boundary=\"a b:c\"",
                                             b, sizeof b, &e),
                     KZ_OK);
    assert_string_equal(b, "a b:c");
    assert_int_equal(http_multipart_boundary("multipart/form-data", b, sizeof b, &e), KZ_E_FORMAT);
    assert_int_equal(http_multipart_boundary("multipart/form-data; boundary=", b, sizeof b, &e),
                     KZ_E_FORMAT);
    assert_int_equal(http_multipart_boundary("application/json", b, sizeof b, &e),
                     KZ_E_UNSUPPORTED);
    assert_int_equal(http_multipart_boundary(NULL, b, sizeof b, &e), KZ_E_UNSUPPORTED);
    assert_int_equal(
        http_multipart_boundary("multipart/form-data; boundary=\"abc", b, sizeof b, &e),
        KZ_E_FORMAT);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole),
        cmocka_unit_test(test_every_split),
        cmocka_unit_test(test_starts_with_boundary),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_header_limit),
        cmocka_unit_test(test_refuse),
        cmocka_unit_test(test_boundary_param),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
