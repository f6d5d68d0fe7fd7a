/*
 * vision.h — classical computer vision on decoded frames, in plain C. Today:
 * the barbell near-plate tracker. No model detects a barbell, so the plate is
 * found as a circle: colour gradients (Sobel, strongest RGB channel) → Hough
 * voting along gradient directions for the centre → radius from the radial
 * edge histogram → weighted least-squares circle refinement. Confidence is
 * the fraction of the fitted rim that has a radial edge under it.
 *
 * Tracking: the first frame (or after a long loss) is searched globally; the
 * candidate score favours the lifter's hands when wrist positions are given
 * (the plate centre lies on the bar axis, held in the hands) and otherwise the
 * bottom-centre of the picture (a lift starts with the bar on the floor).
 * Letterbox bars (black rows across the width) are found on globally searched
 * frames and kept while tracking. Later frames search a window around the
 * constant-velocity prediction (only that window of the frame is downscaled) with
 * the radius held within ±15 % of the running median, and a candidate far from
 * the wrists is penalised. A frame without an acceptable circle is LOST in the
 * online result; vision_plate_tracker_finish() then removes isolated spikes,
 * interpolates gaps of up to 0.5 s linearly in time (status INTERPOLATED,
 * confidence 0) and leaves everything else LOST (NaN) — never invented.
 *
 * Scale: metres per pixel = plate diameter (450 mm IWF bumper by default,
 * METRICS-AND-PEERS.md §3.3) / median fitted diameter over confident frames.
 *
 * Coordinates are the frame module's continuous pixel coordinates of the
 * frame passed in (origin at the top-left corner, y down).
 *
 * Thread-safety: a tracker is single-threaded; distinct trackers are
 * independent.
 */
#ifndef KZ_VISION_H
#define KZ_VISION_H

#include "core/core.h"
#include "frame/frame.h"

#include <stddef.h>
#include <stdint.h>

#define VISION_PLATE_DIAMETER_M 0.450 /* IWF competition bumper plate */

/* Per-frame status; numerically equal to lift.h enum lift_bar_flag. */
enum vision_plate_status {
    VISION_PLATE_MEASURED = 0,
    VISION_PLATE_INTERPOLATED = 1,
    VISION_PLATE_LOST = 2
};

/* One frame's plate estimate. x/y/diameter are NaN when LOST. */
struct vision_plate_obs {
    int64_t frame_index;
    double t_s;
    double x_px, y_px; /* plate centre = bar axis */
    double diameter_px;
    double confidence; /* 0..1 fraction of the rim with a radial edge; 0 unless MEASURED */
    enum vision_plate_status status;
};

/* Wrist hints for one frame (pose landmarks 15/16), visible ones only. */
struct vision_hands {
    int n; /* 0, 1 or 2 */
    double x_px[2], y_px[2];
};

struct vision_plate_opts {
    double plate_diameter_m;  /* 0 = VISION_PLATE_DIAMETER_M */
    double min_diameter_frac; /* plate diameter range as a fraction of the */
    double max_diameter_frac; /* frame's short side; 0 = 0.08 and 0.70 */
    double min_confidence;    /* accept threshold while tracking; 0 = 0.30 */
    int work_long_side_px;    /* frames are box-downscaled to at most this; 0 = 480 */
};

struct vision_plate_tracker;

/*
 * Create a tracker. o may be NULL (defaults). Caller owns *out (destroy).
 * Errors: KZ_E_INVALID (a negative or inconsistent option), KZ_E_NOMEM.
 */
enum kz_err vision_plate_tracker_create(const struct vision_plate_opts *o,
                                        struct vision_plate_tracker **out, struct err_ctx *e);
void vision_plate_tracker_destroy(struct vision_plate_tracker *t); /* NULL-safe */

/*
 * Find the plate in the next frame (frames must come in presentation order
 * and keep one size). `f` and `hands` (may be NULL) are borrowed. The online
 * estimate (MEASURED or LOST) goes to *obs when obs is not NULL and is also
 * recorded for finish().
 * Errors: KZ_E_INVALID (NULL frame, size change, timestamps going back),
 * KZ_E_TOO_LARGE (more than 1e6 frames), KZ_E_NOMEM.
 */
enum kz_err vision_plate_tracker_process(struct vision_plate_tracker *t, const struct frame *f,
                                         const struct vision_hands *hands,
                                         struct vision_plate_obs *obs, struct err_ctx *e);

/* The whole track after post-processing. Arrays owned; free with cleanup. */
struct vision_plate_track {
    size_t n;
    struct vision_plate_obs *obs; /* one per processed frame */
    double diameter_px;           /* median diameter over confident frames; NaN if none */
    double m_per_px;              /* plate_diameter_m / diameter_px; NaN if none */
    double m_per_px_rel_unc;      /* relative 1-sigma: spread/sqrt(n) with a 1 % fit floor */
    double mean_confidence;       /* mean over MEASURED frames */
    double found_fraction;        /* MEASURED / n */
    size_t n_measured, n_interpolated, n_lost;
    size_t n_spikes_removed; /* MEASURED samples rejected as implausible jumps */
};

/*
 * Post-process everything processed so far into *out (the tracker keeps its
 * state and may continue). Errors: KZ_E_NOMEM; KZ_E_NOT_FOUND when no frame
 * was processed. Free *out with vision_plate_track_cleanup() (also after
 * errors: *out is always initialised).
 */
enum kz_err vision_plate_tracker_finish(struct vision_plate_tracker *t,
                                        struct vision_plate_track *out, struct err_ctx *e);
void vision_plate_track_cleanup(struct vision_plate_track *tr); /* NULL-safe, idempotent */

#endif
