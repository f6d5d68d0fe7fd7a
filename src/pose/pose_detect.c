/*
 * pose_detect.c — the person detector's post-processing, as MediaPipe's
 * pose_detection_cpu.pbtxt does it: SSD anchor generation
 * (SsdAnchorsCalculator), box and keypoint decoding with sigmoid scores
 * (TensorsToDetectionsCalculator), weighted non-maximum suppression
 * (NonMaxSuppressionCalculator, WEIGHTED, IoU) and letterbox removal
 * (DetectionLetterboxRemovalCalculator). Pure arithmetic on the model's
 * output arrays; the inference itself is in pose_tracker.c.
 */
#include "pose/pose_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static const int blazepose_strides[5] = {8, 16, 32, 32, 32};
static const float blazepose_aspects[1] = {1.0f};

void pose_anchor_opts_blazepose(struct pose_anchor_opts *o)
{
    memset(o, 0, sizeof *o);
    o->num_layers = 5;
    o->strides = blazepose_strides;
    o->min_scale = 0.1484375f;
    o->max_scale = 0.75f;
    o->input_w = POSE_DET_SIZE;
    o->input_h = POSE_DET_SIZE;
    o->offset_x = 0.5f;
    o->offset_y = 0.5f;
    o->aspect_ratios = blazepose_aspects;
    o->n_aspect_ratios = 1;
    o->interpolated_scale_aspect_ratio = 1.0f; /* the proto default */
    o->fixed_anchor_size = 1;
}

/* Linear interpolation of the anchor scale over the layers (SSD paper, eq. 4). */
static float anchor_scale(const struct pose_anchor_opts *o, int layer)
{
    if (o->num_layers == 1)
        return (o->min_scale + o->max_scale) * 0.5f;
    return o->min_scale +
           (o->max_scale - o->min_scale) * (float)layer / ((float)o->num_layers - 1.0f);
}

#define ANCHORS_PER_CELL_MAX 64

int pose_anchors_generate(const struct pose_anchor_opts *o, struct pose_anchor *out, int cap)
{
    if (!o || o->num_layers < 1 || !o->strides || o->input_w < 1 || o->input_h < 1 ||
        o->n_aspect_ratios < 0 || (o->n_aspect_ratios > 0 && !o->aspect_ratios))
        return -1;
    int count = 0;
    int layer = 0;
    while (layer < o->num_layers) {
        float aw[ANCHORS_PER_CELL_MAX], ah[ANCHORS_PER_CELL_MAX];
        int per_cell = 0;
        int last = layer;
        /* Layers sharing a stride share one feature map: merge their anchors. */
        while (last < o->num_layers && o->strides[last] == o->strides[layer]) {
            float scale = anchor_scale(o, last);
            for (int a = 0; a < o->n_aspect_ratios; a++) {
                if (per_cell >= ANCHORS_PER_CELL_MAX)
                    return -1;
                float r = sqrtf(o->aspect_ratios[a]);
                ah[per_cell] = scale / r;
                aw[per_cell] = scale * r;
                per_cell++;
            }
            if (o->interpolated_scale_aspect_ratio > 0.0f) {
                float next = last == o->num_layers - 1 ? 1.0f : anchor_scale(o, last + 1);
                float s = sqrtf(scale * next);
                float r = sqrtf(o->interpolated_scale_aspect_ratio);
                if (per_cell >= ANCHORS_PER_CELL_MAX)
                    return -1;
                ah[per_cell] = s / r;
                aw[per_cell] = s * r;
                per_cell++;
            }
            last++;
        }
        int stride = o->strides[layer];
        if (stride < 1)
            return -1;
        int fh = (o->input_h + stride - 1) / stride;
        int fw = (o->input_w + stride - 1) / stride;
        for (int y = 0; y < fh; y++) {
            for (int x = 0; x < fw; x++) {
                for (int a = 0; a < per_cell; a++) {
                    if (count < cap && out) {
                        struct pose_anchor *an = &out[count];
                        an->cx = ((float)x + o->offset_x) / (float)fw;
                        an->cy = ((float)y + o->offset_y) / (float)fh;
                        an->w = o->fixed_anchor_size ? 1.0f : aw[a];
                        an->h = o->fixed_anchor_size ? 1.0f : ah[a];
                    }
                    count++;
                }
            }
        }
        layer = last;
    }
    return count;
}

static float sigmoid_clipped(float logit)
{
    if (logit < -POSE_DET_SCORE_CLIP)
        logit = -POSE_DET_SCORE_CLIP;
    if (logit > POSE_DET_SCORE_CLIP)
        logit = POSE_DET_SCORE_CLIP;
    return 1.0f / (1.0f + expf(-logit));
}

int pose_detections_decode(const float *raw_boxes, const float *raw_scores,
                           const struct pose_anchor *anchors, int n, float min_score,
                           struct pose_detection *out, int cap)
{
    const float s = (float)POSE_DET_SIZE; /* x/y/w/h_scale */
    int count = 0;
    if (cap < 1)
        return 0;
    for (int i = 0; i < n; i++) {
        float score = sigmoid_clipped(raw_scores[i]);
        if (!(score >= min_score))
            continue;
        const float *r = raw_boxes + (size_t)i * POSE_DET_N_COORDS;
        const struct pose_anchor *a = &anchors[i];
        /* reverse_output_order: x, y, w, h; box size not exponential. */
        float cx = r[0] / s * a->w + a->cx;
        float cy = r[1] / s * a->h + a->cy;
        float w = r[2] / s * a->w;
        float h = r[3] / s * a->h;
        if (!(w >= 0.0f) || !(h >= 0.0f))
            continue; /* negative or NaN size (b/171391719 in MediaPipe) */
        struct pose_detection d;
        d.score = score;
        d.xmin = cx - w / 2.0f;
        d.ymin = cy - h / 2.0f;
        d.w = w;
        d.h = h;
        for (int k = 0; k < POSE_DET_N_KP; k++) {
            d.kp[k][0] = r[4 + 2 * k] / s * a->w + a->cx;
            d.kp[k][1] = r[4 + 2 * k + 1] / s * a->h + a->cy;
        }
        if (count < cap) {
            out[count++] = d;
        } else {
            /* Full: replace the weakest kept detection if this one is better. */
            int weakest = 0;
            for (int j = 1; j < count; j++)
                if (out[j].score < out[weakest].score)
                    weakest = j;
            if (d.score > out[weakest].score)
                out[weakest] = d;
        }
    }
    return count;
}

float pose_detection_iou(const struct pose_detection *a, const struct pose_detection *b)
{
    float ix0 = fmaxf(a->xmin, b->xmin), iy0 = fmaxf(a->ymin, b->ymin);
    float ix1 = fminf(a->xmin + a->w, b->xmin + b->w);
    float iy1 = fminf(a->ymin + a->h, b->ymin + b->h);
    if (ix1 < ix0 || iy1 < iy0)
        return 0.0f;
    float inter = (ix1 - ix0) * (iy1 - iy0);
    float uni = a->w * a->h + b->w * b->h - inter;
    return uni > 0.0f ? inter / uni : 0.0f;
}

/* Decreasing score; ties keep the earlier (lower original index) first. */
static void sort_by_score(struct pose_detection *d, int n)
{
    for (int i = 1; i < n; i++) {
        struct pose_detection x = d[i];
        int j = i - 1;
        while (j >= 0 && d[j].score < x.score) {
            d[j + 1] = d[j];
            j--;
        }
        d[j + 1] = x;
    }
}

int pose_nms_weighted(struct pose_detection *dets, int n, float iou_thresh,
                      struct pose_detection *out, int cap)
{
    int n_out = 0;
    if (n <= 0 || cap <= 0)
        return 0;
    sort_by_score(dets, n);
    /* `dets` doubles as the "remaining" list: compacted in place each round. */
    int remaining = n;
    while (remaining > 0 && n_out < cap) {
        const struct pose_detection best = dets[0];
        struct pose_detection w = best;
        float total = 0.0f, xmin = 0.0f, ymin = 0.0f, xmax = 0.0f, ymax = 0.0f;
        float kp[POSE_DET_N_KP][2] = {{0}};
        int kept = 0, n_candidates = 0;
        for (int i = 0; i < remaining; i++) {
            const struct pose_detection *c = &dets[i];
            if (pose_detection_iou(c, &best) > iou_thresh) {
                n_candidates++;
                total += c->score;
                xmin += c->xmin * c->score;
                ymin += c->ymin * c->score;
                xmax += (c->xmin + c->w) * c->score;
                ymax += (c->ymin + c->h) * c->score;
                for (int k = 0; k < POSE_DET_N_KP; k++) {
                    kp[k][0] += c->kp[k][0] * c->score;
                    kp[k][1] += c->kp[k][1] * c->score;
                }
            } else {
                dets[kept++] = *c;
            }
        }
        if (n_candidates > 0 && total > 0.0f) {
            w.xmin = xmin / total;
            w.ymin = ymin / total;
            w.w = xmax / total - w.xmin;
            w.h = ymax / total - w.ymin;
            for (int k = 0; k < POSE_DET_N_KP; k++) {
                w.kp[k][0] = kp[k][0] / total;
                w.kp[k][1] = kp[k][1] / total;
            }
        }
        out[n_out++] = w;
        if (kept == remaining)
            break; /* nothing suppressed (degenerate box): stop like MediaPipe */
        remaining = kept;
    }
    return n_out;
}

void pose_letterbox_compute(int img_w, int img_h, struct pose_letterbox *lb)
{
    lb->pad_x = 0.0f;
    lb->pad_y = 0.0f;
    if (img_w <= 0 || img_h <= 0)
        return;
    float roi_aspect = (float)img_h / (float)img_w; /* tensor aspect is 1 */
    if (1.0f > roi_aspect)
        lb->pad_y = (1.0f - roi_aspect) / 2.0f;
    else
        lb->pad_x = (1.0f - 1.0f / roi_aspect) / 2.0f;
}

void pose_detection_unletterbox(struct pose_detection *d, const struct pose_letterbox *lb)
{
    float sx = 1.0f - 2.0f * lb->pad_x, sy = 1.0f - 2.0f * lb->pad_y;
    d->xmin = (d->xmin - lb->pad_x) / sx;
    d->ymin = (d->ymin - lb->pad_y) / sy;
    d->w /= sx;
    d->h /= sy;
    for (int k = 0; k < POSE_DET_N_KP; k++) {
        d->kp[k][0] = (d->kp[k][0] - lb->pad_x) / sx;
        d->kp[k][1] = (d->kp[k][1] - lb->pad_y) / sy;
    }
}
