/*
 * analysis_json.c — running and jumping results as the vendor's session
 * document parts (AIKYNETIX-API.md §3.2, §3.3, §4.1, §4.2 and Appendix A)
 * plus kinalyze's additions under "kinalyze" (units, uncertainties,
 * unavailable metrics with reasons, scale source, events). The exact layout
 * is documented at analysis_running_json() / analysis_jumping_json() in
 * analysis.h. Numbers that are not known (NaN) are written as null; values
 * are rounded to 4 significant decimals to keep documents small.
 */
#include "analysis/analysis_int.h"

#include <math.h>

struct jb {
    int fail;
};

static json_t *num(double x, double scale)
{
    if (!isfinite(x))
        return json_null();
    return json_real(round(x * scale) / scale);
}

static void put(struct jb *b, json_t *obj, const char *key, json_t *v)
{
    if (!v || !obj || json_object_set_new(obj, key, v) != 0)
        b->fail = 1;
}

static void append(struct jb *b, json_t *arr, json_t *v)
{
    if (!v || !arr || json_array_append_new(arr, v) != 0)
        b->fail = 1;
}

static json_t *series(struct jb *b, const double *v, int n, double scale)
{
    json_t *a = json_array();
    if (!a) {
        b->fail = 1;
        return NULL;
    }
    for (int i = 0; i < n; i++)
        append(b, a, num(v ? v[i] : NAN, scale));
    return a;
}

static json_t *timestamps(struct jb *b, const struct an_kinematics *k)
{
    return series(b, k->t_s, k->n, 1e6);
}

/* metrics / calculated_metrics / kinalyze.units|uncertainty|unavailable. */
static void metrics(struct jb *b, const struct an_metric *m, int count, json_t *doc, json_t *kz)
{
    json_t *met = json_object(), *calc = json_object(), *units = json_object(),
           *unc = json_object(), *una = json_object();
    for (int i = 0; i < count; i++) {
        put(b, units, m[i].key, json_string(m[i].unit));
        if (!m[i].available) {
            put(b, una, m[i].key, json_string(m[i].reason[0] ? m[i].reason : "not available"));
            continue;
        }
        put(b, met, m[i].key, series(b, m[i].values, m[i].n, 1e4));
        json_t *s = json_object();
        put(b, s, "avg", num(m[i].avg, 1e4));
        put(b, s, "min", num(m[i].min, 1e4));
        put(b, s, "max", num(m[i].max, 1e4));
        put(b, calc, m[i].key, s);
        put(b, unc, m[i].key, num(m[i].uncertainty, 1e4));
    }
    put(b, doc, "metrics", met);
    put(b, doc, "calculated_metrics", calc);
    put(b, kz, "units", units);
    put(b, kz, "uncertainty", unc);
    put(b, kz, "unavailable", una);
}

/*
 * Landmark whose pose values are exported under landmark j's name at frame i:
 * its left/right partner when the analysis relabelled j's limb group there
 * (legs hip..toe, arms shoulder..thumb: MediaPipe order, left = odd index), so
 * the keypoints carry the same repaired labels as the angles.
 */
static int repaired_landmark(const struct an_kinematics *k, int j, int i)
{
    if (!k)
        return j;
    int partner = (j % 2) ? j + 1 : j - 1;
    if (j >= AN_L_HIP && j <= AN_R_FOOT && k->side_swapped && k->side_swapped[i])
        return partner;
    if (j >= AN_L_SHOULDER && j <= AN_R_THUMB && k->arm_swapped && k->arm_swapped[i])
        return partner;
    return j;
}

static void keypoints(struct jb *b, const struct an_series *s, const struct an_kinematics *k,
                      json_t *doc)
{
    json_t *kp = json_object();
    int n = s ? s->n_frames : 0;
    if (k && k->n != n)
        k = NULL; /* not built from this series: raw labels */
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        const char *name = analysis_keypoint_name(j);
        if (!name)
            continue;
        json_t *ax = json_array(), *ay = json_array(), *av = json_array();
        for (int i = 0; i < n; i++) {
            const struct an_frame *f = &s->frames[i];
            const struct an_landmark *l = &f->lm[repaired_landmark(k, j, i)];
            append(b, ax, f->valid ? num(l->x_px, 10) : json_null());
            append(b, ay, f->valid ? num(l->y_px, 10) : json_null());
            append(b, av, num(f->valid ? l->visibility : 0, 1e3));
        }
        char key[16];
        str_printf(key, sizeof key, "%sx", name);
        put(b, kp, key, ax);
        str_printf(key, sizeof key, "%sy", name);
        put(b, kp, key, ay);
        str_printf(key, sizeof key, "%sv", name);
        put(b, kp, key, av);
    }
    put(b, doc, "keypoints", kp);
}

static void common_kz(struct jb *b, const struct an_kinematics *k, json_t *kz)
{
    json_t *sc = json_object();
    put(b, sc, "source", json_string(analysis_scale_source_name(k->scale_source)));
    put(b, sc, "m_per_px", k->scale_source ? num(k->scale_m_per_px, 1e8) : json_null());
    put(b, sc, "rel_uncertainty", num(k->scale_rel_uncertainty, 1e4));
    put(b, kz, "scale", sc);
    put(b, kz, "fps", num(k->fps_median, 1e3));
    put(b, kz, "cutoff_hz", num(k->cutoff_hz_used, 1e3));
    put(b, kz, "side_swaps_fixed", json_integer(k->n_leg_swaps_fixed));
    put(b, kz, "arm_swaps_fixed", json_integer(k->n_arm_swaps_fixed));
    put(b, kz, "facing", json_string(k->facing >= 0 ? "right" : "left"));
    json_t *conv = json_object();
    put(b, conv, "ank", json_string("dorsiflexion = 90 - angle(shank, foot); 0 standing"));
    put(b, conv, "kne", json_string("flexion = 180 - interior hip-knee-ankle; 0 straight"));
    put(b, conv, "hip", json_string("flexion: trunk line to thigh, + knee in front"));
    put(b, conv, "sho", json_string("flexion: trunk to upper arm, + elbow in front"));
    put(b, conv, "elb", json_string("flexion = 180 - interior shoulder-elbow-wrist"));
    put(b, conv, "trunk", json_string("hip-mid to shoulder-mid from vertical, + forward"));
    put(b, kz, "angle_conventions", conv);
}

json_t *analysis_running_json(const struct an_running_result *r, const struct an_series *s)
{
    struct jb b = {0};
    if (!r)
        return NULL;
    const struct an_kinematics *k = &r->kin;
    json_t *doc = json_object(), *kz = json_object();
    put(&b, doc, "activity", json_string("Running"));
    metrics(&b, r->m, AN_RM__COUNT, doc, kz);
    json_t *calc = json_object_get(doc, "calculated_metrics");
    if (calc) {
        put(&b, calc, "total_distance", num(r->total_distance_m, 1e3));
        put(&b, calc, "total_time", num(r->total_time_s, 1e3));
        put(&b, calc, "footstrike", json_string(analysis_footstrike_name(r->footstrike)));
    }
    json_t *ang = json_object();
    for (int a = 0; a < AN_ANG__COUNT; a++)
        put(&b, ang, analysis_angle_name(a), series(&b, k->angle_deg[a], k->n, 100));
    put(&b, doc, "angles", ang);
    put(&b, doc, "all_timestamps", timestamps(&b, k));
    json_t *ct = json_array();
    for (int i = 0; i < k->n; i++)
        append(&b, ct, json_boolean(r->contact && r->contact[i]));
    put(&b, doc, "contact", ct);
    put(&b, doc, "segments", json_integer(r->n_steps));
    keypoints(&b, s, k, doc);
    common_kz(&b, k, kz);
    put(&b, kz, "treadmill", json_boolean(r->treadmill));
    put(&b, kz, "incline_degree", num(r->incline_deg, 1e3));
    put(&b, kz, "alternation_violations", json_integer(r->alternation_violations));
    put(&b, kz, "time_base_not_real", json_boolean(r->time_base_not_real));
    put(&b, kz, "not_a_gait", json_boolean(r->not_a_gait));
    put(&b, kz, "side_repair",
        json_string(r->side_repair_kept
                        ? "continuity"
                        : (r->side_repair_rejected ? "rejected_by_alternation" : "none_needed")));
    put(&b, kz, "overstride_definition",
        json_string("horizontal heel - hip-mid distance at initial contact (+ = ahead); "
                    "shank_angle_contact: shank from vertical, + = ankle ahead of knee"));
    put(&b, kz, "footstrike_cutoffs_deg",
        json_string("rearfoot > 7.4, forefoot < -0.8 (Mo et al. 2023)"));
    json_t *cs = json_array();
    for (int c = 0; c < r->n_contacts; c++) {
        const struct an_contact *x = &r->contacts[c];
        json_t *o = json_object();
        put(&b, o, "side", json_string(x->side ? "right" : "left"));
        put(&b, o, "t_on", num(x->t_on_s, 1e5));
        put(&b, o, "t_off", num(x->t_off_s, 1e5));
        put(&b, o, "frame_on", json_integer(x->frame_on));
        put(&b, o, "frame_off", json_integer(x->frame_off));
        append(&b, cs, o);
    }
    put(&b, kz, "contacts", cs);
    put(&b, doc, "kinalyze", kz);
    if (b.fail) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

static json_t *mean_series(struct jb *b, const double *x, const double *y, int n)
{
    json_t *a = json_array();
    if (!a) {
        b->fail = 1;
        return NULL;
    }
    for (int i = 0; i < n; i++) {
        double v =
            isfinite(x[i]) && isfinite(y[i]) ? 0.5 * (x[i] + y[i]) : (isfinite(x[i]) ? x[i] : y[i]);
        append(b, a, num(v, 100));
    }
    return a;
}

json_t *analysis_jumping_json(const struct an_jumping_result *r, const struct an_series *s)
{
    struct jb b = {0};
    if (!r)
        return NULL;
    const struct an_kinematics *k = &r->kin;
    int n = k->n;
    json_t *doc = json_object(), *kz = json_object();
    put(&b, doc, "activity", json_string("Jumping"));
    metrics(&b, r->m, AN_JM__COUNT, doc, kz);
    json_t *ang = json_object();
    for (int a = 0; a < AN_ANG__COUNT; a++)
        put(&b, ang, analysis_angle_name(a), series(&b, k->angle_deg[a], n, 100));
    put(&b, ang, "kne_angle",
        mean_series(&b, k->angle_deg[AN_ANG_LKNE], k->angle_deg[AN_ANG_RKNE], n));
    put(&b, ang, "ank_angle",
        mean_series(&b, k->angle_deg[AN_ANG_LANK], k->angle_deg[AN_ANG_RANK], n));
    put(&b, ang, "hip_intersection_angle",
        mean_series(&b, k->angle_deg[AN_ANG_LHIP], k->angle_deg[AN_ANG_RHIP], n));
    put(&b, doc, "angles", ang);
    json_t *w = json_object();
    put(&b, w, "hipy", series(&b, r->hipy_m, n, 1e4));
    put(&b, w, "vhipy", series(&b, r->vhipy_mps, n, 1e4));
    put(&b, w, "ahipy", series(&b, r->ahipy_mps2, n, 1e3));
    put(&b, w, "toey", series(&b, r->toey_m, n, 1e4));
    put(&b, w, "vtoey", series(&b, r->vtoey_mps, n, 1e4));
    put(&b, w, "grf", r->grf_n ? series(&b, r->grf_n, n, 10) : json_array());
    put(&b, doc, "whole_report_metrics", w);
    put(&b, doc, "all_timestamps", timestamps(&b, k));
    json_t *ef = json_array(), *pd = json_array();
    for (int j = 0; j < r->n_jumps; j++) {
        append(&b, ef, json_integer(r->jumps[j].end_frame));
        json_t *o = json_object();
        for (int p = 0; p < AN_PH__COUNT; p++) {
            json_t *ph = json_object();
            put(&b, ph, "video_frame", json_integer(r->jumps[j].frame[p]));
            put(&b, ph, "t_s", num(r->jumps[j].t_s[p], 1e5));
            put(&b, o, analysis_phase_name(p), ph);
        }
        append(&b, pd, o);
    }
    put(&b, doc, "end_frames", ef);
    put(&b, doc, "segments", json_integer(r->n_jumps));
    put(&b, doc, "phase_data", pd);
    keypoints(&b, s, k, doc);
    common_kz(&b, k, kz);
    put(&b, kz, "exercise",
        json_string(r->kind == AN_JUMP_DROP ? "Drop Jump" : "Countermovement Jump"));
    put(&b, kz, "mass_kg", r->mass_kg > 0 ? num(r->mass_kg, 100) : json_null());
    put(&b, kz, "grf_formula", json_string("m * (g + a_hip), hip-mid as COM proxy"));
    put(&b, doc, "kinalyze", kz);
    if (b.fail) {
        json_decref(doc);
        return NULL;
    }
    return doc;
}

json_t *analysis_keypoints_json(const struct an_series *s, const struct an_kinematics *k)
{
    struct jb b = {0};
    json_t *doc = json_object();
    if (!doc)
        return NULL;
    keypoints(&b, s, k, doc);
    json_t *kp = json_incref(json_object_get(doc, "keypoints"));
    json_decref(doc);
    if (b.fail) {
        json_decref(kp);
        return NULL;
    }
    return kp;
}
