/*
 * frame.h — codec-free RGB24 images and the pixel operations the pipeline
 * needs: copy/crop, bilinear resize, letterbox into a square, an affine warp
 * producing either an RGB8 frame or a normalised float32 NHWC tensor (the
 * BlazePose detector and landmark inputs), and Cairo drawing helpers for the
 * annotated video. Cairo never leaks out of this module; FFmpeg never enters.
 *
 * Coordinates: continuous pixel coordinates with the origin at the top-left
 * corner of the top-left pixel, so pixel (i, j) covers [i, i+1) x [j, j+1)
 * and its centre is (i + 0.5, j + 0.5). Landmarks in `x_px`, letterbox
 * mapping and affine matrices all use this convention.
 *
 * Thread-safety: every function works only on the objects passed to it; use
 * distinct objects per thread (a canvas is not thread-safe).
 */
#ifndef KZ_FRAME_H
#define KZ_FRAME_H

#include "core/core.h"

#include <stddef.h>
#include <stdint.h>

/* Largest width or height frame_alloc accepts (guards size arithmetic). */
#define FRAME_MAX_SIDE_PX 16384

/* An RGB24 image with the timestamp of the video frame it came from. */
struct frame {
    int width, height; /* pixels */
    size_t stride;     /* bytes per row, >= 3 * width */
    uint8_t *data;     /* RGB24, row-major, top-left origin */
    double t_s;        /* presentation time, seconds from stream start (real timestamps) */
    int64_t index;     /* 0-based frame number in decode/presentation order */
};

/* Bytes of slack allocated after the last row, so SIMD code (swscale) may
   read or write slightly past the end of a row without corrupting memory. */
#define FRAME_TAIL_PADDING 256

/*
 * Allocate `f` as a width x height RGB24 frame (stride = 3 * width, pixels
 * zeroed, t_s = 0, index = 0, FRAME_TAIL_PADDING spare bytes at the end). Any previous content of
 * `f` is overwritten, not freed. The data is owned by `f`; release it with frame_free. Errors:
 * KZ_E_INVALID (f NULL, width/height < 1 or > FRAME_MAX_SIDE_PX), KZ_E_NOMEM.
 */
enum kz_err frame_alloc(struct frame *f, int width, int height, struct err_ctx *e);

/* Free the pixels of `f` and zero it. NULL-safe; safe on a zeroed frame. */
void frame_free(struct frame *f);

/*
 * Make `dst` an owned copy of `src` (pixels, t_s, index). `dst` must not be
 * allocated (it is overwritten; free it first). Errors: KZ_E_INVALID, KZ_E_NOMEM.
 */
enum kz_err frame_copy(struct frame *dst, const struct frame *src, struct err_ctx *e);

/*
 * Make `dst` an owned copy of the rectangle (x, y, w, h) of `src`; the
 * rectangle must lie inside `src`. Keeps t_s and index.
 * Errors: KZ_E_INVALID (rectangle outside or empty), KZ_E_NOMEM.
 */
enum kz_err frame_crop(struct frame *dst, const struct frame *src, int x, int y, int w, int h,
                       struct err_ctx *e);

/*
 * Bilinear resize of `src` into the already allocated `dst` (its width and
 * height are the target size; pixel centres are aligned, edges clamped).
 * Copies t_s and index. No allocation. Errors: KZ_E_INVALID.
 */
enum kz_err frame_resize(struct frame *dst, const struct frame *src, struct err_ctx *e);

/* ---- affine warps ---- */

/*
 * A 2x3 affine map from DESTINATION continuous coordinates to SOURCE
 * continuous coordinates:  x_src = m[0]*x + m[1]*y + m[2],
 *                          y_src = m[3]*x + m[4]*y + m[5].
 */
struct frame_affine {
    double m[6];
};

/* Invert `a` into `out` (out may alias a). KZ_E_INVALID when singular. */
enum kz_err frame_affine_invert(const struct frame_affine *a, struct frame_affine *out,
                                struct err_ctx *e);
/* Apply `a` to the point (x, y). */
void frame_affine_apply(const struct frame_affine *a, double x, double y, double *out_x,
                        double *out_y);

/*
 * The dst->src map that samples a rotated rectangle of the source into an
 * out_w x out_h destination: the rectangle has centre (cx_px, cy_px), size
 * w_px x h_px and is rotated by rotation_rad (counter-clockwise in image
 * terms is negative; positive turns the rectangle's x axis towards +y, the
 * MediaPipe ROI convention). The destination's top edge maps to the
 * rectangle's rotated top edge. out_w/out_h < 1 are treated as 1.
 */
void frame_affine_rect(double cx_px, double cy_px, double w_px, double h_px, double rotation_rad,
                       int out_w, int out_h, struct frame_affine *out);

/*
 * Letterbox geometry of a src_w x src_h image scaled (aspect kept) and
 * centred in a size_px x size_px square: dst = src * scale + offset.
 */
struct frame_letterbox {
    int size_px;
    double scale;
    double offset_x_px, offset_y_px;
};
/* Compute the letterbox geometry and the matching dst->src affine map (may be NULL). */
void frame_letterbox_compute(int src_w, int src_h, int size_px, struct frame_letterbox *lb,
                             struct frame_affine *dst_to_src);
/* Map a point in the letterboxed square back to source pixels (continuous coordinates). */
void frame_letterbox_to_src(const struct frame_letterbox *lb, double x, double y, double *src_x,
                            double *src_y);
/* Map a source point into the letterboxed square. */
void frame_letterbox_from_src(const struct frame_letterbox *lb, double src_x, double src_y,
                              double *x, double *y);

/*
 * Warp `src` into the allocated `dst` (its size is the output size): each
 * destination pixel centre is mapped through `m` and sampled bilinearly;
 * samples outside the source take `border_rgb`. No allocation. Copies t_s
 * and index. Errors: KZ_E_INVALID.
 */
enum kz_err frame_warp_affine(const struct frame *src, const struct frame_affine *m,
                              struct frame *dst, const uint8_t border_rgb[3], struct err_ctx *e);

/* Value range of a float tensor: 0..255 maps to [0,1] or to [-1,1]. */
enum frame_range { FRAME_RANGE_0_1 = 0, FRAME_RANGE_M1_1 = 1 };

/*
 * As frame_warp_affine but writes a float32 NHWC tensor (1 x out_h x out_w
 * x 3, RGB) to `dst`, caller-owned with room for out_w * out_h * 3 floats,
 * each value normalised to `range`. Samples outside the source take
 * `border_rgb` (0..255 units, e.g. {0,0,0}). No allocation.
 * Errors: KZ_E_INVALID.
 */
enum kz_err frame_warp_affine_tensor(const struct frame *src, const struct frame_affine *m,
                                     float *dst, int out_w, int out_h, enum frame_range range,
                                     const uint8_t border_rgb[3], struct err_ctx *e);

/*
 * Letterbox `src` into the allocated square `dst` (dst->width == height
 * is the square size), padding with `border_rgb`; fills `lb` (may be NULL)
 * so callers can map back. Errors: KZ_E_INVALID.
 */
enum kz_err frame_letterbox(const struct frame *src, struct frame *dst, const uint8_t border_rgb[3],
                            struct frame_letterbox *lb, struct err_ctx *e);

/* ---- drawing (Cairo) ----
 *
 * A canvas is a persistent Cairo 32-bit xRGB surface of one size that the
 * caller creates once per video and reuses for every frame:
 * frame_canvas_begin copies the frame's pixels in, the draw calls paint
 * antialiased shapes on it, and frame_canvas_end copies the result back into
 * a frame (begin -> draw... -> end, per frame). Colours are RGBA in
 * 0..1; alpha blends over the frame. Coordinates are continuous pixels.
 * A canvas is not thread-safe; use one per thread.
 */
struct frame_canvas;

struct frame_rgba {
    double r, g, b, a;
};

/*
 * Create a canvas for width x height frames. Caller owns it (frame_canvas_destroy).
 * Errors: KZ_E_INVALID (size), KZ_E_NOMEM (Cairo could not allocate).
 */
enum kz_err frame_canvas_create(int width, int height, struct frame_canvas **out,
                                struct err_ctx *e);
void frame_canvas_destroy(struct frame_canvas *c); /* NULL-safe */

/* Copy `f` (borrowed, same size as the canvas) onto the canvas. Errors: KZ_E_INVALID. */
enum kz_err frame_canvas_begin(struct frame_canvas *c, const struct frame *f, struct err_ctx *e);
/* Copy the canvas into `f` (allocated, same size; t_s/index untouched). Errors: KZ_E_INVALID. */
enum kz_err frame_canvas_end(struct frame_canvas *c, struct frame *f, struct err_ctx *e);

/* Line segment with round caps, width_px wide. */
void frame_canvas_line(struct frame_canvas *c, double x0, double y0, double x1, double y1,
                       double width_px, struct frame_rgba color);
/* Circle of radius r_px: filled when `filled`, else outlined with width_px. */
void frame_canvas_circle(struct frame_canvas *c, double cx, double cy, double r_px, int filled,
                         double width_px, struct frame_rgba color);
/* Polyline through n points xy[2*i], xy[2*i+1] (borrowed); closed joins last to first. */
void frame_canvas_polyline(struct frame_canvas *c, const double *xy, int n, int closed,
                           double width_px, struct frame_rgba color);
/* Axis-aligned rectangle: filled or outlined. */
void frame_canvas_rect(struct frame_canvas *c, double x, double y, double w, double h, int filled,
                       double width_px, struct frame_rgba color);
/*
 * UTF-8 text in DejaVu Sans of size_px with its top-left corner at (x, y),
 * on a background box (padding size_px/4) of colour `bg` (bg.a == 0: none).
 * Returns the box width in pixels (so callers can lay out rows).
 */
double frame_canvas_text(struct frame_canvas *c, double x, double y, const char *utf8,
                         double size_px, struct frame_rgba fg, struct frame_rgba bg);

/*
 * Release Cairo's and fontconfig's process-wide font caches (otherwise
 * reported as leaks by LeakSanitizer). Call once at process exit, when no
 * canvas exists any more and no other thread draws. Optional.
 */
void frame_draw_global_cleanup(void);

#endif
