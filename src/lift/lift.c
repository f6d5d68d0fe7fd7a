/*
 * lift.c — lift_analyze(): turns the per-frame plate centre (px) and optional
 * body kinematics (analysis module) into bar kinematics, phases (lift_phase.c), power and the
 * scalar metrics of lift.h. Definitions follow METRICS-AND-PEERS.md §3.3:
 *   - bar power P = m_bar · (g + a_y) · v_y, bar only, excluding the body
 *     (Garhammer-style bar power; "Comparison of different methods of
 *     determining power output in weightlifting exercises");
 *   - bar drop = max height − catch height; catch height also as % of max
 *     (Olympic weightlifting encyclopedia; marunde "pull height");
 *   - DxF / DxB horizontal excursions toward and away from the lifter
 *     (PLOS ONE 2022 e0263224);
 *   - trajectory type after Vorobyev (1978) as summarised by Cunanan et al.
 *     2020 (Sports 8(9):118) and Schilling et al. 2002 — see trajectory_type();
 *   - max_GRF (only with body mass and hip landmarks): F = m_bar (g + a_bar) +
 *     m_body (g + a_hip), the hip-midpoint vertical acceleration standing in
 *     for the body centre-of-mass acceleration (Newton's 2nd law on the
 *     lifter+bar system; the hip proxy is our approximation).
 */
#include "lift/lift_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const char *const exercise_names[] = {"snatch", "clean", "clean_and_jerk"};

enum kz_err lift_exercise_parse(const char *name, enum lift_exercise *out, struct err_ctx *e)
{
    for (size_t i = 0; name && i < KZ_ARRAY_LEN(exercise_names); i++)
        if (strcmp(name, exercise_names[i]) == 0) {
            *out = (enum lift_exercise)i;
            return KZ_OK;
        }
    return err_set(e, KZ_E_INVALID, "exercise must be snatch, clean or clean_and_jerk");
}

const char *lift_exercise_name(enum lift_exercise x)
{
    return (unsigned)x < KZ_ARRAY_LEN(exercise_names) ? exercise_names[x] : "unknown";
}

enum kz_err lift_mass_parse_kg(const char *s, int default_unit_lb, double *kg_out,
                               struct err_ctx *e)
{
    char buf[64];
    double v = 0, factor = default_unit_lb ? LIFT_LB_TO_KG : 1.0;
    size_t len;
    if (!s || str_copy(buf, sizeof buf, s) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "barbell_mass: missing or too long");
    len = strlen(buf);
    while (len > 0 && buf[len - 1] == ' ')
        buf[--len] = '\0';
    if (len > 2 && (strcmp(buf + len - 2, "kg") == 0 || strcmp(buf + len - 2, "lb") == 0)) {
        factor = buf[len - 2] == 'k' ? 1.0 : LIFT_LB_TO_KG;
        buf[len - 2] = '\0';
        len -= 2;
        while (len > 0 && buf[len - 1] == ' ')
            buf[--len] = '\0';
    }
    if (str_to_double(buf, 1e-9, 1e6, &v) != KZ_OK || v * factor > 1000.0)
        return err_set(e, KZ_E_INVALID, "barbell_mass: '%s' is not a mass in (0, 1000] kg", s);
    *kg_out = v * factor;
    return KZ_OK;
}

static const char *const phase_names[LIFT_PHASE__COUNT] = {
    "",         "first_pull", "transition", "second_pull", "turnover",     "catch",
    "recovery", "jerk_dip",   "jerk_drive", "jerk_catch",  "jerk_recovery"};

const char *lift_phase_name(enum lift_phase p)
{
    return (unsigned)p < LIFT_PHASE__COUNT ? phase_names[p] : "";
}

static const char *const event_names[LIFT_EV__COUNT] = {
    "start_of_lifting", "first_pull_end", "transition",       "second_pull_end", "max_height",
    "catch_end",        "recovery_end",   "bar_past_knee",    "jerk_dip_start",  "jerk_dip_end",
    "jerk_drive_end",   "jerk_catch_end", "jerk_recovery_end"};

const char *lift_event_name(enum lift_event ev)
{
    return (unsigned)ev < LIFT_EV__COUNT ? event_names[ev] : "";
}

static const struct {
    const char *name, *unit;
} metric_info[LIFT_M__COUNT] = {
    [LIFT_M_MAX_BAR_SPEED] = {"max_bar_speed", "m/s"},
    [LIFT_M_MAX_BAR_VEL_Y] = {"max_bar_velocity_y", "m/s"},
    [LIFT_M_MAX_BAR_HEIGHT] = {"max_bar_height", "m"},
    [LIFT_M_CATCH_HEIGHT] = {"catch_height", "m"},
    [LIFT_M_CATCH_HEIGHT_PCT] = {"catch_height_pct", "%"},
    [LIFT_M_BAR_DROP] = {"bar_drop", "m"},
    [LIFT_M_DX_TOWARD] = {"dx_toward", "m"},
    [LIFT_M_DX_AWAY] = {"dx_away", "m"},
    [LIFT_M_DX_NET] = {"dx_net", "m"},
    [LIFT_M_TRAJECTORY_TYPE] = {"trajectory_type", "1"},
    [LIFT_M_BAR_PAST_KNEE_SPEED] = {"bar_past_the_knee_speed", "m/s"},
    [LIFT_M_BAR_PAST_KNEE_ACC] = {"bar_past_the_knee_acceleration", "m/s^2"},
    [LIFT_M_TOTAL_TIME] = {"total_time", "s"},
    [LIFT_M_TURNOVER_TIME] = {"turnover_time", "s"},
    [LIFT_M_PULL_TIME] = {"pull_time", "s"},
    [LIFT_M_PEAK_PULL_POWER] = {"peak_pull_power", "W"},
    [LIFT_M_MEAN_PULL_POWER] = {"mean_pull_power", "W"},
    [LIFT_M_MAX_POWER] = {"max_power", "W"},
    [LIFT_M_MAX_GRF] = {"max_GRF", "N"},
    [LIFT_M_JERK_DIP_DEPTH] = {"jerk_dip_depth", "m"},
    [LIFT_M_JERK_DRIVE_MAX_VEL] = {"jerk_drive_max_velocity", "m/s"},
    [LIFT_M_TRACKING_CONFIDENCE] = {"mean_markers_validity", "1"},
    [LIFT_M_INTERPOLATED_FRACTION] = {"interpolated_fraction", "1"},
};

const char *lift_metric_name(enum lift_metric m)
{
    return (unsigned)m < LIFT_M__COUNT ? metric_info[m].name : "";
}

const char *lift_metric_unit(enum lift_metric m)
{
    return (unsigned)m < LIFT_M__COUNT ? metric_info[m].unit : "";
}

void lift_result_destroy(struct lift_result *r)
{
    if (!r)
        return;
    free(r->t_s);
    free(r->bar_x_px);
    free(r->bar_y_px);
    free(r->bar_x_m);
    free(r->bar_y_m);
    free(r->vel_x_mps);
    free(r->vel_y_mps);
    free(r->speed_mps);
    free(r->acc_y_mps2);
    free(r->power_w);
    free(r->hip_vel_y_mps);
    free(r->knee_flex_deg);
    free(r->lkne_deg);
    free(r->rkne_deg);
    free(r->lank_deg);
    free(r->rank_deg);
    free(r->hip_deg);
    free(r->bar_conf);
    free(r->flag);
    free(r->phase);
    free(r);
}

static void set_metric(struct lift_result *r, enum lift_metric m, double v, double unc)
{
    r->m[m].available = isfinite(v);
    r->m[m].value = v;
    r->m[m].uncertainty = unc;
    r->m[m].reason = isfinite(v) ? NULL : "not computable from the tracked data";
}

static void unavailable(struct lift_result *r, enum lift_metric m, const char *reason)
{
    r->m[m].available = 0;
    r->m[m].value = NAN;
    r->m[m].uncertainty = NAN;
    r->m[m].reason = reason;
}

/* Known span [lo, hi] of a series; returns 0 when empty. */
static int known_span(const double *y, size_t n, size_t *lo, size_t *hi)
{
    size_t a = 0, b = n;
    while (a < n && isnan(y[a]))
        a++;
    if (a == n)
        return 0;
    while (b > a && isnan(y[b - 1]))
        b--;
    *lo = a;
    *hi = b - 1;
    return 1;
}

/* Mean confidence of a landmark over the clip (near side = the more visible). */
static double lm_conf(const struct an_kinematics *k, int lm)
{
    double s = 0;
    for (int i = 0; i < k->n; i++)
        s += k->conf[lm][i];
    return s;
}

/* Body series from the analysis kinematics: joint angles (copied), near-side
   knee flexion, hip-midpoint vertical velocity/acceleration re-scaled to the
   plate scale, knee height in image pixels. */
static enum kz_err body_series(const struct lift_input *in, struct lift_result *r, double *hip_acc,
                               double *knee_y_px, struct err_ctx *e)
{
    const struct an_kinematics *k = in->kin;
    size_t n = r->n;
    int near_r = lm_conf(k, AN_R_KNEE) > lm_conf(k, AN_L_KNEE);
    double *hy = malloc(n * sizeof *hy);
    if (!hy)
        return err_set(e, KZ_E_NOMEM, "lift: out of memory");
    for (size_t i = 0; i < n; i++) {
        r->lkne_deg[i] = k->angle_deg[AN_ANG_LKNE][i];
        r->rkne_deg[i] = k->angle_deg[AN_ANG_RKNE][i];
        r->lank_deg[i] = k->angle_deg[AN_ANG_LANK][i];
        r->rank_deg[i] = k->angle_deg[AN_ANG_RANK][i];
        r->hip_deg[i] = k->angle_deg[near_r ? AN_ANG_RHIP : AN_ANG_LHIP][i];
        if (isnan(r->hip_deg[i]))
            r->hip_deg[i] = k->angle_deg[near_r ? AN_ANG_LHIP : AN_ANG_RHIP][i];
        r->knee_flex_deg[i] = near_r ? r->rkne_deg[i] : r->lkne_deg[i];
        if (isnan(r->knee_flex_deg[i]))
            r->knee_flex_deg[i] = near_r ? r->lkne_deg[i] : r->rkne_deg[i];
        /* analysis positions: y-up metres from the image bottom at k's scale */
        double kyl = k->y[AN_L_KNEE][i], kyr = k->y[AN_R_KNEE][i];
        double ky = isfinite(kyl) && isfinite(kyr) ? 0.5 * (kyl + kyr) : isfinite(kyl) ? kyl : kyr;
        knee_y_px[i] = in->image_height_px - ky / k->scale_m_per_px;
        double hl = k->y[AN_L_HIP][i], hr = k->y[AN_R_HIP][i];
        double h = isfinite(hl) && isfinite(hr) ? 0.5 * (hl + hr) : isfinite(hl) ? hl : hr;
        hy[i] = h / k->scale_m_per_px * in->m_per_px; /* metres at the plate scale */
    }
    analysis_signal_derivative(r->t_s, hy, (int)n, r->hip_vel_y_mps);
    analysis_signal_derivative(r->t_s, r->hip_vel_y_mps, (int)n, hip_acc);
    free(hy);
    return KZ_OK;
}

/*
 * Trajectory type, our operational reading of Vorobyev (1978) as summarised by
 * Cunanan et al. 2020 and Schilling et al. 2002, on x (+ toward the lifter,
 * origin at lift-off = the vertical reference line) from lift-off to max height:
 *   initial direction = sign of x when the bar has first risen 10 cm
 *   (|x| < 5 mm counts as toward);
 *   4: initial movement AWAY from the lifter (Cunanan's added fourth type);
 *   2: toward, and never crosses the reference line (x never < -1 cm) —
 *      Vorobyev "B": "not intersecting the vertical reference line after liftoff";
 *   1: toward, crosses the line only from first_pull_end on (in the transition /
 *      second pull), i.e. the bar loops out in front during the explosion;
 *   3: toward, but crosses the line already during the first pull.
 */
static double trajectory_type(const struct lift_result *r, size_t s, size_t mh, size_t fpe,
                              int fpe_found)
{
    size_t i10 = s;
    while (i10 < mh && r->bar_y_m[i10] < 0.10)
        i10++;
    if (r->bar_x_m[i10] < -0.005)
        return 4;
    for (size_t i = s; i <= mh; i++)
        if (r->bar_x_m[i] < -0.01)
            return (fpe_found && i >= fpe) ? 1 : (fpe_found ? 3 : 1);
    return 2;
}

static enum kz_err alloc_arrays(struct lift_result *r, size_t n, int with_kin)
{
    double **d[] = {&r->t_s,        &r->bar_x_px,  &r->bar_y_px,      &r->bar_x_m,
                    &r->bar_y_m,    &r->vel_x_mps, &r->vel_y_mps,     &r->speed_mps,
                    &r->acc_y_mps2, &r->power_w,   &r->hip_vel_y_mps, &r->knee_flex_deg,
                    &r->bar_conf};
    double **p[] = {&r->lkne_deg, &r->rkne_deg, &r->lank_deg, &r->rank_deg, &r->hip_deg};
    for (size_t k = 0; k < KZ_ARRAY_LEN(d); k++)
        if (!(*d[k] = malloc(n * sizeof(double))))
            return KZ_E_NOMEM;
    for (size_t k = 0; with_kin && k < KZ_ARRAY_LEN(p); k++)
        if (!(*p[k] = malloc(n * sizeof(double))))
            return KZ_E_NOMEM;
    r->flag = calloc(n, 1);
    r->phase = calloc(n, 1);
    return r->flag && r->phase ? KZ_OK : KZ_E_NOMEM;
}

static void compute_metrics(const struct lift_input *in, struct lift_result *r,
                            const double *hip_acc, double sigma_pos_m);

enum kz_err lift_analyze(const struct lift_input *in, struct lift_result **out, struct err_ctx *e)
{
    struct lift_result *r = NULL;
    double *hip_acc = NULL, *knee_y_px = NULL, *raw = NULL;
    enum kz_err rc = KZ_OK;
    size_t n, lo = 0, hi = 0, nknown = 0;
    double fc, sigma_pos_m = 0;
    if (!in || !out || !in->t_s || !in->bar_x_px || !in->bar_y_px)
        return err_set(e, KZ_E_INVALID, "lift: missing input arrays");
    *out = NULL;
    n = in->n_frames;
    if (n < 4)
        return err_set(e, KZ_E_INVALID, "lift: need at least 4 frames, got %zu", n);
    if (n > 1000000)
        return err_set(e, KZ_E_TOO_LARGE, "lift: %zu frames is too many", n);
    if (!(in->m_per_px > 0) || !isfinite(in->m_per_px))
        return err_set(e, KZ_E_INVALID, "lift: scale must be > 0 m/px");
    if (!(in->barbell_mass_kg > 0) || !isfinite(in->barbell_mass_kg))
        return err_set(e, KZ_E_INVALID, "lift: barbell mass must be > 0 kg");
    if ((unsigned)in->exercise > LIFT_CLEAN_AND_JERK)
        return err_set(e, KZ_E_INVALID, "lift: unknown exercise");
    if (in->kin &&
        ((size_t)in->kin->n != n || !(in->kin->scale_m_per_px > 0) || in->image_height_px <= 0))
        return err_set(e, KZ_E_INVALID, "lift: kinematics must cover the same %zu frames", n);
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(in->t_s[i]) || (i > 0 && !(in->t_s[i] > in->t_s[i - 1])))
            return err_set(e, KZ_E_INVALID, "lift: timestamps must increase (frame %zu)", i);
        if (isfinite(in->bar_x_px[i]) && isfinite(in->bar_y_px[i]) &&
            (!in->bar_flag || in->bar_flag[i] == LIFT_BAR_MEASURED))
            nknown++;
    }
    if (nknown < 4)
        return err_set(e, KZ_E_INVALID, "lift: only %zu frames with a measured bar position",
                       nknown);
    fc = in->cutoff_hz > 0 ? in->cutoff_hz : 6.0;

    r = calloc(1, sizeof *r);
    if (!r)
        return err_set(e, KZ_E_NOMEM, "lift: out of memory");
    r->n = n;
    r->exercise = in->exercise;
    r->m_per_px = in->m_per_px;
    r->barbell_mass_kg = in->barbell_mass_kg;
    r->body_mass_kg = in->body_mass_kg;
    hip_acc = malloc(n * sizeof *hip_acc);
    knee_y_px = malloc(n * sizeof *knee_y_px);
    raw = malloc(n * sizeof *raw);
    if (alloc_arrays(r, n, in->kin != NULL) != KZ_OK || !hip_acc || !knee_y_px || !raw) {
        rc = err_set(e, KZ_E_NOMEM, "lift: out of memory");
        goto fail;
    }
    memcpy(r->t_s, in->t_s, n * sizeof(double));

    /* Bar px: only measured samples are trusted; the rest are re-interpolated
       (gaps up to LIFT_MAX_GAP_S) by the analysis module's gap filler. */
    for (size_t i = 0; i < n; i++) {
        int ok = isfinite(in->bar_x_px[i]) && isfinite(in->bar_y_px[i]);
        uint8_t f = in->bar_flag ? in->bar_flag[i] : (ok ? LIFT_BAR_MEASURED : LIFT_BAR_MISSING);
        if (!ok)
            f = LIFT_BAR_MISSING;
        r->flag[i] = f;
        r->bar_x_px[i] = f == LIFT_BAR_MEASURED ? in->bar_x_px[i] : NAN;
        r->bar_y_px[i] = f == LIFT_BAR_MEASURED ? in->bar_y_px[i] : NAN;
        r->bar_conf[i] = f != LIFT_BAR_MEASURED ? 0.0 : in->bar_conf ? in->bar_conf[i] : 1.0;
    }
    memcpy(raw, r->bar_y_px, n * sizeof *raw);
    analysis_signal_fill_gaps(r->t_s, r->bar_x_px, (int)n, LIFT_MAX_GAP_S);
    analysis_signal_fill_gaps(r->t_s, r->bar_y_px, (int)n, LIFT_MAX_GAP_S);
    for (size_t i = 0; i < n; i++)
        if (r->flag[i] != LIFT_BAR_MEASURED)
            r->flag[i] = isfinite(r->bar_y_px[i]) ? LIFT_BAR_INTERPOLATED : LIFT_BAR_MISSING;
    rc = analysis_signal_lowpass(r->t_s, r->bar_x_px, (int)n, fc, r->bar_x_px, NULL, e);
    if (rc == KZ_OK)
        rc = analysis_signal_lowpass(r->t_s, r->bar_y_px, (int)n, fc, r->bar_y_px, NULL, e);
    if (rc != KZ_OK)
        goto fail;
    known_span(r->bar_y_px, n, &lo, &hi);
    {
        double ss = 0;
        size_t c = 0;
        for (size_t i = 0; i < n; i++)
            if (r->flag[i] == LIFT_BAR_MEASURED && isfinite(r->bar_y_px[i])) {
                ss += (raw[i] - r->bar_y_px[i]) * (raw[i] - r->bar_y_px[i]);
                c++;
            }
        sigma_pos_m = c ? sqrt(ss / (double)c) * in->m_per_px : 0;
    }

    /* Facing: explicit, else from the analysis kinematics (toe ahead of heel). */
    r->facing = in->facing > 0 ? 1 : in->facing < 0 ? -1 : 0;
    if (!r->facing && in->kin)
        r->facing = in->kin->facing;

    /* Metres with a provisional origin at the first known sample. */
    {
        double sx = r->facing ? -(double)r->facing : 1.0; /* + toward the lifter */
        for (size_t i = 0; i < n; i++) {
            r->bar_x_m[i] = sx * (r->bar_x_px[i] - r->bar_x_px[lo]) * in->m_per_px;
            r->bar_y_m[i] = -(r->bar_y_px[i] - r->bar_y_px[lo]) * in->m_per_px;
        }
    }
    analysis_signal_derivative(r->t_s, r->bar_x_m, (int)n, r->vel_x_mps);
    analysis_signal_derivative(r->t_s, r->bar_y_m, (int)n, r->vel_y_mps);
    analysis_signal_derivative(r->t_s, r->vel_y_mps, (int)n, r->acc_y_mps2);
    for (size_t i = 0; i < n; i++) {
        r->speed_mps[i] = hypot(r->vel_x_mps[i], r->vel_y_mps[i]);
        /* Bar power, P = m (g + a_y) v_y (METRICS-AND-PEERS §3.3). */
        r->power_w[i] = in->barbell_mass_kg * (LIFT_G_MPS2 + r->acc_y_mps2[i]) * r->vel_y_mps[i];
        r->knee_flex_deg[i] = NAN;
        r->hip_vel_y_mps[i] = NAN;
        hip_acc[i] = NAN;
        knee_y_px[i] = NAN;
    }
    if (in->kin) {
        rc = body_series(in, r, hip_acc, knee_y_px, e);
        if (rc != KZ_OK)
            goto fail;
    }

    lift_detect_phases(r);

    /* Re-reference the path to the lift-off position (or the pull's first
       tracked frame when the lift-off is before the clip). */
    if (r->pull_start < n) {
        size_t s = r->pull_start;
        double x0 = r->bar_x_m[s], y0 = r->bar_y_m[s];
        for (size_t i = 0; i < n; i++) {
            r->bar_x_m[i] -= x0;
            r->bar_y_m[i] -= y0;
        }
    }
    /* Bar past the knee needs the knee landmarks: the first frame after the pull
       start where the plate centre is at or above knee height, having been seen
       below it (knee known) in an earlier frame of the pull — a crossing that
       was not observed is not reported. */
    r->ev[LIFT_EV_BAR_PAST_KNEE].found = 0;
    r->ev[LIFT_EV_BAR_PAST_KNEE].reason = !in->kin ? "needs knee landmarks (no pose)"
                                          : r->pull_start >= n
                                              ? r->ev[LIFT_EV_START_OF_LIFTING].reason
                                              : "bar not seen crossing knee height";
    if (in->kin && r->pull_start < n && r->ev[LIFT_EV_SECOND_PULL_END].found &&
        isfinite(knee_y_px[r->pull_start]) &&
        (r->bar_y_px[r->pull_start] - knee_y_px[r->pull_start]) * in->m_per_px >
            LIFT_KNEE_ABOVE_BAR_MAX_M) {
        /* The knee joint is ~0.285 of body height above the floor standing
           (Winter 2009, segment table: 0.57 m for a 2 m lifter) and lower with
           the knees bent at lift-off, while the plate centre is 0.225 m above
           the floor: a knee landmark more than LIFT_KNEE_ABOVE_BAR_MAX_M
           (0.40 m, with a margin for perspective) above the bar there is a
           pose error (legs hidden behind the plate), not a knee. */
        r->ev[LIFT_EV_BAR_PAST_KNEE].reason =
            "knee landmarks implausible at the start of the pull (over 40 cm above the bar: "
            "legs hidden behind the plate?)";
    } else if (in->kin && r->pull_start < n && r->ev[LIFT_EV_SECOND_PULL_END].found) {
        size_t p = r->ev[LIFT_EV_SECOND_PULL_END].index;
        int below = 0;
        for (size_t i = r->pull_start; i <= p; i++) {
            if (!isfinite(knee_y_px[i]) || !isfinite(r->bar_y_px[i]))
                continue;
            if (r->bar_y_px[i] > knee_y_px[i]) {
                below = 1;
            } else if (below) {
                r->ev[LIFT_EV_BAR_PAST_KNEE] =
                    (struct lift_event_value){1, i, r->t_s[i], "knee_height", NULL};
                break;
            }
        }
    }
    compute_metrics(in, r, hip_acc, sigma_pos_m);
    *out = r;
    r = NULL;
fail:
    free(hip_acc);
    free(knee_y_px);
    free(raw);
    lift_result_destroy(r);
    return rc;
}

/* Vertex of the parabola through y[i-1], y[i], y[i+1] (a sampled local max). */
static double peak_refine(const double *y, size_t n, size_t i)
{
    if (i == 0 || i + 1 >= n || !isfinite(y[i - 1]) || !isfinite(y[i + 1]))
        return y[i];
    double a = y[i - 1], b = y[i], c = y[i + 1], den = a - 2 * b + c;
    if (!(den < 0))
        return b;
    double d = 0.5 * (a - c) / den;
    if (fabs(d) > 1)
        return b;
    return b - 0.25 * (a - c) * d;
}

static void compute_metrics(const struct lift_input *in, struct lift_result *r,
                            const double *hip_acc, double sigma_pos_m)
{
    const struct lift_event_value *ev = r->ev;
    size_t n = r->n;
    double dt_med = (r->t_s[n - 1] - r->t_s[0]) / (double)(n - 1);
    double rel = in->m_per_px_rel_unc > 0 ? in->m_per_px_rel_unc : 0;
    /* Noise propagation (approximate): the filtered position keeps the fraction
       2 fc dt of white-noise variance; a central difference divides by 2 dt. */
    double fc = in->cutoff_hz > 0 ? in->cutoff_hz : 6.0;
    double sp = sigma_pos_m * sqrt(fmin(1.0, 2 * fc * dt_med));
    double sv = sp * M_SQRT2 / (2 * dt_med), sa = sv * M_SQRT2 / (2 * dt_med);
    double st = 0.5 * dt_med; /* event timing: half a frame */
    for (int m = 0; m < LIFT_M__COUNT; m++)
        unavailable(r, (enum lift_metric)m,
                    ev[LIFT_EV_START_OF_LIFTING].reason ? ev[LIFT_EV_START_OF_LIFTING].reason
                                                        : "lift-off not detected");
    if (r->pull_start >= n)
        goto tracking;
    size_t s = r->pull_start;
    size_t end = ev[LIFT_EV_RECOVERY_END].found ? ev[LIFT_EV_RECOVERY_END].index
                 : ev[LIFT_EV_CATCH_END].found  ? ev[LIFT_EV_CATCH_END].index
                 : ev[LIFT_EV_MAX_HEIGHT].found ? ev[LIFT_EV_MAX_HEIGHT].index
                                                : n - 1;
    if (r->exercise == LIFT_CLEAN_AND_JERK && ev[LIFT_EV_JERK_RECOVERY_END].found)
        end = ev[LIFT_EV_JERK_RECOVERY_END].index;
    while (end > s && isnan(r->bar_y_m[end]))
        end--;

    double vmax = NAN, vymax = NAN, pmax = NAN;
    size_t iv = s, ivy = s;
    for (size_t i = s; i <= end; i++) {
        if (isnan(r->speed_mps[i]))
            continue;
        if (!(r->speed_mps[i] <= vmax)) {
            vmax = r->speed_mps[i];
            iv = i;
        }
        if (!(r->vel_y_mps[i] <= vymax)) {
            vymax = r->vel_y_mps[i];
            ivy = i;
        }
        if (!(r->power_w[i] <= pmax))
            pmax = r->power_w[i];
    }
    /* Sub-frame peak values (the true maximum lies between samples). */
    vmax = fmax(vmax, peak_refine(r->speed_mps, n, iv));
    vymax = fmax(vymax, peak_refine(r->vel_y_mps, n, ivy));
    set_metric(r, LIFT_M_MAX_BAR_SPEED, vmax, hypot(sv, rel * vmax));
    set_metric(r, LIFT_M_MAX_BAR_VEL_Y, vymax, hypot(sv, rel * vymax));
    set_metric(r, LIFT_M_MAX_POWER, pmax,
               fabs(pmax) * hypot(hypot(sv, rel * vymax) / fmax(vymax, 0.1), sa / LIFT_G_MPS2));

    if (ev[LIFT_EV_MAX_HEIGHT].found) {
        double hmax = r->bar_y_m[ev[LIFT_EV_MAX_HEIGHT].index];
        set_metric(r, LIFT_M_MAX_BAR_HEIGHT, hmax, hypot(sp, rel * hmax));
        if (ev[LIFT_EV_CATCH_END].found) {
            double hc = r->bar_y_m[ev[LIFT_EV_CATCH_END].index];
            set_metric(r, LIFT_M_CATCH_HEIGHT, hc, hypot(sp, rel * hc));
            set_metric(r, LIFT_M_CATCH_HEIGHT_PCT, hmax > 0 ? 100.0 * hc / hmax : NAN,
                       hmax > 0 ? 100.0 * hypot(sp, rel * hc) / hmax : NAN);
            set_metric(r, LIFT_M_BAR_DROP, hmax - hc, hypot(sp * M_SQRT2, rel * (hmax - hc)));
        } else {
            unavailable(r, LIFT_M_CATCH_HEIGHT, "catch not detected");
            unavailable(r, LIFT_M_CATCH_HEIGHT_PCT, "catch not detected");
            unavailable(r, LIFT_M_BAR_DROP, "catch not detected");
        }
        if (r->facing) {
            size_t mh = ev[LIFT_EV_MAX_HEIGHT].index;
            size_t ce = ev[LIFT_EV_CATCH_END].found ? ev[LIFT_EV_CATCH_END].index : mh;
            double dxf = 0, xmin_after = INFINITY;
            size_t ifw = s;
            for (size_t i = s; i <= mh; i++)
                if (r->bar_x_m[i] > dxf) {
                    dxf = r->bar_x_m[i];
                    ifw = i;
                }
            for (size_t i = ifw; i <= ce; i++)
                xmin_after = fmin(xmin_after, r->bar_x_m[i]);
            set_metric(r, LIFT_M_DX_TOWARD, dxf, hypot(sp, rel * dxf));
            set_metric(r, LIFT_M_DX_AWAY, dxf - xmin_after, hypot(sp, rel * (dxf - xmin_after)));
            set_metric(r, LIFT_M_DX_NET, r->bar_x_m[ce], hypot(sp, rel * r->bar_x_m[ce]));
            set_metric(r, LIFT_M_TRAJECTORY_TYPE,
                       trajectory_type(r, s, mh, ev[LIFT_EV_FIRST_PULL_END].index,
                                       ev[LIFT_EV_FIRST_PULL_END].found),
                       NAN);
        } else {
            const char *why = "lifter facing unknown (no pose feet and no facing given)";
            unavailable(r, LIFT_M_DX_TOWARD, why);
            unavailable(r, LIFT_M_DX_AWAY, why);
            unavailable(r, LIFT_M_DX_NET, why);
            unavailable(r, LIFT_M_TRAJECTORY_TYPE, why);
        }
    } else {
        const char *why = "bar max height not detected";
        enum lift_metric ms[] = {LIFT_M_MAX_BAR_HEIGHT,   LIFT_M_CATCH_HEIGHT,
                                 LIFT_M_CATCH_HEIGHT_PCT, LIFT_M_BAR_DROP,
                                 LIFT_M_DX_TOWARD,        LIFT_M_DX_AWAY,
                                 LIFT_M_DX_NET,           LIFT_M_TRAJECTORY_TYPE};
        for (size_t k = 0; k < KZ_ARRAY_LEN(ms); k++)
            unavailable(r, ms[k], why);
    }

    if (ev[LIFT_EV_BAR_PAST_KNEE].found) {
        size_t i = ev[LIFT_EV_BAR_PAST_KNEE].index;
        set_metric(r, LIFT_M_BAR_PAST_KNEE_SPEED, r->vel_y_mps[i],
                   hypot(sv, rel * r->vel_y_mps[i]));
        set_metric(r, LIFT_M_BAR_PAST_KNEE_ACC, r->acc_y_mps2[i],
                   hypot(sa, rel * r->acc_y_mps2[i]));
    } else {
        unavailable(r, LIFT_M_BAR_PAST_KNEE_SPEED, ev[LIFT_EV_BAR_PAST_KNEE].reason);
        unavailable(r, LIFT_M_BAR_PAST_KNEE_ACC, ev[LIFT_EV_BAR_PAST_KNEE].reason);
    }
    if (ev[LIFT_EV_CATCH_END].found) /* ends at the recovery, else at the catch */
        set_metric(r, LIFT_M_TOTAL_TIME, r->t_s[end] - r->t_s[s], st * M_SQRT2);
    else /* the lift goes on past the clip (or the bar never came down) */
        unavailable(r, LIFT_M_TOTAL_TIME, "catch not in the clip");
    if (ev[LIFT_EV_SECOND_PULL_END].found) {
        size_t p = ev[LIFT_EV_SECOND_PULL_END].index;
        double psum = 0, pk = -INFINITY, tsum = 0;
        set_metric(r, LIFT_M_PULL_TIME, r->t_s[p] - r->t_s[s], st * M_SQRT2);
        for (size_t i = s; i <= p; i++) {
            pk = fmax(pk, r->power_w[i]);
            if (i > s) { /* trapezoid over real time: mean power = work / time */
                double dt = r->t_s[i] - r->t_s[i - 1];
                psum += 0.5 * (r->power_w[i] + r->power_w[i - 1]) * dt;
                tsum += dt;
            }
        }
        double prel = hypot(hypot(sv, rel * vymax) / fmax(vymax, 0.1), sa / LIFT_G_MPS2);
        set_metric(r, LIFT_M_PEAK_PULL_POWER, pk, fabs(pk) * prel);
        set_metric(r, LIFT_M_MEAN_PULL_POWER, tsum > 0 ? psum / tsum : NAN,
                   tsum > 0 ? fabs(psum / tsum) * rel : NAN);
        if (ev[LIFT_EV_CATCH_END].found)
            set_metric(r, LIFT_M_TURNOVER_TIME, r->t_s[ev[LIFT_EV_CATCH_END].index] - r->t_s[p],
                       st * M_SQRT2);
        else
            unavailable(r, LIFT_M_TURNOVER_TIME, "catch not detected");
        if (!(in->body_mass_kg > 0)) {
            unavailable(r, LIFT_M_MAX_GRF, "body mass unknown");
        } else if (!in->kin) {
            unavailable(r, LIFT_M_MAX_GRF, "needs hip landmarks (no pose)");
        } else {
            /* F = m_bar (g + a_bar) + m_body (g + a_hip), max over the pull. */
            double fmx = NAN;
            for (size_t i = s; i <= p; i++) {
                double f = in->barbell_mass_kg * (LIFT_G_MPS2 + r->acc_y_mps2[i]) +
                           in->body_mass_kg * (LIFT_G_MPS2 + hip_acc[i]);
                if (isfinite(f) && !(f <= fmx))
                    fmx = f;
            }
            set_metric(r, LIFT_M_MAX_GRF, fmx,
                       hypot(in->barbell_mass_kg * sa, in->body_mass_kg * sa));
            if (!r->m[LIFT_M_MAX_GRF].available)
                r->m[LIFT_M_MAX_GRF].reason = "hip landmarks not visible during the pull";
        }
    } else {
        const char *why = "second pull end not detected";
        enum lift_metric ms[] = {LIFT_M_PULL_TIME, LIFT_M_PEAK_PULL_POWER, LIFT_M_MEAN_PULL_POWER,
                                 LIFT_M_TURNOVER_TIME, LIFT_M_MAX_GRF};
        for (size_t k = 0; k < KZ_ARRAY_LEN(ms); k++)
            unavailable(r, ms[k], why);
    }
    if (r->exercise == LIFT_CLEAN_AND_JERK) {
        if (ev[LIFT_EV_JERK_DIP_END].found && ev[LIFT_EV_JERK_DIP_START].found)
            set_metric(r, LIFT_M_JERK_DIP_DEPTH,
                       r->bar_y_m[ev[LIFT_EV_JERK_DIP_START].index] -
                           r->bar_y_m[ev[LIFT_EV_JERK_DIP_END].index],
                       sp * M_SQRT2);
        else
            unavailable(r, LIFT_M_JERK_DIP_DEPTH, "jerk dip not detected");
        if (ev[LIFT_EV_JERK_DRIVE_END].found)
            set_metric(r, LIFT_M_JERK_DRIVE_MAX_VEL, r->vel_y_mps[ev[LIFT_EV_JERK_DRIVE_END].index],
                       sv);
        else
            unavailable(r, LIFT_M_JERK_DRIVE_MAX_VEL, "jerk drive not detected");
    } else {
        unavailable(r, LIFT_M_JERK_DIP_DEPTH, "not a clean_and_jerk");
        unavailable(r, LIFT_M_JERK_DRIVE_MAX_VEL, "not a clean_and_jerk");
    }
    if (!r->liftoff_in_clip) {
        /* Referenced to the lift-off position or time, which the clip lacks. */
        static const enum lift_metric ms[] = {LIFT_M_MAX_BAR_HEIGHT,   LIFT_M_CATCH_HEIGHT,
                                              LIFT_M_CATCH_HEIGHT_PCT, LIFT_M_DX_TOWARD,
                                              LIFT_M_DX_AWAY,          LIFT_M_DX_NET,
                                              LIFT_M_TRAJECTORY_TYPE,  LIFT_M_TOTAL_TIME,
                                              LIFT_M_PULL_TIME,        LIFT_M_MEAN_PULL_POWER};
        for (size_t k = 0; k < KZ_ARRAY_LEN(ms); k++)
            unavailable(r, ms[k],
                        "lift-off is before the clip (bar already rising in the first "
                        "tracked frame)");
    }
tracking:;
    /* Tracking quality over the lift (or the whole clip when lift-off is unknown). */
    size_t a = r->pull_start < n ? r->pull_start : 0;
    size_t b = n - 1, cnt = 0, interp = 0;
    double csum = 0;
    for (size_t i = a; i <= b; i++) {
        if (r->flag[i] == LIFT_BAR_MISSING)
            continue;
        cnt++;
        if (r->flag[i] == LIFT_BAR_INTERPOLATED)
            interp++;
        else
            csum += in->bar_conf ? in->bar_conf[i] : 1.0;
    }
    set_metric(r, LIFT_M_TRACKING_CONFIDENCE, cnt ? csum / cnt : NAN, NAN);
    set_metric(r, LIFT_M_INTERPOLATED_FRACTION, cnt ? (double)interp / cnt : NAN, NAN);
}
