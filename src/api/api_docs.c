/*
 * api_docs.c — builders of the vendor-shaped JSON documents (AiKYNETIX
 * Appendix A): user objects, created_at, session detail per activity, and
 * our session status document. Kept apart from the handlers so unit tests
 * can check shapes without HTTP.
 *
 * Session detail = the stored results object (written by analysis stages)
 * with every field the vendor marks required defaulted when absent, identity
 * fields taken from the session row, plus our additions: session_id,
 * status, progress, media.
 */
#include "api/api_int.h"

#include <string.h>
#include <time.h>

const char *api_activity_display(const char *activity)
{
    if (strcmp(activity, "running") == 0)
        return "Running";
    if (strcmp(activity, "jumping") == 0)
        return "Vertical Jump";
    if (strcmp(activity, "weightlifting") == 0)
        return "Weightlifting";
    return NULL;
}

json_t *api_created_at(int64_t ms)
{
    time_t s = (time_t)(ms / 1000);
    struct tm tm;
    char date[16], hm[16];
    gmtime_r(&s, &tm);
    strftime(date, sizeof date, "%d/%m/%Y", &tm);
    strftime(hm, sizeof hm, "%I:%M %p", &tm);
    return json_pack("{s:s,s:s}", "date", date, "time", hm);
}

json_t *api_user_doc(const struct store_user *u)
{
    char iso[32];
    time_iso8601_ms(u->created_at_ms, iso);
    return json_pack("{s:s,s:f,s:s,s:f,s:f,s:s,s:f,s:s,s:s,s:s,s:s,s:s,s:s,s:s,s:s}", "created_at",
                     iso, "weight", u->weight_kg, "age", u->age, "ycom", u->ycom, "height",
                     u->height_cm, "phone", u->phone, "leg_length", u->leg_length_m, "display_name",
                     u->display_name, "shoeSize", u->shoe_size, "email", u->email, "gender",
                     u->gender, "brand", u->brand, "shoeModel", u->shoe_model, "user_uid", u->id,
                     "role", u->role);
}

int api_session_visible(const struct api_caller *c, const struct store_session *s)
{
    if (strcmp(c->org.id, s->org_id) != 0)
        return 0;
    return api_caller_is_staff(c) || strcmp(c->user.id, s->user_id) == 0;
}

/* Set `key` to `def` (reference stolen) unless `o` already has it. */
static void doc_default(json_t *o, const char *key, json_t *def)
{
    if (!json_object_get(o, key))
        json_object_set_new(o, key, def);
    else
        json_decref(def);
}

static json_t *doc_object_parse(const char *text)
{
    json_t *v = text ? json_loads(text, 0, NULL) : NULL;
    if (v && !json_is_object(v)) {
        json_decref(v);
        v = NULL;
    }
    return v;
}

json_t *api_session_detail(const struct store_session *s, const char *user_name)
{
    json_t *d = doc_object_parse(s->results_json);
    json_t *media = doc_object_parse(s->media_json);
    if (!d)
        d = json_object();
    if (!d)
        return NULL;
    doc_default(d, "metrics", json_object());
    doc_default(d, "angles", json_object());
    doc_default(d, "all_timestamps", json_array());
    if (strcmp(s->activity, "running") == 0) {
        doc_default(d, "segments", json_integer(0));
        doc_default(d, "calculated_metrics", json_object());
    } else if (strcmp(s->activity, "jumping") == 0) {
        static const char *const angles[] = {"hip_intersection_angle",
                                             "ank_angle",
                                             "rkne_angle",
                                             "lkne_angle",
                                             "kne_angle",
                                             "rank_angle",
                                             "lank_angle"};
        static const char *const wrm[] = {"hipy", "grf", "vhipy", "toey", "ahipy", "vtoey"};
        json_t *a = json_object_get(d, "angles");
        json_t *w;
        doc_default(d, "whole_report_metrics", json_object());
        w = json_object_get(d, "whole_report_metrics");
        for (size_t i = 0; json_is_object(a) && i < KZ_ARRAY_LEN(angles); i++)
            doc_default(a, angles[i], json_array());
        for (size_t i = 0; json_is_object(w) && i < KZ_ARRAY_LEN(wrm); i++)
            doc_default(w, wrm[i], json_array());
        doc_default(d, "end_frames", json_array());
        json_object_set_new(d, "exercise", json_string(s->exercise));
    } else if (strcmp(s->activity, "weightlifting") == 0) {
        doc_default(d, "report_metrics", json_object());
        json_object_set_new(d, "exercise", json_string(s->exercise));
    }
    json_object_set_new(d, "activity", json_string(api_activity_display(s->activity)));
    json_object_set_new(d, "title", json_string(s->title));
    json_object_set_new(d, "created_at", api_created_at(s->created_at_ms));
    json_object_set_new(d, "user_name", json_string(user_name ? user_name : ""));
    json_object_set_new(d, "user_id", json_string(s->user_id));
    json_object_set_new(d, "session_id", json_string(s->id));
    json_object_set_new(d, "status", json_string(s->status));
    json_object_set_new(d, "progress", json_integer(s->progress));
    json_object_set_new(d, "media", media ? media : json_null());
    return d;
}

json_t *api_session_status_doc(const struct store_session *s)
{
    char updated[32];
    const char *msg;
    int have_results = s->results_json != NULL;
    json_t *media = doc_object_parse(s->media_json);
    time_iso8601_ms(s->updated_at_ms, updated);
    if (strcmp(s->status, STORE_STATUS_QUEUED) == 0)
        msg = s->failure_reason[0] ? "Waiting for a worker to retry after a failed attempt."
                                   : "Waiting for a worker.";
    else if (strcmp(s->status, STORE_STATUS_PROCESSING) == 0)
        msg = "Processing.";
    else if (strcmp(s->status, STORE_STATUS_FAILED) == 0)
        msg = "Processing failed; see failure_reason.";
    else if (have_results)
        msg = "Processing finished; results are available.";
    else
        msg = "Processing finished, but this server has no analysis stage for this activity "
              "yet: media facts only, so the session detail answers 404 until results exist.";
    json_t *opts = json_pack("{s:s}", "body_joint_angles", s->body_joint_angles);
    if (opts && s->exercise[0])
        json_object_set_new(opts, "exercise", json_string(s->exercise));
    if (opts && s->has_incline)
        json_object_set_new(opts, "incline_degree", json_real(s->incline_deg));
    if (opts && s->has_barbell) {
        json_object_set_new(opts, "barbell_mass", json_real(s->barbell_mass));
        json_object_set_new(opts, "barbell_unit", json_string(s->barbell_unit));
    }
    return json_pack("{s:s,s:s,s:s,s:s,s:i,s:s,s:s?,s:i,s:b,s:s,s:o,s:o,s:o,s:s,s:s}",
                     "session_id", s->id, "activity", api_activity_display(s->activity), "title",
                     s->title, "status", s->status, "progress", s->progress, "stage", s->stage,
                     "failure_reason", s->failure_reason[0] ? s->failure_reason : NULL,
                     "attempts", s->attempts, "results_available", have_results, "message", msg,
                     "media", media ? media : json_null(), "options",
                     opts ? opts : json_object(), "created_at", api_created_at(s->created_at_ms),
                     "updated_at", updated, "user_id", s->user_id);
}
