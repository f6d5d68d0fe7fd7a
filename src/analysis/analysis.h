/*
 * analysis.h — pure-C biomechanics on a landmark time series: signal
 * conditioning (gap filling, zero-lag low-pass on real timestamps,
 * derivatives), joint angles under the vendor's series names, left/right
 * identity repair, pixel→metre scale, and the running and jumping metrics
 * with units, uncertainties and "unavailable, because ..." reasons.
 *
 * The module depends on core only: it does not know about pose, frames or
 * video. The worker copies each pose result into a `struct an_series` and
 * calls analysis_running_run() / analysis_jumping_run(); the JSON builders
 * at the end turn a result into the vendor's session-document parts.
 *
 * Coordinates: image landmarks are pixels with y DOWN (as decoded, after
 * rotation); world landmarks are metres, hip-centred, y down (MediaPipe).
 * Internally every metric is computed in metres with y UP, in the sagittal
 * image plane, after multiplying pixels by the scale (metres per pixel).
 *
 * Thread-safety: every function is reentrant; results are owned by the
 * caller and may be used from any thread. Nothing here does I/O.
 *
 * Formula sources are cited next to each formula in the .c files and
 * collected in docs/METRICS.md.
 */
#ifndef KZ_ANALYSIS_H
#define KZ_ANALYSIS_H

#include "core/core.h"

#include <jansson.h>
#include <stdint.h>

/* ------------------------------------------------------------------ */
/* Landmark indices (BlazePose 33-point topology).                     */
/* ------------------------------------------------------------------ */
#define AN_N_LANDMARKS 33
enum an_lm {
    AN_NOSE = 0,
    AN_L_EYE_INNER,
    AN_L_EYE,
    AN_L_EYE_OUTER,
    AN_R_EYE_INNER,
    AN_R_EYE,
    AN_R_EYE_OUTER,
    AN_L_EAR,
    AN_R_EAR,
    AN_MOUTH_L,
    AN_MOUTH_R,
    AN_L_SHOULDER,
    AN_R_SHOULDER,
    AN_L_ELBOW,
    AN_R_ELBOW,
    AN_L_WRIST,
    AN_R_WRIST,
    AN_L_PINKY,
    AN_R_PINKY,
    AN_L_INDEX,
    AN_R_INDEX,
    AN_L_THUMB,
    AN_R_THUMB,
    AN_L_HIP,
    AN_R_HIP,
    AN_L_KNEE,
    AN_R_KNEE,
    AN_L_ANKLE,
    AN_R_ANKLE,
    AN_L_HEEL,
    AN_R_HEEL,
    AN_L_FOOT,
    AN_R_FOOT /* foot_index = toe */
};

/* ------------------------------------------------------------------ */
/* Input: the landmark time series.                                    */
/* ------------------------------------------------------------------ */
struct an_landmark {
    float x_px, y_px; /* image pixels, origin top-left, y down */
    float z;          /* BlazePose relative depth (unused by the metrics) */
    float visibility; /* 0..1 */
    float presence;   /* 0..1 */
};

struct an_frame {
    double t_s; /* presentation time in seconds (real, possibly variable rate) */
    int valid;  /* 0: no person found in this frame — its landmarks are ignored */
    struct an_landmark lm[AN_N_LANDMARKS];
    float world_m[AN_N_LANDMARKS][3]; /* metres, hip-centred, y down */
};

struct an_series {
    int n_frames;
    struct an_frame *frames; /* n_frames entries, t_s strictly increasing */
    int width_px, height_px; /* image size the pixel landmarks refer to */
};

/*
 * Allocate a series of n_frames zeroed frames (valid = 0) for an image of
 * width_px × height_px. KZ_E_INVALID for n_frames < 0 or a non-positive size,
 * KZ_E_TOO_LARGE above 2^22 frames, KZ_E_NOMEM. The caller fills
 * frames[i] and frees with analysis_series_cleanup(). Not thread-safe per series.
 */
enum kz_err analysis_series_init(struct an_series *s, int n_frames, int width_px, int height_px,
                                 struct err_ctx *e);
/* Free the frames of `s` (NULL-safe, idempotent). */
void analysis_series_cleanup(struct an_series *s);

/* ------------------------------------------------------------------ */
/* Signal conditioning (used by running, jumping and the lift module). */
/* ------------------------------------------------------------------ */
/*
 * Missing samples are NaN. All functions take the real timestamps t_s[n]
 * (strictly increasing) so they are safe for variable frame rate.
 */

/*
 * Fill NaN runs of x[n] by linear interpolation in time when the gap between
 * the surrounding valid samples is at most max_gap_s; longer gaps and
 * leading/trailing NaNs stay NaN. Returns the number of samples filled.
 */
int analysis_signal_fill_gaps(const double *t_s, double *x, int n, double max_gap_s);

/*
 * Zero-lag low-pass: each run of consecutive finite samples of x is resampled
 * to a uniform grid at the run's median frame interval, padded by odd
 * reflection, filtered forward and backward with a 2nd-order Butterworth
 * section (4th-order zero-phase response; cutoff corrected for the double
 * pass after Winter 2009, §3.4.4, so that -3 dB falls at cutoff_hz) and
 * interpolated back onto the original timestamps (Catmull-Rom cubic, exact
 * for quadratics so derivatives stay smooth). The cutoff is clamped to
 * 0.4 × the run's sampling rate. Runs shorter than 4 samples are copied.
 * out may equal x. NaN samples stay NaN. Returns KZ_E_INVALID for n < 0,
 * non-increasing timestamps or cutoff_hz <= 0, KZ_E_NOMEM.
 * *cutoff_used_hz (may be NULL) receives the smallest cutoff actually applied.
 */
enum kz_err analysis_signal_lowpass(const double *t_s, const double *x, int n, double cutoff_hz,
                                    double *out, double *cutoff_used_hz, struct err_ctx *e);

/*
 * First derivative on non-uniform timestamps (three-point Lagrange formula;
 * one-sided at run ends). NaN where the sample or both neighbours are NaN.
 * out must not alias x.
 */
void analysis_signal_derivative(const double *t_s, const double *x, int n, double *out);

/* Median of the positive frame intervals (seconds); 0 if n < 2. */
double analysis_signal_median_dt(const double *t_s, int n);

/* Linear interpolation of the value of x at time t (NaN outside or across NaN). */
double analysis_signal_at(const double *t_s, const double *x, int n, double t);

/* ------------------------------------------------------------------ */
/* Angles (2D, degrees).                                               */
/* ------------------------------------------------------------------ */
/* Interior angle at b between rays b→a and b→c, 0..180; NaN if degenerate. */
double analysis_angle_3pt_deg(double ax, double ay, double bx, double by, double cx, double cy);
/*
 * Signed angle of the vector (dx, dy) — y UP — from the vertical (up), positive
 * when the vector leans toward +facing (facing = +1 or -1 along x); -180..180.
 */
double analysis_angle_from_vertical_deg(double dx, double dy, int facing);
/*
 * Signed angle from vector u to vector v (both y UP), positive when v is rotated
 * from u toward the facing direction's "forward" rotation (counter-clockwise
 * for facing = +1); -180..180. NaN if either vector is zero.
 */
double analysis_angle_between_deg(double ux, double uy, double vx, double vy, int facing);

/* ------------------------------------------------------------------ */
/* Prepared kinematics: what running, jumping and lift share.          */
/* ------------------------------------------------------------------ */
enum an_scale_source {
    AN_SCALE_NONE = 0,       /* no scale: metric distances unavailable */
    AN_SCALE_ATHLETE_HEIGHT, /* body segment lengths vs the given height (Winter 2009 ratios) */
    AN_SCALE_WORLD_LANDMARKS /* pixel lengths vs the pose model's metric world landmarks */
};
const char *analysis_scale_source_name(enum an_scale_source s); /* "athlete_height", ... */

/* Angle series, vendor names: index into an_kinematics.angle_deg. */
enum an_angle {
    AN_ANG_LANK,
    AN_ANG_RANK,
    AN_ANG_LKNE,
    AN_ANG_RKNE,
    AN_ANG_LHIP,
    AN_ANG_RHIP,
    AN_ANG_LSHO,
    AN_ANG_RSHO,
    AN_ANG_LELB,
    AN_ANG_RELB,
    AN_ANG_TRUNK,
    AN_ANG__COUNT
};
/* "lank_angle", ..., "trunk_angle". */
const char *analysis_angle_name(enum an_angle a);

struct an_prep_opts {
    double height_cm;      /* athlete height, 0 = unknown (scale from world landmarks) */
    double cutoff_hz;      /* low-pass cutoff for positions; 0 = 10 Hz */
    double max_gap_s;      /* longest gap to interpolate; 0 = 0.25 s */
    double min_visibility; /* landmark used when visibility*presence >= this; 0 = 0.3 */
    int no_fix_sides;      /* 1 = keep raw left/right labels (tests, raw export) */
};

/*
 * Filtered kinematics of one series. Positions are metres, y UP, x toward the
 * image right, origin at the image top-left corner scaled to metres (so only
 * differences are meaningful). When no scale is known (scale_source NONE),
 * positions are in pixels (scale_m_per_px = 1) and metric distances are not
 * reported. NaN = not available at that frame.
 */
struct an_kinematics {
    int n;
    double *t_s;               /* n timestamps (copy) */
    double *x[AN_N_LANDMARKS]; /* filtered positions (see above) */
    double *y[AN_N_LANDMARKS];
    double *vx[AN_N_LANDMARKS]; /* velocities, m/s (or px/s) */
    double *vy[AN_N_LANDMARKS];
    double *ax[AN_N_LANDMARKS]; /* accelerations, m/s² (or px/s²): derivative of vx/vy */
    double *ay[AN_N_LANDMARKS];
    double *conf[AN_N_LANDMARKS];     /* visibility*presence per frame, 0 when invalid */
    double *rx[AN_N_LANDMARKS];       /* unfiltered positions after L/R repair and scaling, */
    double *ry[AN_N_LANDMARKS];       /* NaN where the landmark was not usable */
    double noise_m[AN_N_LANDMARKS];   /* RMS raw − filtered residual per landmark */
    double *angle_deg[AN_ANG__COUNT]; /* joint angles (conventions in analysis_prepare) */
    unsigned char *side_swapped;      /* per frame: 1 if legs (hip..toe) L/R were relabelled */
    unsigned char *arm_swapped;       /* per frame: 1 if arms (shoulder..thumb) were relabelled */
    int n_leg_swaps_fixed;            /* frames whose leg labels were swapped back */
    int n_arm_swaps_fixed;            /* frames whose arm labels were swapped back */
    int n_outliers_removed;           /* landmark samples dropped as spikes or leg "collapse" */
    int facing;                       /* +1 athlete faces/moves toward +x, -1 toward -x */
    double scale_m_per_px;
    double scale_rel_uncertainty; /* relative standard uncertainty of the scale */
    enum an_scale_source scale_source;
    double fps_median; /* 1 / median frame interval */
    double dt_median_s;
    double cutoff_hz_used;
    double valid_fraction; /* frames with a person */
};

/*
 * Build filtered kinematics from a series: validity mask, left/right repair
 * (two-hypothesis Viterbi on constant-velocity continuity plus segment-length
 * consistency), scale, gap filling, low-pass, velocities, accelerations and
 * angles. Velocities are the three-point derivative of the filtered positions
 * and accelerations the same derivative of those velocities, both on the real
 * timestamps (variable frame rate safe; exact for a parabola sampled at any
 * spacing, before filtering); NaN where the position is NaN.
 * Angle conventions (degrees, sagittal image plane, facing from the motion):
 *   ank: dorsiflexion = 90 − angle(shank ankle→knee, foot heel→toe); 0 standing.
 *   kne: flexion = 180 − interior hip-knee-ankle angle; 0 = straight leg.
 *   hip: flexion = signed angle trunk-line (shoulder→hip extended) to thigh
 *        (hip→knee), + when the knee is in front of the trunk line.
 *   sho: flexion = signed angle trunk (shoulder→hip) to upper arm
 *        (shoulder→elbow), + when the elbow is in front.
 *   elb: flexion = 180 − interior shoulder-elbow-wrist angle.
 *   trunk: lean of hip-mid→shoulder-mid from vertical, + forward.
 * o may be NULL (defaults). Errors: KZ_E_INVALID (NULL/empty series,
 * non-increasing timestamps), KZ_E_NOMEM. On success the caller owns `k` and
 * frees it with analysis_kinematics_cleanup().
 */
enum kz_err analysis_prepare(const struct an_series *s, const struct an_prep_opts *o,
                             struct an_kinematics *k, struct err_ctx *e);
void analysis_kinematics_cleanup(struct an_kinematics *k); /* NULL-safe */

/* ------------------------------------------------------------------ */
/* Metrics.                                                            */
/* ------------------------------------------------------------------ */
#define AN_REASON_MAX 128

/*
 * One metric: per-event values (per step / per jump), their summary, unit,
 * standard uncertainty of `avg` and availability. `key` and `unit` are static
 * strings. When available == 0, `reason` says why and values are empty.
 */
struct an_metric {
    const char *key;  /* vendor key, e.g. "contact_time" */
    const char *unit; /* "s", "steps/min", "m", "m/s", "min/km", "deg", "%", "cm", "N", "W", ... */
    int available;
    char reason[AN_REASON_MAX];
    int n;          /* number of values */
    double *values; /* n values (owned by the result) */
    double avg, min, max;
    double uncertainty; /* standard uncertainty of avg, in `unit` */
};

/* ------------------------------------------------------------------ */
/* Running.                                                            */
/* ------------------------------------------------------------------ */
struct an_running_opts {
    double incline_deg; /* treadmill incline from the activity options (reported as given) */
    double height_cm;   /* 0 = unknown */
    double mass_kg;     /* 0 = unknown */
    double cutoff_hz;   /* 0 = 12 Hz (Winter-style running kinematics; see METRICS.md) */
    int no_fix_sides;   /* tests only: 1 = keep raw left/right labels */
};

enum an_rm {
    AN_RM_CADENCE,
    AN_RM_CONTACT_TIME,
    AN_RM_FLIGHT_TIME,
    AN_RM_DUTY_FACTOR,
    AN_RM_STEP_TIME,
    AN_RM_STRIDE_TIME,
    AN_RM_STRIDE_LENGTH,
    AN_RM_SPEED,
    AN_RM_PACE,
    AN_RM_VERTICAL_OSC,
    AN_RM_FOOTSTRIKE_ANGLE,
    AN_RM_KNEE_FLEXION_CONTACT,
    AN_RM_OVERSTRIDE,
    AN_RM_SHANK_ANGLE_CONTACT,
    AN_RM_TRUNK_LEAN,
    AN_RM_CONTACT_ANGLE,
    AN_RM_RBALANCE,
    AN_RM_GCT_ASYMMETRY,
    AN_RM_HIP_EXTENSION_TOEOFF,
    AN_RM_INCLINE,
    AN_RM__COUNT
};

enum an_footstrike { AN_FS_UNKNOWN = 0, AN_FS_REARFOOT, AN_FS_MIDFOOT, AN_FS_FOREFOOT };
const char *analysis_footstrike_name(enum an_footstrike f); /* "rearfoot", ..., "unknown" */

/* One ground contact of one foot. Times are sub-frame (interpolated). */
struct an_contact {
    int side;                    /* 0 left, 1 right */
    double t_on_s;               /* initial contact */
    double t_off_s;              /* toe-off */
    int frame_on, frame_off;     /* nearest frames */
    double footstrike_angle_deg; /* NaN if unavailable */
    double knee_flexion_deg;     /* at contact */
    double overstride_m;         /* heel ahead of hip-mid at contact (+ = ahead), NaN w/o scale */
};

struct an_running_result {
    struct an_kinematics kin;
    struct an_metric m[AN_RM__COUNT];
    int n_contacts;
    struct an_contact *contacts; /* sorted by t_on_s */
    unsigned char *contact;      /* per frame: 1 when any foot is on the ground */
    int n_steps;
    enum an_footstrike footstrike;
    int treadmill;              /* 1 when the hip stays in place while the stance foot moves */
    double total_time_s;        /* analysed span */
    double total_distance_m;    /* speed × time (NaN without scale) */
    int alternation_violations; /* consecutive same-side contacts (after repair) */
    int side_repair_kept;       /* 1: the continuity L/R repair changed labels and was kept */
    int side_repair_rejected;   /* 1: it was undone because the raw labels alternate better */
    int time_base_not_real;     /* 1: running below 100 steps/min of video time: the clip's
                                   clock is not real time (slow motion), so durations,
                                   rates, speed and stride length are unavailable */
    int not_a_gait;             /* 1: real clock but a mean flight above 0.35 s between
                                   contacts (jumping, not running or walking): every gait
                                   metric is unavailable with that reason */
    double incline_deg;
    double mean_visibility;
};

/*
 * Running metrics from a series: per-foot contact/toe-off (lowest foot point
 * against the floor line, threshold crossing refined to the ground by the
 * local vertical velocity), steps, cadence, GCT, flight, duty factor, step and
 * stride time, speed (hip relative to the stance foot: treadmill belt or
 * overground), stride length, pace, vertical oscillation, foot strike,
 * knee flexion / shank angle / overstride at contact, trunk lean, contact
 * angle, balance and asymmetry, incline. Unsupported metrics are marked
 * unavailable with a reason (frame rate < 25 fps, feet not visible, fewer
 * than 4 contacts, no scale, foot-strike needs >= 60 fps).
 * Errors: KZ_E_INVALID (bad series/opts), KZ_E_NOMEM. `out` is always
 * initialised; free with analysis_running_result_cleanup() even on error.
 */
enum kz_err analysis_running_run(const struct an_series *s, const struct an_running_opts *o,
                                 struct an_running_result *out, struct err_ctx *e);
void analysis_running_result_cleanup(struct an_running_result *r); /* NULL-safe */

/* ------------------------------------------------------------------ */
/* Jumping.                                                            */
/* ------------------------------------------------------------------ */
enum an_jump_kind { AN_JUMP_CMJ = 0, AN_JUMP_DROP };
/* "Countermovement Jump" → CMJ, "Drop Jump" → DROP; KZ_E_INVALID otherwise. */
enum kz_err analysis_jump_kind_parse(const char *exercise, enum an_jump_kind *out,
                                     struct err_ctx *e);

struct an_jumping_opts {
    enum an_jump_kind kind;
    double height_cm; /* 0 = unknown */
    double mass_kg;   /* 0 = unknown: GRF and power unavailable */
    double cutoff_hz; /* 0 = 10 Hz */
    int no_fix_sides;
};

enum an_phase {
    AN_PH_START_OF_PREPARATION,
    AN_PH_BRAKING,
    AN_PH_ZERO_VELOCITY,
    AN_PH_TAKEOFF,
    AN_PH_PEAK,
    AN_PH_LANDING,
    AN_PH_DAMPING,
    AN_PH_RECUPERATION,
    AN_PH__COUNT
};
const char *analysis_phase_name(enum an_phase p); /* "start_of_preparation", ... */

enum an_jm {
    AN_JM_FLIGHT_TIME,
    AN_JM_JUMP_HEIGHT,
    AN_JM_JUMP_HEIGHT_VELOCITY,
    AN_JM_TAKEOFF_VELOCITY,
    AN_JM_HEIGHT_DISAGREE,
    AN_JM_CM_DEPTH,
    AN_JM_ECCENTRIC_DURATION,
    AN_JM_CONCENTRIC_DURATION,
    AN_JM_TIME_TO_TAKEOFF,
    AN_JM_RSI_MODIFIED,
    AN_JM_CONTACT_TIME,
    AN_JM_RSI,
    AN_JM_KNEE_ANGLE_ECC_END,
    AN_JM_PEAK_GRF_TAKEOFF,
    AN_JM_PEAK_GRF_LANDING,
    AN_JM_PEAK_POWER,
    AN_JM_NORMALIZED_POWER,
    AN_JM_SAYERS_POWER,
    AN_JM_G_ESTIMATE,
    AN_JM__COUNT
};

struct an_jump {
    int frame[AN_PH__COUNT];  /* nearest frame of each phase event, -1 unknown */
    double t_s[AN_PH__COUNT]; /* sub-frame time where refined, else the frame time */
    int end_frame;            /* last frame of this jump's segment */
};

#define AN_MAX_JUMPS 32
struct an_jumping_result {
    struct an_kinematics kin;
    enum an_jump_kind kind;
    int n_jumps;
    struct an_jump jumps[AN_MAX_JUMPS];
    struct an_metric m[AN_JM__COUNT]; /* values[i] belongs to jumps[i] */
    /* per-frame series (n = kin.n), NaN where unknown */
    double *hipy_m;     /* hip-mid height above the standing hip height, m */
    double *vhipy_mps;  /* mean of both hips' kin.vy */
    double *ahipy_mps2; /* mean of both hips' kin.ay */
    double *toey_m;     /* lowest toe height above the floor, m */
    double *vtoey_mps;
    double *grf_n; /* m·(g + a_hip); NULL when mass unknown */
    double mass_kg;
};

/*
 * Jump metrics: airborne intervals from the lowest foot point against the
 * floor line (take-off/landing refined by a quadratic fit of the flight),
 * phases from the hip vertical velocity, heights by flight time and by
 * take-off velocity side by side, depth, durations, RSI(mod), knee angle at
 * the end of the eccentric phase, GRF and power when mass is known. Each
 * metric's uncertainty is derived from the frame interval, the landmarks'
 * residual noise and mean confidence, propagated through the filter's noise
 * gains to GRF and power (docs/METRICS.md §1).
 * Errors: KZ_E_INVALID, KZ_E_NOMEM. Free with analysis_jumping_result_cleanup().
 */
enum kz_err analysis_jumping_run(const struct an_series *s, const struct an_jumping_opts *o,
                                 struct an_jumping_result *out, struct err_ctx *e);
void analysis_jumping_result_cleanup(struct an_jumping_result *r); /* NULL-safe */

/* ------------------------------------------------------------------ */
/* JSON (jansson) builders — see analysis_json.c for the exact layout. */
/* ------------------------------------------------------------------ */
/*
 * Running session document parts (new reference, caller must json_decref;
 * NULL on out-of-memory):
 * {
 *   "activity": "Running",
 *   "metrics": { "<key>": [per-step numbers], ... },        vendor §4.1 keys
 *   "calculated_metrics": { "<key>": {"avg","min","max"}, ..., "total_distance": m,
 *                           "total_time": s, "footstrike": "midfoot" },
 *   "angles": { "lank_angle": [per frame], ..., "trunk_angle": [...] },  null where unknown
 *   "all_timestamps": [s per frame],
 *   "contact": [bool per frame],
 *   "segments": <number of steps>,
 *   "keypoints": { "<side><joint><x|y|v>": [per frame] },   x,y image px; v visibility;
 *                the pose model's values under the analysis' REPAIRED left/right labels
 *                (a frame whose legs or arms the analysis relabelled exports the other
 *                side's landmarks under "l..."/"r...", as used for the angles)
 *   "kinalyze": {
 *     "units": { "<key>": "unit" }, "uncertainty": { "<key>": number },
 *     "unavailable": { "<key>": "reason" },
 *     "scale": { "source": "world_landmarks", "m_per_px": n, "rel_uncertainty": n },
 *     "fps": n, "cutoff_hz": n, "treadmill": bool, "incline_degree": n,
 *     "side_swaps_fixed": n, "arm_swaps_fixed": n, "alternation_violations": n,
 *     "time_base_not_real": bool (slow motion detected, see an_running_result),
 *     "not_a_gait": bool (the contacts do not form a running or walking gait),
 *     "contacts": [ {"side":"left","t_on":s,"t_off":s,"frame_on":i,"frame_off":i}, ... ]
 *   }
 * }
 */
json_t *analysis_running_json(const struct an_running_result *r, const struct an_series *s);

/*
 * Jumping session document parts (new reference; NULL on out-of-memory):
 * {
 *   "activity": "Jumping",
 *   "metrics": { "<key>": [per-jump numbers] },
 *   "calculated_metrics": { "<key>": {"avg","min","max"} },
 *   "angles": { "lank_angle","rank_angle","lkne_angle","rkne_angle","kne_angle","ank_angle",
 *               "hip_intersection_angle", "lhip_angle","rhip_angle", ... : [per frame] },
 *   "whole_report_metrics": { "hipy","vhipy","ahipy","toey","vtoey","grf": [per frame] },
 *   "all_timestamps": [...], "end_frames": [int per jump], "segments": n_jumps,
 *   "phase_data": [ { "<phase>": {"video_frame": i, "t_s": s}, ... } per jump ],
 *   "keypoints": { ... as running ... },
 *   "kinalyze": { "units", "uncertainty", "unavailable", "scale", "fps", "cutoff_hz",
 *                 "exercise": "Countermovement Jump"|"Drop Jump", "side_swaps_fixed" }
 * }
 */
json_t *analysis_jumping_json(const struct an_jumping_result *r, const struct an_series *s);

/*
 * The body keypoint export alone (new reference; NULL on out-of-memory):
 * { "<side><joint><x|y|v>": [per frame] } as in the running document, for
 * activities whose document the analysis module does not build (weightlifting).
 * k: the kinematics built from `s` (its side_swapped / arm_swapped flags give the
 * repaired left/right labels, as in the running and jumping documents); NULL or a
 * kinematics of another length exports the pose model's raw labels.
 */
json_t *analysis_keypoints_json(const struct an_series *s, const struct an_kinematics *k);

/* Vendor keypoint-series key for landmark i ("lkne", "rtoe", "head", ...) or NULL if not exported.
 */
const char *analysis_keypoint_name(int landmark);

#endif
