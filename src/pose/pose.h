/*
 * pose.h — BlazePose GHUM 3D on kinalyze's own inference engine (src/nn),
 * following MediaPipe's pose graph: a person detector on the letterboxed
 * frame (SSD anchors, box/keypoint decoding, weighted NMS), a rotated square
 * region of interest from the hip-centre and scale keypoints, the landmark
 * model on the affine-warped 256x256 crop, landmarks projected back to image
 * pixels, tracking (the next frame's region comes from the current
 * landmarks' auxiliary points; the detector runs again only when the track
 * is lost) and MediaPipe's temporal smoothing (one-euro landmark filters and
 * a visibility low-pass) driven by the frames' real timestamps.
 *
 * Models are the MediaPipe TFLite files in a models directory:
 * pose_detection.tflite and pose_landmark_{lite,full,heavy}.tflite.
 *
 * Coordinates: x_px/y_px are continuous image pixels of the frame given to
 * pose_tracker_process (origin at the top-left corner of the top-left pixel,
 * x right, y down). z is MediaPipe's landmark depth: relative to the hip
 * midpoint, smaller is closer to the camera, in MediaPipe's normalised units
 * (multiply by the image width for pixels). World landmarks are MediaPipe's
 * metric 3D points (metres, origin at the hip midpoint, y down), rotated by
 * the region's rotation as MediaPipe does.
 *
 * Thread-safety: a tracker is not thread-safe; use one per thread (each owns
 * its own models and graphs).
 */
#ifndef KZ_POSE_H
#define KZ_POSE_H

#include "core/core.h"

#include <stdint.h>

struct frame; /* frame/frame.h */

#define POSE_N_LANDMARKS 33

/* BlazePose landmark indices (MediaPipe's order). */
enum pose_landmark_id {
    POSE_NOSE = 0,
    POSE_LEFT_EYE_INNER,
    POSE_LEFT_EYE,
    POSE_LEFT_EYE_OUTER,
    POSE_RIGHT_EYE_INNER,
    POSE_RIGHT_EYE,
    POSE_RIGHT_EYE_OUTER,
    POSE_LEFT_EAR,
    POSE_RIGHT_EAR,
    POSE_MOUTH_LEFT,
    POSE_MOUTH_RIGHT,
    POSE_LEFT_SHOULDER,
    POSE_RIGHT_SHOULDER,
    POSE_LEFT_ELBOW,
    POSE_RIGHT_ELBOW,
    POSE_LEFT_WRIST,
    POSE_RIGHT_WRIST,
    POSE_LEFT_PINKY,
    POSE_RIGHT_PINKY,
    POSE_LEFT_INDEX,
    POSE_RIGHT_INDEX,
    POSE_LEFT_THUMB,
    POSE_RIGHT_THUMB,
    POSE_LEFT_HIP,
    POSE_RIGHT_HIP,
    POSE_LEFT_KNEE,
    POSE_RIGHT_KNEE,
    POSE_LEFT_ANKLE,
    POSE_RIGHT_ANKLE,
    POSE_LEFT_HEEL,
    POSE_RIGHT_HEEL,
    POSE_LEFT_FOOT_INDEX,
    POSE_RIGHT_FOOT_INDEX
};

/* snake_case name of landmark `id` ("left_heel"); "unknown" when out of range. */
const char *pose_landmark_name(int id);

struct pose_landmark {
    float x_px, y_px; /* image pixels */
    float z;          /* MediaPipe-normalised depth (see top of file) */
    float visibility; /* 0..1: likely visible (not occluded) */
    float presence;   /* 0..1: likely inside the image */
};

/* A rotated square region of the image, in pixels (MediaPipe's NormalizedRect in pixels). */
struct pose_roi {
    float cx_px, cy_px; /* centre */
    float size_px;      /* side of the square */
    float rotation_rad; /* positive turns the region's x axis towards +y (clockwise on screen) */
};

struct pose_result {
    int found;          /* 0: no person in this frame (then only t_s, frame_index and score,
                           the presence that ended a track, are set) */
    int from_detection; /* 1: ROI came from the detector, 0: from tracking */
    float score;        /* pose presence score 0..1 */
    struct pose_landmark lm[POSE_N_LANDMARKS];
    float world_m[POSE_N_LANDMARKS][3]; /* x, y, z metres */
    double t_s;                         /* the frame's timestamp */
    int64_t frame_index;                /* the frame's index */
    struct pose_roi roi;                /* region the landmark model saw (valid when found) */
};

struct pose_opts {
    const char *models_dir; /* NULL: env KINALYZE_MODELS_DIR, else "models" */
    const char *model;      /* "lite" | "full" | "heavy"; NULL = "full" */
    const char *backend;    /* nn backend name; NULL = fastest available */
    int threads;            /* nn threads; 0 = nn default */
    int smoothing;          /* 1 = MediaPipe's temporal filters on (default), 0 = raw */
    int refine_heatmap;     /* 1 = MediaPipe's heatmap refinement of x/y (default), 0 = off */
};

/* Fill `o` with the defaults (full model, smoothing and heatmap refinement on). */
void pose_opts_init(struct pose_opts *o);

struct pose_tracker;

/*
 * Load the detector and the chosen landmark model and build their graphs.
 * `o` is borrowed (NULL = pose_opts_init defaults); its strings are copied.
 * Errors: KZ_E_INVALID unknown model name; KZ_E_IO/KZ_E_FORMAT/KZ_E_UNSUPPORTED
 * a model file missing or unusable (message names the file); KZ_E_NOT_FOUND
 * unknown backend; KZ_E_NOMEM. On success *out is owned by the caller
 * (pose_tracker_destroy).
 */
enum kz_err pose_tracker_create(const struct pose_opts *o, struct pose_tracker **out,
                                struct err_ctx *e);

/*
 * Process the next frame of one video (frames in presentation order; `f` is
 * borrowed). Fills `out` completely, also when no person is found (found=0).
 * Timestamps drive the filters: a frame whose t_s is not after the previous
 * one is passed through unsmoothed.
 * Errors: KZ_E_INVALID bad frame; KZ_E_INTERNAL inference failure.
 */
enum kz_err pose_tracker_process(struct pose_tracker *t, const struct frame *f,
                                 struct pose_result *out, struct err_ctx *e);

/* Forget the track and the filter state (start of another video). */
void pose_tracker_reset(struct pose_tracker *t);

/* Cumulative wall time per stage since creation, for benchmarks. */
struct pose_stage_stats {
    double detector_s; /* letterbox + detector inference + decoding/NMS */
    double warp_s;     /* ROI crop into the landmark tensor */
    double landmark_s; /* landmark inference */
    double post_s;     /* projection, heatmap refinement, filters, next ROI */
    int64_t n_frames, n_detector_runs, n_landmark_runs;
};
void pose_tracker_stats(const struct pose_tracker *t, struct pose_stage_stats *out);

/* Name of the nn backend the tracker's graphs run on; never NULL. */
const char *pose_tracker_backend(const struct pose_tracker *t);

/* Free a tracker; NULL is a no-op. */
void pose_tracker_destroy(struct pose_tracker *t);

#endif
