/*
 * analysis_jumping.c — countermovement and drop jumps, several per clip.
 *
 * Airborne intervals: the lowest foot point (min of heels and toes, both
 * sides) above the floor line by more than thr = max(4 σ_noise, 3 % of leg
 * length). Intervals longer than 1.2 s or touching the clip's ends are
 * platforms (standing on the box), not flights. Take-off and landing are
 * the floor crossings of a ballistic fit of the raw lowest foot point:
 * y = p + q·τ − g/2·τ² (g fixed when the scale is known, free otherwise),
 * fitted separately to the rising and the falling half of the flight so a
 * tucked landing does not move the take-off estimate.
 *
 * Definitions (METRICS-AND-PEERS.md §3.2, sources there):
 *   jump height by flight time h = g·t_f²/8 (Bosco et al., Eur J Appl
 *   Physiol 1983;50:273-282); by take-off velocity h = v_to²/(2g), v_to from
 *   the ballistic fit of the hip-mid in flight (COM proxy); the two disagree
 *   (flag) when |Δh| > max(2 cm, 10 %) and > 2 combined uncertainties, e.g.
 *   a tucked landing inflating the flight time. Phases from the hip vertical
 *   velocity (force-plate analogue, McMahon et al., Strength Cond J 2018;
 *   40(4):96-106): start_of_preparation = movement onset (velocity below
 *   −10 % of its minimum), braking = peak downward velocity, zero_velocity =
 *   lowest hip point, takeoff, peak (highest hip in flight), landing,
 *   damping = lowest hip after landing, recuperation = hip back within 10 %
 *   of the landing dip from standing height. Eccentric = onset → lowest
 *   point; concentric = lowest point → take-off; time to take-off = onset →
 *   take-off; RSImod = h_ft / time to take-off (Ebben & Petushek, JSCR 2010);
 *   drop jump: contact time = landing from the box → take-off, RSI = h_ft /
 *   contact time (Flanagan & Comyns, Strength Cond J 2008). Countermovement
 *   depth = standing hip height − lowest hip height (COM-displacement
 *   analogue). GRF = m·(g + a_hip) (Newton's second law with the hip as COM
 *   proxy; Linthorne, Am J Phys 2001;69:1198) and power = GRF·v_hip; Sayers
 *   peak power = 60.7·h[cm] + 45.3·m − 2055 W (Sayers et al., MSSE 1999).
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JUMP_MIN_FPS 25.0
#define MAX_FLIGHT_S 1.2
#define MIN_FLIGHT_S 0.08

static const struct {
    const char *key, *unit;
} jm_def[AN_JM__COUNT] = {
    {"flight_time", "s"},
    {"jump_height", "cm"},
    {"jump_height_velocity", "cm"},
    {"takeoff_velocity", "m/s"},
    {"height_disagreement", "flag"},
    {"countermovement_depth", "cm"},
    {"eccentric_duration", "s"},
    {"concentric_duration", "s"},
    {"time_to_takeoff", "s"},
    {"rsi_modified", "m/s"},
    {"contact_time", "s"},
    {"rsi", "m/s"},
    {"knee_angle_eccentric_end", "deg"},
    {"max_grf_takeoff", "N"},
    {"max_grf_landing", "N"},
    {"peak_power", "W"},
    {"normalized_power", "W/kg"},
    {"peak_power_sayers", "W"},
    {"g_estimate", "m/s^2"},
};

enum kz_err analysis_jump_kind_parse(const char *exercise, enum an_jump_kind *out,
                                     struct err_ctx *e)
{
    if (exercise && strcmp(exercise, "Countermovement Jump") == 0) {
        *out = AN_JUMP_CMJ;
        return KZ_OK;
    }
    if (exercise && strcmp(exercise, "Drop Jump") == 0) {
        *out = AN_JUMP_DROP;
        return KZ_OK;
    }
    return err_set(e, KZ_E_INVALID, "unknown jumping exercise '%s'", exercise ? exercise : "");
}

void analysis_jumping_result_cleanup(struct an_jumping_result *r)
{
    if (!r)
        return;
    analysis_kinematics_cleanup(&r->kin);
    for (int i = 0; i < AN_JM__COUNT; i++)
        an_metric_cleanup(&r->m[i]);
    free(r->hipy_m);
    free(r->vhipy_mps);
    free(r->ahipy_mps2);
    free(r->toey_m);
    free(r->vtoey_mps);
    free(r->grf_n);
    r->hipy_m = r->vhipy_mps = r->ahipy_mps2 = r->toey_m = r->vtoey_mps = r->grf_n = NULL;
}

static double lowest_foot(const struct an_kinematics *k, int i, int raw)
{
    static const int pts[4] = {AN_L_HEEL, AN_R_HEEL, AN_L_FOOT, AN_R_FOOT};
    double m = INFINITY;
    for (int q = 0; q < 4; q++) {
        double y = raw ? k->ry[pts[q]][i] : k->y[pts[q]][i];
        if (isfinite(y) && y < m)
            m = y;
    }
    return isfinite(m) ? m : NAN;
}

struct fit {
    int n;
    double p, q, c; /* y = p + q τ + c τ², τ = t − t_ref */
    double se_q;    /* standard error of q */
};

/*
 * Least squares of y(t) around t_ref: with c fixed (fixed_c finite) fits p, q;
 * otherwise p, q, c. Returns 0 on success.
 */
static int fit_ballistic(const double *t, const double *y, int n, double t_ref, double fixed_c,
                         struct fit *f)
{
    double S[3][3] = {{0}}, B[3] = {0};
    int m = 0, np = isfinite(fixed_c) ? 2 : 3;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            continue;
        double tau = t[i] - t_ref;
        double yy = isfinite(fixed_c) ? y[i] - fixed_c * tau * tau : y[i];
        double b[3] = {1, tau, tau * tau};
        for (int r = 0; r < np; r++) {
            for (int c = 0; c < np; c++)
                S[r][c] += b[r] * b[c];
            B[r] += b[r] * yy;
        }
        m++;
    }
    if (m < np + 1)
        return -1;
    /* Gaussian elimination with partial pivoting; keep an inverse for se_q. */
    double A[3][6];
    for (int r = 0; r < np; r++)
        for (int c = 0; c < 2 * np; c++)
            A[r][c] = c < np ? S[r][c] : (c - np == r);
    for (int col = 0; col < np; col++) {
        int piv = col;
        for (int r = col + 1; r < np; r++)
            if (fabs(A[r][col]) > fabs(A[piv][col]))
                piv = r;
        if (!(fabs(A[piv][col]) > 1e-18))
            return -1;
        for (int c = 0; c < 2 * np; c++) {
            double tmp = A[col][c];
            A[col][c] = A[piv][c];
            A[piv][c] = tmp;
        }
        double d = A[col][col];
        for (int c = 0; c < 2 * np; c++)
            A[col][c] /= d;
        for (int r = 0; r < np; r++)
            if (r != col) {
                double fct = A[r][col];
                for (int c = 0; c < 2 * np; c++)
                    A[r][c] -= fct * A[col][c];
            }
    }
    double x[3] = {0};
    for (int r = 0; r < np; r++)
        for (int c = 0; c < np; c++)
            x[r] += A[r][np + c] * B[c];
    f->n = m;
    f->p = x[0];
    f->q = x[1];
    f->c = np == 3 ? x[2] : fixed_c;
    double rss = 0;
    for (int i = 0; i < n; i++) {
        if (!isfinite(y[i]))
            continue;
        double tau = t[i] - t_ref, e = y[i] - (f->p + f->q * tau + f->c * tau * tau);
        rss += e * e;
    }
    double s2 = m > np ? rss / (m - np) : 0;
    f->se_q = sqrt(fmax(0, s2 * A[1][np + 1]));
    return 0;
}

/* Roots of p + q τ + c τ² = 0 (c < 0): the smaller (want_first) or larger one. */
static double fit_root(const struct fit *f, int want_first)
{
    if (fabs(f->c) < 1e-12)
        return fabs(f->q) > 1e-12 ? -f->p / f->q : NAN;
    double disc = f->q * f->q - 4 * f->c * f->p;
    if (disc < 0)
        return NAN;
    double r1 = (-f->q + sqrt(disc)) / (2 * f->c), r2 = (-f->q - sqrt(disc)) / (2 * f->c);
    double lo = fmin(r1, r2), hi = fmax(r1, r2);
    return want_first ? lo : hi;
}

struct flight {
    int a, b; /* first and last airborne frame */
    double t_to, t_land;
    int n_fit_to, n_fit_land;
    int platform;      /* 1 = standing on a box / edge run, not a flight */
    int not_ballistic; /* 1 = the feet rose but the hip did not: a step or a foot lift */
};

static int cmp_flight(const void *x, const void *y)
{
    const struct flight *a = x, *b = y;
    return (a->a > b->a) - (a->a < b->a);
}

enum kz_err analysis_jumping_run(const struct an_series *s, const struct an_jumping_opts *o,
                                 struct an_jumping_result *out, struct err_ctx *e)
{
    enum kz_err rc = KZ_OK;
    double *sf = NULL, *sr = NULL, *hy = NULL, *buf = NULL, *fy = NULL, *ft = NULL;
    double *sfg = NULL, *srg = NULL;
    struct flight *fl = NULL;
    double *v[AN_JM__COUNT] = {0};
    memset(out, 0, sizeof *out);
    for (int i = 0; i < AN_JM__COUNT; i++)
        an_metric_init(&out->m[i], jm_def[i].key, jm_def[i].unit);
    struct an_jumping_opts d = {0};
    if (o)
        d = *o;
    if (d.mass_kg < 0 || d.mass_kg > 500 || d.height_cm < 0 || d.height_cm > 300 ||
        (d.kind != AN_JUMP_CMJ && d.kind != AN_JUMP_DROP))
        return err_set(e, KZ_E_INVALID, "jumping: options out of range");
    out->kind = d.kind;
    out->mass_kg = d.mass_kg;
    struct an_prep_opts po = {.height_cm = d.height_cm,
                              .cutoff_hz = d.cutoff_hz > 0 ? d.cutoff_hz : 10,
                              .no_fix_sides = d.no_fix_sides};
    rc = analysis_prepare(s, &po, &out->kin, e);
    if (rc)
        return rc;
    struct an_kinematics *k = &out->kin;
    int n = k->n;
    size_t nb = sizeof(double) * (size_t)(n ? n : 1);
    sf = malloc(nb), sr = malloc(nb), hy = malloc(nb), buf = malloc(nb), fy = malloc(nb),
    ft = malloc(nb), sfg = malloc(nb), srg = malloc(nb);
    fl = calloc((size_t)n / 2 + 2, sizeof *fl);
    out->hipy_m = malloc(nb), out->vhipy_mps = malloc(nb), out->ahipy_mps2 = malloc(nb);
    out->toey_m = malloc(nb), out->vtoey_mps = malloc(nb);
    if (!sf || !sr || !hy || !buf || !fy || !ft || !fl || !sfg || !srg || !out->hipy_m ||
        !out->vhipy_mps || !out->ahipy_mps2 || !out->toey_m || !out->vtoey_mps)
        goto nomem;
    for (int i = 0; i < AN_JM__COUNT; i++)
        if (!(v[i] = malloc(sizeof(double) * AN_MAX_JUMPS)))
            goto nomem;
    int have_scale = k->scale_source != AN_SCALE_NONE;
    double g_units = have_scale ? AN_G_MPS2 : NAN; /* gravity in position units / s² */
    double dt = k->dt_median_s;

    /* Signals. */
    for (int i = 0; i < n; i++) {
        sf[i] = lowest_foot(k, i, 0);
        sr[i] = lowest_foot(k, i, 1);
        hy[i] = 0.5 * (k->y[AN_L_HIP][i] + k->y[AN_R_HIP][i]);
    }
    /* Two floors. Flights are found above a local floor — the 10th percentile of the
       lowest foot point within ±0.75 s, which always holds standing frames around a
       flight — because the feet drift in the image (perspective as the athlete moves,
       camera tilt). Platforms (the box of a drop jump, runs > 1.2 s) are found above
       the clip's global floor. sf/sr below are local heights, sfg/srg global ones. */
    for (int i = 0; i < n; i++)
        sfg[i] = sf[i], srg[i] = sr[i];
    {
        double *lf = fy;
        for (int i = 0; i < n; i++) {
            int q = 0;
            for (int j = i; j >= 0 && k->t_s[i] - k->t_s[j] <= 0.75; j--)
                if (isfinite(sf[j]))
                    buf[q++] = sf[j];
            for (int j = i + 1; j < n && k->t_s[j] - k->t_s[i] <= 0.75; j++)
                if (isfinite(sf[j]))
                    buf[q++] = sf[j];
            lf[i] = q >= 5 ? an_percentile(buf, q, 10) : NAN;
        }
        for (int i = 0; i < n; i++) {
            sf[i] -= lf[i];
            sr[i] -= lf[i];
        }
    }
    int m = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(sf[i]))
            buf[m++] = sf[i];
    /* Leg length (for thresholds in position units). */
    double leg = NAN;
    {
        int q = 0;
        double *lb = fy;
        for (int i = 0; i < n; i++) {
            double l = hypot(k->x[AN_L_HIP][i] - k->x[AN_L_KNEE][i],
                             k->y[AN_L_HIP][i] - k->y[AN_L_KNEE][i]) +
                       hypot(k->x[AN_L_KNEE][i] - k->x[AN_L_ANKLE][i],
                             k->y[AN_L_KNEE][i] - k->y[AN_L_ANKLE][i]);
            if (isfinite(l))
                lb[q++] = l;
        }
        leg = q ? an_median(lb, q) : NAN;
    }
    char reason[AN_REASON_MAX] = "";
    int seen = 0;
    for (int i = 0; i < n; i++)
        if ((k->conf[AN_L_FOOT][i] >= 0.5 || k->conf[AN_R_FOOT][i] >= 0.5) &&
            (k->conf[AN_L_HEEL][i] >= 0.5 || k->conf[AN_R_HEEL][i] >= 0.5))
            seen++;
    if (k->fps_median < JUMP_MIN_FPS)
        str_printf(reason, sizeof reason,
                   "frame rate %.1f fps is below the %.0f fps needed to time take-off and landing",
                   k->fps_median, JUMP_MIN_FPS);
    else if (seen < 0.5 * n || m < 10 || !isfinite(leg))
        str_printf(reason, sizeof reason, "feet not visible: heel and toe seen in %.0f%% of frames",
                   100.0 * seen / (n ? n : 1));
    double floor_y = NAN, noise = NAN, thr = NAN;
    int nf = 0;
    if (!reason[0]) {
        int q = 0;
        for (int i = 0; i < n; i++)
            if (isfinite(sfg[i]))
                buf[q++] = sfg[i];
        double p15 = an_percentile(buf, q, 15);
        q = 0;
        for (int i = 0; i < n; i++)
            if (isfinite(sfg[i]) && sfg[i] <= p15)
                buf[q++] = sfg[i];
        double floor_g = an_median(buf, q);
        floor_y = 0; /* local heights are already relative to the local floor */
        noise = 0.25 * (k->noise_m[AN_L_HEEL] + k->noise_m[AN_R_HEEL] + k->noise_m[AN_L_FOOT] +
                        k->noise_m[AN_R_FOOT]);
        if (!isfinite(noise))
            noise = 0.01 * leg;
        thr = fmax(4 * noise, 0.03 * leg);
        /* Airborne runs: platforms from the global heights (pass 0), flights from
           the local ones (pass 1). */
        for (int pass = 0; pass < 2; pass++) {
            const double *S = pass ? sf : sfg, *R = pass ? sr : srg;
            double base = pass ? 0 : floor_g;
            double L = base + thr;
            int i = 0;
            while (i < n) {
                if (!(isfinite(S[i]) && S[i] > L)) {
                    i++;
                    continue;
                }
                int a = i;
                while (i < n && (!isfinite(S[i]) || S[i] > L))
                    i++;
                int b = i - 1;
                struct flight *f = &fl[nf];
                memset(f, 0, sizeof *f);
                f->a = a;
                f->b = b;
                double dur = k->t_s[b] - k->t_s[a] + dt;
                if (a == 0 || b == n - 1 || dur > MAX_FLIGHT_S)
                    f->platform = 1;
                else if (dur < MIN_FLIGHT_S)
                    continue;
                if (f->platform != (pass == 0))
                    continue; /* each pass keeps its own kind */
                /* Crossing-based fallbacks. */
                double tc_to = a > 0 ? k->t_s[a - 1] + (L - S[a - 1]) / (S[a] - S[a - 1]) *
                                                           (k->t_s[a] - k->t_s[a - 1])
                                     : k->t_s[a];
                double tc_la = b < n - 1 ? k->t_s[b] + (S[b] - L) / (S[b] - S[b + 1]) *
                                                           (k->t_s[b + 1] - k->t_s[b])
                                         : k->t_s[b];
                f->t_to = tc_to;
                f->t_land = tc_la;
                /* Ballistic fits of the raw lowest foot point, rising and falling halves. */
                int apex = a;
                for (int j = a; j <= b; j++)
                    if (isfinite(S[j]) && S[j] > S[apex])
                        apex = j;
                double cfix = have_scale ? -0.5 * g_units : NAN;
                int half[2][2] = {{a, f->platform ? a - 1 : apex}, {f->platform ? b + 1 : apex, b}};
                for (int h = 0; h < 2; h++) {
                    if (f->platform && h == 0)
                        continue; /* a platform has no take-off */
                    int lo = half[h][0], hi = half[h][1];
                    if (f->platform && h == 1) {
                        /* Falling off the box: the last samples before the landing. */
                        lo = b;
                        while (lo > a && k->t_s[b] - k->t_s[lo - 1] <= 0.25 &&
                               isfinite(S[lo - 1]) && S[lo - 1] >= S[lo])
                            lo--;
                        hi = b;
                    }
                    int q2 = 0;
                    for (int j = lo; j <= hi; j++) {
                        if (!isfinite(R[j]) || R[j] - base < 0.5 * thr)
                            continue;
                        ft[q2] = k->t_s[j];
                        fy[q2] = R[j] - base;
                        q2++;
                    }
                    struct fit fi;
                    double tref = h == 0 ? tc_to : tc_la;
                    if (q2 >= 3 && fit_ballistic(ft, fy, q2, tref, cfix, &fi) == 0 && fi.c < 0) {
                        double r = fit_root(&fi, h == 0) + tref;
                        /* The floor is reached before the take-off crossing / after the
                           landing crossing, by at most 60 ms plus a frame. */
                        double lim_lo = h == 0 ? tc_to - 0.06 - dt : tc_la - dt;
                        double lim_hi = h == 0 ? tc_to + dt : tc_la + 0.06 + dt;
                        if (isfinite(r) && r >= lim_lo && r <= lim_hi) {
                            if (h == 0)
                                f->t_to = r, f->n_fit_to = q2;
                            else
                                f->t_land = r, f->n_fit_land = q2;
                        }
                    }
                }
                nf++;
            }
        }
        qsort(fl, (size_t)nf, sizeof *fl, cmp_flight);
    }

    /* Hip-mid velocity and acceleration: the mean of both hips' (the derivative is
       linear), from the kinematics' derivatives on the real timestamps. */
    for (int i = 0; i < n; i++) {
        out->vhipy_mps[i] = 0.5 * (k->vy[AN_L_HIP][i] + k->vy[AN_R_HIP][i]);
        out->ahipy_mps2[i] = 0.5 * (k->ay[AN_L_HIP][i] + k->ay[AN_R_HIP][i]);
    }
    /* Standing hip height: feet on the floor and hip nearly still. */
    double H0 = NAN;
    {
        int q = 0;
        for (int i = 0; i < n; i++)
            if (isfinite(hy[i]) && isfinite(sf[i]) && (!isfinite(thr) || sf[i] <= floor_y + thr) &&
                fabs(out->vhipy_mps[i]) < 0.1 * (isfinite(leg) ? leg : 1))
                buf[q++] = hy[i];
        if (q < 3) {
            q = 0;
            for (int i = 0; i < n; i++)
                if (isfinite(hy[i]))
                    buf[q++] = hy[i];
        }
        H0 = q ? an_median(buf, q) : NAN;
    }
    for (int i = 0; i < n; i++) {
        out->hipy_m[i] = hy[i] - H0;
        out->toey_m[i] = sf[i] - (isfinite(floor_y) ? floor_y : 0);
    }
    analysis_signal_derivative(k->t_s, out->toey_m, n, out->vtoey_mps);
    if (d.mass_kg > 0 && have_scale) {
        out->grf_n = malloc(nb);
        if (!out->grf_n)
            goto nomem;
        /* Newton: F = m (g + a_COM), hip-mid as COM proxy (Linthorne 2001). */
        for (int i = 0; i < n; i++)
            out->grf_n[i] = d.mass_kg * (AN_G_MPS2 + out->ahipy_mps2[i]);
    }

    /* Uncertainty inputs, as running does (docs/METRICS.md §1): the raw landmark
       noise σ = noise_m / g0 (noise_m is the raw − filtered residual; g0 its gain
       for white noise, an_noise_gains) divided by the mean confidence of the
       landmarks involved, so a less certain pose model or a lower frame rate (a
       larger Δt, fewer samples under the low-pass) gives a larger uncertainty. */
    double gains[3];
    if (an_noise_gains(dt, k->cutoff_hz_used > 0 ? k->cutoff_hz_used : po.cutoff_hz, gains) ||
        !(gains[0] > 0))
        gains[0] = 1, gains[1] = gains[2] = NAN;
    static const int feet_lm[4] = {AN_L_HEEL, AN_R_HEEL, AN_L_FOOT, AN_R_FOOT};
    static const int leg_lm[6] = {AN_L_HIP, AN_R_HIP, AN_L_KNEE, AN_R_KNEE, AN_L_ANKLE, AN_R_ANKLE};
    double conf_feet = 0, conf_hip = 0, conf_leg = 0;
    for (int i = 0; i < n; i++) {
        for (int q = 0; q < 4; q++)
            conf_feet += k->conf[feet_lm[q]][i] / (4.0 * n);
        for (int q = 0; q < 6; q++)
            conf_leg += k->conf[leg_lm[q]][i] / (6.0 * n);
        conf_hip += 0.5 * (k->conf[AN_L_HIP][i] + k->conf[AN_R_HIP][i]) / n;
    }
    conf_feet = fmax(0.1, conf_feet), conf_hip = fmax(0.1, conf_hip);
    conf_leg = fmax(0.1, conf_leg);
    double noise_u = noise / gains[0] / conf_feet; /* lowest foot point, m */
    double hipn = 0.5 * (k->noise_m[AN_L_HIP] + k->noise_m[AN_R_HIP]) / gains[0] / conf_hip;
    double legn = 0;
    int nleg = 0;
    for (int q = 0; q < 6; q++)
        if (isfinite(k->noise_m[leg_lm[q]]))
            legn += k->noise_m[leg_lm[q]], nleg++;
    legn = nleg ? legn / nleg / gains[0] / conf_leg : noise_u;
    double acc_on[AN_MAX_JUMPS], acc_zv[AN_MAX_JUMPS];
    double pflip[AN_MAX_JUMPS], a_to[AN_MAX_JUMPS], a_la[AN_MAX_JUMPS], pw_a[AN_MAX_JUMPS],
        pw_v[AN_MAX_JUMPS];

    /* Jumps: each flight, with its preparation window since the previous jump. */
    int nj = 0, prev_end = 0;
    double last_platform_land = NAN;
    int last_platform_idx = -1;
    for (int q = 0; q < nf && nj < AN_MAX_JUMPS; q++) {
        struct flight *f = &fl[q];
        if (!f->platform) {
            /* A flight moves the whole body: the hip must rise at least 40 % as much as
               the feet above their take-off level (a foot lift or a step does not). */
            int to_f = an_frame_at(k, f->t_to);
            double frise = -INFINITY, hmax = -INFINITY;
            for (int i = f->a; i <= f->b; i++) {
                if (isfinite(sf[i]))
                    frise = fmax(frise, sf[i]);
                if (isfinite(hy[i]))
                    hmax = fmax(hmax, hy[i]);
            }
            double hrise = hmax - hy[to_f];
            if (!(hrise >= 0.4 * frise))
                f->not_ballistic = 1;
        }
        if (f->not_ballistic)
            continue;
        if (f->platform) {
            if (f->b < n - 1) {
                last_platform_land = f->t_land;
                last_platform_idx = q;
            }
            continue;
        }
        /* Take-off velocity: ballistic fit of the raw hip-mid over the flight. */
        double vto = NAN, gest = NAN, hv = NAN, u_hv = NAN;
        {
            int q2 = 0;
            for (int i = f->a; i <= f->b; i++) {
                double y = 0.5 * (k->ry[AN_L_HIP][i] + k->ry[AN_R_HIP][i]);
                if (isfinite(y) && k->t_s[i] > f->t_to && k->t_s[i] < f->t_land)
                    ft[q2] = k->t_s[i], fy[q2] = y, q2++;
            }
            struct fit fi;
            if (have_scale && fit_ballistic(ft, fy, q2, f->t_to, -0.5 * AN_G_MPS2, &fi) == 0) {
                vto = fi.q;
                hv = vto * vto / (2 * AN_G_MPS2);
                u_hv = fabs(vto) / AN_G_MPS2 * fi.se_q;
            }
            if (q2 >= 5 && fit_ballistic(ft, fy, q2, f->t_to, NAN, &fi) == 0)
                gest = -2 * fi.c;
        }
        /* A flight is ballistic: with a scale, the hip's free parabola must show
           gravity (0.5-1.6 g) and the hip must leave with at least half the speed the
           flight time implies; otherwise this was not a jump (a step, a foot lift, a
           tracking glitch) and it is skipped. */
        if (have_scale) {
            double tf0 = f->t_land - f->t_to;
            if ((isfinite(gest) && (gest < 0.5 * AN_G_MPS2 || gest > 1.6 * AN_G_MPS2)) ||
                (isfinite(vto) && vto < 0.25 * AN_G_MPS2 * tf0))
                continue;
        }
        struct an_jump *j = &out->jumps[nj];
        for (int p = 0; p < AN_PH__COUNT; p++)
            j->frame[p] = -1, j->t_s[p] = NAN;
        int to = an_frame_at(k, f->t_to), la = an_frame_at(k, f->t_land);
        int drop = d.kind == AN_JUMP_DROP && isfinite(last_platform_land) &&
                   last_platform_land < f->t_to && f->t_to - last_platform_land < 1.0;
        int ws = prev_end;
        if (k->t_s[to] - k->t_s[ws] > 2.5)
            ws = an_frame_at(k, k->t_s[to] - 2.5);
        int zv = ws;
        int ic = -1;
        if (drop) {
            ic = an_frame_at(k, last_platform_land);
            ws = ic;
            zv = ic;
        }
        for (int i = ws; i <= to; i++)
            if (isfinite(hy[i]) && (!isfinite(hy[zv]) || hy[i] < hy[zv]))
                zv = i;
        int br = ws;
        for (int i = ws; i <= zv; i++)
            if (isfinite(out->vhipy_mps[i]) &&
                (!isfinite(out->vhipy_mps[br]) || out->vhipy_mps[i] < out->vhipy_mps[br]))
                br = i;
        int on = br;
        if (drop) {
            /* Leaving the box: the start of the fall at the end of the platform run. */
            struct flight *pf = &fl[last_platform_idx];
            on = pf->b;
            while (on > pf->a && isfinite(sfg[on - 1]) &&
                   sfg[on - 1] < sfg[pf->b] + 0.9 * (sfg[pf->a] - sfg[pf->b]))
                on--;
            br = ic;
        } else {
            double vmin = out->vhipy_mps[br];
            while (on > ws && isfinite(out->vhipy_mps[on - 1]) &&
                   out->vhipy_mps[on - 1] < 0.1 * vmin)
                on--;
        }
        int pk = to;
        for (int i = to; i <= la; i++)
            if (isfinite(hy[i]) && hy[i] > hy[pk])
                pk = i;
        int lim = n - 1;
        if (q + 1 < nf)
            lim = fl[q + 1].a;
        int dmp = la;
        for (int i = la; i <= lim && k->t_s[i] - k->t_s[la] < 1.0; i++)
            if (isfinite(hy[i]) && hy[i] < hy[dmp])
                dmp = i;
        int rec = dmp;
        double dip = H0 - hy[dmp];
        while (rec < lim && !(isfinite(hy[rec]) && hy[rec] >= H0 - 0.1 * dip))
            rec++;
        int fr[AN_PH__COUNT] = {on, br, zv, to, pk, la, dmp, rec};
        for (int p = 0; p < AN_PH__COUNT; p++) {
            j->frame[p] = fr[p];
            j->t_s[p] = k->t_s[fr[p]];
        }
        j->t_s[AN_PH_TAKEOFF] = f->t_to;
        j->t_s[AN_PH_LANDING] = f->t_land;
        if (drop)
            j->t_s[AN_PH_BRAKING] = last_platform_land;
        j->end_frame = rec;
        prev_end = rec;

        /* Metrics of this jump. */
        double tf = f->t_land - f->t_to;
        double hft = AN_G_MPS2 * tf * tf / 8;
        v[AN_JM_FLIGHT_TIME][nj] = tf;
        v[AN_JM_JUMP_HEIGHT][nj] = 100 * hft;
        v[AN_JM_TAKEOFF_VELOCITY][nj] = vto;
        v[AN_JM_JUMP_HEIGHT_VELOCITY][nj] = 100 * hv;
        v[AN_JM_G_ESTIMATE][nj] = have_scale ? gest : NAN;
        double u_ev = sqrt(dt * dt / 12 + pow(noise_u / fmax(0.5, AN_G_MPS2 * tf / 2), 2)) /
                      sqrt(fmax(1, 0.5 * (f->n_fit_to + f->n_fit_land) / 3));
        double u_tf = sqrt(2) * u_ev, u_hft = AN_G_MPS2 * tf / 4 * u_tf;
        double srel = isfinite(k->scale_rel_uncertainty) ? k->scale_rel_uncertainty : 0;
        double u_hv_tot = sqrt(u_hv * u_hv + pow(hv * srel, 2));
        double dh = fabs(hft - hv), u_dh = sqrt(u_hft * u_hft + u_hv_tot * u_hv_tot);
        double dh_thr = fmax(fmax(0.02, 0.1 * hft), 2 * u_dh);
        v[AN_JM_HEIGHT_DISAGREE][nj] = isfinite(hv) ? (dh > dh_thr) : NAN;
        /* Probability that the flag is wrong: |Δh| on the other side of its threshold,
           Δh normal with standard uncertainty u_dh (GUM); the flag's own standard
           uncertainty is that of a Bernoulli variable, √(p(1 − p)). */
        pflip[nj] = u_dh > 0 ? 0.5 * erfc(fabs(dh - dh_thr) / (u_dh * sqrt(2))) : 0;
        v[AN_JM_CM_DEPTH][nj] = have_scale ? 100 * (H0 - hy[zv]) : NAN;
        double t_on = drop ? last_platform_land : k->t_s[on];
        acc_on[nj] = drop ? NAN : fabs(out->ahipy_mps2[on]);
        acc_zv[nj] = fabs(out->ahipy_mps2[zv]);
        v[AN_JM_ECCENTRIC_DURATION][nj] = k->t_s[zv] - t_on;
        v[AN_JM_CONCENTRIC_DURATION][nj] = f->t_to - k->t_s[zv];
        v[AN_JM_TIME_TO_TAKEOFF][nj] = f->t_to - t_on;
        v[AN_JM_RSI_MODIFIED][nj] = drop ? NAN : hft / (f->t_to - t_on);
        v[AN_JM_CONTACT_TIME][nj] = drop ? f->t_to - last_platform_land : NAN;
        v[AN_JM_RSI][nj] = drop ? hft / (f->t_to - last_platform_land) : NAN;
        v[AN_JM_KNEE_ANGLE_ECC_END][nj] =
            0.5 * (k->angle_deg[AN_ANG_LKNE][zv] + k->angle_deg[AN_ANG_RKNE][zv]);
        double fmax_to = NAN, fmax_la = NAN, pmax = NAN;
        a_to[nj] = a_la[nj] = pw_a[nj] = pw_v[nj] = NAN;
        if (out->grf_n) {
            for (int i = on; i <= to; i++) {
                double F = out->grf_n[i], P = F * out->vhipy_mps[i];
                if (isfinite(F) && !(F <= fmax_to))
                    fmax_to = F, a_to[nj] = out->ahipy_mps2[i];
                if (isfinite(P) && !(P <= pmax))
                    pmax = P, pw_a[nj] = out->ahipy_mps2[i], pw_v[nj] = out->vhipy_mps[i];
            }
            for (int i = la; i <= rec; i++)
                if (isfinite(out->grf_n[i]) && !(out->grf_n[i] <= fmax_la))
                    fmax_la = out->grf_n[i], a_la[nj] = out->ahipy_mps2[i];
        }
        v[AN_JM_PEAK_GRF_TAKEOFF][nj] = fmax_to;
        v[AN_JM_PEAK_GRF_LANDING][nj] = fmax_la;
        v[AN_JM_PEAK_POWER][nj] = pmax;
        v[AN_JM_NORMALIZED_POWER][nj] = d.mass_kg > 0 ? pmax / d.mass_kg : NAN;
        v[AN_JM_SAYERS_POWER][nj] =
            d.mass_kg > 0 ? 60.7 * (100 * hft) + 45.3 * d.mass_kg - 2055 : NAN;
        nj++;
    }
    out->n_jumps = nj;
    if (!reason[0] && nj == 0)
        str_printf(reason, sizeof reason, "no jump found: no flight phase of %.2f-%.1f s",
                   MIN_FLIGHT_S, MAX_FLIGHT_S);
    if (reason[0])
        for (int i = 0; i < AN_JM__COUNT; i++)
            an_metric_unavailable(&out->m[i], "%s", reason);
    /* Kind- and input-specific availability. */
    const char *no_scale = "no pixel-to-metre scale (no world landmarks, no height)";
    if (!have_scale) {
        an_metric_unavailable(&out->m[AN_JM_JUMP_HEIGHT_VELOCITY], "%s", no_scale);
        an_metric_unavailable(&out->m[AN_JM_TAKEOFF_VELOCITY], "%s", no_scale);
        an_metric_unavailable(&out->m[AN_JM_HEIGHT_DISAGREE], "%s", no_scale);
        an_metric_unavailable(&out->m[AN_JM_CM_DEPTH], "%s", no_scale);
        an_metric_unavailable(&out->m[AN_JM_G_ESTIMATE], "%s", no_scale);
    }
    if (d.kind == AN_JUMP_DROP) {
        an_metric_unavailable(&out->m[AN_JM_RSI_MODIFIED],
                              "RSI-modified is defined for countermovement jumps");
    } else {
        an_metric_unavailable(&out->m[AN_JM_CONTACT_TIME],
                              "ground-contact time needs a drop jump (landing from a box)");
        an_metric_unavailable(&out->m[AN_JM_RSI], "RSI needs a drop jump's ground-contact time");
    }
    if (!(d.mass_kg > 0)) {
        for (int i = AN_JM_PEAK_GRF_TAKEOFF; i <= AN_JM_SAYERS_POWER; i++)
            an_metric_unavailable(&out->m[i], "body mass unknown");
    } else if (!have_scale) {
        for (int i = AN_JM_PEAK_GRF_TAKEOFF; i <= AN_JM_NORMALIZED_POWER; i++)
            an_metric_unavailable(&out->m[i], "%s", no_scale);
    }
    /* Uncertainties (single-jump standard uncertainty; averaging over jumps). */
    double tf_avg = 0;
    for (int i = 0; i < nj; i++)
        tf_avg += v[AN_JM_FLIGHT_TIME][i] / nj;
    double u_ev =
        sqrt(dt * dt / 12 +
             pow(isfinite(noise_u) ? noise_u / fmax(0.5, AN_G_MPS2 * tf_avg / 2) : 0, 2)) /
        sqrt(2);
    double u_tf = sqrt(2) * u_ev;
    double srel = isfinite(k->scale_rel_uncertainty) ? k->scale_rel_uncertainty : 0;
    /* Knee angle: two segment ends of about half a leg length each move by σ. */
    double u_ang =
        isfinite(legn) && isfinite(leg) ? sqrt(2) * legn / (0.5 * leg) * 180 / M_PI : NAN;
    /* Phase events found on the hip velocity at frame resolution (onset: a velocity
       threshold; lowest point: the velocity's zero crossing): u = √(Δt²/12 + (u_v/|a|)²),
       the velocity noise u_v = σ_hip·gain[1] turned into time by the hip acceleration
       at the event. Take-off is the sub-frame u_ev; a drop jump's onset is the box
       landing (u_ev). Durations combine their two events. */
    double u_vel_n = gains[1] * hipn;
    double ma_on = an_mean_range(acc_on, 0, nj), ma_zv = an_mean_range(acc_zv, 0, nj);
    double u_on =
        d.kind == AN_JUMP_DROP ? u_ev : sqrt(dt * dt / 12 + pow(u_vel_n / fmax(0.5, ma_on), 2));
    double u_zv = sqrt(dt * dt / 12 + pow(u_vel_n / fmax(0.5, ma_zv), 2));
    double u_ecc = sqrt(u_on * u_on + u_zv * u_zv), u_con = sqrt(u_zv * u_zv + u_ev * u_ev);
    double u_dur = sqrt(u_on * u_on + u_ev * u_ev); /* onset → take-off */
    double hv_avg = 0, dep_avg = 0;
    int hvn = 0;
    for (int i = 0; i < nj; i++)
        if (isfinite(v[AN_JM_JUMP_HEIGHT_VELOCITY][i]))
            hv_avg += v[AN_JM_JUMP_HEIGHT_VELOCITY][i], dep_avg += v[AN_JM_CM_DEPTH][i], hvn++;
    if (hvn)
        hv_avg /= hvn, dep_avg /= hvn;
    double u_v = isfinite(hipn) ? hipn / fmax(0.05, tf_avg / 2) : NAN;
    /* Height-disagreement flag: mean Bernoulli variance of the per-jump flags. */
    double pq = 0;
    for (int i = 0; i < nj; i++)
        pq += pflip[i] * (1 - pflip[i]) / nj;
    /* GRF and power (propagation, GUM §5.1.2): F = m (g + a), P = F·v with a and v
       the hip-mid acceleration and velocity at the sample where the peak was taken.
       Their noise is the hip noise through the filter and the derivatives,
       u_a = σ_hip·gain[2], u_v = σ_hip·gain[1] (uncorrelated at one sample: a
       stationary signal's first and second derivatives are). Single jump:
       u(F) = m·u_a, u(P) = m·√((v·u_a)² + ((g + a)·u_v)²); systematic: the scale
       multiplies a and v, u_sys(F) = m·|a|·s_rel, u_sys(P) = m·|v (g + 2a)|·s_rel.
       The mass is an input (no uncertainty); the hip-as-centre-of-mass error and
       the low-pass's smoothing of impact peaks are not in it (METRICS.md). */
    double mass = d.mass_kg, u_acc = gains[2] * hipn, u_vel = u_vel_n;
    double A_to = an_mean_range(a_to, 0, nj), A_la = an_mean_range(a_la, 0, nj);
    double PA = an_mean_range(pw_a, 0, nj), PV = an_mean_range(pw_v, 0, nj);
    double u_pw = mass * sqrt(pow(PV * u_acc, 2) + pow((AN_G_MPS2 + PA) * u_vel, 2));
    double u_pw_sys = mass * fabs(PV * (AN_G_MPS2 + 2 * PA)) * srel;
    struct {
        int id;
        double us, usys;
    } set[] = {
        {AN_JM_FLIGHT_TIME, u_tf, 0},
        {AN_JM_JUMP_HEIGHT, 100 * AN_G_MPS2 * tf_avg / 4 * u_tf, 0},
        {AN_JM_JUMP_HEIGHT_VELOCITY, 100 * AN_G_MPS2 * tf_avg / 2 / AN_G_MPS2 * u_v, hv_avg * srel},
        {AN_JM_TAKEOFF_VELOCITY, u_v, AN_G_MPS2 * tf_avg / 2 * srel},
        {AN_JM_HEIGHT_DISAGREE, sqrt(pq), 0},
        {AN_JM_CM_DEPTH, 100 * sqrt(2) * hipn, dep_avg * srel},
        {AN_JM_ECCENTRIC_DURATION, u_ecc, 0},
        {AN_JM_CONCENTRIC_DURATION, u_con, 0},
        {AN_JM_TIME_TO_TAKEOFF, u_dur, 0},
        {AN_JM_RSI_MODIFIED, NAN, 0},
        {AN_JM_CONTACT_TIME, u_tf, 0},
        {AN_JM_RSI, NAN, 0},
        {AN_JM_KNEE_ANGLE_ECC_END, u_ang, 0},
        {AN_JM_PEAK_GRF_TAKEOFF, mass * u_acc, mass * fabs(A_to) * srel},
        {AN_JM_PEAK_GRF_LANDING, mass * u_acc, mass * fabs(A_la) * srel},
        {AN_JM_PEAK_POWER, u_pw, u_pw_sys},
        {AN_JM_NORMALIZED_POWER, mass > 0 ? u_pw / mass : NAN, mass > 0 ? u_pw_sys / mass : NAN},
        {AN_JM_SAYERS_POWER, NAN, 0},
        {AN_JM_G_ESTIMATE, NAN, 0},
    };
    for (size_t q = 0; q < KZ_ARRAY_LEN(set); q++) {
        rc = an_metric_set(&out->m[set[q].id], v[set[q].id], nj, set[q].us, set[q].usys, e);
        if (rc)
            goto fail;
    }
    /* Derived uncertainties that need the averages. */
    struct an_metric *mh = &out->m[AN_JM_JUMP_HEIGHT];
    if (mh->available) {
        double uh = mh->uncertainty / 100; /* m */
        struct an_metric *mr = &out->m[AN_JM_RSI_MODIFIED];
        if (mr->available)
            mr->uncertainty = mr->avg * sqrt(pow(uh / (mh->avg / 100), 2) +
                                             pow(u_dur / out->m[AN_JM_TIME_TO_TAKEOFF].avg, 2));
        struct an_metric *ms = &out->m[AN_JM_RSI];
        if (ms->available)
            ms->uncertainty = ms->avg * sqrt(pow(uh / (mh->avg / 100), 2) +
                                             pow(u_tf / out->m[AN_JM_CONTACT_TIME].avg, 2));
        struct an_metric *mp = &out->m[AN_JM_SAYERS_POWER];
        if (mp->available)
            mp->uncertainty = 60.7 * mh->uncertainty; /* formula's own SEE (~355 W) not included */
        struct an_metric *mg = &out->m[AN_JM_G_ESTIMATE];
        if (mg->available)
            mg->uncertainty = AN_G_MPS2 * srel;
    }
    goto done;
nomem:
    rc = err_set(e, KZ_E_NOMEM, "jumping analysis of %d frames", n);
fail:
done:
    free(sf);
    free(sr);
    free(sfg);
    free(srg);
    free(hy);
    free(buf);
    free(fy);
    free(ft);
    free(fl);
    for (int i = 0; i < AN_JM__COUNT; i++)
        free(v[i]);
    return rc;
}
