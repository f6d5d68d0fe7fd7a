/*
 * frame_draw.c — the only Cairo code in kinalyze: antialiased overlays
 * (skeleton lines, joint circles, angle polylines, labelled text boxes) on
 * RGB24 frames for the annotated video.
 *
 * A canvas owns one persistent 32-bit xRGB Cairo image surface
 * (CAIRO_FORMAT_RGB24, one uint32 per pixel, native endian 0x00RRGGBB) and
 * its cairo_t, created once per video size and reused for every frame, so
 * the per-frame cost is two linear pixel repacks (3 -> 4 bytes and back)
 * plus the drawing itself. Text uses Cairo's toy font API with DejaVu Sans
 * (resolved through fontconfig; fonts-dejavu-core is a build dependency).
 */
#include "frame/frame.h"

#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <math.h>
#include <stdlib.h>

struct frame_canvas {
    int width, height;
    cairo_surface_t *surface;
    cairo_t *cr;
    uint8_t *pixels; /* surface data, `stride` bytes per row */
    int stride;
};

enum kz_err frame_canvas_create(int width, int height, struct frame_canvas **out, struct err_ctx *e)
{
    struct frame_canvas *c = NULL;
    enum kz_err rc;

    if (!out)
        return err_set(e, KZ_E_INVALID, "frame_canvas_create: NULL output");
    *out = NULL;
    if (width < 1 || height < 1 || width > FRAME_MAX_SIDE_PX || height > FRAME_MAX_SIDE_PX)
        return err_set(e, KZ_E_INVALID, "canvas size %dx%d out of range", width, height);
    c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, KZ_E_NOMEM, "out of memory");
    c->width = width;
    c->height = height;
    c->surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, width, height);
    if (cairo_surface_status(c->surface) != CAIRO_STATUS_SUCCESS) {
        rc = err_set(e, KZ_E_NOMEM, "cairo surface %dx%d: %s", width, height,
                     cairo_status_to_string(cairo_surface_status(c->surface)));
        goto fail;
    }
    c->cr = cairo_create(c->surface);
    if (cairo_status(c->cr) != CAIRO_STATUS_SUCCESS) {
        rc = err_set(e, KZ_E_NOMEM, "cairo context: %s",
                     cairo_status_to_string(cairo_status(c->cr)));
        goto fail;
    }
    c->pixels = cairo_image_surface_get_data(c->surface);
    c->stride = cairo_image_surface_get_stride(c->surface);
    cairo_select_font_face(c->cr, "DejaVu Sans", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
    cairo_set_line_join(c->cr, CAIRO_LINE_JOIN_ROUND);
    *out = c;
    return KZ_OK;
fail:
    frame_canvas_destroy(c);
    return rc;
}

void frame_canvas_destroy(struct frame_canvas *c)
{
    if (!c)
        return;
    if (c->cr)
        cairo_destroy(c->cr);
    if (c->surface)
        cairo_surface_destroy(c->surface);
    free(c);
}

enum kz_err frame_canvas_begin(struct frame_canvas *c, const struct frame *f, struct err_ctx *e)
{
    if (!c || !f || !f->data || f->width != c->width || f->height != c->height)
        return err_set(e, KZ_E_INVALID, "frame_canvas_begin: frame size does not match canvas");
    cairo_surface_flush(c->surface);
    for (int y = 0; y < c->height; y++) {
        const uint8_t *s = f->data + (size_t)y * f->stride;
        uint32_t *d = (uint32_t *)(void *)(c->pixels + (size_t)y * (size_t)c->stride);
        for (int x = 0; x < c->width; x++, s += 3)
            d[x] = (uint32_t)s[0] << 16 | (uint32_t)s[1] << 8 | (uint32_t)s[2];
    }
    cairo_surface_mark_dirty(c->surface);
    return KZ_OK;
}

enum kz_err frame_canvas_end(struct frame_canvas *c, struct frame *f, struct err_ctx *e)
{
    if (!c || !f || !f->data || f->width != c->width || f->height != c->height)
        return err_set(e, KZ_E_INVALID, "frame_canvas_end: frame size does not match canvas");
    cairo_surface_flush(c->surface);
    for (int y = 0; y < c->height; y++) {
        const uint32_t *s =
            (const uint32_t *)(const void *)(c->pixels + (size_t)y * (size_t)c->stride);
        uint8_t *d = f->data + (size_t)y * f->stride;
        for (int x = 0; x < c->width; x++, d += 3) {
            uint32_t p = s[x];
            d[0] = (uint8_t)(p >> 16);
            d[1] = (uint8_t)(p >> 8);
            d[2] = (uint8_t)p;
        }
    }
    return KZ_OK;
}

static void set_color(cairo_t *cr, struct frame_rgba c)
{
    cairo_set_source_rgba(cr, c.r, c.g, c.b, c.a);
}

void frame_canvas_line(struct frame_canvas *c, double x0, double y0, double x1, double y1,
                       double width_px, struct frame_rgba color)
{
    if (!c)
        return;
    set_color(c->cr, color);
    cairo_set_line_width(c->cr, width_px);
    cairo_set_line_cap(c->cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to(c->cr, x0, y0);
    cairo_line_to(c->cr, x1, y1);
    cairo_stroke(c->cr);
}

void frame_canvas_circle(struct frame_canvas *c, double cx, double cy, double r_px, int filled,
                         double width_px, struct frame_rgba color)
{
    if (!c || !(r_px > 0))
        return;
    set_color(c->cr, color);
    cairo_new_sub_path(c->cr);
    cairo_arc(c->cr, cx, cy, r_px, 0, 2 * M_PI);
    if (filled) {
        cairo_fill(c->cr);
    } else {
        cairo_set_line_width(c->cr, width_px);
        cairo_stroke(c->cr);
    }
}

void frame_canvas_polyline(struct frame_canvas *c, const double *xy, int n, int closed,
                           double width_px, struct frame_rgba color)
{
    if (!c || !xy || n < 2)
        return;
    set_color(c->cr, color);
    cairo_set_line_width(c->cr, width_px);
    cairo_set_line_cap(c->cr, CAIRO_LINE_CAP_ROUND);
    cairo_move_to(c->cr, xy[0], xy[1]);
    for (int i = 1; i < n; i++)
        cairo_line_to(c->cr, xy[2 * i], xy[2 * i + 1]);
    if (closed)
        cairo_close_path(c->cr);
    cairo_stroke(c->cr);
}

void frame_canvas_rect(struct frame_canvas *c, double x, double y, double w, double h, int filled,
                       double width_px, struct frame_rgba color)
{
    if (!c)
        return;
    set_color(c->cr, color);
    cairo_rectangle(c->cr, x, y, w, h);
    if (filled) {
        cairo_fill(c->cr);
    } else {
        cairo_set_line_width(c->cr, width_px);
        cairo_stroke(c->cr);
    }
}

double frame_canvas_text(struct frame_canvas *c, double x, double y, const char *utf8,
                         double size_px, struct frame_rgba fg, struct frame_rgba bg)
{
    cairo_text_extents_t te;
    cairo_font_extents_t fe;
    double pad = size_px / 4, box_w, box_h;

    if (!c || !utf8 || !(size_px > 0))
        return 0;
    cairo_set_font_size(c->cr, size_px);
    cairo_font_extents(c->cr, &fe);
    cairo_text_extents(c->cr, utf8, &te);
    box_w = te.x_advance + 2 * pad;
    box_h = fe.ascent + fe.descent + 2 * pad;
    if (bg.a > 0) {
        set_color(c->cr, bg);
        cairo_rectangle(c->cr, x, y, box_w, box_h);
        cairo_fill(c->cr);
    }
    set_color(c->cr, fg);
    cairo_move_to(c->cr, x + pad, y + pad + fe.ascent);
    cairo_show_text(c->cr, utf8);
    cairo_new_path(c->cr);
    return box_w;
}

void frame_draw_global_cleanup(void)
{
    cairo_debug_reset_static_data();
    FcFini();
}
