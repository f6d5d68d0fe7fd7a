/*
 * analysis_metric.c — bookkeeping for `struct an_metric`: values, summary
 * statistics, uncertainty of the average and the unavailable reason, plus
 * the series allocation helpers and small name tables.
 *
 * Uncertainty of an average of n per-event values (GUM, JCGM 100:2008,
 * §5.1): u(avg) = sqrt(u_single² / n + u_sys²), where u_single is the
 * standard uncertainty of one value (frame quantisation and landmark noise,
 * computed by the caller) and u_sys a systematic part that averaging does
 * not remove (e.g. scale uncertainty, event-detection bias).
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void an_metric_init(struct an_metric *m, const char *key, const char *unit)
{
    memset(m, 0, sizeof *m);
    m->key = key;
    m->unit = unit;
    m->avg = m->min = m->max = m->uncertainty = NAN;
}

void an_metric_unavailable(struct an_metric *m, const char *fmt, ...)
{
    if (!m->available && m->reason[0])
        return;
    free(m->values);
    m->values = NULL;
    m->n = 0;
    m->available = 0;
    m->avg = m->min = m->max = m->uncertainty = NAN;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(m->reason, sizeof m->reason, fmt, ap);
    va_end(ap);
}

enum kz_err an_metric_set(struct an_metric *m, const double *v, int n, double u_single,
                          double u_sys, struct err_ctx *e)
{
    if (m->reason[0])
        return KZ_OK; /* already declared unavailable */
    int nf = 0;
    double sum = 0, mn = INFINITY, mx = -INFINITY;
    for (int i = 0; i < n; i++)
        if (isfinite(v[i])) {
            nf++;
            sum += v[i];
            mn = fmin(mn, v[i]);
            mx = fmax(mx, v[i]);
        }
    if (nf == 0) {
        an_metric_unavailable(m, "no event in the clip supports this metric");
        return KZ_OK;
    }
    double *c = malloc(sizeof(double) * (size_t)n);
    if (!c)
        return err_set(e, KZ_E_NOMEM, "metric %s values", m->key);
    memcpy(c, v, sizeof(double) * (size_t)n);
    free(m->values);
    m->values = c;
    m->n = n;
    m->available = 1;
    m->avg = sum / nf;
    m->min = mn;
    m->max = mx;
    double us = isfinite(u_single) ? u_single : 0, uy = isfinite(u_sys) ? u_sys : 0;
    m->uncertainty = sqrt(us * us / nf + uy * uy);
    return KZ_OK;
}

void an_metric_cleanup(struct an_metric *m)
{
    if (!m)
        return;
    free(m->values);
    m->values = NULL;
    m->n = 0;
}

double an_mean_range(const double *v, int a, int b)
{
    double s = 0;
    int c = 0;
    for (int i = a; i < b; i++)
        if (isfinite(v[i]))
            s += v[i], c++;
    return c ? s / c : NAN;
}

int an_frame_at(const struct an_kinematics *k, double t)
{
    int best = 0;
    double bd = INFINITY;
    for (int i = 0; i < k->n; i++) {
        double d = fabs(k->t_s[i] - t);
        if (d < bd)
            bd = d, best = i;
    }
    return best;
}

enum kz_err analysis_series_init(struct an_series *s, int n_frames, int width_px, int height_px,
                                 struct err_ctx *e)
{
    if (!s)
        return err_set(e, KZ_E_INVALID, "series: NULL");
    memset(s, 0, sizeof *s);
    if (n_frames < 0 || width_px <= 0 || height_px <= 0)
        return err_set(e, KZ_E_INVALID, "series: bad size %d frames %dx%d", n_frames, width_px,
                       height_px);
    if (n_frames > (1 << 22))
        return err_set(e, KZ_E_TOO_LARGE, "series: %d frames", n_frames);
    s->frames = calloc(n_frames ? (size_t)n_frames : 1, sizeof *s->frames);
    if (!s->frames)
        return err_set(e, KZ_E_NOMEM, "series: %d frames", n_frames);
    s->n_frames = n_frames;
    s->width_px = width_px;
    s->height_px = height_px;
    return KZ_OK;
}

void analysis_series_cleanup(struct an_series *s)
{
    if (!s)
        return;
    free(s->frames);
    s->frames = NULL;
    s->n_frames = 0;
}

const char *analysis_scale_source_name(enum an_scale_source s)
{
    switch (s) {
    case AN_SCALE_ATHLETE_HEIGHT:
        return "athlete_height";
    case AN_SCALE_WORLD_LANDMARKS:
        return "world_landmarks";
    default:
        return "none";
    }
}

const char *analysis_angle_name(enum an_angle a)
{
    static const char *const names[AN_ANG__COUNT] = {
        "lank_angle", "rank_angle", "lkne_angle", "rkne_angle", "lhip_angle", "rhip_angle",
        "lsho_angle", "rsho_angle", "lelb_angle", "relb_angle", "trunk_angle"};
    return (a >= 0 && a < AN_ANG__COUNT) ? names[a] : "unknown";
}

const char *analysis_footstrike_name(enum an_footstrike f)
{
    switch (f) {
    case AN_FS_REARFOOT:
        return "rearfoot";
    case AN_FS_MIDFOOT:
        return "midfoot";
    case AN_FS_FOREFOOT:
        return "forefoot";
    default:
        return "unknown";
    }
}

const char *analysis_phase_name(enum an_phase p)
{
    static const char *const names[AN_PH__COUNT] = {
        "start_of_preparation", "braking", "zero_velocity", "takeoff", "peak", "landing", "damping",
        "recuperation"};
    return (p >= 0 && p < AN_PH__COUNT) ? names[p] : "unknown";
}

const char *analysis_keypoint_name(int lm)
{
    switch (lm) {
    case AN_NOSE:
        return "head";
    case AN_L_EAR:
        return "lear";
    case AN_R_EAR:
        return "rear";
    case AN_L_SHOULDER:
        return "lsho";
    case AN_R_SHOULDER:
        return "rsho";
    case AN_L_ELBOW:
        return "lelb";
    case AN_R_ELBOW:
        return "relb";
    case AN_L_WRIST:
        return "lwri";
    case AN_R_WRIST:
        return "rwri";
    case AN_L_HIP:
        return "lhip";
    case AN_R_HIP:
        return "rhip";
    case AN_L_KNEE:
        return "lkne";
    case AN_R_KNEE:
        return "rkne";
    case AN_L_ANKLE:
        return "lank";
    case AN_R_ANKLE:
        return "rank";
    case AN_L_HEEL:
        return "lhee";
    case AN_R_HEEL:
        return "rhee";
    case AN_L_FOOT:
        return "ltoe";
    case AN_R_FOOT:
        return "rtoe";
    default:
        return NULL;
    }
}
