/*
 * lift_series.c — the minimal series utilities the lift analysis needs: gap
 * fill, a zero-lag Butterworth low-pass and derivatives on real timestamps.
 * TODO(analysis): replace with the analysis module's filtering utilities once
 * they land on main (kept minimal on purpose so there is nothing to merge).
 *
 * Filter: 2nd-order Butterworth by the bilinear transform with pre-warping,
 * run forward and backward (zero lag); the cut-off is corrected for the double
 * pass by 1/0.802 (Winter, Biomechanics and Motor Control of Human Movement,
 * 4th ed. 2009, §3.4.4.3).
 */
#include "lift/lift_int.h"

#include <math.h>
#include <stdlib.h>

size_t lift_series_fill_gaps(const double *t_s, double *y, size_t n)
{
    size_t filled = 0, prev = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (isnan(y[i]))
            continue;
        if (prev != (size_t)-1 && i > prev + 1) {
            double t0 = t_s[prev], t1 = t_s[i];
            for (size_t k = prev + 1; k < i; k++) {
                double w = (t_s[k] - t0) / (t1 - t0);
                y[k] = y[prev] + w * (y[i] - y[prev]);
                filled++;
            }
        }
        prev = i;
    }
    return filled;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void biquad_run(const double b[3], const double a[3], double *y, size_t n, int reverse)
{
    /* Direct form II transposed, initialised at steady state for the first sample. */
    double x0 = reverse ? y[n - 1] : y[0];
    double z1 = x0 * (1.0 - b[0]), z2 = x0 * (b[2] - a[2]);
    for (size_t k = 0; k < n; k++) {
        size_t i = reverse ? n - 1 - k : k;
        double x = y[i];
        double out = b[0] * x + z1;
        z1 = b[1] * x - a[1] * out + z2;
        z2 = b[2] * x - a[2] * out;
        y[i] = out;
    }
}

enum kz_err lift_series_lowpass(const double *t_s, double *y, size_t lo, size_t hi, double fc_hz,
                                struct err_ctx *e)
{
    size_t n = hi - lo + 1, pad, m;
    double *dt = NULL, *buf = NULL;
    enum kz_err rc = KZ_OK;
    if (hi < lo || n < 4 || fc_hz <= 0)
        return KZ_OK;
    dt = malloc((n - 1) * sizeof *dt);
    if (!dt)
        return err_set(e, KZ_E_NOMEM, "lowpass: out of memory");
    for (size_t i = 0; i + 1 < n; i++)
        dt[i] = t_s[lo + i + 1] - t_s[lo + i];
    qsort(dt, n - 1, sizeof *dt, cmp_double);
    double fs = 1.0 / dt[(n - 1) / 2];
    double fc = fc_hz / 0.802; /* double-pass correction (Winter 2009) */
    if (fc >= 0.45 * fs)
        fc = 0.45 * fs;
    /* Bilinear transform of H(s) = 1 / (s² + √2 s + 1) with pre-warping. */
    double k = tan(M_PI * fc / fs), k2 = k * k, norm = 1.0 / (1.0 + M_SQRT2 * k + k2);
    double b[3] = {k2 * norm, 2.0 * k2 * norm, k2 * norm};
    double a[3] = {1.0, 2.0 * (k2 - 1.0) * norm, (1.0 - M_SQRT2 * k + k2) * norm};
    /* Odd (point-reflection) padding at both ends limits the edge transients. */
    pad = n - 1 < 12 ? n - 1 : 12;
    m = n + 2 * pad;
    buf = malloc(m * sizeof *buf);
    if (!buf) {
        rc = err_set(e, KZ_E_NOMEM, "lowpass: out of memory");
        goto fail;
    }
    for (size_t i = 0; i < pad; i++) {
        buf[pad - 1 - i] = 2.0 * y[lo] - y[lo + i + 1];
        buf[pad + n + i] = 2.0 * y[hi] - y[hi - i - 1];
    }
    for (size_t i = 0; i < n; i++)
        buf[pad + i] = y[lo + i];
    biquad_run(b, a, buf, m, 0);
    biquad_run(b, a, buf, m, 1);
    for (size_t i = 0; i < n; i++)
        y[lo + i] = buf[pad + i];
fail:
    free(dt);
    free(buf);
    return rc;
}

void lift_series_derivative(const double *t_s, const double *y, size_t n, size_t lo, size_t hi,
                            double *out)
{
    for (size_t i = 0; i < n; i++)
        out[i] = NAN;
    if (hi <= lo || hi >= n)
        return;
    for (size_t i = lo; i <= hi; i++) {
        size_t a = i > lo ? i - 1 : i, b = i < hi ? i + 1 : i;
        out[i] = (y[b] - y[a]) / (t_s[b] - t_s[a]);
    }
}

double lift_angle3_deg(double ax, double ay, double bx, double by, double cx, double cy)
{
    double ux = ax - bx, uy = ay - by, vx = cx - bx, vy = cy - by;
    double nu = hypot(ux, uy), nv = hypot(vx, vy);
    if (nu < 1e-9 || nv < 1e-9)
        return NAN;
    double c = (ux * vx + uy * vy) / (nu * nv);
    if (c > 1)
        c = 1;
    if (c < -1)
        c = -1;
    return acos(c) * 180.0 / M_PI;
}
