/*
 * analysis_int.h — helpers shared between the analysis module's files
 * (statistics, metric bookkeeping). Not part of the public API.
 */
#ifndef KZ_ANALYSIS_INT_H
#define KZ_ANALYSIS_INT_H

#include "analysis/analysis.h"

#define AN_G_MPS2 9.80665 /* standard gravity (CGPM 1901) */

/* Median / percentile of v[n]; both SORT v in place. NaN when n == 0. */
double an_median(double *v, int n);
double an_percentile(double *v, int n, double p);

/* Metric bookkeeping (analysis_metric.c). */
void an_metric_init(struct an_metric *m, const char *key, const char *unit);
/* Mark unavailable with a printf reason (keeps the first reason given). */
void an_metric_unavailable(struct an_metric *m, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Set values (copied; NaN entries dropped from the summary but kept in values).
   Computes avg/min/max; uncertainty = u_single / sqrt(n_finite) combined with u_sys.
   KZ_E_NOMEM on allocation failure. n == 0 → unavailable "no events". */
enum kz_err an_metric_set(struct an_metric *m, const double *v, int n, double u_single,
                          double u_sys, struct err_ctx *e);
void an_metric_cleanup(struct an_metric *m);

/* Mean of finite values of v over [a, b); NaN when none. */
double an_mean_range(const double *v, int a, int b);

/* Landmark position helpers on kinematics (NaN-safe). */
static inline double an_midx(const struct an_kinematics *k, int a, int b, int i)
{
    return 0.5 * (k->x[a][i] + k->x[b][i]);
}
static inline double an_midy(const struct an_kinematics *k, int a, int b, int i)
{
    return 0.5 * (k->y[a][i] + k->y[b][i]);
}

/*
 * Noise gains of the position chain (low-pass at cutoff_hz on samples dt_s
 * apart, then the three-point derivative once and twice), for white landmark
 * noise of standard deviation 1: gain[0] = standard deviation of the residual
 * raw − filtered (what an_kinematics.noise_m measures), gain[1] that of the
 * velocity (1/s), gain[2] that of the acceleration (1/s²). Computed by passing
 * a unit impulse through the same code (analysis_signal.c): for a linear,
 * shift-invariant chain the output variance is σ² × Σ h². So a landmark with
 * residual noise_m has raw noise σ = noise_m / gain[0], velocity noise
 * σ·gain[1] and acceleration noise σ·gain[2]. Returns 0, or -1 (bad input,
 * out of memory: gains NaN).
 */
int an_noise_gains(double dt_s, double cutoff_hz, double gain[3]);

/* Index of the frame nearest to time t (k->t_s sorted). */
int an_frame_at(const struct an_kinematics *k, double t);

#endif
