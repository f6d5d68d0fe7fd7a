/* test_store.c — the SQLite store: migrations on a fresh file, records round
   trip, org-scoped deletes, and the job queue's leases and attempt bound. */
#include "store/store.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

struct fx {
    char dir[64];
    char url[128];
    struct store *s;
};

static int setup(void **state)
{
    struct fx *f = calloc(1, sizeof *f);
    struct err_ctx e;
    snprintf(f->dir, sizeof f->dir, "/tmp/kz-store-XXXXXX");
    assert_non_null(mkdtemp(f->dir));
    snprintf(f->url, sizeof f->url, "sqlite:%s/db", f->dir);
    assert_int_equal(store_open(f->url, &f->s, &e), KZ_OK);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fx *f = *state;
    char p[128];
    store_close(f->s);
    snprintf(p, sizeof p, "%s/db", f->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/db-wal", f->dir);
    unlink(p);
    snprintf(p, sizeof p, "%s/db-shm", f->dir);
    unlink(p);
    rmdir(f->dir);
    free(f);
    return 0;
}

static void seed(struct store *s, const char *org, const char *user)
{
    struct err_ctx e;
    struct store_org o = {0};
    struct store_user u = {0};
    snprintf(o.id, sizeof o.id, "%s", org);
    snprintf(o.name, sizeof o.name, "Org %s", org);
    snprintf(o.unit_system, sizeof o.unit_system, "metric");
    snprintf(o.payment_type, sizeof o.payment_type, "Enterprise");
    assert_int_equal(store_org_insert(s, &o, &e), KZ_OK);
    snprintf(u.id, sizeof u.id, "%s", user);
    snprintf(u.org_id, sizeof u.org_id, "%s", org);
    snprintf(u.role, sizeof u.role, "admin");
    snprintf(u.email, sizeof u.email, "%s@x", user);
    snprintf(u.display_name, sizeof u.display_name, "U %s", user);
    u.created_at_ms = 1;
    assert_int_equal(store_user_insert(s, &u, &e), KZ_OK);
}

static void new_session(struct store *s, const char *id, int max_attempts)
{
    struct err_ctx e;
    struct store_session ss = {0};
    snprintf(ss.id, sizeof ss.id, "%s", id);
    snprintf(ss.org_id, sizeof ss.org_id, "o1");
    snprintf(ss.user_id, sizeof ss.user_id, "u1");
    snprintf(ss.activity, sizeof ss.activity, "jumping");
    snprintf(ss.title, sizeof ss.title, "t");
    snprintf(ss.video_key, sizeof ss.video_key, "sessions/%s/original.mp4", id);
    ss.created_at_ms = 1000;
    assert_int_equal(store_session_create(s, &ss, max_attempts, &e), KZ_OK);
}

static void test_records(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct store_user u;
    struct store_key k = {0}, k2;
    int64_t n = -1;
    assert_int_equal(store_org_count(f->s, &n, &e), KZ_OK);
    assert_int_equal(n, 0);
    seed(f->s, "o1", "u1");
    seed(f->s, "o2", "u2");
    assert_int_equal(store_org_count(f->s, &n, &e), KZ_OK);
    assert_int_equal(n, 2);
    assert_int_equal(store_user_get(f->s, "u1", &u, &e), KZ_OK);
    assert_string_equal(u.org_id, "o1");
    assert_string_equal(u.email, "u1@x");
    u.height_cm = 181.5;
    assert_int_equal(store_user_update(f->s, &u, &e), KZ_OK);
    assert_int_equal(store_user_get(f->s, "u1", &u, &e), KZ_OK);
    assert_true(u.height_cm == 181.5);
    /* same email twice in one org: conflict */
    snprintf(u.id, sizeof u.id, "u3");
    assert_int_equal(store_user_insert(f->s, &u, &e), KZ_E_CONFLICT);
    /* keys */
    snprintf(k.id, sizeof k.id, "k1");
    snprintf(k.org_id, sizeof k.org_id, "o1");
    snprintf(k.user_id, sizeof k.user_id, "u1");
    snprintf(k.title, sizeof k.title, "T");
    snprintf(k.domain, sizeof k.domain, "example.com");
    memset(k.hash, 0xab, sizeof k.hash);
    k.is_active = 1;
    assert_int_equal(store_key_insert(f->s, &k, &e), KZ_OK);
    assert_int_equal(store_key_get(f->s, "k1", &k2, &e), KZ_OK);
    assert_memory_equal(k2.hash, k.hash, sizeof k.hash);
    assert_int_equal(k2.has_description, 0);
    assert_int_equal(store_key_count(f->s, "u1", &n, &e), KZ_OK);
    assert_int_equal(n, 1);
    /* deleting from the wrong organization does nothing */
    assert_int_equal(store_user_delete(f->s, "o2", "u1", &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_user_delete(f->s, "o1", "u1", &e), KZ_OK);
    assert_int_equal(store_key_get(f->s, "k1", &k2, &e), KZ_E_NOT_FOUND); /* cascaded */
    assert_int_equal(store_user_get(f->s, "u1", &u, &e), KZ_E_NOT_FOUND);
}

static void test_queue(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct store_job j, j2;
    struct store_session ss;
    int requeued = -1;
    seed(f->s, "o1", "u1");
    new_session(f->s, "s1", 2);
    new_session(f->s, "s2", 1);
    assert_int_equal(store_session_get(f->s, "s1", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "queued");
    assert_null(ss.media_json);
    store_session_cleanup(&ss);

    /* worker A claims s1 with a 1 s lease at t=10 s */
    assert_int_equal(store_job_claim(f->s, "A", 10000, 1000, &j, &e), KZ_OK);
    assert_string_equal(j.session_id, "s1");
    assert_int_equal(j.attempts, 1);
    assert_int_equal(store_job_heartbeat(f->s, &j, 10500 + 1000, 40, "media", &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "s1", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "processing");
    assert_int_equal(ss.progress, 40);
    assert_string_equal(ss.stage, "media");
    store_session_cleanup(&ss);

    /* B, before A's lease expires, gets s2 not s1 */
    assert_int_equal(store_job_claim(f->s, "B", 11000, 1000, &j2, &e), KZ_OK);
    assert_string_equal(j2.session_id, "s2");
    /* B fails s2 retryably, but s2 allows 1 attempt: failed */
    assert_int_equal(store_job_fail(f->s, &j2, "decoder broke", 1, &requeued, &e), KZ_OK);
    assert_int_equal(requeued, 0);
    assert_int_equal(store_session_get(f->s, "s2", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "failed");
    assert_string_equal(ss.failure_reason, "decoder broke");
    store_session_cleanup(&ss);

    /* A dies; after its lease (11.5 s) B re-claims s1 as attempt 2 */
    assert_int_equal(store_job_claim(f->s, "B", 11400, 1000, &j2, &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_job_claim(f->s, "B", 12000, 1000, &j2, &e), KZ_OK);
    assert_string_equal(j2.session_id, "s1");
    assert_int_equal(j2.attempts, 2);
    /* A wakes up: its lease is gone */
    assert_int_equal(store_job_heartbeat(f->s, &j, 20000, 50, "media", &e), KZ_E_CONFLICT);
    assert_int_equal(store_job_complete(f->s, &j, &e), KZ_E_CONFLICT);
    /* B releases on shutdown: attempt not spent, queued again */
    assert_int_equal(store_job_release(f->s, &j2, &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "s1", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "queued");
    store_session_cleanup(&ss);
    assert_int_equal(store_job_claim(f->s, "C", 13000, 1000, &j, &e), KZ_OK);
    assert_int_equal(j.attempts, 2);
    /* C dies too: no attempts left, the next claim fails the session */
    assert_int_equal(store_job_claim(f->s, "D", 15000, 1000, &j2, &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, "s1", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "failed");
    assert_non_null(strstr(ss.failure_reason, "gave up after 2 attempts"));
    store_session_cleanup(&ss);
}

static void test_complete_and_media(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct store_job j;
    struct store_session ss;
    char st[16];
    seed(f->s, "o1", "u1");
    new_session(f->s, "s1", 3);
    assert_int_equal(store_job_claim(f->s, "A", 1000, 30000, &j, &e), KZ_OK);
    assert_int_equal(store_session_set_media(f->s, "s1", "{\"codec\":\"h264\"}",
                                             "sessions/s1/thumbnail.jpg", &e),
                     KZ_OK);
    assert_int_equal(store_job_complete(f->s, &j, &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "s1", &ss, &e), KZ_OK);
    assert_string_equal(ss.status, "completed");
    assert_int_equal(ss.progress, 100);
    assert_string_equal(ss.media_json, "{\"codec\":\"h264\"}");
    assert_string_equal(ss.thumbnail_key, "sessions/s1/thumbnail.jpg");
    store_session_cleanup(&ss);
    assert_int_equal(store_job_state(f->s, "s1", st, sizeof st, &e), KZ_OK);
    assert_string_equal(st, "done");
    assert_int_equal(store_job_claim(f->s, "A", 2000, 30000, &j, &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_session_get(f->s, "nope", &ss, &e), KZ_E_NOT_FOUND);
}

static void test_reopen_and_url(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct store *s2 = NULL;
    int64_t n = 0;
    seed(f->s, "o1", "u1");
    /* a second handle on the same file sees the data, schema not re-applied */
    assert_int_equal(store_open(f->url, &s2, &e), KZ_OK);
    assert_string_equal(store_backend_name(s2), "sqlite");
    assert_int_equal(store_org_count(s2, &n, &e), KZ_OK);
    assert_int_equal(n, 1);
    store_close(s2);
    assert_int_equal(store_open("postgres://x", &s2, &e), KZ_E_UNSUPPORTED);
    assert_null(s2);
}

/* ---- listing, cursors, update, delete ---- */
struct collect {
    int n;
    char ids[64][STORE_ID_MAX];
    char metrics[64][128];
};

static int collect_fn(void *ctx, const struct store_session *ss)
{
    struct collect *c = ctx;
    snprintf(c->ids[c->n], sizeof c->ids[0], "%s", ss->id);
    snprintf(c->metrics[c->n], sizeof c->metrics[0], "%s",
             ss->metrics_json ? ss->metrics_json : "");
    c->n++;
    return c->n >= 64;
}

static void add_at(struct store *s, const char *id, const char *activity, const char *title,
                   int64_t created_ms)
{
    struct err_ctx e;
    struct store_session ss = {0};
    snprintf(ss.id, sizeof ss.id, "%s", id);
    snprintf(ss.org_id, sizeof ss.org_id, "o1");
    snprintf(ss.user_id, sizeof ss.user_id, "u1");
    snprintf(ss.activity, sizeof ss.activity, "%s", activity);
    snprintf(ss.title, sizeof ss.title, "%s", title);
    ss.created_at_ms = created_ms;
    assert_int_equal(store_session_create(s, &ss, 3, &e), KZ_OK);
}

static void test_list_filters_and_cursors(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct collect c = {0};
    struct store_session_query q = {.org_id = "o1"};
    seed(f->s, "o1", "u1");
    seed(f->s, "o2", "u2");
    add_at(f->s, "a", "running", "Morning Run", 1000);
    add_at(f->s, "b", "jumping", "CMJ test", 2000);
    add_at(f->s, "c", "running", "evening RUN", 3000);
    add_at(f->s, "d", "running", "tie one", 3000); /* same time as c: id breaks the tie */
    assert_int_equal(store_session_set_results(f->s, "a",
                                               "{\"metrics\":{\"cadence\":[170]},"
                                               "\"segments\":4}",
                                               &e),
                     KZ_OK);

    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 4);
    assert_string_equal(c.ids[0], "d"); /* newest first, then id descending */
    assert_string_equal(c.ids[1], "c");
    assert_string_equal(c.ids[2], "b");
    assert_string_equal(c.ids[3], "a");
    assert_string_equal(c.metrics[3], "{\"cadence\":[170]}");

    memset(&c, 0, sizeof c); /* title is a case-insensitive substring */
    q.title_substr = "run";
    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 2);
    q.title_substr = NULL;

    memset(&c, 0, sizeof c); /* activity + created range [2000, 3000) */
    q.has_from = q.has_to = 1;
    q.from_ms = 2000;
    q.to_ms = 3001;
    q.activity = "running";
    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 2);
    q.has_from = q.has_to = 0;
    q.activity = NULL;

    memset(&c, 0, sizeof c); /* forward cursor after "c" (3000, "c") */
    q.cursor_dir = 1;
    q.cursor_created_ms = 3000;
    q.cursor_id = "c";
    q.limit = 1;
    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.ids[0], "b");

    memset(&c, 0, sizeof c); /* backward cursor before "a": the 2 nearest newer, newest first */
    q.cursor_dir = -1;
    q.cursor_created_ms = 1000;
    q.cursor_id = "a";
    q.limit = 2;
    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 2);
    assert_string_equal(c.ids[0], "c");
    assert_string_equal(c.ids[1], "b");

    q.limit = 0; /* a backward page needs a limit */
    assert_int_equal(store_session_list(f->s, &q, collect_fn, &c, &e), KZ_E_INVALID);

    memset(&c, 0, sizeof c); /* another organization sees none of them */
    struct store_session_query q2 = {.org_id = "o2"};
    assert_int_equal(store_session_list(f->s, &q2, collect_fn, &c, &e), KZ_OK);
    assert_int_equal(c.n, 0);
}

static void test_update_and_delete(void **state)
{
    struct fx *f = *state;
    struct err_ctx e;
    struct store_session got = {0};
    char st[16];
    seed(f->s, "o1", "u1");
    add_at(f->s, "a", "running", "old", 1000);
    assert_int_equal(store_session_update(f->s, "a", "new", -1, &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "a", &got, &e), KZ_OK);
    assert_string_equal(got.title, "new");
    assert_int_equal(got.created_at_ms, 1000);
    store_session_cleanup(&got);
    assert_int_equal(store_session_update(f->s, "a", NULL, 5000, &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "a", &got, &e), KZ_OK);
    assert_string_equal(got.title, "new");
    assert_int_equal(got.created_at_ms, 5000);
    store_session_cleanup(&got);
    assert_int_equal(store_session_update(f->s, "zz", "x", -1, &e), KZ_E_NOT_FOUND);

    /* delete is scoped to the organization and takes the job with it */
    assert_int_equal(store_session_delete(f->s, "o2", "a", &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_job_state(f->s, "a", st, sizeof st, &e), KZ_OK);
    assert_int_equal(store_session_delete(f->s, "o1", "a", &e), KZ_OK);
    assert_int_equal(store_session_get(f->s, "a", &got, &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_job_state(f->s, "a", st, sizeof st, &e), KZ_E_NOT_FOUND);
    assert_int_equal(store_session_delete(f->s, "o1", "a", &e), KZ_E_NOT_FOUND);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_records, setup, teardown),
        cmocka_unit_test_setup_teardown(test_queue, setup, teardown),
        cmocka_unit_test_setup_teardown(test_complete_and_media, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reopen_and_url, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_filters_and_cursors, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_delete, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
