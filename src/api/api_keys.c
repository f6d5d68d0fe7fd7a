/*
 * api_keys.c — /api-management/keys/: list, create (key shown once), update
 * and revoke/re-enable the organization's API keys (AiKYNETIX §3.9,
 * Appendix A). Admin only; at most 5 keys per user, as the vendor.
 *
 * Our addition: POST accepts an optional `user_id` so an admin can issue a
 * key that acts as one of its organization's sub-admins or athletes.
 */
#include "api/api_int.h"

#include <string.h>

#define MSG_NO_PERMISSION "You do not have permission to perform this action."
#define KEYS_PER_USER 5

static int keys_collect(void *ctx, const struct store_key *k)
{
    char iso[32];
    time_iso8601_ms(k->created_at_ms, iso);
    json_array_append_new(ctx, json_pack("{s:s,s:s,s:s,s:b,s:s*,s:s,s:s}", "key_id", k->id, "title",
                                         k->title, "allowed_domain", k->domain, "is_active",
                                         k->is_active, "description",
                                         k->has_description ? k->description : NULL, "created_at",
                                         iso, "user_id", k->user_id));
    return 0;
}

enum kz_err api_keys_list(struct api *a, struct http_request *r, const struct api_caller *c,
                          struct err_ctx *e)
{
    json_t *arr;
    enum kz_err rc;
    if (!api_caller_is_admin(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_NO_PERMISSION);
    arr = json_array();
    if ((rc = store_key_list(a->store, c->org.id, keys_collect, arr, e)) != KZ_OK) {
        json_decref(arr);
        return rc;
    }
    api_reply_json(r, 200, json_pack("{s:o}", "tokens", arr));
    return KZ_OK;
}

/* Copy optional string member `key`; 400 naming it when not a string or too long. */
static enum kz_err keys_str(json_t *body, const char *key, char *out, size_t cap, int *set,
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

enum kz_err api_keys_create(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_key k;
    struct store_user owner;
    char token[128];
    int64_t n = 0;
    enum kz_err rc;
    const char *uid;
    if (!api_caller_is_admin(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_NO_PERMISSION);
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    memset(&k, 0, sizeof k);
    if (!json_obj_str(body, "title") || !json_obj_str(body, "domain") ||
        !*json_obj_str(body, "title") || !*json_obj_str(body, "domain")) {
        rc = err_set(e, KZ_E_INVALID, "title and domain are required.");
        goto out;
    }
    if ((rc = keys_str(body, "title", k.title, sizeof k.title, NULL, e)) ||
        (rc = keys_str(body, "domain", k.domain, sizeof k.domain, NULL, e)) ||
        (rc = keys_str(body, "description", k.description, sizeof k.description, &k.has_description,
                       e)))
        goto out;
    owner = c->user;
    uid = json_obj_str(body, "user_id");
    if (json_object_get(body, "user_id") && !uid) {
        rc = err_set(e, KZ_E_INVALID, "user_id must be a string.");
        goto out;
    }
    if (uid && strcmp(uid, c->user.id) != 0) {
        rc = store_user_get(a->store, uid, &owner, e);
        if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && strcmp(owner.org_id, c->org.id) != 0))
            rc = err_set(e, KZ_E_NOT_FOUND, "User is not under this admin");
        if (rc != KZ_OK)
            goto out;
    }
    if ((rc = store_key_count(a->store, owner.id, &n, e)) != KZ_OK)
        goto out;
    if (n >= KEYS_PER_USER) {
        rc = err_set(e, KZ_E_LIMIT,
                     "API key limit reached. You cannot create more keys. (Limit: %d)",
                     KEYS_PER_USER);
        goto out;
    }
    str_copy(k.org_id, sizeof k.org_id, c->org.id);
    str_copy(k.user_id, sizeof k.user_id, owner.id);
    k.is_active = 1;
    k.created_at_ms = time_wall_ms();
    if ((rc = api_key_generate(&k, token, sizeof token, e)) != KZ_OK ||
        (rc = store_key_insert(a->store, &k, e)) != KZ_OK)
        goto out;
    api_reply_json(r, 201, json_pack("{s:s,s:s}", "api_key", token, "key_id", k.id));
out:
    json_decref(body);
    return rc;
}

/* Load a key of the caller's organization; anything else is "not found". */
static enum kz_err keys_load(struct api *a, const struct api_caller *c, const char *id,
                             struct store_key *k, const char *msg, struct err_ctx *e)
{
    enum kz_err rc = store_key_get(a->store, id, k, e);
    if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && strcmp(k->org_id, c->org.id) != 0))
        return err_set(e, KZ_E_NOT_FOUND, "%s", msg);
    return rc;
}

enum kz_err api_keys_update(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_key k;
    enum kz_err rc;
    const char *id;
    if (!api_caller_is_admin(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_NO_PERMISSION);
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    id = json_obj_str(body, "key_id");
    if (!id || !*id) {
        rc = err_set(e, KZ_E_INVALID, "key_id is required.");
        goto out;
    }
    if ((rc = keys_load(a, c, id, &k, "Document not found.", e)) != KZ_OK)
        goto out;
    if ((rc = keys_str(body, "title", k.title, sizeof k.title, NULL, e)) ||
        (rc = keys_str(body, "domain", k.domain, sizeof k.domain, NULL, e)) ||
        (rc = keys_str(body, "description", k.description, sizeof k.description, &k.has_description,
                       e)))
        goto out;
    if (!k.title[0] || !k.domain[0]) {
        rc = err_set(e, KZ_E_INVALID, "title and domain must not be empty.");
        goto out;
    }
    if ((rc = store_key_update(a->store, &k, e)) != KZ_OK)
        goto out;
    api_reply_json(r, 200, json_pack("{s:s}", "message", "API key updated successfully."));
out:
    json_decref(body);
    return rc;
}

enum kz_err api_keys_status(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e)
{
    json_t *body = NULL;
    struct store_key k;
    enum kz_err rc;
    const char *id;
    json_t *active;
    char msg[160];
    if (!api_caller_is_admin(c))
        return err_set(e, KZ_E_FORBIDDEN, MSG_NO_PERMISSION);
    if ((rc = api_body_json(r, &body, e)) != KZ_OK)
        return rc;
    id = json_obj_str(body, "key_id");
    active = json_object_get(body, "is_active");
    if (!id || !*id || !json_is_boolean(active)) {
        rc = err_set(e, KZ_E_INVALID, "key_id and is_active fields are required.");
        goto out;
    }
    if ((rc = keys_load(a, c, id, &k, "API key doc not found or status not changed.", e)) != KZ_OK)
        goto out;
    if (k.is_active == json_is_true(active)) {
        rc = err_set(e, KZ_E_NOT_FOUND, "API key doc not found or status not changed.");
        goto out;
    }
    k.is_active = json_is_true(active);
    if ((rc = store_key_update(a->store, &k, e)) != KZ_OK)
        goto out;
    str_printf(msg, sizeof msg, "API key %s set to is_active=%s.", k.id,
               k.is_active ? "True" : "False");
    api_reply_json(r, 200, json_pack("{s:s}", "message", msg));
out:
    json_decref(body);
    return rc;
}
