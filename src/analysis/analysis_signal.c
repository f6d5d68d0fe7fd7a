/*
 * analysis_signal.c — signal conditioning on real (possibly variable-rate)
 * timestamps: gap filling, zero-lag Butterworth low-pass, derivatives,
 * interpolation, plus the planar angle helpers every metric uses.
 *
 * Low-pass design: a 2nd-order Butterworth section from the bilinear
 * transform with frequency pre-warping, run forward then backward
 * (zero phase, 4th-order magnitude). For the double pass the cutoff is
 * corrected by C = (2^(1/n) − 1)^(1/4) with n = 2 passes (Winter DA,
 * Biomechanics and Motor Control of Human Movement, 4th ed. 2009, §3.4.4),
 * so that the -3 dB point of the whole filter is the requested cutoff.
 * A variable-rate run is first resampled (linear) to a uniform grid at its
 * median interval, filtered there and interpolated back with a Catmull-Rom
 * cubic (slope-continuous, so derivatives on the real timestamps stay smooth).
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int analysis_signal_fill_gaps(const double *t_s, double *x, int n, double max_gap_s)
{
    int filled = 0;
    int last = -1;
    for (int i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            continue;
        if (last >= 0 && i - last > 1 && t_s[i] - t_s[last] <= max_gap_s) {
            double span = t_s[i] - t_s[last];
            for (int j = last + 1; j < i; j++) {
                double w = span > 0 ? (t_s[j] - t_s[last]) / span : 0.5;
                x[j] = x[last] + w * (x[i] - x[last]);
                filled++;
            }
        }
        last = i;
    }
    return filled;
}

static int cmp_double(const void *a, const void *b)
{
    double da = *(const double *)a, db = *(const double *)b;
    return (da > db) - (da < db);
}

double an_median(double *v, int n)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return (n % 2) ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double an_percentile(double *v, int n, double p)
{
    if (n <= 0)
        return NAN;
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    double pos = p / 100.0 * (n - 1);
    int i = (int)floor(pos);
    if (i >= n - 1)
        return v[n - 1];
    double w = pos - i;
    return v[i] * (1 - w) + v[i + 1] * w;
}

double analysis_signal_median_dt(const double *t_s, int n)
{
    if (n < 2)
        return 0;
    double *d = malloc(sizeof(double) * (size_t)(n - 1));
    if (!d)
        return 0;
    int m = 0;
    for (int i = 1; i < n; i++)
        if (t_s[i] > t_s[i - 1])
            d[m++] = t_s[i] - t_s[i - 1];
    double r = m ? an_median(d, m) : 0;
    free(d);
    return r;
}

double analysis_signal_at(const double *t_s, const double *x, int n, double t)
{
    if (n <= 0 || !(t >= t_s[0]) || !(t <= t_s[n - 1]))
        return NAN;
    int lo = 0, hi = n - 1;
    while (hi - lo > 1) {
        int mid = (lo + hi) / 2;
        if (t_s[mid] <= t)
            lo = mid;
        else
            hi = mid;
    }
    if (hi == lo)
        return x[lo];
    double span = t_s[hi] - t_s[lo];
    double w = span > 0 ? (t - t_s[lo]) / span : 0;
    return x[lo] + w * (x[hi] - x[lo]);
}

/* 2nd-order low-pass Butterworth biquad coefficients (bilinear, pre-warped). */
struct biquad {
    double b0, b1, b2, a1, a2;
};

static struct biquad butter2(double fc_hz, double fs_hz)
{
    /* Winter 2009 §3.4.4: correction for two passes of a 2nd-order filter. */
    double corr = pow(pow(2.0, 1.0 / 2.0) - 1.0, 0.25);
    double fc = fc_hz / corr;
    if (fc > 0.45 * fs_hz)
        fc = 0.45 * fs_hz;
    double wc = tan(M_PI * fc / fs_hz);
    double k1 = sqrt(2.0) * wc, k2 = wc * wc;
    double a0 = 1 + k1 + k2;
    struct biquad q;
    q.b0 = k2 / a0;
    q.b1 = 2 * k2 / a0;
    q.b2 = k2 / a0;
    q.a1 = 2 * (k2 - 1) / a0;
    q.a2 = (1 - k1 + k2) / a0;
    return q;
}

/* In-place DF2T pass with steady-state initial conditions at v[0]. */
static void biquad_pass(const struct biquad *q, double *v, int m, int reverse)
{
    double x0 = reverse ? v[m - 1] : v[0];
    double z1 = (1 - q->b0) * x0, z2 = (q->b2 - q->a2) * x0;
    for (int k = 0; k < m; k++) {
        int i = reverse ? m - 1 - k : k;
        double xin = v[i];
        double y = q->b0 * xin + z1;
        z1 = q->b1 * xin - q->a1 * y + z2;
        z2 = q->b2 * xin - q->a2 * y;
        v[i] = y;
    }
}

/* Filter one finite run [a, b) of x into out. */
static enum kz_err lowpass_run(const double *t, const double *x, int a, int b, double cutoff_hz,
                               double *out, double *used, struct err_ctx *e)
{
    int n = b - a;
    double *u = NULL;
    enum kz_err rc = KZ_OK;
    double dt = analysis_signal_median_dt(t + a, n);
    double span = t[b - 1] - t[a];
    if (dt <= 0 || span <= 0) {
        memmove(out + a, x + a, sizeof(double) * (size_t)n);
        return KZ_OK;
    }
    double fs = 1.0 / dt;
    double fc = cutoff_hz;
    if (fc > 0.4 * fs)
        fc = 0.4 * fs;
    if (used && (*used == 0 || fc < *used))
        *used = fc;
    /* Uniform grid length: bounded by 4 × n + 16 so odd timestamps cannot explode it. */
    double mm = floor(span / dt + 1e-9) + 1;
    if (mm > 4.0 * n + 16)
        mm = 4.0 * n + 16, dt = span / (mm - 1);
    int m = (int)mm;
    if (m < 2)
        m = 2, dt = span;
    int pad = (int)ceil(3.0 * fs / fc);
    if (pad > m - 1)
        pad = m - 1;
    size_t total = (size_t)m + 2 * (size_t)pad;
    u = malloc(sizeof(double) * total);
    if (!u) {
        rc = err_set(e, KZ_E_NOMEM, "low-pass buffer of %zu samples", total);
        goto fail;
    }
    double *g = u + pad;
    int j = a;
    for (int k = 0; k < m; k++) {
        double tk = t[a] + k * dt;
        if (k == m - 1)
            tk = t[b - 1];
        while (j < b - 2 && t[j + 1] < tk)
            j++;
        double w = (t[j + 1] - t[j]) > 0 ? (tk - t[j]) / (t[j + 1] - t[j]) : 0;
        if (w < 0)
            w = 0;
        if (w > 1)
            w = 1;
        g[k] = x[j] + w * (x[j + 1] - x[j]);
    }
    /* Odd reflection about the end values keeps level and slope continuous. */
    for (int k = 1; k <= pad; k++) {
        g[-k] = 2 * g[0] - g[k];
        g[m - 1 + k] = 2 * g[m - 1] - g[m - 1 - k];
    }
    struct biquad q = butter2(fc, fs);
    biquad_pass(&q, u, (int)total, 0);
    biquad_pass(&q, u, (int)total, 1);
    for (int i = a; i < b; i++) {
        double pos = (t[i] - t[a]) / dt;
        int k = (int)floor(pos);
        if (k < 0)
            k = 0;
        if (k >= m - 1) {
            out[i] = g[m - 1];
            continue;
        }
        double w = pos - k;
        /* Catmull-Rom cubic through g[k-1..k+2] (the padding supplies g[-1] and g[m]):
           continuous slope and exact for quadratics, so the derivatives taken later on
           the real, unequal timestamps do not see the kinks a linear interpolation
           would put at every grid point (the second derivative of a free fall sampled
           with ±35 % interval jitter was off by > 5 % with linear interpolation). */
        double p0 = g[k - 1], p1 = g[k], p2 = g[k + 1], p3 = g[k + 2];
        out[i] = p1 + 0.5 * w *
                          (p2 - p0 +
                           w * (2 * p0 - 5 * p1 + 4 * p2 - p3 + w * (3 * (p1 - p2) + p3 - p0)));
    }
fail:
    free(u);
    return rc;
}

enum kz_err analysis_signal_lowpass(const double *t_s, const double *x, int n, double cutoff_hz,
                                    double *out, double *cutoff_used_hz, struct err_ctx *e)
{
    if (n < 0 || (n > 0 && (!t_s || !x || !out)) || !(cutoff_hz > 0))
        return err_set(e, KZ_E_INVALID, "lowpass: bad arguments (n=%d, cutoff=%g)", n, cutoff_hz);
    for (int i = 1; i < n; i++)
        if (!(t_s[i] > t_s[i - 1]))
            return err_set(e, KZ_E_INVALID, "lowpass: timestamps not increasing at %d", i);
    if (cutoff_used_hz)
        *cutoff_used_hz = 0;
    int i = 0;
    while (i < n) {
        if (!isfinite(x[i])) {
            out[i] = NAN;
            i++;
            continue;
        }
        int b = i;
        while (b < n && isfinite(x[b]))
            b++;
        if (b - i < 4) {
            memmove(out + i, x + i, sizeof(double) * (size_t)(b - i));
        } else {
            enum kz_err rc = lowpass_run(t_s, x, i, b, cutoff_hz, out, cutoff_used_hz, e);
            if (rc)
                return rc;
        }
        i = b;
    }
    return KZ_OK;
}

void analysis_signal_derivative(const double *t_s, const double *x, int n, double *out)
{
    for (int i = 0; i < n; i++) {
        int okp = i > 0 && isfinite(x[i - 1]);
        int okn = i < n - 1 && isfinite(x[i + 1]);
        if (!isfinite(x[i])) {
            out[i] = NAN;
        } else if (okp && okn) {
            /* Three-point Lagrange derivative on unequal spacing h1 (back), h2 (ahead). */
            double h1 = t_s[i] - t_s[i - 1], h2 = t_s[i + 1] - t_s[i];
            out[i] = (h1 * h1 * x[i + 1] - h2 * h2 * x[i - 1] - (h1 * h1 - h2 * h2) * x[i]) /
                     (h1 * h2 * (h1 + h2));
        } else if (okn) {
            out[i] = (x[i + 1] - x[i]) / (t_s[i + 1] - t_s[i]);
        } else if (okp) {
            out[i] = (x[i] - x[i - 1]) / (t_s[i] - t_s[i - 1]);
        } else {
            out[i] = NAN;
        }
    }
}

int an_noise_gains(double dt_s, double cutoff_hz, double gain[3])
{
    gain[0] = gain[1] = gain[2] = NAN;
    if (!(dt_s > 0) || !(cutoff_hz > 0))
        return -1;
    /* ±1.5 s around the impulse (at least 16 samples a side, at most 4096): the
       filter's response has died out long before the ends. */
    double hs = ceil(1.5 / dt_s);
    int h = hs < 16 ? 16 : (hs > 4096 ? 4096 : (int)hs);
    int n = 2 * h + 1;
    double *t = calloc(4 * (size_t)n, sizeof(double));
    if (!t)
        return -1;
    double *x = t + n, *f = x + n, *d = f + n;
    for (int i = 0; i < n; i++) {
        t[i] = i * dt_s;
        x[i] = i == h ? 1 : 0;
    }
    int rc = -1;
    if (analysis_signal_lowpass(t, x, n, cutoff_hz, f, NULL, NULL) == KZ_OK) {
        double s0 = 0, s1 = 0, s2 = 0;
        for (int i = 0; i < n; i++)
            s0 += (x[i] - f[i]) * (x[i] - f[i]);
        analysis_signal_derivative(t, f, n, d); /* velocity response */
        for (int i = 0; i < n; i++)
            s1 += d[i] * d[i];
        analysis_signal_derivative(t, d, n, x); /* acceleration response (x reused) */
        for (int i = 0; i < n; i++)
            s2 += x[i] * x[i];
        gain[0] = sqrt(s0);
        gain[1] = sqrt(s1);
        gain[2] = sqrt(s2);
        rc = 0;
    }
    free(t);
    return rc;
}

double analysis_angle_3pt_deg(double ax, double ay, double bx, double by, double cx, double cy)
{
    double ux = ax - bx, uy = ay - by, vx = cx - bx, vy = cy - by;
    double nu = hypot(ux, uy), nv = hypot(vx, vy);
    if (!(nu > 0) || !(nv > 0))
        return NAN;
    double c = (ux * vx + uy * vy) / (nu * nv);
    if (c > 1)
        c = 1;
    if (c < -1)
        c = -1;
    return acos(c) * 180.0 / M_PI;
}

double analysis_angle_from_vertical_deg(double dx, double dy, int facing)
{
    if (!(hypot(dx, dy) > 0))
        return NAN;
    return atan2(dx * (facing >= 0 ? 1 : -1), dy) * 180.0 / M_PI;
}

double analysis_angle_between_deg(double ux, double uy, double vx, double vy, int facing)
{
    if (!(hypot(ux, uy) > 0) || !(hypot(vx, vy) > 0))
        return NAN;
    double cr = ux * vy - uy * vx, dt = ux * vx + uy * vy;
    /* Counter-clockwise (y up) is positive for facing +x; mirror for -x. Forward
       rotation of a limb hanging down toward +x is counter-clockwise. */
    return atan2(cr, dt) * 180.0 / M_PI * (facing >= 0 ? 1 : -1);
}
