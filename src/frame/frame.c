/*
 * frame.c — RGB24 frame memory and geometry: alloc/free, copy/crop, bilinear
 * resize, letterboxing and affine warps to RGB8 or normalised float tensors.
 *
 * The warps are the hot path of the pose pipeline (detector input 224x224
 * and landmark crop 256x256 every frame), so they allocate nothing, walk the
 * destination row by row stepping the source coordinate incrementally, and
 * take a branch-light fast path when all four bilinear taps are inside the
 * source. Samples outside the source use the border colour per tap, so edges
 * blend smoothly into the border like OpenCV's BORDER_CONSTANT.
 */
#include "frame/frame.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum kz_err frame_alloc(struct frame *f, int width, int height, struct err_ctx *e)
{
    size_t stride, bytes;

    if (!f)
        return err_set(e, KZ_E_INVALID, "frame_alloc: NULL frame");
    memset(f, 0, sizeof *f);
    if (width < 1 || height < 1 || width > FRAME_MAX_SIDE_PX || height > FRAME_MAX_SIDE_PX)
        return err_set(e, KZ_E_INVALID, "frame size %dx%d out of range", width, height);
    if (size_mul(3, (size_t)width, &stride) || size_mul(stride, (size_t)height, &bytes) ||
        size_add(bytes, FRAME_TAIL_PADDING, &bytes))
        return err_set(e, KZ_E_TOO_LARGE, "frame size %dx%d overflows", width, height);
    f->data = calloc(1, bytes);
    if (!f->data)
        return err_set(e, KZ_E_NOMEM, "cannot allocate a %dx%d frame", width, height);
    f->width = width;
    f->height = height;
    f->stride = stride;
    return KZ_OK;
}

void frame_free(struct frame *f)
{
    if (!f)
        return;
    free(f->data);
    memset(f, 0, sizeof *f);
}

static int frame_valid(const struct frame *f)
{
    return f && f->data && f->width > 0 && f->height > 0 && f->stride >= 3 * (size_t)f->width;
}

enum kz_err frame_crop(struct frame *dst, const struct frame *src, int x, int y, int w, int h,
                       struct err_ctx *e)
{
    enum kz_err rc;

    if (!dst || !frame_valid(src))
        return err_set(e, KZ_E_INVALID, "frame_crop: invalid frame");
    if (x < 0 || y < 0 || w < 1 || h < 1 || x > src->width - w || y > src->height - h)
        return err_set(e, KZ_E_INVALID, "crop %d,%d %dx%d outside %dx%d frame", x, y, w, h,
                       src->width, src->height);
    rc = frame_alloc(dst, w, h, e);
    if (rc != KZ_OK)
        return rc;
    for (int r = 0; r < h; r++)
        memcpy(dst->data + (size_t)r * dst->stride,
               src->data + (size_t)(y + r) * src->stride + (size_t)x * 3, (size_t)w * 3);
    dst->t_s = src->t_s;
    dst->index = src->index;
    return KZ_OK;
}

enum kz_err frame_copy(struct frame *dst, const struct frame *src, struct err_ctx *e)
{
    if (!frame_valid(src))
        return err_set(e, KZ_E_INVALID, "frame_copy: invalid source");
    return frame_crop(dst, src, 0, 0, src->width, src->height, e);
}

/* ---- affine maps ---- */

void frame_affine_apply(const struct frame_affine *a, double x, double y, double *out_x,
                        double *out_y)
{
    double ox = a->m[0] * x + a->m[1] * y + a->m[2];
    double oy = a->m[3] * x + a->m[4] * y + a->m[5];
    *out_x = ox;
    *out_y = oy;
}

enum kz_err frame_affine_invert(const struct frame_affine *a, struct frame_affine *out,
                                struct err_ctx *e)
{
    const double *m = a->m;
    double det = m[0] * m[4] - m[1] * m[3];
    struct frame_affine r;

    if (!(fabs(det) > 1e-12))
        return err_set(e, KZ_E_INVALID, "affine map is singular");
    r.m[0] = m[4] / det;
    r.m[1] = -m[1] / det;
    r.m[3] = -m[3] / det;
    r.m[4] = m[0] / det;
    r.m[2] = -(r.m[0] * m[2] + r.m[1] * m[5]);
    r.m[5] = -(r.m[3] * m[2] + r.m[4] * m[5]);
    *out = r;
    return KZ_OK;
}

void frame_affine_rect(double cx_px, double cy_px, double w_px, double h_px, double rotation_rad,
                       int out_w, int out_h, struct frame_affine *out)
{
    /* dst (u, v) -> rectangle-local (p, q) = ((u/out_w - 0.5) * w, (v/out_h - 0.5) * h)
       -> source = centre + R(rotation) * (p, q). */
    double c = cos(rotation_rad), s = sin(rotation_rad);
    double sx = w_px / (out_w > 0 ? out_w : 1), sy = h_px / (out_h > 0 ? out_h : 1);

    out->m[0] = c * sx;
    out->m[1] = -s * sy;
    out->m[2] = cx_px - c * w_px * 0.5 + s * h_px * 0.5;
    out->m[3] = s * sx;
    out->m[4] = c * sy;
    out->m[5] = cy_px - s * w_px * 0.5 - c * h_px * 0.5;
}

void frame_letterbox_compute(int src_w, int src_h, int size_px, struct frame_letterbox *lb,
                             struct frame_affine *dst_to_src)
{
    int long_side = src_w > src_h ? src_w : src_h;
    double scale = long_side > 0 ? (double)size_px / long_side : 1.0;

    lb->size_px = size_px;
    lb->scale = scale;
    lb->offset_x_px = (size_px - src_w * scale) * 0.5;
    lb->offset_y_px = (size_px - src_h * scale) * 0.5;
    if (dst_to_src) {
        dst_to_src->m[0] = 1.0 / scale;
        dst_to_src->m[1] = 0;
        dst_to_src->m[2] = -lb->offset_x_px / scale;
        dst_to_src->m[3] = 0;
        dst_to_src->m[4] = 1.0 / scale;
        dst_to_src->m[5] = -lb->offset_y_px / scale;
    }
}

void frame_letterbox_to_src(const struct frame_letterbox *lb, double x, double y, double *src_x,
                            double *src_y)
{
    *src_x = (x - lb->offset_x_px) / lb->scale;
    *src_y = (y - lb->offset_y_px) / lb->scale;
}

void frame_letterbox_from_src(const struct frame_letterbox *lb, double src_x, double src_y,
                              double *x, double *y)
{
    *x = src_x * lb->scale + lb->offset_x_px;
    *y = src_y * lb->scale + lb->offset_y_px;
}

/* ---- bilinear sampling core ---- */

/* One bilinear sample that may touch the outside: each tap outside the
   source takes the border colour. Kept out of line; the common case is inline. */
static __attribute__((noinline)) void sample_edge(const struct frame *src, double sx, double sy,
                                                  const float border[3], float *o)
{
    const int w = src->width, h = src->height;
    double fx0, fy0;
    float fx, fy, acc[3] = {0, 0, 0};

    if (!(sx > -1.0 && sy > -1.0 && sx < w && sy < h)) { /* also catches NaN */
        o[0] = border[0];
        o[1] = border[1];
        o[2] = border[2];
        return;
    }
    fx0 = floor(sx);
    fy0 = floor(sy);
    fx = (float)(sx - fx0);
    fy = (float)(sy - fy0);
    {
        int x0 = (int)fx0, y0 = (int)fy0;
        const float wt[4] = {(1 - fx) * (1 - fy), fx * (1 - fy), (1 - fx) * fy, fx * fy};
        const int tx[4] = {x0, x0 + 1, x0, x0 + 1}, ty[4] = {y0, y0, y0 + 1, y0 + 1};
        for (int k = 0; k < 4; k++) {
            const float *c = border;
            float px[3];
            if (tx[k] >= 0 && ty[k] >= 0 && tx[k] < w && ty[k] < h) {
                const uint8_t *p = src->data + (size_t)ty[k] * src->stride + (size_t)tx[k] * 3;
                px[0] = p[0];
                px[1] = p[1];
                px[2] = p[2];
                c = px;
            }
            acc[0] += wt[k] * c[0];
            acc[1] += wt[k] * c[1];
            acc[2] += wt[k] * c[2];
        }
    }
    o[0] = acc[0];
    o[1] = acc[1];
    o[2] = acc[2];
}

/*
 * Sample one destination row. For each destination pixel i the source
 * position (in "pixel index" coordinates, i.e. continuous minus 0.5) is
 * (sx0 + i*dx, sy0 + i*dy). Writes 3 floats per pixel in 0..255 units to
 * `out` (the RGB8 path rounds them). The inner case — all four taps inside —
 * uses float coordinates and a truncating conversion (no libm floor call);
 * positions are computed from the row start each time, so no error builds up.
 */
static void warp_row(const struct frame *src, double sx0, double sy0, double dx, double dy, int n,
                     const float border[3], float *restrict out)
{
    const float wl = (float)(src->width - 1), hl = (float)(src->height - 1);
    const uint8_t *restrict data = src->data;
    const size_t stride = src->stride;

    for (int i = 0; i < n; i++) {
        const double dsx = sx0 + i * dx, dsy = sy0 + i * dy;
        const float sx = (float)dsx, sy = (float)dsy;
        float *o = out + 3 * i;

        if (sx >= 0.0f && sy >= 0.0f && sx < wl && sy < hl) {
            const int x0 = (int)sx, y0 = (int)sy;
            const float fx = sx - (float)x0, fy = sy - (float)y0;
            const uint8_t *p = data + (size_t)y0 * stride + (size_t)x0 * 3;
            const uint8_t *q = p + stride;
            const float w00 = (1 - fx) * (1 - fy), w01 = fx * (1 - fy), w10 = (1 - fx) * fy,
                        w11 = fx * fy;
            o[0] = w00 * p[0] + w01 * p[3] + w10 * q[0] + w11 * q[3];
            o[1] = w00 * p[1] + w01 * p[4] + w10 * q[1] + w11 * q[4];
            o[2] = w00 * p[2] + w01 * p[5] + w10 * q[2] + w11 * q[5];
        } else {
            sample_edge(src, dsx, dsy, border, o);
        }
    }
}

/* Row start in source index coordinates for destination row `r`. */
static void row_start(const struct frame_affine *m, int r, double *sx0, double *sy0)
{
    /* destination pixel centre (0.5, r + 0.5) -> source continuous -> index (-0.5) */
    double y = r + 0.5;
    *sx0 = m->m[0] * 0.5 + m->m[1] * y + m->m[2] - 0.5;
    *sy0 = m->m[3] * 0.5 + m->m[4] * y + m->m[5] - 0.5;
}

#define WARP_CHUNK 256 /* destination pixels per stack-buffered chunk */

enum kz_err frame_warp_affine(const struct frame *src, const struct frame_affine *m,
                              struct frame *dst, const uint8_t border_rgb[3], struct err_ctx *e)
{
    float border[3] = {0, 0, 0};
    float buf[3 * WARP_CHUNK];

    if (!frame_valid(src) || !frame_valid(dst) || !m)
        return err_set(e, KZ_E_INVALID, "frame_warp_affine: invalid arguments");
    if (border_rgb)
        for (int c = 0; c < 3; c++)
            border[c] = border_rgb[c];
    for (int r = 0; r < dst->height; r++) {
        double sx0, sy0;
        uint8_t *row = dst->data + (size_t)r * dst->stride;
        row_start(m, r, &sx0, &sy0);
        for (int i0 = 0; i0 < dst->width; i0 += WARP_CHUNK) {
            int n = dst->width - i0 < WARP_CHUNK ? dst->width - i0 : WARP_CHUNK;
            warp_row(src, sx0 + i0 * m->m[0], sy0 + i0 * m->m[3], m->m[0], m->m[3], n, border, buf);
            for (int k = 0; k < 3 * n; k++) {
                float v = buf[k] + 0.5f;
                row[3 * i0 + k] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
        }
    }
    dst->t_s = src->t_s;
    dst->index = src->index;
    return KZ_OK;
}

enum kz_err frame_warp_affine_tensor(const struct frame *src, const struct frame_affine *m,
                                     float *dst, int out_w, int out_h, enum frame_range range,
                                     const uint8_t border_rgb[3], struct err_ctx *e)
{
    float border[3] = {0, 0, 0};
    float scale, bias;

    if (!frame_valid(src) || !m || !dst || out_w < 1 || out_h < 1 || out_w > FRAME_MAX_SIDE_PX ||
        out_h > FRAME_MAX_SIDE_PX)
        return err_set(e, KZ_E_INVALID, "frame_warp_affine_tensor: invalid arguments");
    if (range == FRAME_RANGE_0_1) {
        scale = 1.0f / 255.0f;
        bias = 0.0f;
    } else if (range == FRAME_RANGE_M1_1) {
        scale = 2.0f / 255.0f;
        bias = -1.0f;
    } else {
        return err_set(e, KZ_E_INVALID, "unknown tensor range %d", (int)range);
    }
    if (border_rgb)
        for (int c = 0; c < 3; c++)
            border[c] = border_rgb[c];
    for (int r = 0; r < out_h; r++) {
        double sx0, sy0;
        float *row = dst + (size_t)r * (size_t)out_w * 3;
        row_start(m, r, &sx0, &sy0);
        warp_row(src, sx0, sy0, m->m[0], m->m[3], out_w, border, row);
        for (int k = 0; k < 3 * out_w; k++)
            row[k] = row[k] * scale + bias;
    }
    return KZ_OK;
}

/* One resize output pixel (i, r) sampled bilinearly with edge clamping. */
static void resize_px_clamped(const struct frame *src, struct frame *dst,
                              const struct frame_affine *m, int i, int r)
{
    double sx = (i + 0.5) * m->m[0] - 0.5, sy = (r + 0.5) * m->m[4] - 0.5;
    double cx = sx < 0 ? 0 : sx > src->width - 1 ? src->width - 1 : sx;
    double cy = sy < 0 ? 0 : sy > src->height - 1 ? src->height - 1 : sy;
    int x0 = (int)cx, y0 = (int)cy;
    int x1 = x0 + 1 < src->width ? x0 + 1 : x0, y1 = y0 + 1 < src->height ? y0 + 1 : y0;
    double fx = cx - x0, fy = cy - y0;
    const uint8_t *p00 = src->data + (size_t)y0 * src->stride + (size_t)x0 * 3;
    const uint8_t *p01 = src->data + (size_t)y0 * src->stride + (size_t)x1 * 3;
    const uint8_t *p10 = src->data + (size_t)y1 * src->stride + (size_t)x0 * 3;
    const uint8_t *p11 = src->data + (size_t)y1 * src->stride + (size_t)x1 * 3;
    uint8_t *o = dst->data + (size_t)r * dst->stride + (size_t)i * 3;

    for (int c = 0; c < 3; c++) {
        double v = (1 - fx) * (1 - fy) * p00[c] + fx * (1 - fy) * p01[c] + (1 - fx) * fy * p10[c] +
                   fx * fy * p11[c];
        o[c] = (uint8_t)(v + 0.5);
    }
}

enum kz_err frame_resize(struct frame *dst, const struct frame *src, struct err_ctx *e)
{
    struct frame_affine m = {{0}};
    enum kz_err rc;

    if (!frame_valid(src) || !frame_valid(dst))
        return err_set(e, KZ_E_INVALID, "frame_resize: invalid frame");
    m.m[0] = (double)src->width / dst->width;
    m.m[4] = (double)src->height / dst->height;
    /* Clamp to the edge instead of blending with a border: warp a source
       whose edge pixels stand in for the outside by clamping coordinates. */
    rc = frame_warp_affine(src, &m, dst, NULL, e);
    if (rc != KZ_OK)
        return rc;
    /* Edge columns/rows whose taps fell outside were blended with black;
       redo just those with clamped sampling. Only happens when upscaling. */
    {
        int i_lo = 0, i_hi = dst->width;
        while (i_lo < dst->width && (i_lo + 0.5) * m.m[0] - 0.5 < 0)
            i_lo++;
        while (i_hi > i_lo && (i_hi - 0.5) * m.m[0] - 0.5 > src->width - 1)
            i_hi--;
        for (int r = 0; r < dst->height; r++) {
            double sy = (r + 0.5) * m.m[4] - 0.5;
            if (sy < 0 || sy > src->height - 1) {
                for (int i = 0; i < dst->width; i++)
                    resize_px_clamped(src, dst, &m, i, r);
                continue;
            }
            for (int i = 0; i < i_lo; i++)
                resize_px_clamped(src, dst, &m, i, r);
            for (int i = i_hi; i < dst->width; i++)
                resize_px_clamped(src, dst, &m, i, r);
        }
    }
    return KZ_OK;
}

enum kz_err frame_letterbox(const struct frame *src, struct frame *dst, const uint8_t border_rgb[3],
                            struct frame_letterbox *lb, struct err_ctx *e)
{
    struct frame_letterbox g;
    struct frame_affine m;

    if (!frame_valid(src) || !frame_valid(dst) || dst->width != dst->height)
        return err_set(e, KZ_E_INVALID, "frame_letterbox: invalid frames (dst must be square)");
    frame_letterbox_compute(src->width, src->height, dst->width, &g, &m);
    if (lb)
        *lb = g;
    return frame_warp_affine(src, &m, dst, border_rgb, e);
}
