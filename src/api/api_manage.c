/*
 * api_manage.c — the activity-independent session routes (vendor §3.6):
 *
 *   GET    /session-management/sessions/                 every visible session
 *   GET    /session-management/sessions/filter/          filtered, keyset-paged
 *   POST   /session-management/sessions/by-ids/          {"session_ids": [...]}
 *   PUT    /session-management/sessions/{id}             title / created_at
 *   DELETE /session-management/sessions/{id}             rows, job, media files
 *   GET    /session-management/sessions/{id}/analyzed-video/   signed URL
 *   GET    /{activity}/sessions/{id}/export/             the vendor's export shape
 *
 * Visibility is one rule (api_session_visible): an admin or sub-admin sees
 * its organization's sessions, a user its own. A session the caller may not
 * see gets exactly the answer an unknown id gets.
 *
 * Session documents in listings are the vendor's (created_at, video_url,
 * analyzed_video_url, segments, activity, title, user_id, user_name,
 * report_comments, metrics, exercise, user_status) plus our session_id,
 * status, progress and thumbnail_url. Listings are ordered newest first by
 * (created_at, id); the filter's cursors are keyset cursors over that order.
 */
#include "api/api_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MANAGE_LIMIT_DEFAULT 10
#define MANAGE_LIMIT_MAX 100
#define MANAGE_BY_IDS_MAX 100

/* ---- dates ---- */
static int manage_digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian); -1 when the date is invalid. */
static int64_t manage_days(int y, int m, int d)
{
    static const int mdays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    struct tm tm = {0};
    if (y < 1970 || y > 9999 || m < 1 || m > 12 || d < 1 || d > mdays[m - 1] + (m == 2 && leap))
        return -1;
    tm.tm_year = y - 1900;
    tm.tm_mon = m - 1;
    tm.tm_mday = d;
    return (int64_t)timegm(&tm) / 86400;
}

enum kz_err api_parse_date_dmy(const char *s, int64_t *ms)
{
    int d, m, y;
    int64_t days;
    if (!s || strlen(s) != 10 || s[2] != '/' || s[5] != '/' || manage_digits(s, 2, &d) ||
        manage_digits(s + 3, 2, &m) || manage_digits(s + 6, 4, &y))
        return KZ_E_FORMAT;
    if ((days = manage_days(y, m, d)) < 0)
        return KZ_E_FORMAT;
    *ms = days * 86400000;
    return KZ_OK;
}

enum kz_err api_parse_datetime(const char *s, int64_t *ms)
{
    int y, mo, d, h, mi, se;
    int64_t days;
    if (!s || strlen(s) != 19 || s[4] != '-' || s[7] != '-' || s[10] != ' ' || s[13] != ':' ||
        s[16] != ':' || manage_digits(s, 4, &y) || manage_digits(s + 5, 2, &mo) ||
        manage_digits(s + 8, 2, &d) || manage_digits(s + 11, 2, &h) ||
        manage_digits(s + 14, 2, &mi) || manage_digits(s + 17, 2, &se))
        return KZ_E_FORMAT;
    if ((days = manage_days(y, mo, d)) < 0 || h > 23 || mi > 59 || se > 59)
        return KZ_E_FORMAT;
    *ms = ((days * 24 + h) * 60 + mi) * 60000 + (int64_t)se * 1000;
    return KZ_OK;
}

/* ---- documents ---- */
json_t *api_session_summary(const struct store_session *s, const char *user_name,
                            const char *user_role, const struct api_urls *urls)
{
    json_error_t je;
    json_t *metrics = s->metrics_json ? json_loads(s->metrics_json, 0, &je) : NULL;
    json_t *d;
    if (!json_is_object(metrics)) {
        json_decref(metrics);
        metrics = json_object();
    }
    d = json_pack("{s:o,s:s,s:s?,s:i,s:s,s:s,s:s,s:s,s:{},s:o,s:s,s:s,s:s,s:i,s:s?}", "created_at",
                  api_created_at(s->created_at_ms), "video_url", urls->video, "analyzed_video_url",
                  urls->analyzed[0] ? urls->analyzed : NULL, "segments", s->segments, "activity",
                  api_activity_display(s->activity), "title", s->title, "user_id", s->user_id,
                  "user_name", user_name ? user_name : "", "report_comments", "metrics", metrics,
                  "user_status", user_role && strcmp(user_role, "user") != 0 ? "admin" : "user",
                  "session_id", s->id, "status", s->status, "progress", s->progress,
                  "thumbnail_url", urls->thumbnail[0] ? urls->thumbnail : NULL);
    if (d && s->exercise[0])
        json_object_set_new(d, "exercise", json_string(s->exercise));
    if (d && strcmp(s->status, STORE_STATUS_FAILED) == 0)
        json_object_set_new(d, "failure_reason", json_string(s->failure_reason));
    return d;
}

/* Owner's name and role for a listing document (blank when the user is gone). */
static void manage_owner(struct api *a, const char *user_id, char *name, size_t name_cap,
                         char *role, size_t role_cap)
{
    struct store_user u;
    if (store_user_get(a->store, user_id, &u, NULL) == KZ_OK) {
        str_copy(name, name_cap, u.display_name);
        str_copy(role, role_cap, u.role);
    } else {
        name[0] = role[0] = '\0';
    }
}

/* Accumulates listing documents into {"<id>": doc, ...}. */
struct manage_page {
    struct api *a;
    struct http_request *r;
    json_t *sessions;
    int count;
    char first_id[STORE_ID_MAX], last_id[STORE_ID_MAX];
    int oom;
};

static int manage_page_add(void *ctx, const struct store_session *s)
{
    struct manage_page *p = ctx;
    struct api_urls urls;
    char name[STORE_NAME_MAX], role[16];
    json_t *doc;
    manage_owner(p->a, s->user_id, name, sizeof name, role, sizeof role);
    api_session_urls(p->a, p->r, s, &urls);
    doc = api_session_summary(s, name, role, &urls);
    if (!doc || json_object_set_new(p->sessions, s->id, doc) != 0) {
        p->oom = 1;
        return 1;
    }
    if (p->count++ == 0)
        str_copy(p->first_id, sizeof p->first_id, s->id);
    str_copy(p->last_id, sizeof p->last_id, s->id);
    return 0;
}

/* The base query for what `c` may see. */
static void manage_scope(const struct api_caller *c, struct store_session_query *q)
{
    memset(q, 0, sizeof *q);
    q->org_id = c->org.id;
    if (!api_caller_is_staff(c))
        q->user_id = c->user.id;
}

enum kz_err api_sessions_list(struct api *a, struct http_request *r, const struct api_caller *c,
                              struct err_ctx *e)
{
    struct store_session_query q;
    struct manage_page p = {a, r, json_object(), 0, "", "", 0};
    enum kz_err rc;
    if (!p.sessions)
        return err_set(e, KZ_E_NOMEM, NULL);
    manage_scope(c, &q);
    rc = store_session_list(a->store, &q, manage_page_add, &p, e);
    if (rc == KZ_OK && p.oom)
        rc = err_set(e, KZ_E_NOMEM, NULL);
    if (rc == KZ_OK && p.count == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "No sessions found for this user.");
    if (rc != KZ_OK) {
        json_decref(p.sessions);
        return rc;
    }
    api_reply_json(r, 200, json_pack("{s:o}", "sessions", p.sessions));
    return KZ_OK;
}

/* Vendor activity names (and ours) → the stored activity; NULL when unknown. */
static const char *manage_activity(const char *v)
{
    static const struct {
        const char *name, *activity;
    } map[] = {
        {"running", "running"},
        {"jumping", "jumping"},
        {"vertical jump", "jumping"},
        {"verticaljump", "jumping"},
        {"weightlifting", "weightlifting"},
    };
    for (size_t i = 0; i < KZ_ARRAY_LEN(map); i++)
        if (strcasecmp(v, map[i].name) == 0)
            return map[i].activity;
    return NULL;
}

/* Resolve a cursor id to its sort key; only a session the caller may see counts. */
static enum kz_err manage_cursor(struct api *a, const struct api_caller *c, const char *id,
                                 const char *param, int dir, struct store_session_query *q,
                                 struct err_ctx *e)
{
    struct store_session s = {0};
    enum kz_err rc = store_session_get(a->store, id, &s, e);
    int visible = rc == KZ_OK && api_session_visible(c, &s);
    int64_t created = s.created_at_ms;
    store_session_cleanup(&s);
    if (rc != KZ_OK && rc != KZ_E_NOT_FOUND)
        return rc;
    if (!visible)
        return err_set(e, KZ_E_INVALID, "Invalid %s: no such session.", param);
    q->cursor_dir = dir;
    q->cursor_created_ms = created;
    q->cursor_id = id;
    return KZ_OK;
}

enum kz_err api_sessions_filter(struct api *a, struct http_request *r, const struct api_caller *c,
                                struct err_ctx *e)
{
    const char *limit_s = http_request_query(r, "limit");
    const char *activity = http_request_query(r, "activity");
    const char *start_date = http_request_query(r, "start_date");
    const char *end_date = http_request_query(r, "end_date");
    const char *title = http_request_query(r, "title");
    const char *user_id = http_request_query(r, "user_id");
    const char *after = http_request_query(r, "start_after_id");
    const char *before = http_request_query(r, "end_before_id");
    struct store_session_query q;
    struct manage_page p = {a, r, NULL, 0, "", "", 0};
    int64_t limit = MANAGE_LIMIT_DEFAULT;
    enum kz_err rc;

    manage_scope(c, &q);
    if (limit_s && limit_s[0] && str_to_i64(limit_s, 1, MANAGE_LIMIT_MAX, &limit) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "Invalid limit parameter (expected 1 to %d).",
                       MANAGE_LIMIT_MAX);
    q.limit = (int)limit;
    if (activity && activity[0] && !(q.activity = manage_activity(activity)))
        return err_set(e, KZ_E_INVALID,
                       "Invalid activity (expected Running, Vertical Jump or Weightlifting).");
    if (start_date && start_date[0]) {
        if (api_parse_date_dmy(start_date, &q.from_ms) != KZ_OK)
            return err_set(e, KZ_E_INVALID, "Invalid date format (expected dd/mm/yyyy).");
        q.has_from = 1;
    }
    if (end_date && end_date[0]) { /* inclusive: up to the end of that day */
        if (api_parse_date_dmy(end_date, &q.to_ms) != KZ_OK)
            return err_set(e, KZ_E_INVALID, "Invalid date format (expected dd/mm/yyyy).");
        q.to_ms += 86400000;
        q.has_to = 1;
    }
    if (title && title[0])
        q.title_substr = title;
    if (user_id && user_id[0]) {
        /* A user may only name itself; anything else selects nothing, as an unknown id would. */
        if (q.user_id && strcmp(q.user_id, user_id) != 0)
            return err_set(e, KZ_E_NOT_FOUND, "No sessions found for the given criteria.");
        q.user_id = user_id;
    }
    if (after && after[0])
        rc = manage_cursor(a, c, after, "start_after_id", 1, &q, e);
    else if (before && before[0])
        rc = manage_cursor(a, c, before, "end_before_id", -1, &q, e);
    else
        rc = KZ_OK;
    if (rc != KZ_OK)
        return rc;

    if (!(p.sessions = json_object()))
        return err_set(e, KZ_E_NOMEM, NULL);
    rc = store_session_list(a->store, &q, manage_page_add, &p, e);
    if (rc == KZ_OK && p.oom)
        rc = err_set(e, KZ_E_NOMEM, NULL);
    if (rc == KZ_OK && p.count == 0)
        rc = err_set(e, KZ_E_NOT_FOUND, "No sessions found for the given criteria.");
    if (rc != KZ_OK) {
        json_decref(p.sessions);
        return rc;
    }
    api_reply_json(r, 200,
                   json_pack("{s:i,s:o,s:s,s:s}", "query_count", p.count, "sessions", p.sessions,
                             "first_doc_id", p.first_id, "last_doc_id", p.last_id));
    return KZ_OK;
}

enum kz_err api_sessions_by_ids(struct api *a, struct http_request *r, const struct api_caller *c,
                                struct err_ctx *e)
{
    json_t *body = NULL, *ids, *v;
    struct manage_page p = {a, r, NULL, 0, "", "", 0};
    enum kz_err rc = api_body_json(r, &body, e);
    size_t i;
    if (rc != KZ_OK)
        return err_set(e, KZ_E_INVALID, "session_ids missing or invalid");
    ids = json_object_get(body, "session_ids");
    if (!json_is_array(ids) || json_array_size(ids) == 0 ||
        json_array_size(ids) > MANAGE_BY_IDS_MAX) {
        json_decref(body);
        return err_set(e, KZ_E_INVALID, "session_ids missing or invalid (1 to %d ids)",
                       MANAGE_BY_IDS_MAX);
    }
    json_array_foreach(ids, i, v)
    {
        if (!json_is_string(v) || json_string_length(v) == 0 ||
            json_string_length(v) >= STORE_ID_MAX) {
            json_decref(body);
            return err_set(e, KZ_E_INVALID, "session_ids missing or invalid");
        }
    }
    if (!(p.sessions = json_object())) {
        json_decref(body);
        return err_set(e, KZ_E_NOMEM, NULL);
    }
    json_array_foreach(ids, i, v)
    {
        struct store_session s = {0};
        const char *id = json_string_value(v);
        if (json_object_get(p.sessions, id))
            continue;
        rc = store_session_get(a->store, id, &s, e);
        if (rc == KZ_E_NOT_FOUND) {
            rc = KZ_OK;
            continue;
        }
        if (rc != KZ_OK)
            break;
        if (api_session_visible(c, &s)) {
            /* listing documents carry only the results' metrics and segments */
            json_error_t je;
            json_t *res = s.results_json ? json_loads(s.results_json, 0, &je) : NULL;
            json_t *m = json_object_get(res, "metrics");
            json_t *seg = json_object_get(res, "segments");
            s.metrics_json = json_is_object(m) ? json_dumps(m, JSON_COMPACT) : NULL;
            s.segments = json_is_integer(seg) ? (int)json_integer_value(seg) : 0;
            json_decref(res);
            manage_page_add(&p, &s);
        }
        store_session_cleanup(&s);
        if (p.oom) {
            rc = err_set(e, KZ_E_NOMEM, NULL);
            break;
        }
    }
    json_decref(body);
    if (rc != KZ_OK) {
        json_decref(p.sessions);
        return rc;
    }
    api_reply_json(r, 200, json_pack("{s:o}", "sessions", p.sessions));
    return KZ_OK;
}

/* Load session `id` when `c` may see it; otherwise the vendor's "Session <id> not found". */
static enum kz_err manage_load(struct api *a, const struct api_caller *c, const char *id,
                               struct store_session *s, struct err_ctx *e)
{
    enum kz_err rc = store_session_get(a->store, id, s, e);
    if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && !api_session_visible(c, s))) {
        store_session_cleanup(s);
        return err_set(e, KZ_E_NOT_FOUND, "Session %s not found", id);
    }
    return rc;
}

enum kz_err api_session_update(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e)
{
    const char *id = http_request_param(r, "session_id");
    struct store_session s = {0};
    json_t *body = NULL, *title, *created;
    const char *new_title = NULL;
    int64_t created_ms = -1;
    char msg[STORE_ID_MAX + 64];
    enum kz_err rc = manage_load(a, c, id, &s, e);
    store_session_cleanup(&s);
    if (rc != KZ_OK)
        return rc;
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    title = json_object_get(body, "title");
    created = json_object_get(body, "created_at");
    if (!title && !created) {
        rc = err_set(e, KZ_E_INVALID, "Nothing to update: give title and/or created_at.");
        goto out;
    }
    if (title) {
        if (!json_is_string(title) || json_string_length(title) == 0 ||
            json_string_length(title) >= STORE_NAME_MAX) {
            rc = err_set(e, KZ_E_INVALID, "title must be a non-empty string of at most %d bytes.",
                         STORE_NAME_MAX - 1);
            goto out;
        }
        new_title = json_string_value(title);
    }
    if (created && (!json_is_string(created) ||
                    api_parse_datetime(json_string_value(created), &created_ms) != KZ_OK)) {
        rc = err_set(e, KZ_E_INVALID, "Invalid created_at format (expected YYYY-MM-DD HH:MM:SS).");
        goto out;
    }
    rc = store_session_update(a->store, id, new_title, created_ms, e);
    if (rc == KZ_E_NOT_FOUND)
        rc = err_set(e, KZ_E_NOT_FOUND, "Session %s not found", id);
    if (rc == KZ_OK) {
        str_printf(msg, sizeof msg, "%s was successfully updated", id);
        api_reply_json(r, 200, json_pack("{s:s}", "success", msg));
    }
out:
    json_decref(body);
    return rc;
}

enum kz_err api_session_delete(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e)
{
    const char *id = http_request_param(r, "session_id");
    struct store_session s = {0};
    char dir[STORE_ID_MAX + 16], msg[STORE_ID_MAX + 64];
    struct err_ctx be;
    enum kz_err rc = manage_load(a, c, id, &s, e);
    store_session_cleanup(&s);
    if (rc != KZ_OK)
        return rc;
    /* Rows first (a running job sees the session gone at its next heartbeat and
       stops, removing what it wrote since), then the files. */
    rc = store_session_delete(a->store, c->org.id, id, e);
    if (rc == KZ_E_NOT_FOUND)
        return err_set(e, KZ_E_NOT_FOUND, "Session %s not found", id);
    if (rc != KZ_OK)
        return rc;
    str_printf(dir, sizeof dir, "sessions/%s", id);
    if (blob_remove_prefix(a->blob, dir, &be) != KZ_OK)
        log_warn("api: delete %s: media files: %s", id, err_msg(&be));
    str_printf(msg, sizeof msg, "%s was successfully deleted", id);
    api_reply_json(r, 200, json_pack("{s:s}", "success", msg));
    return KZ_OK;
}

/* 1 for "true"/"1"/"yes" (case-insensitive). */
static int manage_flag(const char *v)
{
    return v && (strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0 || strcasecmp(v, "yes") == 0);
}

enum kz_err api_session_analyzed_video(struct api *a, struct http_request *r,
                                       const struct api_caller *c, struct err_ctx *e)
{
    const char *id = http_request_param(r, "session_id");
    struct store_session s = {0};
    char key[STORE_ID_MAX + 32], url[1024];
    int64_t size;
    enum kz_err rc = store_session_get(a->store, id, &s, e);
    int visible = rc == KZ_OK && api_session_visible(c, &s);
    store_session_cleanup(&s);
    if (rc != KZ_OK && rc != KZ_E_NOT_FOUND)
        return rc;
    blob_session_key(id, BLOB_FILE_ANALYZED, key, sizeof key, NULL);
    if (!visible || blob_size(a->blob, key, &size, NULL) != KZ_OK)
        return err_set(e, KZ_E_NOT_FOUND, "Session data not found");
    api_media_url(a, r, id, BLOB_FILE_ANALYZED, manage_flag(http_request_query(r, "download")), url,
                  sizeof url);
    api_reply_json(r, 200, json_pack("{s:s}", "analyzed_video_url", url));
    return KZ_OK;
}

/* ---- export ---- */
/* Mean of the finite numbers in `v` (an array) or `v` itself (a number); NULL otherwise. */
static json_t *manage_number(const json_t *v)
{
    size_t i, n = 0;
    double sum = 0;
    const json_t *x;
    if (json_is_number(v))
        return json_real(json_number_value(v));
    if (!json_is_array(v))
        return NULL;
    json_array_foreach(v, i, x)
    {
        if (json_is_number(x)) {
            sum += json_number_value(x);
            n++;
        }
    }
    return n ? json_real(sum / (double)n) : NULL;
}

/* {"name": number} from a metrics object whose values may be per-step arrays. */
static json_t *manage_scalar_metrics(const json_t *metrics, const json_t *calculated)
{
    json_t *out = json_object();
    const char *k;
    json_t *v;
    json_object_foreach((json_t *)metrics, k, v)
    {
        json_t *avg = json_object_get(json_object_get(calculated, k), "avg");
        json_t *num = json_is_number(avg) ? json_real(json_number_value(avg)) : manage_number(v);
        if (num)
            json_object_set_new(out, k, num);
    }
    return out;
}

static json_t *manage_obj(json_t *res, const char *key)
{
    json_t *v = json_object_get(res, key);
    return json_is_object(v) ? json_deep_copy(v) : json_object();
}

static json_t *manage_arr(json_t *res, const char *key)
{
    json_t *v = json_object_get(res, key);
    return json_is_array(v) ? json_deep_copy(v) : json_array();
}

static void manage_default_arrays(json_t *obj, const char *const *keys, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!json_is_array(json_object_get(obj, keys[i])))
            json_object_set_new(obj, keys[i], json_array());
}

enum kz_err api_session_export(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e)
{
    const char *id = http_request_param(r, "session_id");
    const char *path = http_request_path(r);
    struct store_session s = {0};
    json_t *res = NULL, *doc = NULL;
    json_error_t je;
    char activity[32];
    size_t n = 0;
    enum kz_err rc;
    while (*path == '/')
        path++;
    while (path[n] && path[n] != '/' && n + 1 < sizeof activity) {
        activity[n] = path[n];
        n++;
    }
    activity[n] = '\0';
    rc = store_session_get(a->store, id, &s, e);
    if (rc == KZ_E_NOT_FOUND ||
        (rc == KZ_OK && (!api_session_visible(c, &s) || strcmp(s.activity, activity) != 0))) {
        store_session_cleanup(&s);
        return err_set(e, KZ_E_NOT_FOUND, "Session not found");
    }
    if (rc != KZ_OK)
        return rc;
    if (!s.results_json || !(res = json_loads(s.results_json, 0, &je)) || !json_is_object(res)) {
        rc = err_set(e, KZ_E_NOT_FOUND, "Session data not found");
        goto out;
    }
    if (strcmp(activity, "jumping") == 0) {
        static const char *const kp[] = {"lknev", "ltoev", "relbv", "rtoey",
                                         "headv", "rearv", "rshox", "etc"};
        static const char *const ang[] = {"hip_intersection_angle",
                                          "ank_angle",
                                          "rkne_angle",
                                          "lkne_angle",
                                          "kne_angle",
                                          "rank_angle",
                                          "lank_angle"};
        struct api_urls urls;
        char name[STORE_NAME_MAX], role[16];
        json_t *keypoints = manage_obj(res, "keypoints"), *angles = manage_obj(res, "angles");
        manage_default_arrays(keypoints, kp, KZ_ARRAY_LEN(kp));
        manage_default_arrays(angles, ang, KZ_ARRAY_LEN(ang));
        api_session_urls(a, r, &s, &urls);
        manage_owner(a, s.user_id, name, sizeof name, role, sizeof role);
        doc = json_pack("{s:o,s:o,s:o,s:s,s:s,s:o,s:s,s:s,s:s,s:o,s:o,s:s}", "keypoints", keypoints,
                        "angles", angles, "all_timestamps", manage_arr(res, "all_timestamps"),
                        "analyzed_video_url", urls.analyzed, "video_url", urls.video, "created_at",
                        api_created_at(s.created_at_ms), "user_name", name, "activity",
                        api_activity_display(s.activity), "title", s.title, "end_frames",
                        manage_arr(res, "end_frames"), "metrics", manage_obj(res, "metrics"),
                        "exercise", s.exercise);
    } else {
        json_t *metrics = manage_scalar_metrics(json_object_get(res, "metrics"),
                                                json_object_get(res, "calculated_metrics"));
        doc = json_pack("{s:o,s:o,s:o,s:o,s:s}", "metrics", metrics, "keypoints",
                        manage_obj(res, "keypoints"), "angles", manage_obj(res, "angles"),
                        "all_timestamps", manage_arr(res, "all_timestamps"), "activity",
                        api_activity_display(s.activity));
        if (doc && strcmp(activity, "running") == 0)
            json_object_set_new(doc, "contact", manage_arr(res, "contact"));
    }
    if (!doc) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto out;
    }
    api_reply_json(r, 200, doc);
out:
    json_decref(res);
    store_session_cleanup(&s);
    return rc;
}
