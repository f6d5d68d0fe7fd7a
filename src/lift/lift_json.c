/*
 * lift_json.c — the AiKYNETIX weightlifting JSON parts built from a
 * lift_result (shapes documented in lift.h; vendor shapes in
 * ../shared/api/AIKYNETIX-API.md §3.4 and Appendix A
 * `/weightlifting/sessions/{session_id}/` and `/export/`). Vendor `metrics`
 * values are bare numbers; phase times are integer milliseconds from the start
 * of the stream, durations integer milliseconds.
 */
#include "lift/lift_int.h"

#include <math.h>

/* Events that go into `metrics` as integer ms (vendor names first). */
static const enum lift_event json_events[] = {
    LIFT_EV_START_OF_LIFTING, LIFT_EV_FIRST_PULL_END,   LIFT_EV_TRANSITION,
    LIFT_EV_SECOND_PULL_END,  LIFT_EV_CATCH_END,        LIFT_EV_RECOVERY_END,
    LIFT_EV_JERK_DIP_START,   LIFT_EV_JERK_DIP_END,     LIFT_EV_JERK_DRIVE_END,
    LIFT_EV_JERK_CATCH_END,   LIFT_EV_JERK_RECOVERY_END};

static int is_jerk_event(enum lift_event ev)
{
    return ev >= LIFT_EV_JERK_DIP_START;
}

static int is_ms_metric(enum lift_metric m)
{
    return m == LIFT_M_TOTAL_TIME || m == LIFT_M_TURNOVER_TIME || m == LIFT_M_PULL_TIME;
}

static int set_num(json_t *o, const char *k, double v)
{
    return json_object_set_new(o, k, isfinite(v) ? json_real(v) : json_null());
}

json_t *lift_result_json_metrics(const struct lift_result *r)
{
    json_t *o = json_object();
    int bad = 0;
    if (!o)
        return NULL;
    for (size_t k = 0; k < KZ_ARRAY_LEN(json_events); k++) {
        enum lift_event ev = json_events[k];
        if (!r->ev[ev].found || (is_jerk_event(ev) && r->exercise != LIFT_CLEAN_AND_JERK))
            continue;
        bad |= json_object_set_new(o, lift_event_name(ev),
                                   json_integer((json_int_t)llround(r->ev[ev].t_s * 1000.0)));
    }
    for (int m = 0; m < LIFT_M__COUNT; m++) {
        const struct lift_metric_value *v = &r->m[m];
        if (!v->available)
            continue;
        if (is_ms_metric((enum lift_metric)m))
            bad |= json_object_set_new(o, lift_metric_name((enum lift_metric)m),
                                       json_integer((json_int_t)llround(v->value * 1000.0)));
        else
            bad |= set_num(o, lift_metric_name((enum lift_metric)m), v->value);
    }
    /* Vendor aliases: clean_time = pull time, catch_time = turnover time. */
    if (r->m[LIFT_M_PULL_TIME].available)
        bad |= json_object_set_new(
            o, "clean_time",
            json_integer((json_int_t)llround(r->m[LIFT_M_PULL_TIME].value * 1000.0)));
    if (r->m[LIFT_M_TURNOVER_TIME].available)
        bad |= json_object_set_new(
            o, "catch_time",
            json_integer((json_int_t)llround(r->m[LIFT_M_TURNOVER_TIME].value * 1000.0)));
    bad |= set_num(o, "barbell_weight", r->barbell_mass_kg);
    bad |= set_num(o, "scale", r->m_per_px);
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *lift_result_json_metric_details(const struct lift_result *r)
{
    json_t *o = json_object();
    int bad = 0;
    if (!o)
        return NULL;
    for (int m = 0; m < LIFT_M__COUNT; m++) {
        const struct lift_metric_value *v = &r->m[m];
        int ms = is_ms_metric((enum lift_metric)m);
        double scale = ms ? 1000.0 : 1.0;
        json_t *d =
            json_pack("{s:o,s:s,s:o,s:b,s:o,s:n}", "value",
                      v->available ? json_real(v->value * scale) : json_null(), "unit",
                      ms ? "ms" : lift_metric_unit((enum lift_metric)m), "uncertainty",
                      isfinite(v->uncertainty) && v->available ? json_real(v->uncertainty * scale)
                                                               : json_null(),
                      "available", v->available, "reason",
                      v->reason ? json_string(v->reason) : json_null(), "method");
        bad |= !d || json_object_set_new(o, lift_metric_name((enum lift_metric)m), d);
    }
    double dt = r->n > 1 ? (r->t_s[r->n - 1] - r->t_s[0]) / (double)(r->n - 1) : 0;
    for (int k = 0; k < LIFT_EV__COUNT; k++) {
        const struct lift_event_value *ev = &r->ev[k];
        json_t *d = json_pack(
            "{s:o,s:s,s:o,s:b,s:o,s:o}", "value",
            ev->found ? json_integer((json_int_t)llround(ev->t_s * 1000.0)) : json_null(), "unit",
            "ms", "uncertainty", ev->found ? json_real(0.5 * dt * 1000.0) : json_null(),
            "available", ev->found, "reason", ev->reason ? json_string(ev->reason) : json_null(),
            "method", ev->method ? json_string(ev->method) : json_null());
        bad |= !d || json_object_set_new(o, lift_event_name((enum lift_event)k), d);
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

static json_t *series(const double *y, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, isfinite(y[i]) ? json_real(y[i]) : json_null())) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static json_t *series_u8(const uint8_t *y, size_t n)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < n; i++)
        if (json_array_append_new(a, json_integer(y[i]))) {
            json_decref(a);
            return NULL;
        }
    return a;
}

static int put(json_t *o, const char *k, json_t *v)
{
    return !v || json_object_set_new(o, k, v);
}

json_t *lift_result_json_report_metrics(const struct lift_result *r)
{
    json_t *o = json_object();
    int bad = 0, have_hip = 0;
    if (!o)
        return NULL;
    bad |= put(o, "bar", series(r->bar_y_m, r->n));
    bad |= put(o, "bar_x", series(r->bar_x_m, r->n));
    bad |= put(o, "bar_speed", series(r->speed_mps, r->n));
    bad |= put(o, "bar_velocity_y", series(r->vel_y_mps, r->n));
    bad |= put(o, "bar_acceleration_y", series(r->acc_y_mps2, r->n));
    bad |= put(o, "power", series(r->power_w, r->n));
    for (size_t i = 0; i < r->n; i++)
        have_hip |= isfinite(r->hip_vel_y_mps[i]);
    if (have_hip)
        bad |= put(o, "vhipy", series(r->hip_vel_y_mps, r->n));
    bad |= put(o, "phase", series_u8(r->phase, r->n));
    bad |= put(o, "bar_flag", series_u8(r->flag, r->n));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *lift_result_json_angles(const struct lift_result *r)
{
    json_t *o = json_object();
    int bad = 0;
    if (!o)
        return NULL;
    if (r->lkne_deg) {
        bad |= put(o, "lkne_angle", series(r->lkne_deg, r->n));
        bad |= put(o, "rkne_angle", series(r->rkne_deg, r->n));
        bad |= put(o, "lank_angle", series(r->lank_deg, r->n));
        bad |= put(o, "rank_angle", series(r->rank_deg, r->n));
        bad |= put(o, "hip_intersection_angle", series(r->hip_deg, r->n));
    }
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *lift_result_json_keypoints(const struct lift_result *r)
{
    json_t *o = json_object();
    int bad = !o;
    if (bad)
        return NULL;
    bad |= put(o, "barx", series(r->bar_x_px, r->n));
    bad |= put(o, "bary", series(r->bar_y_px, r->n));
    bad |= put(o, "barv", series(r->bar_conf, r->n));
    if (bad) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *lift_result_json_timestamps(const struct lift_result *r)
{
    json_t *a = json_array();
    for (size_t i = 0; a && i < r->n; i++)
        if (json_array_append_new(a, json_integer((json_int_t)llround(r->t_s[i] * 1000.0)))) {
            json_decref(a);
            return NULL;
        }
    return a;
}
