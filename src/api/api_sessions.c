/*
 * api_sessions.c — reading one session: GET /{activity}/sessions/{id}/ in
 * the vendor's shape for that activity (404 "Session data not found" until
 * analysis results exist, as the vendor does), and our status document
 * GET /session-management/sessions/{id}/status/ that says why.
 *
 * A session of another organization, of another athlete (for a `user`
 * caller) or of another activity answers exactly like an unknown id.
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>

/* The vendor's not-found message differs per activity (Appendix A). */
static const char *sessions_not_found_msg(const char *activity)
{
    if (strcmp(activity, "running") == 0)
        return "The session does not exist.";
    if (strcmp(activity, "weightlifting") == 0)
        return "Session not found";
    return "Session data not found";
}

/* First path segment of the request ("running", ...) into out. */
static void sessions_activity_of(struct http_request *r, char *out, size_t cap)
{
    const char *p = http_request_path(r);
    size_t n = 0;
    while (*p == '/')
        p++;
    while (p[n] && p[n] != '/')
        n++;
    if (n >= cap)
        n = cap - 1;
    memcpy(out, p, n);
    out[n] = '\0';
}

enum kz_err api_session_get(struct api *a, struct http_request *r, const struct api_caller *c,
                            struct err_ctx *e)
{
    char activity[32];
    const char *id = http_request_param(r, "session_id");
    struct store_session s = {0};
    struct store_user owner;
    enum kz_err rc;
    char *text;
    sessions_activity_of(r, activity, sizeof activity);
    rc = store_session_get(a->store, id, &s, e);
    if (rc == KZ_E_NOT_FOUND ||
        (rc == KZ_OK && (!api_session_visible(c, &s) || strcmp(s.activity, activity) != 0))) {
        store_session_cleanup(&s);
        return err_set(e, KZ_E_NOT_FOUND, "%s", sessions_not_found_msg(activity));
    }
    if (rc != KZ_OK)
        return rc;
    if (!s.results_json) {
        store_session_cleanup(&s);
        return err_set(e, KZ_E_NOT_FOUND, "Session data not found");
    }
    if (store_user_get(a->store, s.user_id, &owner, NULL) != KZ_OK)
        owner.display_name[0] = '\0';
    {
        struct api_urls urls;
        api_session_urls(a, r, &s, &urls);
        text = api_session_detail_text(&s, owner.display_name, &urls);
    }
    store_session_cleanup(&s);
    if (!text)
        return err_set(e, KZ_E_NOMEM, NULL);
    http_respond(r, 200, "application/json", text, strlen(text), NULL);
    free(text);
    return KZ_OK;
}

enum kz_err api_session_status(struct api *a, struct http_request *r, const struct api_caller *c,
                               struct err_ctx *e)
{
    const char *id = http_request_param(r, "session_id");
    struct store_session s = {0};
    enum kz_err rc = store_session_get(a->store, id, &s, e);
    json_t *doc;
    if (rc == KZ_E_NOT_FOUND || (rc == KZ_OK && !api_session_visible(c, &s))) {
        store_session_cleanup(&s);
        return err_set(e, KZ_E_NOT_FOUND, "Session not found");
    }
    if (rc != KZ_OK)
        return rc;
    doc = api_session_status_doc(&s);
    store_session_cleanup(&s);
    if (!doc)
        return err_set(e, KZ_E_NOMEM, NULL);
    api_reply_json(r, 200, doc);
    return KZ_OK;
}
