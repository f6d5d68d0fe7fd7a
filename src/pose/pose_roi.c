/*
 * pose_roi.c — region-of-interest geometry and the crop warp. A ROI is a
 * rotated square in image pixels; MediaPipe builds it from two points (the
 * detector's hip-centre and scale keypoints, or the landmark model's two
 * auxiliary points) with AlignmentPointsRectsCalculator and
 * RectTransformationCalculator, crops it with ImageToTensorCalculator and
 * maps crop coordinates back with LandmarkProjectionCalculator. The
 * projection and the warp here are exact inverses of each other.
 */
#include "pose/pose_int.h"

#include <math.h>

double pose_normalize_radians(double a)
{
    return a - 2.0 * M_PI * floor((a + M_PI) / (2.0 * M_PI));
}

void pose_roi_from_points(float x0_px, float y0_px, float x1_px, float y1_px, float scale,
                          struct pose_roi *out)
{
    double dx = (double)x1_px - x0_px, dy = (double)y1_px - y0_px;
    double box = 2.0 * sqrt(dx * dx + dy * dy);
    out->cx_px = x0_px;
    out->cy_px = y0_px;
    /* square_long on a square box keeps it square; then scale_x = scale_y. */
    out->size_px = (float)(box * scale);
    out->rotation_rad = (float)pose_normalize_radians(POSE_ROI_TARGET_ANGLE_RAD - atan2(-dy, dx));
}

void pose_roi_project(const struct pose_roi *roi, float u, float v, float *x_px, float *y_px)
{
    double c = cos(roi->rotation_rad), s = sin(roi->rotation_rad);
    double nx = (double)u - 0.5, ny = (double)v - 0.5;
    *x_px = (float)(roi->cx_px + (c * nx - s * ny) * roi->size_px);
    *y_px = (float)(roi->cy_px + (s * nx + c * ny) * roi->size_px);
}

void pose_roi_affine(const struct pose_roi *roi, int out_size, double m[6])
{
    double c = cos(roi->rotation_rad), s = sin(roi->rotation_rad);
    double S = roi->size_px, k = S / (double)out_size;
    m[0] = c * k;
    m[1] = -s * k;
    m[2] = roi->cx_px - 0.5 * S * c + 0.5 * S * s;
    m[3] = s * k;
    m[4] = c * k;
    m[5] = roi->cy_px - 0.5 * S * s - 0.5 * S * c;
}

static inline int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

void pose_warp_tensor(const uint8_t *rgb, int w, int h, size_t stride, const double m[6],
                      float *out, int out_w, int out_h, float scale, float offset,
                      enum pose_border border)
{
    for (int j = 0; j < out_h; j++) {
        /* Source position of the centre of dst pixel (0, j), in pixel-index units. */
        double X = 0.5, Y = (double)j + 0.5;
        float px = (float)(m[0] * X + m[1] * Y + m[2] - 0.5);
        float py = (float)(m[3] * X + m[4] * Y + m[5] - 0.5);
        const float dxdi = (float)m[0], dydi = (float)m[3];
        float *o = out + (size_t)j * (size_t)out_w * 3;
        for (int i = 0; i < out_w; i++, px += dxdi, py += dydi, o += 3) {
            float fx0 = floorf(px), fy0 = floorf(py);
            int x0 = (int)fx0, y0 = (int)fy0;
            float ax = px - fx0, ay = py - fy0;
            if (x0 >= 0 && y0 >= 0 && x0 + 1 < w && y0 + 1 < h) {
                const uint8_t *p00 = rgb + (size_t)y0 * stride + (size_t)x0 * 3;
                const uint8_t *p10 = p00 + stride;
                for (int ch = 0; ch < 3; ch++) {
                    float top = p00[ch] + ax * ((float)p00[ch + 3] - p00[ch]);
                    float bot = p10[ch] + ax * ((float)p10[ch + 3] - p10[ch]);
                    o[ch] = (top + ay * (bot - top)) * scale + offset;
                }
                continue;
            }
            /* Near or beyond an edge: fetch the four neighbours one by one. */
            if (!(px > -2.0f && py > -2.0f && px < (float)w + 1.0f && py < (float)h + 1.0f) &&
                border == POSE_BORDER_ZERO) {
                o[0] = o[1] = o[2] = offset;
                continue;
            }
            /* Large coordinates: clamp before int conversion to stay defined. */
            if (!(px > -2.0f && py > -2.0f && px < (float)w + 1.0f && py < (float)h + 1.0f)) {
                x0 = clampi((int)fmaxf(fminf(fx0, (float)w), -1.0f), -1, w);
                y0 = clampi((int)fmaxf(fminf(fy0, (float)h), -1.0f), -1, h);
            }
            float acc[3] = {0, 0, 0};
            for (int dy = 0; dy < 2; dy++) {
                for (int dx = 0; dx < 2; dx++) {
                    float wgt = (dx ? ax : 1.0f - ax) * (dy ? ay : 1.0f - ay);
                    int xx = x0 + dx, yy = y0 + dy;
                    if (xx < 0 || yy < 0 || xx >= w || yy >= h) {
                        if (border == POSE_BORDER_ZERO)
                            continue;
                        xx = clampi(xx, 0, w - 1);
                        yy = clampi(yy, 0, h - 1);
                    }
                    const uint8_t *p = rgb + (size_t)yy * stride + (size_t)xx * 3;
                    acc[0] += wgt * p[0];
                    acc[1] += wgt * p[1];
                    acc[2] += wgt * p[2];
                }
            }
            o[0] = acc[0] * scale + offset;
            o[1] = acc[1] * scale + offset;
            o[2] = acc[2] * scale + offset;
        }
    }
}
