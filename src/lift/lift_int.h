/*
 * lift_int.h — internals shared by the lift source files: series helpers
 * (gap fill, zero-lag low-pass, derivative on real timestamps) and the phase
 * detector. Not part of the public API.
 */
#ifndef KZ_LIFT_INT_H
#define KZ_LIFT_INT_H

#include "lift/lift.h"

#define LIFT_G_MPS2 9.80665 /* standard gravity */

/* Linear interpolation over interior NaN gaps of y[n]; leading/trailing NaN stay.
   Returns the number of filled samples. */
size_t lift_series_fill_gaps(const double *t_s, double *y, size_t n);

/* Zero-lag 2nd-order Butterworth low-pass (forward-backward) of y[lo..hi]
   (no NaN inside) in place, cut-off fc_hz at the median sample rate of t_s.
   Returns KZ_E_NOMEM or KZ_OK. Spans shorter than 4 samples are left alone. */
enum kz_err lift_series_lowpass(const double *t_s, double *y, size_t lo, size_t hi, double fc_hz,
                                struct err_ctx *e);

/* dy/dt by central differences on the real timestamps over y[lo..hi];
   out[] outside that span is NaN. */
void lift_series_derivative(const double *t_s, const double *y, size_t n, size_t lo, size_t hi,
                            double *out);

/* Angle at b of the triangle a-b-c in degrees (0..180); NaN if degenerate. */
double lift_angle3_deg(double ax, double ay, double bx, double by, double cx, double cy);

/* Phase detection on the filled result series (r->bar_y_m, vel, acc, knee). */
void lift_detect_phases(struct lift_result *r);

#endif
