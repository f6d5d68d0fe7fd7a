/* test_docs.c — vendor JSON shapes: created_at, user objects, the session
   detail per activity (required fields present, results kept, identity from
   the row) and our status document. */
#include "api/api_int.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

static void session(struct store_session *s, const char *activity, const char *results)
{
    memset(s, 0, sizeof *s);
    str_copy(s->id, sizeof s->id, "5d5c8d7fcd6945f2936ced84f9a20562");
    str_copy(s->org_id, sizeof s->org_id, "o1");
    str_copy(s->user_id, sizeof s->user_id, "u1");
    str_copy(s->activity, sizeof s->activity, activity);
    str_copy(s->title, sizeof s->title, "T");
    str_copy(s->status, sizeof s->status, "completed");
    str_copy(s->body_joint_angles, sizeof s->body_joint_angles, "all");
    s->progress = 100;
    s->created_at_ms = INT64_C(1738778400000); /* 2025-02-05 18:00:00 UTC */
    s->updated_at_ms = s->created_at_ms;
    s->results_json = results ? strdup(results) : NULL;
    s->media_json = strdup("{\"codec\":\"h264\",\"fps\":30.0}");
}

static void test_created_at(void **state)
{
    json_t *c = api_created_at(INT64_C(1738778400000));
    (void)state;
    /* vendor example: {"date": "05/02/2025", "time": "06:00 PM"} */
    assert_string_equal(json_obj_str(c, "date"), "05/02/2025");
    assert_string_equal(json_obj_str(c, "time"), "06:00 PM");
    json_decref(c);
    c = api_created_at(INT64_C(1738713600000)); /* 2025-02-05 00:00 UTC */
    assert_string_equal(json_obj_str(c, "time"), "12:00 AM");
    json_decref(c);
}

static void test_user_doc(void **state)
{
    static const char *const keys[] = {
        "created_at",   "weight",   "age",   "ycom",   "height", "phone",     "leg_length",
        "display_name", "shoeSize", "email", "gender", "brand",  "shoeModel", "user_uid"};
    struct store_user u;
    json_t *d;
    (void)state;
    memset(&u, 0, sizeof u);
    str_copy(u.id, sizeof u.id, "abc");
    str_copy(u.age, sizeof u.age, "30");
    u.height_cm = 177.5;
    u.created_at_ms = INT64_C(1733167050371);
    d = api_user_doc(&u);
    for (size_t i = 0; i < KZ_ARRAY_LEN(keys); i++)
        assert_non_null(json_object_get(d, keys[i]));
    assert_true(json_is_string(json_object_get(d, "age"))); /* a string, as the vendor */
    assert_true(json_is_number(json_object_get(d, "height")));
    assert_string_equal(json_obj_str(d, "created_at"), "2024-12-02T19:17:30.371Z");
    json_decref(d);
}

static void test_detail_jumping(void **state)
{
    struct store_session s;
    json_t *d, *a, *w;
    (void)state;
    session(&s, "jumping",
            "{\"metrics\":{\"jump_height\":[0.31]},\"angles\":{\"kne_angle\":[1,2]},"
            "\"all_timestamps\":[0.0,0.033],\"activity\":\"spoofed\"}");
    str_copy(s.exercise, sizeof s.exercise, "Drop Jump");
    d = api_session_detail(&s, "Lee Jhon", NULL);
    assert_non_null(d);
    assert_string_equal(json_obj_str(d, "activity"), "Vertical Jump"); /* row wins */
    assert_string_equal(json_obj_str(d, "user_name"), "Lee Jhon");
    assert_string_equal(json_obj_str(d, "exercise"), "Drop Jump");
    assert_string_equal(json_obj_str(d, "status"), "completed");
    assert_int_equal(json_array_size(json_object_get(d, "all_timestamps")), 2);
    a = json_object_get(d, "angles");
    assert_int_equal(json_array_size(json_object_get(a, "kne_angle")), 2);    /* kept */
    assert_true(json_is_array(json_object_get(a, "hip_intersection_angle"))); /* defaulted */
    assert_true(json_is_array(json_object_get(a, "lank_angle")));
    w = json_object_get(d, "whole_report_metrics");
    assert_true(json_is_array(json_object_get(w, "hipy")));
    assert_true(json_is_array(json_object_get(w, "vtoey")));
    assert_true(json_is_array(json_object_get(d, "end_frames")));
    assert_string_equal(json_obj_str(json_object_get(d, "created_at"), "date"), "05/02/2025");
    assert_string_equal(json_obj_str(json_object_get(d, "media"), "codec"), "h264");
    json_decref(d);
    store_session_cleanup(&s);
}

static void test_detail_running_and_lifting(void **state)
{
    struct store_session s;
    json_t *d;
    (void)state;
    session(&s, "running", "{}");
    d = api_session_detail(&s, "", NULL);
    assert_string_equal(json_obj_str(d, "activity"), "Running");
    assert_true(json_is_integer(json_object_get(d, "segments")));
    assert_true(json_is_object(json_object_get(d, "calculated_metrics")));
    assert_true(json_is_object(json_object_get(d, "metrics")));
    assert_null(json_object_get(d, "exercise"));
    json_decref(d);
    store_session_cleanup(&s);
    session(&s, "weightlifting", "{\"metrics\":{\"max_bar_speed\":1.9}}");
    str_copy(s.exercise, sizeof s.exercise, "snatch");
    d = api_session_detail(&s, "V", NULL);
    assert_string_equal(json_obj_str(d, "activity"), "Weightlifting");
    assert_string_equal(json_obj_str(d, "exercise"), "snatch");
    assert_true(json_is_object(json_object_get(d, "report_metrics")));
    assert_true(json_real_value(json_object_get(json_object_get(d, "metrics"), "max_bar_speed")) ==
                1.9);
    json_decref(d);
    store_session_cleanup(&s);
}

/* The text fast path must equal the parse-and-encode path, and fall back when
   fields are missing or the text is not an object. */
static void test_detail_text(void **state)
{
    static const char *const docs[] = {
        /* complete jumping document: fast path, with a field we override */
        "{\"angles\":{\"hip_intersection_angle\":[1.5],\"ank_angle\":[],\"rkne_angle\":[],"
        "\"lkne_angle\":[],\"kne_angle\":[2],\"rank_angle\":[],\"lank_angle\":[]},"
        "\"whole_report_metrics\":{\"hipy\":[0.1],\"grf\":[],\"vhipy\":[],\"toey\":[],"
        "\"ahipy\":[],\"vtoey\":[]},\"end_frames\":[3],\"metrics\":{\"x\":[1e-3]},"
        "\"all_timestamps\":[0,0.033],\"title\":\"spoof\",\"note\":\"a \\\"q\\\" } ]\"}",
        /* missing nested keys: slow path */
        "{\"angles\":{\"kne_angle\":[2]},\"metrics\":{},\"all_timestamps\":[]}",
        /* not an object */
        "[1,2]",
        "{\"broken\": [1, 2}",
    };
    for (size_t i = 0; i < KZ_ARRAY_LEN(docs); i++) {
        struct store_session s;
        char *text;
        json_t *fast, *slow;
        session(&s, "jumping", docs[i]);
        str_copy(s.exercise, sizeof s.exercise, "Drop Jump");
        text = api_session_detail_text(&s, "Ann", NULL);
        assert_non_null(text);
        fast = json_loads(text, JSON_REJECT_DUPLICATES, NULL);
        assert_non_null(fast); /* valid JSON, no duplicate keys */
        slow = api_session_detail(&s, "Ann", NULL);
        if (!json_equal(fast, slow))
            fail_msg("doc %zu: fast path differs: %s", i, text);
        assert_string_equal(json_obj_str(fast, "title"), "T");
        free(text);
        json_decref(fast);
        json_decref(slow);
        store_session_cleanup(&s);
    }
}

static void test_status_doc(void **state)
{
    struct store_session s;
    json_t *d;
    (void)state;
    session(&s, "weightlifting", NULL);
    s.has_barbell = 1;
    s.barbell_mass = 220;
    str_copy(s.barbell_unit, sizeof s.barbell_unit, "lb");
    str_copy(s.exercise, sizeof s.exercise, "clean");
    d = api_session_status_doc(&s);
    assert_string_equal(json_obj_str(d, "status"), "completed");
    assert_false(json_is_true(json_object_get(d, "results_available")));
    assert_non_null(strstr(json_obj_str(d, "message"), "404"));
    assert_true(json_is_null(json_object_get(d, "failure_reason")));
    assert_string_equal(json_obj_str(json_object_get(d, "options"), "barbell_unit"), "lb");
    json_decref(d);
    str_copy(s.status, sizeof s.status, "failed");
    str_copy(s.failure_reason, sizeof s.failure_reason, "media: broken");
    d = api_session_status_doc(&s);
    assert_string_equal(json_obj_str(d, "failure_reason"), "media: broken");
    json_decref(d);
    store_session_cleanup(&s);
}

static void test_visibility(void **state)
{
    struct api_caller c;
    struct store_session s;
    (void)state;
    memset(&c, 0, sizeof c);
    session(&s, "running", NULL);
    str_copy(c.org.id, sizeof c.org.id, "o1");
    str_copy(c.user.id, sizeof c.user.id, "u2");
    str_copy(c.user.role, sizeof c.user.role, "user");
    assert_false(api_session_visible(&c, &s)); /* another athlete's */
    str_copy(c.user.id, sizeof c.user.id, "u1");
    assert_true(api_session_visible(&c, &s)); /* own */
    str_copy(c.user.role, sizeof c.user.role, "sub_admin");
    str_copy(c.user.id, sizeof c.user.id, "u9");
    assert_true(api_session_visible(&c, &s)); /* staff of the organization */
    str_copy(c.org.id, sizeof c.org.id, "o2");
    assert_false(api_session_visible(&c, &s)); /* another organization */
    store_session_cleanup(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_created_at),     cmocka_unit_test(test_user_doc),
        cmocka_unit_test(test_detail_jumping), cmocka_unit_test(test_detail_running_and_lifting),
        cmocka_unit_test(test_status_doc),     cmocka_unit_test(test_detail_text),
        cmocka_unit_test(test_visibility),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
