/*
 * pose_landmarks.c — from the landmark model's output tensors to landmarks
 * in image pixels, as MediaPipe's tensors_to_pose_landmarks_and_segmentation
 * and pose_landmarks_and_segmentation_inverse_projection graphs do it:
 * TensorsToLandmarks (39 points x (x, y, z, visibility, presence) in
 * 256-px crop units, sigmoid on visibility and presence), optional
 * RefineLandmarksFromHeatmap (kernel 7), LandmarkProjection onto the ROI and
 * WorldLandmarkProjection (rotation of the metric points by the ROI angle).
 * Also the landmark names.
 */
#include "pose/pose_int.h"

#include <math.h>

static const char *const landmark_names[POSE_N_LANDMARKS] = {
    "nose",        "left_eye_inner",  "left_eye",        "left_eye_outer", "right_eye_inner",
    "right_eye",   "right_eye_outer", "left_ear",        "right_ear",      "mouth_left",
    "mouth_right", "left_shoulder",   "right_shoulder",  "left_elbow",     "right_elbow",
    "left_wrist",  "right_wrist",     "left_pinky",      "right_pinky",    "left_index",
    "right_index", "left_thumb",      "right_thumb",     "left_hip",       "right_hip",
    "left_knee",   "right_knee",      "left_ankle",      "right_ankle",    "left_heel",
    "right_heel",  "left_foot_index", "right_foot_index"};

const char *pose_landmark_name(int id)
{
    if (id < 0 || id >= POSE_N_LANDMARKS)
        return "unknown";
    return landmark_names[id];
}

static float sigmoidf(float x)
{
    return 1.0f / (1.0f + expf(-x));
}

void pose_heatmap_refine(const float *heatmap, int hm_w, int hm_h, int n_ch, int kernel,
                         float min_conf, float *u, float *v, int n)
{
    const int off = (kernel - 1) / 2;
    for (int l = 0; l < n && l < n_ch; l++) {
        if (!(u[l] > -1.0f && u[l] < 2.0f && v[l] > -1.0f && v[l] < 2.0f))
            continue; /* far outside (or NaN): nothing to refine, and keeps the casts defined */
        /* MediaPipe truncates towards zero (an int conversion), kept as is. */
        int cc = (int)(u[l] * (float)hm_w);
        int cr = (int)(v[l] * (float)hm_h);
        if (cc < 0 || cc >= hm_w || cr < 0 || cr >= hm_h)
            continue;
        int c0 = cc - off < 0 ? 0 : cc - off, c1 = cc + off + 1 > hm_w ? hm_w : cc + off + 1;
        int r0 = cr - off < 0 ? 0 : cr - off, r1 = cr + off + 1 > hm_h ? hm_h : cr + off + 1;
        float sum = 0.0f, wc = 0.0f, wr = 0.0f, maxc = 0.0f;
        for (int r = r0; r < r1; r++) {
            for (int c = c0; c < c1; c++) {
                float conf = sigmoidf(heatmap[((size_t)r * hm_w + c) * n_ch + l]);
                sum += conf;
                if (conf > maxc)
                    maxc = conf;
                wc += (float)c * conf;
                wr += (float)r * conf;
            }
        }
        if (maxc >= min_conf && sum > 0.0f) {
            u[l] = wc / (float)hm_w / sum;
            v[l] = wr / (float)hm_h / sum;
        }
    }
}

void pose_landmarks_decode(const float *raw_lm, const float *heatmap, const float *raw_world,
                           float score, const struct pose_roi *roi, struct pose_lm_set *out)
{
    float u[POSE_LM_N_ALL], v[POSE_LM_N_ALL];
    const float n = (float)POSE_LM_SIZE;
    out->score = score;
    for (int i = 0; i < POSE_LM_N_ALL; i++) {
        const float *r = raw_lm + i * 5;
        u[i] = r[0] / n;
        v[i] = r[1] / n;
        /* z / input width, then * ROI width (LandmarkProjection), in pixels. */
        out->z_px[i] = r[2] / n * roi->size_px;
        out->visibility[i] = sigmoidf(r[3]);
        out->presence[i] = sigmoidf(r[4]);
    }
    if (heatmap)
        pose_heatmap_refine(heatmap, POSE_HEATMAP_SIZE, POSE_HEATMAP_SIZE, POSE_LM_N_ALL,
                            POSE_HEATMAP_KERNEL, POSE_HEATMAP_MIN_CONF, u, v, POSE_LM_N_ALL);
    for (int i = 0; i < POSE_LM_N_ALL; i++)
        pose_roi_project(roi, u[i], v[i], &out->x_px[i], &out->y_px[i]);
    float c = cosf(roi->rotation_rad), s = sinf(roi->rotation_rad);
    for (int i = 0; i < POSE_N_LANDMARKS; i++) {
        const float *w = raw_world + i * 3;
        out->world_m[i][0] = c * w[0] - s * w[1];
        out->world_m[i][1] = s * w[0] + c * w[1];
        out->world_m[i][2] = w[2];
    }
}
