/*
 * pose_track.c — the tracking state machine of MediaPipe's
 * pose_landmark_cpu.pbtxt, independent of the models (they come in through
 * struct pose_stage_ops):
 *
 *   no ROI ──detector──▶ nobody: frame without pose, still no ROI
 *     │                  somebody: ROI from the detection (from_detection = 1)
 *     ▼
 *   landmark model on the ROI ──presence < 0.5──▶ frame without pose, filters
 *     │                                          reset, ROI dropped (the next
 *     ▼                                          frame runs the detector)
 *   smoothing, output, next ROI from the two auxiliary landmarks (tracking)
 */
#include "pose/pose_int.h"

#include <math.h>
#include <string.h>

void pose_track_init(struct pose_track *t, int smoothing)
{
    memset(t, 0, sizeof *t);
    t->smoothing = smoothing;
    t->presence_thresh = POSE_PRESENCE_THRESH;
    pose_smoother_reset(&t->smoother);
}

void pose_track_reset(struct pose_track *t)
{
    t->has_roi = 0;
    pose_smoother_reset(&t->smoother);
}

static int roi_usable(const struct pose_roi *r)
{
    return isfinite(r->cx_px) && isfinite(r->cy_px) && isfinite(r->rotation_rad) &&
           isfinite(r->size_px) && r->size_px > 1.0f && r->size_px < 1e6f &&
           fabsf(r->cx_px) < 1e6f && fabsf(r->cy_px) < 1e6f;
}

enum kz_err pose_track_step(struct pose_track *t, const struct pose_stage_ops *ops, void *ctx,
                            const struct frame *f, int img_w, int img_h, double t_s, int64_t index,
                            struct pose_result *out, struct err_ctx *e)
{
    struct pose_roi roi;
    struct pose_lm_set lm;
    enum kz_err rc;
    int from_detection = 0;

    memset(out, 0, sizeof *out);
    out->t_s = t_s;
    out->frame_index = index;
    if (img_w < 1 || img_h < 1)
        return err_set(e, KZ_E_INVALID, "pose: bad image size %dx%d", img_w, img_h);

    if (t->has_roi) {
        roi = t->roi;
    } else {
        int found = 0;
        rc = ops->detect(ctx, f, &found, &roi, e);
        if (rc != KZ_OK)
            return rc;
        if (!found || !roi_usable(&roi)) {
            pose_smoother_reset(&t->smoother);
            return KZ_OK;
        }
        from_detection = 1;
    }

    rc = ops->landmarks(ctx, f, &roi, &lm, e);
    if (rc != KZ_OK)
        return rc;
    if (!(lm.score >= t->presence_thresh)) {
        /* Track lost: no landmarks this frame, filters reset, detector next frame. */
        t->has_roi = 0;
        pose_smoother_reset(&t->smoother);
        out->score = lm.score;
        return KZ_OK;
    }

    if (t->smoothing)
        pose_smoother_apply(&t->smoother, &pose_smoothing_mediapipe, t_s, &lm);

    pose_roi_from_points(lm.x_px[POSE_LM_AUX_CENTRE], lm.y_px[POSE_LM_AUX_CENTRE],
                         lm.x_px[POSE_LM_AUX_SCALE], lm.y_px[POSE_LM_AUX_SCALE], POSE_ROI_SCALE,
                         &t->roi);
    t->has_roi = roi_usable(&t->roi);

    out->found = 1;
    out->from_detection = from_detection;
    out->score = lm.score;
    out->roi = roi;
    for (int i = 0; i < POSE_N_LANDMARKS; i++) {
        out->lm[i].x_px = lm.x_px[i];
        out->lm[i].y_px = lm.y_px[i];
        out->lm[i].z = lm.z_px[i] / (float)img_w; /* MediaPipe's normalised z */
        out->lm[i].visibility = lm.visibility[i];
        out->lm[i].presence = lm.presence[i];
        memcpy(out->world_m[i], lm.world_m[i], sizeof out->world_m[i]);
    }
    return KZ_OK;
}
