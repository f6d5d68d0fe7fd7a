/*
 * pose_int.h — internals of the pose module shared by its files and its unit
 * tests: SSD anchors, detector decoding and weighted NMS, region-of-interest
 * geometry, the crop warp, MediaPipe's landmark filters and the tracking
 * state machine. Everything here is pure computation on plain structs (no
 * models), so it can be tested on synthetic inputs.
 *
 * The algorithms and every parameter follow MediaPipe's public pose graph
 * (mediapipe/modules/pose_detection/pose_detection_cpu.pbtxt,
 * the .pbtxt files in mediapipe/modules/pose_landmark and the calculators
 * they name);
 * each function says which calculator it reproduces.
 */
#ifndef KZ_POSE_INT_H
#define KZ_POSE_INT_H

#include "pose/pose.h"

#include <stddef.h>
#include <stdint.h>

/* ---- detector (pose_detection_cpu.pbtxt) ---- */
#define POSE_DET_SIZE 224       /* input tensor side */
#define POSE_DET_N_ANCHORS 2254 /* 28*28*2 + 14*14*2 + 7*7*6 */
#define POSE_DET_N_COORDS 12    /* box (cx, cy, w, h) + 4 keypoints (x, y) */
#define POSE_DET_N_KP 4
#define POSE_DET_MIN_SCORE 0.5f /* TensorsToDetections min_score_thresh */
#define POSE_DET_SCORE_CLIP 100.0f
#define POSE_DET_NMS_IOU 0.3f /* NonMaxSuppression min_suppression_threshold */
#define POSE_DET_MAX 64       /* detections kept after score filtering (largest first) */

/* ---- landmark model (pose_landmark_by_roi_cpu.pbtxt) ---- */
#define POSE_LM_SIZE 256      /* input tensor side */
#define POSE_LM_N_ALL 39      /* 33 landmarks + 6 auxiliary */
#define POSE_LM_AUX_CENTRE 33 /* auxiliary landmarks used for tracking: [33, 35) */
#define POSE_LM_AUX_SCALE 34
#define POSE_HEATMAP_SIZE 64
#define POSE_HEATMAP_KERNEL 7      /* RefineLandmarksFromHeatmap kernel_size */
#define POSE_HEATMAP_MIN_CONF 0.5f /* its min_confidence_to_refine default */
#define POSE_PRESENCE_THRESH 0.5f  /* ThresholdingCalculator on the pose flag */

/* ---- ROI (pose_detection_to_roi.pbtxt, pose_landmarks_to_roi.pbtxt) ---- */
#define POSE_ROI_TARGET_ANGLE_RAD 1.5707963267948966 /* 90 degrees */
#define POSE_ROI_SCALE 1.25f

/* ---- anchors (SsdAnchorsCalculator) ---- */
struct pose_anchor_opts {
    int num_layers;
    const int *strides; /* num_layers entries */
    float min_scale, max_scale;
    int input_w, input_h;
    float offset_x, offset_y;
    const float *aspect_ratios;
    int n_aspect_ratios;
    float interpolated_scale_aspect_ratio; /* > 0 adds one anchor per cell and layer */
    int fixed_anchor_size;                 /* 1: w = h = 1 */
};

struct pose_anchor {
    float cx, cy, w, h; /* normalised to the input tensor */
};

/* The options of pose_detection_cpu.pbtxt. */
void pose_anchor_opts_blazepose(struct pose_anchor_opts *o);

/*
 * Generate SSD anchors like MediaPipe's SsdAnchorsCalculator (layers with
 * the same stride are merged; cells row-major; anchors of a cell in order).
 * Writes at most `cap` anchors to `out` and returns how many the options
 * produce (which may exceed cap), or -1 for invalid options.
 */
int pose_anchors_generate(const struct pose_anchor_opts *o, struct pose_anchor *out, int cap);

/* A decoded detection, normalised to the detector input (or, after
   pose_detection_unletterbox, to the image). */
struct pose_detection {
    float score;
    float xmin, ymin, w, h;
    float kp[POSE_DET_N_KP][2]; /* x, y */
};

/*
 * TensorsToDetectionsCalculator with the pose options: raw_boxes[n][12]
 * (x-first, 224-px units relative to the anchor), raw_scores[n] logits
 * (clipped to +-100, sigmoid). Detections with score >= min_score and a
 * non-negative box are kept; when more than `cap` pass, the highest scores
 * are kept. Returns the number written to out.
 */
int pose_detections_decode(const float *raw_boxes, const float *raw_scores,
                           const struct pose_anchor *anchors, int n, float min_score,
                           struct pose_detection *out, int cap);

/* Intersection over union of two detections' boxes (0 when disjoint). */
float pose_detection_iou(const struct pose_detection *a, const struct pose_detection *b);

/*
 * NonMaxSuppressionCalculator, WEIGHTED algorithm, INTERSECTION_OVER_UNION:
 * sorts `dets` by decreasing score (in place), then repeatedly takes the best
 * remaining detection, averages the boxes and keypoints of every remaining
 * detection overlapping it by more than `iou_thresh` weighted by score (the
 * score stays the best one's) and removes them. Writes at most `cap` results,
 * best first; returns the count.
 */
int pose_nms_weighted(struct pose_detection *dets, int n, float iou_thresh,
                      struct pose_detection *out, int cap);

/* Letterbox of an image in the square detector input: normalised padding on
   each side (MediaPipe's LETTERBOX_PADDING left/right = pad_x, top/bottom = pad_y). */
struct pose_letterbox {
    float pad_x, pad_y;
};
/* ImageToTensorCalculator's PadRoi for keep_aspect_ratio into a square tensor. */
void pose_letterbox_compute(int img_w, int img_h, struct pose_letterbox *lb);
/* DetectionLetterboxRemovalCalculator: tensor-normalised -> image-normalised. */
void pose_detection_unletterbox(struct pose_detection *d, const struct pose_letterbox *lb);

/* ---- ROI geometry ---- */

/* MediaPipe's NormalizeRadians: into [-pi, pi). */
double pose_normalize_radians(double a);

/*
 * AlignmentPointsRectsCalculator (start = centre, end = scale point, target
 * angle 90 deg) followed by RectTransformationCalculator (scale 1.25,
 * square_long), in pixels: centre at (x0, y0), side 2 * |p1 - p0| * scale,
 * rotation = target - atan2(-(y1 - y0), x1 - x0), normalised.
 */
void pose_roi_from_points(float x0_px, float y0_px, float x1_px, float y1_px, float scale,
                          struct pose_roi *out);

/* LandmarkProjectionCalculator: (u, v) in [0,1] of the crop -> image pixels. */
void pose_roi_project(const struct pose_roi *roi, float u, float v, float *x_px, float *y_px);

/*
 * The destination->source affine map (2x3, continuous pixel coordinates,
 * pixel (i, j) centred at (i + 0.5, j + 0.5)) that samples `roi` into an
 * out_size x out_size crop whose edges are the ROI's edges, the inverse of
 * pose_roi_project scaled by out_size.
 */
void pose_roi_affine(const struct pose_roi *roi, int out_size, double m[6]);

/* Border handling of pose_warp_tensor. */
enum pose_border { POSE_BORDER_ZERO = 0, POSE_BORDER_REPLICATE = 1 };

/*
 * Bilinear warp of an RGB24 image (w x h, stride bytes per row) into a
 * float32 NHWC tensor out_w x out_h x 3 through the dst->src map `m`,
 * each channel mapped as v * scale + offset (0..255 input). Pixels sampled
 * outside take black (ZERO) or the nearest edge pixel (REPLICATE), as
 * MediaPipe's ImageToTensorCalculator border modes. No allocation.
 */
void pose_warp_tensor(const uint8_t *rgb, int w, int h, size_t stride, const double m[6],
                      float *out, int out_w, int out_h, float scale, float offset,
                      enum pose_border border);

/* ---- landmarks of one frame, in image pixels (internal working form) ---- */
struct pose_lm_set {
    float score; /* pose presence (Identity_1) */
    float x_px[POSE_LM_N_ALL];
    float y_px[POSE_LM_N_ALL];
    float z_px[POSE_LM_N_ALL]; /* depth scaled like x (MediaPipe z * image width) */
    float visibility[POSE_LM_N_ALL];
    float presence[POSE_LM_N_ALL];
    float world_m[POSE_N_LANDMARKS][3];
};

/*
 * TensorsToLandmarks (39 x 5, sigmoid visibility/presence) + optional
 * RefineLandmarksFromHeatmap (heatmap 64x64x39 logits, may be NULL) +
 * LandmarkProjection onto `roi`, and the world landmarks (39 x 3, first 33
 * kept) rotated by the ROI rotation (WorldLandmarkProjectionCalculator).
 */
void pose_landmarks_decode(const float *raw_lm, const float *heatmap, const float *raw_world,
                           float score, const struct pose_roi *roi, struct pose_lm_set *out);

/* RefineLandmarksFromHeatmapCalculator on crop-normalised (u, v) of 39 points. */
void pose_heatmap_refine(const float *heatmap, int hm_w, int hm_h, int n_ch, int kernel,
                         float min_conf, float *u, float *v, int n);

/* ---- filters (mediapipe/util/filtering, landmarks/visibility smoothing) ---- */
struct pose_lowpass {
    int initialized;
    float raw, stored;
};
/* LowPassFilter: first value passes through; then alpha * v + (1 - alpha) * prev. */
float pose_lowpass_apply(struct pose_lowpass *f, float value, float alpha);

struct pose_one_euro_params {
    double frequency; /* Hz, used until two timestamps are known */
    double min_cutoff, beta, derivate_cutoff;
};

struct pose_one_euro {
    struct pose_lowpass x, dx;
    double frequency;
    double last_t_s;
    int has_last;
};
void pose_one_euro_reset(struct pose_one_euro *f, const struct pose_one_euro_params *p);
/*
 * OneEuroFilter::Apply: the frequency comes from the real interval to the
 * previous sample (variable frame rate safe); a sample whose time is not
 * after the previous one is returned unfiltered and ignored. value_scale
 * multiplies the derivative (1 / object size for scale-free speed).
 */
double pose_one_euro_apply(struct pose_one_euro *f, const struct pose_one_euro_params *p,
                           double t_s, double value_scale, double value);

/* Every smoothing parameter of pose_landmark_filtering.pbtxt, in one place. */
struct pose_smoothing_params {
    float visibility_alpha;                /* VisibilitySmoothing low_pass_filter alpha */
    struct pose_one_euro_params landmarks; /* 33 image landmarks, scaled by object size */
    struct pose_one_euro_params world;     /* 33 world landmarks, no value scaling */
    struct pose_one_euro_params aux;       /* 2 auxiliary (tracking) landmarks */
    float min_allowed_object_scale;
};
extern const struct pose_smoothing_params pose_smoothing_mediapipe;

struct pose_smoother {
    struct pose_lowpass vis[POSE_N_LANDMARKS];
    struct pose_one_euro lm[POSE_N_LANDMARKS][3];
    struct pose_one_euro world[POSE_N_LANDMARKS][3];
    struct pose_one_euro aux[2][3];
    int started;
};
void pose_smoother_reset(struct pose_smoother *s);
/*
 * PoseLandmarkFiltering on one frame's landmarks (in place): visibility
 * low-pass, one-euro on the 33 landmarks and on the 2 auxiliary ones with
 * the object scale of the unfiltered auxiliary ROI, one-euro on the world
 * landmarks. Timestamps in seconds.
 */
void pose_smoother_apply(struct pose_smoother *s, const struct pose_smoothing_params *p, double t_s,
                         struct pose_lm_set *lm);

/* ---- tracking state machine (pose_landmark_cpu.pbtxt) ---- */

/* The two model stages, so the state machine can be driven by fakes in tests. */
struct pose_stage_ops {
    /* Run the detector on f; *found = 0 when nobody, else *roi from the best detection. */
    enum kz_err (*detect)(void *ctx, const struct frame *f, int *found, struct pose_roi *roi,
                          struct err_ctx *e);
    /* Run the landmark model on f inside roi; fill *out (score, projected landmarks). */
    enum kz_err (*landmarks)(void *ctx, const struct frame *f, const struct pose_roi *roi,
                             struct pose_lm_set *out, struct err_ctx *e);
};

struct pose_track {
    int has_roi;         /* a region from the previous frame's landmarks */
    struct pose_roi roi; /* that region */
    int smoothing;
    float presence_thresh;
    struct pose_smoother smoother;
};
void pose_track_init(struct pose_track *t, int smoothing);
void pose_track_reset(struct pose_track *t);
/*
 * One frame: ROI from the previous landmarks if any, else from the detector;
 * landmark model; below the presence threshold the track ends (filters reset,
 * the next frame runs the detector); else filter, output, and the next ROI
 * from the (filtered) auxiliary landmarks.
 */
enum kz_err pose_track_step(struct pose_track *t, const struct pose_stage_ops *ops, void *ctx,
                            const struct frame *f, int img_w, int img_h, double t_s, int64_t index,
                            struct pose_result *out, struct err_ctx *e);

#endif
