/*
 * api_users.c — /user-management/: users of the caller's organization and
 * the organization status (AiKYNETIX §3.7, Appendix A).
 *
 * Permissions: admins and sub-admins act on the users of their own
 * organization (sub-admins on athletes only; only an admin creates a
 * sub-admin); an athlete (`user`) may read and update only itself. A user id
 * from another organization answers exactly as an unknown id.
 */
#include "api/api_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MSG_ADMIN_ONLY "You must be an admin to access this data."

/* Load `uid` if it belongs to the caller's organization; KZ_E_NOT_FOUND with `msg` otherwise. */
static enum kz_err users_load(struct api *a, const struct api_caller *c, const char *uid,
                              struct store_user *u, const char *msg, struct err_ctx *e)
{
    enum kz_err rc = store_user_get(a->store, uid, u, e);
    if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && strcmp(u->org_id, c->org.id) != 0))
        return err_set(e, KZ_E_NOT_FOUND, "%s", msg);
    return rc;
}

/* May `c` change or delete `u` (same organization already checked)? */
static int users_may_manage(const struct api_caller *c, const struct store_user *u)
{
    if (api_caller_is_admin(c))
        return 1;
    if (strcmp(c->user.role, API_ROLE_SUB_ADMIN) == 0)
        return strcmp(u->role, API_ROLE_USER) == 0 || strcmp(u->id, c->user.id) == 0;
    return strcmp(u->id, c->user.id) == 0;
}

struct users_acc {
    json_t *arr;
    int64_t total;
};

static int users_collect(void *ctx, const struct store_user *u)
{
    struct users_acc *acc = ctx;
    if (strcmp(u->role, API_ROLE_ADMIN) == 0)
        return 0; /* the organization's owner is not one of its clients */
    json_array_append_new(acc->arr, api_user_doc(u));
    acc->total++;
    return 0;
}

enum kz_err api_users_list(struct api *a, struct http_request *r, const struct api_caller *c,
                           struct err_ctx *e)
{
    struct users_acc acc = {json_array(), 0};
    enum kz_err rc;
    if (!api_caller_is_staff(c)) {
        json_decref(acc.arr);
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    }
    rc = store_user_list(a->store, c->org.id, NULL, users_collect, &acc, e);
    if (rc != KZ_OK) {
        json_decref(acc.arr);
        return rc;
    }
    api_reply_json(r, 200, json_pack("{s:o}", "users", acc.arr));
    return KZ_OK;
}

/* Strict email check: one '@', something on both sides, a dot in the domain, no spaces. */
static int users_email_ok(const char *s)
{
    const char *at = strchr(s, '@');
    if (!at || at == s || strchr(at + 1, '@') || !strchr(at + 1, '.') || strlen(s) > 254)
        return 0;
    for (const char *p = s; *p; p++)
        if ((unsigned char)*p <= ' ')
            return 0;
    return at[1] != '.' && s[strlen(s) - 1] != '.';
}

/* Optional string member: absent → *out untouched; wrong type/too long → 400 naming it. */
static enum kz_err users_str(json_t *body, const char *key, char *out, size_t cap, int *set,
                             struct err_ctx *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return KZ_OK;
    if (!json_is_string(v))
        return err_set(e, KZ_E_INVALID, "%s must be a string.", key);
    if (str_copy(out, cap, json_string_value(v)) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "%s is too long (max %zu characters).", key, cap - 1);
    if (set)
        *set = 1;
    return KZ_OK;
}

/* Optional number member in [lo, hi]. */
static enum kz_err users_num(json_t *body, const char *key, double lo, double hi, double *out,
                             struct err_ctx *e)
{
    json_t *v = json_object_get(body, key);
    if (!v)
        return KZ_OK;
    if (!json_is_number(v) || !isfinite(json_number_value(v)) || json_number_value(v) < lo ||
        json_number_value(v) > hi)
        return err_set(e, KZ_E_INVALID, "%s must be a number between %g and %g.", key, lo, hi);
    *out = json_number_value(v);
    return KZ_OK;
}

enum kz_err api_users_create(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_user u;
    enum kz_err rc;
    const char *email, *name, *role;
    if (!api_caller_is_staff(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    memset(&u, 0, sizeof u);
    email = json_obj_str(body, "email");
    name = json_obj_str(body, "display_name");
    role = json_obj_str(body, "role");
    if (!email || !name || !*email || !*name) {
        rc = err_set(e, KZ_E_INVALID, "Email and display name are required.");
        goto out;
    }
    if (!users_email_ok(email)) {
        rc = err_set(e, KZ_E_INVALID, "email is not a valid email address.");
        goto out;
    }
    if (json_object_get(body, "role") && !role) {
        rc = err_set(e, KZ_E_INVALID, "role must be a string.");
        goto out;
    }
    if (role && strcmp(role, API_ROLE_USER) != 0 && strcmp(role, API_ROLE_SUB_ADMIN) != 0) {
        rc = err_set(e, KZ_E_INVALID, "role must be 'user' or 'sub_admin'.");
        goto out;
    }
    if (role && strcmp(role, API_ROLE_SUB_ADMIN) == 0 && !api_caller_is_admin(c)) {
        rc = err_set(e, KZ_E_FORBIDDEN, "You must be a super admin to access this endpoint.");
        goto out;
    }
    str_copy(u.email, sizeof u.email, email);
    if ((rc = users_str(body, "display_name", u.display_name, sizeof u.display_name, NULL, e)) !=
            KZ_OK ||
        (rc = users_str(body, "phone", u.phone, sizeof u.phone, NULL, e)) != KZ_OK)
        goto out;
    api_id_base62(u.id, 28);
    str_copy(u.org_id, sizeof u.org_id, c->org.id);
    str_copy(u.role, sizeof u.role, role ? role : API_ROLE_USER);
    u.created_at_ms = time_wall_ms();
    rc = store_user_insert(a->store, &u, e);
    if (rc == KZ_E_CONFLICT) {
        rc = err_set(e, KZ_E_CONFLICT, "A user with this email already exists.");
        goto out;
    }
    if (rc != KZ_OK)
        goto out;
    api_reply_json(r, 201,
                   json_pack("{s:{s:s,s:s,s:s,s:s,s:s}}", "userData", "user_uid", u.id, "email",
                             u.email, "display_name", u.display_name, "phone", u.phone, "role",
                             u.role));
out:
    json_decref(body);
    return rc;
}

enum kz_err api_users_update(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_user u;
    enum kz_err rc;
    const char *uid;
    int email_set = 0;
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    uid = json_obj_str(body, "user_uid");
    if (!uid || !*uid) {
        rc = err_set(e, KZ_E_INVALID, "User UID is required.");
        goto out;
    }
    if (!api_caller_is_staff(c) && strcmp(uid, c->user.id) != 0) {
        rc = err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
        goto out;
    }
    if ((rc = users_load(a, c, uid, &u, "User is not under admin.", e)) != KZ_OK)
        goto out;
    if (!users_may_manage(c, &u)) {
        rc = err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
        goto out;
    }
    if ((rc = users_str(body, "display_name", u.display_name, sizeof u.display_name, NULL, e)) ||
        (rc = users_str(body, "email", u.email, sizeof u.email, &email_set, e)) ||
        (rc = users_str(body, "phone", u.phone, sizeof u.phone, NULL, e)) ||
        (rc = users_str(body, "gender", u.gender, sizeof u.gender, NULL, e)) ||
        (rc = users_str(body, "age", u.age, sizeof u.age, NULL, e)) ||
        (rc = users_str(body, "shoeSize", u.shoe_size, sizeof u.shoe_size, NULL, e)) ||
        (rc = users_str(body, "brand", u.brand, sizeof u.brand, NULL, e)) ||
        (rc = users_str(body, "shoeModel", u.shoe_model, sizeof u.shoe_model, NULL, e)) ||
        (rc = users_num(body, "height", 0, 300, &u.height_cm, e)) ||
        (rc = users_num(body, "weight", 0, 500, &u.weight_kg, e)) ||
        (rc = users_num(body, "ycom", 0, 10, &u.ycom, e)) ||
        (rc = users_num(body, "leg_length", 0, 3, &u.leg_length_m, e)))
        goto out;
    if (email_set && !users_email_ok(u.email)) {
        rc = err_set(e, KZ_E_INVALID, "email is not a valid email address.");
        goto out;
    }
    if (json_object_get(body, "display_name") && !u.display_name[0]) {
        rc = err_set(e, KZ_E_INVALID, "display_name must not be empty.");
        goto out;
    }
    rc = store_user_update(a->store, &u, e);
    if (rc == KZ_E_CONFLICT)
        rc = err_set(e, KZ_E_CONFLICT, "A user with this email already exists.");
    if (rc == KZ_OK)
        api_reply_json(r, 200,
                       json_pack("{s:s}", "message", "User information updated successfully."));
out:
    json_decref(body);
    return rc;
}

enum kz_err api_users_delete(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_user u;
    enum kz_err rc;
    const char *uid;
    char msg[160];
    if (!api_caller_is_staff(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    uid = json_obj_str(body, "user_uid");
    if (!uid || !*uid) {
        rc = err_set(e, KZ_E_INVALID, "User UID is required.");
        goto out;
    }
    if ((rc = users_load(a, c, uid, &u, "User is not under admin.", e)) != KZ_OK)
        goto out;
    if (strcmp(u.id, c->user.id) == 0) {
        rc = err_set(e, KZ_E_INVALID, "You cannot delete your own account.");
        goto out;
    }
    if (!users_may_manage(c, &u)) {
        rc = err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
        goto out;
    }
    rc = store_user_delete(a->store, c->org.id, u.id, e);
    if (rc == KZ_E_NOT_FOUND)
        rc = err_set(e, KZ_E_NOT_FOUND, "User is not under admin.");
    if (rc == KZ_OK) {
        str_printf(msg, sizeof msg, "User with UID %s deleted from admin", u.id);
        api_reply_json(r, 200, json_pack("{s:s}", "message", msg));
    }
out:
    json_decref(body);
    return rc;
}

struct filter_acc {
    struct store_user *v;
    size_t n, cap;
};

static int filter_collect(void *ctx, const struct store_user *u)
{
    struct filter_acc *f = ctx;
    if (strcmp(u->role, API_ROLE_ADMIN) == 0)
        return 0;
    if (f->n == f->cap) {
        size_t cap = f->cap ? f->cap * 2 : 16;
        struct store_user *nv = realloc(f->v, cap * sizeof *nv);
        if (!nv)
            return 1;
        f->v = nv;
        f->cap = cap;
    }
    f->v[f->n++] = *u;
    return 0;
}

enum kz_err api_users_filter(struct api *a, struct http_request *r, const struct api_caller *c,
                             struct err_ctx *e)
{
    struct filter_acc f = {0};
    const char *after = http_request_query(r, "start_after_id");
    const char *before = http_request_query(r, "end_before_id");
    const char *ls = http_request_query(r, "limit");
    int64_t limit = 5;
    size_t from = 0, to;
    enum kz_err rc;
    json_t *arr;
    if (!api_caller_is_staff(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    if (ls && str_to_i64(ls, 1, 1000, &limit) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "Invalid limit parameter");
    rc = store_user_list(a->store, c->org.id, NULL, filter_collect, &f, e);
    if (rc != KZ_OK)
        goto out;
    /* Cursor paging over (created_at, id) order, Firestore style. */
    to = f.n;
    if (after && *after) {
        size_t i = 0;
        while (i < f.n && strcmp(f.v[i].id, after) != 0)
            i++;
        from = i < f.n ? i + 1 : f.n;
        if (to > from + (size_t)limit)
            to = from + (size_t)limit;
    } else if (before && *before) {
        size_t i = 0;
        while (i < f.n && strcmp(f.v[i].id, before) != 0)
            i++;
        to = i;
        from = to > (size_t)limit ? to - (size_t)limit : 0;
    } else if (to > (size_t)limit) {
        to = (size_t)limit;
    }
    if (from >= to) {
        rc = err_set(e, KZ_E_NOT_FOUND, "No users found under admin");
        goto out;
    }
    arr = json_array();
    for (size_t i = from; i < to; i++)
        json_array_append_new(arr, api_user_doc(&f.v[i]));
    api_reply_json(r, 200,
                   json_pack("{s:I,s:o,s:s,s:s}", "query_count", (json_int_t)(to - from), "users",
                             arr, "first_uid", f.v[from].id, "last_uid", f.v[to - 1].id));
out:
    free(f.v);
    return rc;
}

enum kz_err api_users_get(struct api *a, struct http_request *r, const struct api_caller *c,
                          struct err_ctx *e)
{
    const char *uid = http_request_param(r, "user_uid");
    struct store_user u;
    enum kz_err rc;
    if (!uid || !*uid)
        return err_set(e, KZ_E_INVALID, "User UID is required.");
    if (!api_caller_is_staff(c) && strcmp(uid, c->user.id) != 0)
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    if ((rc = users_load(a, c, uid, &u, "User is not under this admin", e)) != KZ_OK)
        return rc;
    api_reply_json(r, 200, api_user_doc(&u));
    return KZ_OK;
}

enum kz_err api_org_status(struct api *a, struct http_request *r, const struct api_caller *c,
                           struct err_ctx *e)
{
    int64_t n = 0;
    enum kz_err rc;
    if (!api_caller_is_staff(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_ADMIN_ONLY);
    if ((rc = store_session_count(a->store, c->org.id, NULL, &n, e)) != KZ_OK)
        return rc;
    api_reply_json(r, 200,
                   json_pack("{s:I,s:s,s:s,s:s,s:[sss],s:s,s:s,s:s,s:s}", "session_number",
                             (json_int_t)n, "uid", c->user.id, "role", c->user.role, "payment_type",
                             c->org.payment_type, "activity", "Running", "VerticalJump",
                             "Weightlifting", "companyName", c->org.name, "name",
                             c->user.display_name, "organization_id", c->org.id,
                             "measurement_system", c->org.unit_system));
    return KZ_OK;
}
