/*
 * lift.h — Olympic weightlifting biomechanics on a tracked barbell (snatch,
 * clean, clean & jerk): bar path in metres, vertical velocity/acceleration,
 * lift phases, bar-past-the-knee kinematics, bar power, and the pieces of the
 * AiKYNETIX weightlifting session JSON (`metrics`, `report_metrics`, `angles`,
 * `keypoints`, ../shared/api/AIKYNETIX-API.md §3.4, §4.3, Appendix A).
 *
 * Input is the per-frame plate centre from src/vision (image pixels, y down)
 * with a metres-per-pixel scale from the plate diameter, plus optional body
 * kinematics prepared by the analysis module (analysis_prepare(): filtered
 * landmarks, joint angles in the vendor conventions, facing). Signal
 * conditioning (gap fill, zero-lag low-pass, derivatives) is the analysis
 * module's. This module never sees pixels or FFmpeg; it is pure maths and JSON.
 *
 * Conventions of every output series (one value per input frame):
 *   - bar_y_m: height above the bar's lift-off position, positive up.
 *   - bar_x_m: horizontal displacement from the lift-off position, positive
 *     TOWARD the lifter (the direction opposite to where the lifter faces), so
 *     DxF (toward) is the max of bar_x_m and DxB (away) the max of -bar_x_m
 *     after the toward excursion. When the facing is unknown, positive = image
 *     right and the toward/away metrics are unavailable.
 *   - velocities in m/s, accelerations in m/s², power in W, times in s
 *     (the vendor JSON uses ms for phase times, see lift_result_json_metrics).
 *   - NaN where the bar position is unknown (before the first / after the last
 *     tracked frame); interpolated frames carry values but keep their flag.
 *
 * Phase rules (bar kinematics, knee angle refinement when landmarks exist),
 * from METRICS-AND-PEERS.md §3.3 (engineeredathletics 2017; Nascimento 2021;
 * Gourgoulis et al. 2000 "second pull ends at the peak vertical bar velocity"):
 *   start_of_lifting  lift-off: last frame before the bar first rises 3 cm above
 *                     its resting height where the vertical velocity was still
 *                     below 0.05 m/s. Not a pull (no phases at all) when
 *                     the bar never gets 10 cm above every height it held
 *                     before that point (a squat, a lowering). Unavailable when
 *                     the bar already rises > 0.10 m/s in the first tracked
 *                     frame (lift-off before the clip): the phases after it are
 *                     still detected, metrics referenced to the lift-off
 *                     (heights, dx, trajectory type, pull/total time, mean
 *                     pull power) are unavailable.
 *   second_pull_end   peak upward bar velocity between lift-off and max height.
 *   first_pull_end    with knee angles: first local maximum of the knee angle
 *                     (end of the first knee extension) after lift-off;
 *                     bar only: first local maximum of vertical bar velocity
 *                     before the velocity dip that precedes second_pull_end.
 *   transition        end of the transition = start of the second pull: with
 *                     knees, the minimum knee angle (deepest re-bend, "double
 *                     knee bend") between first_pull_end and second_pull_end;
 *                     bar only: the minimum vertical velocity in that interval.
 *                     When neither shows a dip, both equal the first local
 *                     minimum of vertical acceleration that is 1 m/s² below the
 *                     drive before and after it (method "acc_dip"); without
 *                     one, both are unavailable (one continuous acceleration).
 *                     Guards: a first-pull end needs the bar 10 cm above
 *                     lift-off and, by the knee, a 15° extension and 5° re-bend.
 *   catch_end         the bar stops descending after its max height: first local
 *                     minimum of bar height after max height (the lifter has
 *                     fixed the bar and absorbed it). Unavailable when the clip
 *                     ends with the bar still falling faster than 0.15 m/s.
 *   recovery_end      after catch_end, the first frame where the bar reaches 95 %
 *                     of the rise to its standing height (the first maximum after
 *                     the catch that is followed by a 2 cm fall, or the clip end). Unavailable when
 * the rise is under 5 cm (clip ends in the catch). jerk (clean_and_jerk, after recovery_end):
 * jerk_dip_start (bar starts to go down ≥ 2 cm), jerk_dip_end (lowest point = start of the drive;
 * no jerk when the dip is deeper than 0.30 m — a dropped bar — or the bar then does not rise
 * 0.20 m above the rack height),
 *   jerk_drive_end (peak upward velocity), jerk_catch_end (first local minimum of
 *   height after the jerk max height), jerk_recovery_end (95 % of the rise to the
 *   final overhead height, or the catch when the bar does not rise again).
 * Per-frame phase ids (for drawing): enum lift_phase.
 *
 * Thread-safety: all functions are reentrant; a result is not shared-safe while
 * being destroyed.
 */
#ifndef KZ_LIFT_H
#define KZ_LIFT_H

#include "analysis/analysis.h"
#include "core/core.h"

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#define LIFT_PLATE_DIAMETER_M 0.450  /* IWF competition bumper plate (METRICS §3.3) */
#define LIFT_DEFAULT_BARBELL_KG 100. /* vendor default barbell_mass (API §3.1) */
#define LIFT_LB_TO_KG 0.45359237     /* international avoirdupois pound */

enum lift_exercise { LIFT_SNATCH = 0, LIFT_CLEAN, LIFT_CLEAN_AND_JERK };

/* "snatch" | "clean" | "clean_and_jerk" -> *out. KZ_E_INVALID for anything else. */
enum kz_err lift_exercise_parse(const char *name, enum lift_exercise *out, struct err_ctx *e);
/* Vendor name of an exercise; never NULL. */
const char *lift_exercise_name(enum lift_exercise x);

/*
 * Parse a vendor `barbell_mass` form value ("100", "72.5", optionally suffixed
 * "kg" or "lb"; a bare number is in `default_unit_lb ? lb : kg`) into kg.
 * KZ_E_INVALID when it is not a number in (0, 1000] kg.
 */
enum kz_err lift_mass_parse_kg(const char *s, int default_unit_lb, double *kg_out,
                               struct err_ctx *e);

/* Per-frame bar sample state, same meaning as the vision tracker's statuses. */
enum lift_bar_flag { LIFT_BAR_MEASURED = 0, LIFT_BAR_INTERPOLATED = 1, LIFT_BAR_MISSING = 2 };

/* Everything the analysis needs; all arrays have n_frames entries and are borrowed. */
struct lift_input {
    enum lift_exercise exercise;
    size_t n_frames;
    const double *t_s;      /* real timestamps, strictly increasing (required) */
    const double *bar_x_px; /* plate centre, image px; NaN where unknown (required) */
    const double *bar_y_px;
    const uint8_t *bar_flag; /* enum lift_bar_flag per frame; NULL = derived from NaN */
    const double *bar_conf;  /* tracking confidence 0..1; NULL = 1 where measured */
    double m_per_px;         /* metres per pixel from the plate (required, > 0) */
    double m_per_px_rel_unc; /* relative 1-sigma uncertainty of the scale; 0 = unknown */
    /* Body kinematics from analysis_prepare() on the same frames (kin->n ==
       n_frames, same timestamps), or NULL. Borrowed. image_height_px is the
       series' height_px (analysis positions are y-up metres from the image
       bottom; lift converts them back to pixels). */
    const struct an_kinematics *kin;
    int image_height_px;
    int facing;             /* +1 lifter faces image +x, -1 faces -x, 0 = from kin/unknown */
    double barbell_mass_kg; /* > 0; use LIFT_DEFAULT_BARBELL_KG when the user gave none */
    double body_mass_kg;    /* 0 = unknown (then max_GRF is unavailable) */
    double cutoff_hz;       /* low-pass on bar position; 0 = 6 Hz (Winter 2009 §2) */
};

/* Per-frame phase id, in lift order; names from lift_phase_name(). */
enum lift_phase {
    LIFT_PHASE_NONE = 0,    /* before lift-off / after the end */
    LIFT_PHASE_FIRST_PULL,  /* start_of_lifting .. first_pull_end */
    LIFT_PHASE_TRANSITION,  /* first_pull_end .. transition */
    LIFT_PHASE_SECOND_PULL, /* transition .. second_pull_end */
    LIFT_PHASE_TURNOVER,    /* second_pull_end .. max bar height */
    LIFT_PHASE_CATCH,       /* max bar height .. catch_end (or the clip end if after it) */
    LIFT_PHASE_RECOVERY,    /* catch_end .. recovery_end */
    LIFT_PHASE_JERK_DIP,
    LIFT_PHASE_JERK_DRIVE,
    LIFT_PHASE_JERK_CATCH,
    LIFT_PHASE_JERK_RECOVERY,
    LIFT_PHASE__COUNT
};
/* "first_pull", ...; "" for LIFT_PHASE_NONE; never NULL. */
const char *lift_phase_name(enum lift_phase p);

/* Phase boundary events (times in s from stream start; index = frame). */
enum lift_event {
    LIFT_EV_START_OF_LIFTING = 0,
    LIFT_EV_FIRST_PULL_END,
    LIFT_EV_TRANSITION,
    LIFT_EV_SECOND_PULL_END,
    LIFT_EV_MAX_HEIGHT,
    LIFT_EV_CATCH_END,
    LIFT_EV_RECOVERY_END,
    LIFT_EV_BAR_PAST_KNEE,
    LIFT_EV_JERK_DIP_START,
    LIFT_EV_JERK_DIP_END,
    LIFT_EV_JERK_DRIVE_END,
    LIFT_EV_JERK_CATCH_END,
    LIFT_EV_JERK_RECOVERY_END,
    LIFT_EV__COUNT
};
/* "start_of_lifting", ... (vendor names where they exist); never NULL. */
const char *lift_event_name(enum lift_event ev);

struct lift_event_value {
    int found;          /* 0: not detected (reason says why) */
    size_t index;       /* frame index */
    double t_s;         /* timestamp of that frame */
    const char *method; /* static string: "knee_angle", "bar_velocity", "acc_dip", ... */
    const char *reason; /* static string when !found */
};

/* Scalar metrics. Units and sources in lift_metric_unit() / lift.c. */
enum lift_metric {
    LIFT_M_MAX_BAR_SPEED = 0,   /* m/s, max 2-D bar speed over the lift */
    LIFT_M_MAX_BAR_VEL_Y,       /* m/s, peak upward vertical velocity */
    LIFT_M_MAX_BAR_HEIGHT,      /* m above lift-off */
    LIFT_M_CATCH_HEIGHT,        /* m above lift-off at catch_end */
    LIFT_M_CATCH_HEIGHT_PCT,    /* % of max height */
    LIFT_M_BAR_DROP,            /* m, max height - catch height */
    LIFT_M_DX_TOWARD,           /* m, DxF: max displacement toward the lifter before max height */
    LIFT_M_DX_AWAY,             /* m, DxB: max excursion away after the toward one, to max height */
    LIFT_M_DX_NET,              /* m, horizontal position at catch_end (+ toward the lifter) */
    LIFT_M_TRAJECTORY_TYPE,     /* 1..4, see lift.c trajectory rule */
    LIFT_M_BAR_PAST_KNEE_SPEED, /* m/s vertical velocity when the bar passes knee height */
    LIFT_M_BAR_PAST_KNEE_ACC,   /* m/s² vertical acceleration at that instant */
    LIFT_M_TOTAL_TIME,          /* s, start_of_lifting .. recovery_end (or catch_end) */
    LIFT_M_TURNOVER_TIME,       /* s, second_pull_end .. catch_end */
    LIFT_M_PULL_TIME,           /* s, start_of_lifting .. second_pull_end */
    LIFT_M_PEAK_PULL_POWER,     /* W, max of P = m (g + a_y) v_y over the pull */
    LIFT_M_MEAN_PULL_POWER,     /* W, mean of P over the pull */
    LIFT_M_MAX_POWER,           /* W, max of P over the whole lift */
    LIFT_M_MAX_GRF,             /* N, estimated peak ground reaction force over the pull */
    LIFT_M_JERK_DIP_DEPTH,      /* m */
    LIFT_M_JERK_DRIVE_MAX_VEL,  /* m/s */
    LIFT_M_TRACKING_CONFIDENCE, /* 0..1 mean confidence over the lift (vendor mean_markers_validity)
                                 */
    LIFT_M_INTERPOLATED_FRACTION, /* 0..1 fraction of interpolated frames over the lift */
    LIFT_M__COUNT
};
/* Internal metric name ("max_bar_speed", ...) and unit ("m/s"); never NULL. */
const char *lift_metric_name(enum lift_metric m);
const char *lift_metric_unit(enum lift_metric m);

struct lift_metric_value {
    int available; /* 0: see reason */
    double value;
    double uncertainty; /* 1-sigma estimate in the metric's unit; NaN when unknown */
    const char *reason; /* static string when !available */
};

/* The analysis of one lift. Arrays have n entries, owned by the result. */
struct lift_result {
    enum lift_exercise exercise;
    size_t n;
    double *t_s;
    double *bar_x_px, *bar_y_px; /* gap-filled, low-passed plate centre for drawing; NaN unknown */
    double *bar_x_m, *bar_y_m;   /* see conventions above */
    double *vel_x_mps, *vel_y_mps, *speed_mps;
    double *acc_y_mps2;
    double *power_w;       /* m (g + a_y) v_y */
    double *hip_vel_y_mps; /* hip-midpoint vertical velocity (up +); NaN without kin */
    double *knee_flex_deg; /* near-side knee flexion (0 = straight); NaN without kin */
    /* joint angles in the analysis module's conventions (analysis.h
       analysis_prepare: knee flexion, ankle dorsiflexion, hip flexion), NULL
       without kin; hip_deg is the near-side hip flexion */
    double *lkne_deg, *rkne_deg, *lank_deg, *rank_deg, *hip_deg;
    double *bar_conf; /* tracking confidence 0..1 (0 where interpolated/missing) */
    uint8_t *flag;    /* enum lift_bar_flag */
    uint8_t *phase;   /* enum lift_phase */
    int facing;       /* +1/-1, 0 unknown */
    /* Start of the pull: the lift-off frame (liftoff_in_clip = 1), or the first
       tracked frame when the bar is already rising there (liftoff_in_clip = 0:
       the lift-off is before the clip; heights, horizontal displacements and
       times from lift-off are then unavailable and bar_x_m/bar_y_m are relative
       to that frame); n when no pull was found. */
    size_t pull_start;
    int liftoff_in_clip;
    double m_per_px;
    double barbell_mass_kg, body_mass_kg;
    struct lift_event_value ev[LIFT_EV__COUNT];
    struct lift_metric_value m[LIFT_M__COUNT];
};

/*
 * Analyse one lift. `in` and its arrays are borrowed; on success *out is a new
 * result the caller frees with lift_result_destroy(). Missing phases or
 * metrics are reported per item (available/found = 0 with a reason), not as
 * an error.
 * Errors: KZ_E_INVALID (NULL/empty input, n < 4, non-increasing timestamps,
 * m_per_px <= 0, barbell mass <= 0, fewer than 4 known bar positions),
 * KZ_E_TOO_LARGE (n > 1e6), KZ_E_NOMEM.
 */
enum kz_err lift_analyze(const struct lift_input *in, struct lift_result **out, struct err_ctx *e);
void lift_result_destroy(struct lift_result *r); /* NULL-safe */

/*
 * Vendor JSON parts (new references, caller decrefs). Exact shapes:
 *
 * lift_result_json_metrics -> object name → single number (vendor `metrics`):
 *   "start_of_lifting", "first_pull_end", "transition", "second_pull_end",
 *   "catch_end", "recovery_end"     integer ms from stream start (found events only)
 *   "jerk_dip_start", "jerk_dip_end", "jerk_drive_end", "jerk_catch_end",
 *   "jerk_recovery_end"             integer ms (clean_and_jerk only, found only)
 *   "total_time", "turnover_time", "clean_time"(= pull_time)   integer ms
 *   "catch_time"                     integer ms (= turnover_time, vendor's name)
 *   "max_bar_speed" m/s, "max_bar_velocity_y" m/s, "max_bar_height" m,
 *   "catch_height" m, "catch_height_pct" %, "bar_drop" m,
 *   "dx_toward" m, "dx_away" m, "dx_net" m, "trajectory_type" 1..4,
 *   "bar_past_the_knee_speed" m/s, "bar_past_the_knee_acceleration" m/s²,
 *   "peak_pull_power" W, "mean_pull_power" W, "max_power" W, "max_GRF" N,
 *   "jerk_dip_depth" m, "jerk_drive_max_velocity" m/s,
 *   "barbell_weight" kg, "scale" m/px, "mean_markers_validity" 0..1,
 *   "interpolated_fraction" 0..1.
 *   Unavailable metrics are omitted (vendor values are bare numbers).
 *
 * lift_result_json_metric_details -> object name → {"value": number|null,
 *   "unit": str, "uncertainty": number|null, "available": bool,
 *   "reason": str|null, "method": str|null} for every metric and event above
 *   (events: value in ms, method = detection rule).
 *
 * lift_result_json_report_metrics -> object name → [number|null per frame]:
 *   "bar" bar height m, "bar_x" horizontal m (+ toward lifter), "bar_speed" m/s,
 *   "bar_velocity_y" m/s, "bar_acceleration_y" m/s², "power" W,
 *   "vhipy" hip vertical velocity m/s (only with kin), "phase" phase id
 *   (enum lift_phase), "bar_flag" 0 measured / 1 interpolated / 2 missing.
 *
 * lift_result_json_angles -> object name → [deg|null per frame]: "lkne_angle",
 *   "rkne_angle", "lank_angle", "rank_angle" and "hip_intersection_angle" (near-side
 *   hip flexion), conventions of analysis_prepare(); empty object without kin.
 *
 * lift_result_json_keypoints -> object name → [number|null per frame]:
 *   "barx", "bary" plate centre px (filtered), "barv" tracking confidence 0..1.
 *   (Body keypoints are the analysis module's export.)
 *
 * lift_result_json_timestamps -> array of per-frame timestamps in ms (vendor
 *   `all_timestamps`).
 * All return NULL only on out-of-memory.
 */
json_t *lift_result_json_metrics(const struct lift_result *r);
json_t *lift_result_json_metric_details(const struct lift_result *r);
json_t *lift_result_json_report_metrics(const struct lift_result *r);
json_t *lift_result_json_angles(const struct lift_result *r);
json_t *lift_result_json_keypoints(const struct lift_result *r);
json_t *lift_result_json_timestamps(const struct lift_result *r);

#endif
