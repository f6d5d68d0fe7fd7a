/*
 * api_uploads.c — session creation by video upload (AiKYNETIX §3.1):
 * POST /{running,jumping,weightlifting}/sessions/ and their
 * /management/sessions/ twins, multipart/form-data.
 *
 * Flow: authenticate and check the role right after the headers (so a
 * refused upload reads no body) → stream the `video` part to a temporary
 * file in the blob store (memory: one parser + a few small text fields per
 * request, whatever the file size) → validate every field (400 naming it) →
 * media_probe the file (not a decodable video → 400) → place it under
 * sessions/<id>/ → session row + job row in ONE transaction → 200
 * {"session_id", "title"}. Any failure, and any disconnect mid-body, leaves
 * neither file nor row: cleanup removes the temporary file, and a placed
 * file is removed again if the database refuses the rows.
 */
#include "api/api_int.h"
#include "media/media.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#define UP_FIELD_MAX 1024
#define UP_MAX_PARTS 32

/* Text fields we read; anything else is ignored (as a form would). */
static const char *const up_field_names[] = {"user_id",          "session_name",  "incline_degree",
                                             "exercise",         "exercise_name", "barbell_mass",
                                             "body_joint_angles"};
enum { F_USER_ID, F_SESSION_NAME, F_INCLINE, F_EXERCISE, F_EXERCISE_NAME, F_BARBELL, F_JOINTS };

struct upload {
    struct api_caller caller;
    char activity[16];
    int management;
    int fd;
    char tmp_path[BLOB_PATH_MAX];
    char video_name[256];
    int video_parts;
    int64_t video_bytes;
    int parts;
    int cur; /* field index of the part being read, -1 none, -2 video */
    int field_set[KZ_ARRAY_LEN(up_field_names)];
    size_t field_len[KZ_ARRAY_LEN(up_field_names)];
    char field[KZ_ARRAY_LEN(up_field_names)][UP_FIELD_MAX + 1];
};

static void up_fail(struct http_request *r, enum kz_err code, const char *fmt, const char *arg)
{
    struct err_ctx e;
    err_set(&e, code, fmt, arg);
    api_reply_error(r, &e);
}

static int up_begin(struct http_request *r)
{
    struct api *a = http_request_app(r);
    struct upload *u = calloc(1, sizeof *u);
    struct err_ctx e;
    const char *p = http_request_path(r);
    size_t n = 0;
    if (!u) {
        http_respond_error(r, 500, "An unexpected error occurred: out of memory");
        return 1;
    }
    u->fd = -1;
    u->cur = -1;
    http_request_set_data(r, u);
    while (*p == '/')
        p++;
    while (p[n] && p[n] != '/' && n + 1 < sizeof u->activity)
        n++;
    memcpy(u->activity, p, n);
    u->activity[n] = '\0';
    u->management = strstr(p, "/management/") != NULL;
    err_clear(&e);
    if (api_authenticate(a, r, &u->caller, &e) != KZ_OK) {
        api_reply_error(r, &e);
        return 1;
    }
    if (u->management && !api_caller_is_staff(&u->caller)) {
        up_fail(r, KZ_E_FORBIDDEN, "%s", "You must be an admin to access this data.");
        return 1;
    }
    return 0;
}

static int up_part_begin(struct http_request *r, const struct http_part *p)
{
    struct upload *u = http_request_data(r);
    struct api *a = http_request_app(r);
    struct err_ctx e;
    if (++u->parts > UP_MAX_PARTS) {
        up_fail(r, KZ_E_INVALID, "%s", "Too many form fields.");
        return 1;
    }
    u->cur = -1;
    if (strcmp(p->name, "video") == 0) {
        char suffix[16] = "";
        const char *dot = strrchr(p->filename, '.');
        if (++u->video_parts > 1) {
            up_fail(r, KZ_E_INVALID, "%s", "video: only one video file may be provided.");
            return 1;
        }
        /* keep a short, safe extension: it helps nothing but humans */
        if (dot && strlen(dot) < sizeof suffix) {
            int ok = 1;
            for (const char *q = dot + 1; *q; q++)
                if (!((*q >= 'a' && *q <= 'z') || (*q >= 'A' && *q <= 'Z') ||
                      (*q >= '0' && *q <= '9')))
                    ok = 0;
            if (ok)
                str_copy(suffix, sizeof suffix, dot);
        }
        str_copy(u->video_name, sizeof u->video_name, p->filename);
        if (blob_tmp_create(a->blob, suffix, &u->fd, u->tmp_path, &e) != KZ_OK) {
            api_reply_error(r, &e);
            return 1;
        }
        u->cur = -2;
        return 0;
    }
    for (size_t i = 0; i < KZ_ARRAY_LEN(up_field_names); i++)
        if (strcmp(p->name, up_field_names[i]) == 0) {
            u->cur = (int)i;
            u->field_set[i] = 1;
            u->field_len[i] = 0;
            u->field[i][0] = '\0';
        }
    return 0;
}

static int up_part_data(struct http_request *r, const char *d, size_t n)
{
    struct upload *u = http_request_data(r);
    if (u->cur == -2) {
        while (n > 0) {
            ssize_t w = write(u->fd, d, n);
            if (w < 0 && errno == EINTR)
                continue;
            if (w <= 0) {
                up_fail(r, KZ_E_IO, "cannot store the upload: %s", strerror(errno));
                return 1;
            }
            d += w;
            n -= (size_t)w;
            u->video_bytes += w;
        }
        return 0;
    }
    if (u->cur >= 0) {
        size_t *len = &u->field_len[u->cur];
        if (*len + n > UP_FIELD_MAX) {
            char msg[128];
            str_printf(msg, sizeof msg, "%s is too long (max %d bytes).", up_field_names[u->cur],
                       UP_FIELD_MAX);
            up_fail(r, KZ_E_INVALID, "%s", msg);
            return 1;
        }
        memcpy(u->field[u->cur] + *len, d, n);
        *len += n;
        u->field[u->cur][*len] = '\0';
    }
    return 0;
}

static int up_part_end(struct http_request *r)
{
    struct upload *u = http_request_data(r);
    u->cur = -1;
    return 0;
}

static void up_cleanup(struct http_request *r, int completed)
{
    struct upload *u = http_request_data(r);
    (void)completed;
    if (!u)
        return;
    if (u->fd >= 0)
        close(u->fd);
    if (u->tmp_path[0] && unlink(u->tmp_path) == 0)
        log_debug("upload: removed unfinished %s", u->tmp_path);
    free(u);
    http_request_set_data(r, NULL);
}

const struct http_upload_ops api_upload_ops = {up_begin, up_part_begin, up_part_data, up_part_end,
                                               up_cleanup};

/* Trimmed value of a field, or NULL when absent. */
static const char *up_field(struct upload *u, int i)
{
    char *v = u->field[i];
    size_t n;
    if (!u->field_set[i])
        return NULL;
    while (*v == ' ' || *v == '\t')
        v++;
    n = strlen(v);
    while (n > 0 && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r' || v[n - 1] == '\n'))
        v[--n] = '\0';
    return v;
}

/* Normalise body_joint_angles ("ankle, knee" / "all") into out. */
static enum kz_err up_joints(const char *v, char *out, size_t cap, struct err_ctx *e)
{
    static const char *const joints[] = {"ankle", "knee", "elbow", "hip", "shoulder"};
    int seen[KZ_ARRAY_LEN(joints)] = {0};
    const char *p = v;
    size_t n = 0;
    int any = 0;
    if (!v || !*v || strcasecmp(v, "all") == 0)
        return str_copy(out, cap, "all");
    out[0] = '\0';
    while (*p) {
        char tok[32];
        size_t tn = 0;
        int hit = -1;
        while (*p == ' ' || *p == ',' || *p == '[' || *p == ']' || *p == '\'' || *p == '"')
            p++;
        while (*p && *p != ',' && *p != ' ' && *p != ']' && *p != '\'' && *p != '"' &&
               tn + 1 < sizeof tok)
            tok[tn++] = *p++;
        tok[tn] = '\0';
        while (*p && *p != ',')
            p++;
        if (!tn)
            continue;
        for (size_t i = 0; i < KZ_ARRAY_LEN(joints); i++)
            if (strcasecmp(tok, joints[i]) == 0)
                hit = (int)i;
        if (hit < 0 && strcasecmp(tok, "all") == 0)
            return str_copy(out, cap, "all");
        if (hit < 0)
            return err_set(e, KZ_E_INVALID,
                           "body_joint_angles: unknown joint '%s' (use ankle, knee, elbow, hip, "
                           "shoulder or all).",
                           tok);
        if (seen[hit])
            continue;
        seen[hit] = 1;
        str_printf(out + n, cap - n, "%s%s", any ? "," : "", joints[hit]);
        n = strlen(out);
        any = 1;
    }
    if (!any)
        return err_set(e, KZ_E_INVALID, "body_joint_angles must list at least one joint.");
    return KZ_OK;
}

/* Build the session row from the fields; every bad field is a 400 that names it. */
static enum kz_err up_validate(struct api *a, struct upload *u, struct store_session *s,
                               struct err_ctx *e)
{
    const char *v;
    double d;
    enum kz_err rc;
    memset(s, 0, sizeof *s);
    str_copy(s->activity, sizeof s->activity, u->activity);
    str_copy(s->org_id, sizeof s->org_id, u->caller.org.id);
    if (u->management) {
        struct store_user target;
        v = up_field(u, F_USER_ID);
        if (!v || !*v)
            return err_set(e, KZ_E_INVALID, "user_id is required");
        rc = store_user_get(a->store, v, &target, e);
        if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && strcmp(target.org_id, u->caller.org.id) != 0))
            return err_set(e, KZ_E_NOT_FOUND, "User is not under this admin");
        if (rc != KZ_OK)
            return rc;
        str_copy(s->user_id, sizeof s->user_id, target.id);
    } else {
        str_copy(s->user_id, sizeof s->user_id, u->caller.user.id);
    }
    if (u->video_parts == 0 || u->fd < 0)
        return err_set(e, KZ_E_INVALID, "No video file was provided");
    if (u->video_bytes == 0)
        return err_set(e, KZ_E_INVALID, "video: the uploaded file is empty.");
    s->created_at_ms = time_wall_ms();
    v = up_field(u, F_SESSION_NAME);
    if (v && *v) {
        if (str_copy(s->title, sizeof s->title, v) != KZ_OK)
            return err_set(e, KZ_E_INVALID, "session_name is too long (max %zu characters).",
                           sizeof s->title - 1);
    } else {
        /* fallback title: "<Activity> DD/MM/YYYY HH:MM AM/PM" (UTC) */
        time_t t = (time_t)(s->created_at_ms / 1000);
        struct tm tm;
        char when[32];
        gmtime_r(&t, &tm);
        strftime(when, sizeof when, "%d/%m/%Y %I:%M %p", &tm);
        str_printf(s->title, sizeof s->title, "%s %s", api_activity_display(u->activity), when);
    }
    v = up_field(u, F_INCLINE);
    if (v && *v && strcmp(u->activity, "running") == 0) {
        if (str_to_double(v, -45, 45, &d) != KZ_OK)
            return err_set(e, KZ_E_INVALID,
                           "incline_degree must be a number of degrees between -45 and 45.");
        s->has_incline = 1;
        s->incline_deg = d;
    }
    if (strcmp(u->activity, "jumping") == 0) {
        v = up_field(u, F_EXERCISE);
        if (!v || !*v)
            v = "Countermovement Jump";
        if (strcasecmp(v, "Countermovement Jump") == 0)
            v = "Countermovement Jump";
        else if (strcasecmp(v, "Drop Jump") == 0)
            v = "Drop Jump";
        else
            return err_set(e, KZ_E_INVALID,
                           "exercise must be 'Countermovement Jump' or 'Drop Jump'.");
        str_copy(s->exercise, sizeof s->exercise, v);
    }
    if (strcmp(u->activity, "weightlifting") == 0) {
        int imperial = strcmp(u->caller.org.unit_system, "imperial") == 0;
        v = up_field(u, F_EXERCISE_NAME);
        if (!v || !*v)
            return err_set(e, KZ_E_INVALID, "exercise_name is required");
        if (strcmp(v, "snatch") != 0 && strcmp(v, "clean") != 0 && strcmp(v, "clean_and_jerk") != 0)
            return err_set(e, KZ_E_INVALID,
                           "exercise_name must be one of snatch, clean, clean_and_jerk.");
        str_copy(s->exercise, sizeof s->exercise, v);
        s->has_barbell = 1;
        str_copy(s->barbell_unit, sizeof s->barbell_unit, imperial ? "lb" : "kg");
        s->barbell_mass = imperial ? 220 : 100; /* vendor default: 100 kg (or 220 lb) */
        v = up_field(u, F_BARBELL);
        if (v && *v) {
            double max = imperial ? 1100 : 500;
            if (str_to_double(v, 0, max, &d) != KZ_OK || d <= 0)
                return err_set(e, KZ_E_INVALID,
                               "barbell_mass must be a number above 0 and at "
                               "most %g %s.",
                               max, s->barbell_unit);
            s->barbell_mass = d;
        }
    }
    if ((rc = up_joints(up_field(u, F_JOINTS), s->body_joint_angles, sizeof s->body_joint_angles,
                        e)) != KZ_OK)
        return rc == KZ_E_TOO_LARGE ? err_set(e, KZ_E_INVALID, "body_joint_angles is too long.")
                                    : rc;
    str_copy(s->video_name, sizeof s->video_name, u->video_name);
    return KZ_OK;
}

void api_upload_handle(struct http_request *r)
{
    struct api *a = http_request_app(r);
    struct upload *u = http_request_data(r);
    struct store_session s;
    struct media_info mi;
    struct err_ctx e;
    enum kz_err rc;
    const char *ext;
    err_clear(&e);
    if (!u) {
        http_respond_error(r, 500, "An unexpected error occurred: no upload state");
        return;
    }
    if ((rc = up_validate(a, u, &s, &e)) != KZ_OK)
        goto fail;
    if (u->fd >= 0 && fsync(u->fd) != 0) {
        rc = err_set(&e, KZ_E_IO, "cannot store the upload: %s", strerror(errno));
        goto fail;
    }
    close(u->fd);
    u->fd = -1;
    rc = media_probe(u->tmp_path, &mi, &e);
    if (rc == KZ_E_FORMAT || rc == KZ_E_UNSUPPORTED) {
        char msg[ERR_MSG_MAX];
        str_copy(msg, sizeof msg, err_msg(&e));
        rc = err_set(&e, KZ_E_INVALID, "video: the uploaded file is not a decodable video (%s).",
                     msg);
    }
    if (rc != KZ_OK)
        goto fail;
    api_id_hex32(s.id);
    ext = strrchr(u->tmp_path, '.');
    if (!ext || strchr(ext, '/') || strlen(ext) > 8)
        ext = "";
    str_printf(s.video_key, sizeof s.video_key, "sessions/%s/original%s", s.id, ext);
    if ((rc = blob_place(a->blob, u->tmp_path, s.video_key, &e)) != KZ_OK)
        goto fail;
    u->tmp_path[0] = '\0'; /* placed: cleanup must not remove it */
    rc = store_session_create(a->store, &s, a->job_max_attempts, &e);
    if (rc != KZ_OK) {
        char dir[STORE_ID_MAX + 16];
        str_printf(dir, sizeof dir, "sessions/%s", s.id);
        blob_remove_prefix(a->blob, dir, NULL);
        goto fail;
    }
    log_info("upload: session %s (%s, %lld bytes, %dx%d %s) for user %s", s.id, s.activity,
             (long long)u->video_bytes, mi.width, mi.height, mi.codec, s.user_id);
    api_reply_json(r, 200, json_pack("{s:s,s:s}", "session_id", s.id, "title", s.title));
    return;
fail:
    api_reply_error(r, &e);
}
