/*
 * pose_tracker.c — the public pose tracker: loads the MediaPipe detector and
 * landmark models through nn, and implements the two model stages the
 * tracking state machine (pose_track.c) drives:
 *
 *  detect:    letterbox the frame into 224x224 in [-1,1] (zero border, as
 *             pose_detection_cpu.pbtxt), run the detector, decode against the
 *             SSD anchors, weighted NMS, remove the letterbox, and turn the
 *             best detection's keypoints 0 (hip centre) and 1 (scale/rotation)
 *             into a ROI (pose_detection_to_roi.pbtxt).
 *  landmarks: warp the rotated ROI into 256x256 in [0,1] (replicated border,
 *             ImageToTensorCalculator's default), run the landmark model
 *             pruned to the outputs we use, and decode/project
 *             (pose_landmarks.c).
 *
 * Output tensor names are the TFLite ones: detector "Identity" [1,2254,12]
 * boxes and "Identity_1" [1,2254,1] score logits; landmark model "Identity"
 * [1,195], "Identity_1" [1,1] presence (sigmoid in-graph), "Identity_3"
 * [1,64,64,39] heatmap logits, "Identity_4" [1,117] world landmarks.
 */
#include "pose/pose_int.h"

#include "frame/frame.h"
#include "nn/nn.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

struct pose_tracker {
    struct nn_model *det_model, *lm_model;
    struct nn_graph *det, *lm;
    float *det_in, *lm_in; /* graph-owned input tensors */
    struct pose_anchor anchors[POSE_DET_N_ANCHORS];
    struct pose_detection cand[POSE_DET_MAX], kept[POSE_DET_MAX];
    struct pose_track track;
    struct pose_stage_stats stats;
    int refine_heatmap;
};

void pose_opts_init(struct pose_opts *o)
{
    memset(o, 0, sizeof *o);
    o->model = "full";
    o->smoothing = 1;
    o->refine_heatmap = 1;
}

static int shape_is(const struct nn_shape *s, int rank, int d0, int d1, int d2, int d3)
{
    const int d[4] = {d0, d1, d2, d3};
    if (s->rank != rank)
        return 0;
    for (int i = 0; i < rank; i++)
        if (s->dims[i] != d[i])
            return 0;
    return 1;
}

static enum kz_err load_graph(const char *dir, const char *file, const struct pose_opts *o,
                              const char *const *outputs, int n_outputs, struct nn_model **model,
                              struct nn_graph **graph, struct err_ctx *e)
{
    char path[PATH_MAX];
    if (str_printf(path, sizeof path, "%s/%s", dir, file) != KZ_OK)
        return err_set(e, KZ_E_TOO_LARGE, "pose: models path too long");
    enum kz_err rc = nn_model_load(path, model, e);
    if (rc != KZ_OK) {
        if (e) {
            char msg[ERR_MSG_MAX];
            str_copy(msg, sizeof msg, err_msg(e));
            err_set(e, rc, "pose: %s: %s", path, msg);
        }
        return rc;
    }
    struct nn_graph_opts go = {
        .backend = o->backend, .threads = o->threads, .outputs = outputs, .n_outputs = n_outputs};
    return nn_graph_create(*model, &go, graph, e);
}

enum kz_err pose_tracker_create(const struct pose_opts *o, struct pose_tracker **out,
                                struct err_ctx *e)
{
    struct pose_opts defaults;
    struct pose_tracker *t = NULL;
    struct pose_anchor_opts ao;
    struct nn_shape s;
    enum kz_err rc;
    char file[64];
    static const char *const det_outputs[] = {"Identity", "Identity_1"};
    static const char *const lm_outputs[] = {"Identity", "Identity_1", "Identity_4", "Identity_3"};

    *out = NULL;
    if (!o) {
        pose_opts_init(&defaults);
        o = &defaults;
    }
    const char *model = o->model ? o->model : "full";
    if (strcmp(model, "lite") != 0 && strcmp(model, "full") != 0 && strcmp(model, "heavy") != 0)
        return err_set(e, KZ_E_INVALID, "pose: unknown model '%s' (lite, full or heavy)", model);
    const char *dir = o->models_dir;
    if (!dir)
        dir = getenv("KINALYZE_MODELS_DIR");
    if (!dir || !*dir)
        dir = "models";

    t = calloc(1, sizeof *t);
    if (!t)
        return err_set(e, KZ_E_NOMEM, "pose: out of memory");
    t->refine_heatmap = o->refine_heatmap != 0;
    pose_track_init(&t->track, o->smoothing != 0);
    pose_anchor_opts_blazepose(&ao);
    if (pose_anchors_generate(&ao, t->anchors, POSE_DET_N_ANCHORS) != POSE_DET_N_ANCHORS) {
        rc = err_set(e, KZ_E_INTERNAL, "pose: anchor count mismatch");
        goto fail;
    }

    rc = load_graph(dir, "pose_detection.tflite", o, det_outputs, 2, &t->det_model, &t->det, e);
    if (rc != KZ_OK)
        goto fail;
    t->det_in = nn_graph_input(t->det, 0, &s);
    if (!t->det_in || !shape_is(&s, 4, 1, POSE_DET_SIZE, POSE_DET_SIZE, 3)) {
        rc = err_set(e, KZ_E_FORMAT, "pose: detector input is not [1,224,224,3]");
        goto fail;
    }

    str_printf(file, sizeof file, "pose_landmark_%s.tflite", model);
    rc = load_graph(dir, file, o, lm_outputs, t->refine_heatmap ? 4 : 3, &t->lm_model, &t->lm, e);
    if (rc != KZ_OK)
        goto fail;
    t->lm_in = nn_graph_input(t->lm, 0, &s);
    if (!t->lm_in || !shape_is(&s, 4, 1, POSE_LM_SIZE, POSE_LM_SIZE, 3)) {
        rc = err_set(e, KZ_E_FORMAT, "pose: landmark input is not [1,256,256,3]");
        goto fail;
    }
    *out = t;
    return KZ_OK;
fail:
    pose_tracker_destroy(t);
    return rc;
}

/* Output `name` of g with exactly `count` elements, else NULL. */
static const float *output_checked(const struct nn_graph *g, const char *name, size_t count)
{
    struct nn_shape s;
    const float *p = nn_graph_output(g, name, &s);
    if (!p || nn_shape_count(&s) != count)
        return NULL;
    return p;
}

static enum kz_err stage_detect(void *ctx, const struct frame *f, int *found, struct pose_roi *roi,
                                struct err_ctx *e)
{
    struct pose_tracker *t = ctx;
    double t0 = time_mono_s();
    double m[6];
    struct pose_letterbox lb;
    /* The whole image padded to a square around its centre = the letterbox. */
    struct pose_roi full = {(float)f->width / 2.0f, (float)f->height / 2.0f,
                            (float)(f->width > f->height ? f->width : f->height), 0.0f};
    *found = 0;
    pose_roi_affine(&full, POSE_DET_SIZE, m);
    pose_warp_tensor(f->data, f->width, f->height, f->stride, m, t->det_in, POSE_DET_SIZE,
                     POSE_DET_SIZE, 2.0f / 255.0f, -1.0f, POSE_BORDER_ZERO);
    enum kz_err rc = nn_graph_run(t->det, e);
    if (rc != KZ_OK)
        return rc;
    const float *boxes = output_checked(t->det, "Identity", POSE_DET_N_ANCHORS * POSE_DET_N_COORDS);
    const float *scores = output_checked(t->det, "Identity_1", POSE_DET_N_ANCHORS);
    if (!boxes || !scores)
        return err_set(e, KZ_E_FORMAT, "pose: detector outputs have unexpected shapes");
    int n = pose_detections_decode(boxes, scores, t->anchors, POSE_DET_N_ANCHORS,
                                   POSE_DET_MIN_SCORE, t->cand, POSE_DET_MAX);
    n = pose_nms_weighted(t->cand, n, POSE_DET_NMS_IOU, t->kept, POSE_DET_MAX);
    t->stats.n_detector_runs++;
    if (n > 0) {
        struct pose_detection *d = &t->kept[0]; /* best score first */
        pose_letterbox_compute(f->width, f->height, &lb);
        pose_detection_unletterbox(d, &lb);
        pose_roi_from_points(d->kp[0][0] * (float)f->width, d->kp[0][1] * (float)f->height,
                             d->kp[1][0] * (float)f->width, d->kp[1][1] * (float)f->height,
                             POSE_ROI_SCALE, roi);
        *found = 1;
    }
    t->stats.detector_s += time_mono_s() - t0;
    return KZ_OK;
}

static enum kz_err stage_landmarks(void *ctx, const struct frame *f, const struct pose_roi *roi,
                                   struct pose_lm_set *out, struct err_ctx *e)
{
    struct pose_tracker *t = ctx;
    double m[6];
    double t0 = time_mono_s();
    pose_roi_affine(roi, POSE_LM_SIZE, m);
    pose_warp_tensor(f->data, f->width, f->height, f->stride, m, t->lm_in, POSE_LM_SIZE,
                     POSE_LM_SIZE, 1.0f / 255.0f, 0.0f, POSE_BORDER_REPLICATE);
    double t1 = time_mono_s();
    enum kz_err rc = nn_graph_run(t->lm, e);
    if (rc != KZ_OK)
        return rc;
    double t2 = time_mono_s();
    const float *lm = output_checked(t->lm, "Identity", POSE_LM_N_ALL * 5);
    const float *flag = output_checked(t->lm, "Identity_1", 1);
    const float *world = output_checked(t->lm, "Identity_4", POSE_LM_N_ALL * 3);
    const float *hm = NULL;
    if (t->refine_heatmap) {
        hm = output_checked(t->lm, "Identity_3",
                            (size_t)POSE_HEATMAP_SIZE * POSE_HEATMAP_SIZE * POSE_LM_N_ALL);
        if (!hm)
            return err_set(e, KZ_E_FORMAT, "pose: landmark heatmap has an unexpected shape");
    }
    if (!lm || !flag || !world)
        return err_set(e, KZ_E_FORMAT, "pose: landmark outputs have unexpected shapes");
    pose_landmarks_decode(lm, hm, world, flag[0], roi, out);
    t->stats.n_landmark_runs++;
    t->stats.warp_s += t1 - t0;
    t->stats.landmark_s += t2 - t1;
    return KZ_OK;
}

static const struct pose_stage_ops tracker_ops = {stage_detect, stage_landmarks};

enum kz_err pose_tracker_process(struct pose_tracker *t, const struct frame *f,
                                 struct pose_result *out, struct err_ctx *e)
{
    if (!t || !f || !out)
        return err_set(e, KZ_E_INVALID, "pose: NULL argument");
    if (!f->data || f->width < 1 || f->height < 1 || f->width > FRAME_MAX_SIDE_PX ||
        f->height > FRAME_MAX_SIDE_PX || f->stride < (size_t)f->width * 3)
        return err_set(e, KZ_E_INVALID, "pose: bad frame %dx%d stride %zu", f->width, f->height,
                       f->stride);
    double t0 = time_mono_s();
    double before = t->stats.detector_s + t->stats.warp_s + t->stats.landmark_s;
    enum kz_err rc = pose_track_step(&t->track, &tracker_ops, t, f, f->width, f->height, f->t_s,
                                     f->index, out, e);
    double stages = t->stats.detector_s + t->stats.warp_s + t->stats.landmark_s - before;
    t->stats.post_s += time_mono_s() - t0 - stages;
    t->stats.n_frames++;
    return rc;
}

void pose_tracker_reset(struct pose_tracker *t)
{
    if (t)
        pose_track_reset(&t->track);
}

void pose_tracker_stats(const struct pose_tracker *t, struct pose_stage_stats *out)
{
    *out = t->stats;
}

const char *pose_tracker_backend(const struct pose_tracker *t)
{
    return t && t->lm ? nn_graph_backend(t->lm) : "none";
}

void pose_tracker_destroy(struct pose_tracker *t)
{
    if (!t)
        return;
    nn_graph_destroy(t->det);
    nn_graph_destroy(t->lm);
    nn_model_destroy(t->det_model);
    nn_model_destroy(t->lm_model);
    free(t);
}
