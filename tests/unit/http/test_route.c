/* test_route.c — routing with and without trailing slashes, parameters,
   404 vs 405, and Range header parsing. */
#include "http/http_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

static void h(struct http_request *r)
{
    (void)r;
}

static const struct http_route routes[] = {
    {"GET", "/user-management/users/filter/", h, NULL},
    {"GET", "/user-management/users/{user_uid}", h, NULL},
    {"GET", "/user-management/users/", h, NULL},
    {"POST", "/user-management/users/", h, NULL},
    {"PUT", "/user-management/users/", h, NULL},
    {"GET", "/jumping/sessions/{session_id}/", h, NULL},
    {"POST", "/jumping/sessions/", h, NULL},
    {"GET", "/session-management/sessions/{session_id}/status/", h, NULL},
};

static void test_match(void **state)
{
    struct http_match m;
    (void)state;
    assert_int_equal(http_route_match(routes, 8, "GET", "/user-management/users/", &m), 200);
    assert_ptr_equal(m.route, &routes[2]);
    assert_int_equal(http_route_match(routes, 8, "GET", "/user-management/users", &m), 200);
    assert_ptr_equal(m.route, &routes[2]);
    assert_int_equal(http_route_match(routes, 8, "POST", "/user-management/users", &m), 200);
    assert_ptr_equal(m.route, &routes[3]);
    assert_int_equal(http_route_match(routes, 8, "GET", "/user-management/users/filter", &m), 200);
    assert_ptr_equal(m.route, &routes[0]);
    assert_int_equal(http_route_match(routes, 8, "GET", "/user-management/users/abc123", &m), 200);
    assert_ptr_equal(m.route, &routes[1]);
    assert_int_equal(m.n_params, 1);
    assert_string_equal(m.params[0].name, "user_uid");
    assert_string_equal(m.params[0].value, "abc123");
    assert_int_equal(http_route_match(routes, 8, "GET", "/user-management/users/abc123/", &m), 200);
    assert_string_equal(m.params[0].value, "abc123");
    assert_int_equal(
        http_route_match(routes, 8, "GET", "/session-management/sessions/s1/status", &m), 200);
    assert_ptr_equal(m.route, &routes[7]);
    assert_string_equal(m.params[0].value, "s1");
    assert_int_equal(http_route_match(routes, 8, "HEAD", "/jumping/sessions/x/", &m), 200);
    assert_ptr_equal(m.route, &routes[5]);
}

static void test_not_found_and_method(void **state)
{
    struct http_match m;
    (void)state;
    assert_int_equal(http_route_match(routes, 8, "GET", "/nope/", &m), 404);
    assert_int_equal(http_route_match(routes, 8, "GET", "/", &m), 404);
    assert_int_equal(http_route_match(routes, 8, "GET", "/jumping/sessions/a/b/", &m), 404);
    assert_int_equal(http_route_match(routes, 8, "GET", "/jumping", &m), 404);
    assert_int_equal(http_route_match(routes, 8, "DELETE", "/user-management/users/", &m), 405);
    assert_string_equal(m.allow, "GET, POST, PUT");
    assert_null(m.route);
    assert_int_equal(http_route_match(routes, 8, "GET", "/jumping/sessions/", &m), 405);
    assert_string_equal(m.allow, "POST");
}

static void test_range(void **state)
{
    int64_t s = -1, l = -1;
    (void)state;
    assert_int_equal(http_range_parse(NULL, 100, &s, &l), 0);
    assert_int_equal(http_range_parse("bytes=0-9", 100, &s, &l), 1);
    assert_true(s == 0 && l == 10);
    assert_int_equal(http_range_parse("bytes=90-", 100, &s, &l), 1);
    assert_true(s == 90 && l == 10);
    assert_int_equal(http_range_parse("bytes=90-1000", 100, &s, &l), 1);
    assert_true(s == 90 && l == 10);
    assert_int_equal(http_range_parse("bytes=-5", 100, &s, &l), 1);
    assert_true(s == 95 && l == 5);
    assert_int_equal(http_range_parse("bytes=-500", 100, &s, &l), 1);
    assert_true(s == 0 && l == 100);
    assert_int_equal(http_range_parse("bytes=100-", 100, &s, &l), -1);
    assert_int_equal(http_range_parse("bytes=-0", 100, &s, &l), -1);
    assert_int_equal(http_range_parse("bytes=0-1,5-6", 100, &s, &l), 0);
    assert_int_equal(http_range_parse("bytes=9-3", 100, &s, &l), 0);
    assert_int_equal(http_range_parse("items=0-3", 100, &s, &l), 0);
    assert_int_equal(http_range_parse("bytes=x-3", 100, &s, &l), 0);
    assert_int_equal(http_range_parse("bytes=99999999999999999999-", 100, &s, &l), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_match),
        cmocka_unit_test(test_not_found_and_method),
        cmocka_unit_test(test_range),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
