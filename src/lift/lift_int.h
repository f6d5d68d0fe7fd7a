/*
 * lift_int.h — internals shared by the lift source files (the phase
 * detector, constants). Not part of the public API. Series conditioning is
 * the analysis module's (analysis_signal_*).
 */
#ifndef KZ_LIFT_INT_H
#define KZ_LIFT_INT_H

#include "lift/lift.h"

#define LIFT_G_MPS2 9.80665 /* standard gravity */

/* Largest plausible height of the knee landmark above the plate centre at the
   start of the pull (see lift.c, bar past the knee). */
#define LIFT_KNEE_ABOVE_BAR_MAX_M 0.40

/* Longest gap in the measured bar track that is re-interpolated (s). */
#define LIFT_MAX_GAP_S 0.5

/* Phase detection on the filled result series (r->bar_y_m, vel, acc, knee flexion). */
void lift_detect_phases(struct lift_result *r);

#endif
