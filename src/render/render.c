/*
 * render.c — the analyzed-video overlay. Style follows the vendor's videos
 * (../shared/media/vendor-output/4_ProperlyExecutedJumps.gif): coloured limb
 * lines per side, green joint dots, yellow degree labels next to the joints.
 * Left limbs are blue, right limbs red, midline (shoulders, hips, neck) white,
 * so a side view where the limbs cross stays readable.
 *
 * Sizes (line widths, radii, font sizes) are fractions of the output's long
 * side so the overlay looks the same at 360p and at 1280 px.
 */
#include "render/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BlazePose landmark indices used here (MediaPipe Pose topology). */
enum {
    LM_NOSE = 0,
    LM_LSHO = 11,
    LM_RSHO = 12,
    LM_LELB = 13,
    LM_RELB = 14,
    LM_LWRI = 15,
    LM_RWRI = 16,
    LM_LIDX = 19,
    LM_RIDX = 20,
    LM_LHIP = 23,
    LM_RHIP = 24,
    LM_LKNE = 25,
    LM_RKNE = 26,
    LM_LANK = 27,
    LM_RANK = 28,
    LM_LHEE = 29,
    LM_RHEE = 30,
    LM_LTOE = 31,
    LM_RTOE = 32
};

enum side { SIDE_LEFT = 0, SIDE_RIGHT = 1, SIDE_MID = 2 };

struct bone {
    int a, b;
    enum side side;
};

static const struct bone bones[] = {
    {LM_LSHO, LM_RSHO, SIDE_MID},   {LM_LHIP, LM_RHIP, SIDE_MID},   {LM_LSHO, LM_LELB, SIDE_LEFT},
    {LM_LELB, LM_LWRI, SIDE_LEFT},  {LM_LWRI, LM_LIDX, SIDE_LEFT},  {LM_LSHO, LM_LHIP, SIDE_LEFT},
    {LM_LHIP, LM_LKNE, SIDE_LEFT},  {LM_LKNE, LM_LANK, SIDE_LEFT},  {LM_LANK, LM_LHEE, SIDE_LEFT},
    {LM_LHEE, LM_LTOE, SIDE_LEFT},  {LM_LANK, LM_LTOE, SIDE_LEFT},  {LM_RSHO, LM_RELB, SIDE_RIGHT},
    {LM_RELB, LM_RWRI, SIDE_RIGHT}, {LM_RWRI, LM_RIDX, SIDE_RIGHT}, {LM_RSHO, LM_RHIP, SIDE_RIGHT},
    {LM_RHIP, LM_RKNE, SIDE_RIGHT}, {LM_RKNE, LM_RANK, SIDE_RIGHT}, {LM_RANK, LM_RHEE, SIDE_RIGHT},
    {LM_RHEE, LM_RTOE, SIDE_RIGHT}, {LM_RANK, LM_RTOE, SIDE_RIGHT},
};

/* Joints that get a dot. */
static const int joints[] = {LM_NOSE, LM_LSHO, LM_RSHO, LM_LELB, LM_RELB, LM_LWRI,
                             LM_RWRI, LM_LHIP, LM_RHIP, LM_LKNE, LM_RKNE, LM_LANK,
                             LM_RANK, LM_LHEE, LM_RHEE, LM_LTOE, LM_RTOE};

static const struct {
    const char *name;
    int landmark;
} angle_table[RENDER_N_ANGLES] = {
    [RENDER_ANGLE_LANK] = {"lank_angle", LM_LANK}, [RENDER_ANGLE_RANK] = {"rank_angle", LM_RANK},
    [RENDER_ANGLE_LKNE] = {"lkne_angle", LM_LKNE}, [RENDER_ANGLE_RKNE] = {"rkne_angle", LM_RKNE},
    [RENDER_ANGLE_LHIP] = {"lhip_angle", LM_LHIP}, [RENDER_ANGLE_RHIP] = {"rhip_angle", LM_RHIP},
    [RENDER_ANGLE_LSHO] = {"lsho_angle", LM_LSHO}, [RENDER_ANGLE_RSHO] = {"rsho_angle", LM_RSHO},
    [RENDER_ANGLE_LELB] = {"lelb_angle", LM_LELB}, [RENDER_ANGLE_RELB] = {"relb_angle", LM_RELB},
};

/* Palette. Left/right are the two colours the tests look for. */
static const struct frame_rgba col_left = {0.10, 0.40, 1.00, 1.0};
static const struct frame_rgba col_right = {1.00, 0.15, 0.10, 1.0};
static const struct frame_rgba col_mid = {1.00, 1.00, 1.00, 0.9};
static const struct frame_rgba col_joint = {0.20, 0.95, 0.20, 1.0};
static const struct frame_rgba col_label = {1.00, 0.92, 0.10, 1.0};
static const struct frame_rgba col_label_bg = {0.0, 0.0, 0.0, 0.55};
static const struct frame_rgba col_text = {1.0, 1.0, 1.0, 1.0};
static const struct frame_rgba col_box = {0.0, 0.0, 0.0, 0.6};
static const struct frame_rgba col_none = {0.0, 0.0, 0.0, 0.0};

struct render {
    int coord_w, coord_h;
    int out_w, out_h;
    double sx, sy;  /* coordinate space -> output pixels */
    double unit_px; /* long side / 400: base line width */
    struct frame scaled;
    struct frame out;
    struct frame_canvas *canvas;
};

void render_overlay_init(struct render_overlay *ov)
{
    if (!ov)
        return;
    memset(ov, 0, sizeof(*ov));
    for (int i = 0; i < RENDER_N_ANGLES; i++)
        ov->angle_deg[i] = NAN;
    ov->contact[0] = ov->contact[1] = -1;
}

const char *render_angle_name(enum render_angle a)
{
    if ((int)a < 0 || a >= RENDER_N_ANGLES)
        return NULL;
    return angle_table[a].name;
}

int render_angle_landmark(enum render_angle a)
{
    if ((int)a < 0 || a >= RENDER_N_ANGLES)
        return -1;
    return angle_table[a].landmark;
}

void render_speed_color(double v, double v_max, uint8_t rgb[3])
{
    /* Piecewise-linear ramp through blue, cyan, green, yellow, red. */
    static const double stops[5][3] = {
        {0.0, 0.3, 1.0}, {0.0, 0.9, 1.0}, {0.1, 0.9, 0.1}, {1.0, 0.9, 0.0}, {1.0, 0.1, 0.0}};
    double t = (v_max > 0.0 && isfinite(v)) ? v / v_max : 0.0;
    if (t < 0.0)
        t = 0.0;
    if (t > 1.0)
        t = 1.0;
    double pos = t * 4.0;
    int i = (int)pos;
    if (i > 3)
        i = 3;
    double f = pos - i;
    for (int c = 0; c < 3; c++) {
        double x = stops[i][c] + (stops[i + 1][c] - stops[i][c]) * f;
        rgb[c] = (uint8_t)lround(x * 255.0);
    }
}

enum kz_err render_output_size(int coord_w, int coord_h, int max_long_side_px, int *out_w,
                               int *out_h, struct err_ctx *e)
{
    if (!out_w || !out_h || coord_w < 2 || coord_h < 2 || coord_w > FRAME_MAX_SIDE_PX ||
        coord_h > FRAME_MAX_SIDE_PX)
        return err_set(e, KZ_E_INVALID, "render: bad size %dx%d", coord_w, coord_h);
    int max_long = max_long_side_px > 0 ? max_long_side_px : RENDER_MAX_LONG_SIDE_PX;
    if (max_long < 2)
        return err_set(e, KZ_E_INVALID, "render: bad max long side %d", max_long);
    int long_side = coord_w > coord_h ? coord_w : coord_h;
    double s = long_side > max_long ? (double)max_long / long_side : 1.0;
    int w = (int)floor(coord_w * s + 0.5);
    int h = (int)floor(coord_h * s + 0.5);
    if (w > max_long)
        w = max_long;
    if (h > max_long)
        h = max_long;
    w &= ~1;
    h &= ~1;
    if (w < 2)
        w = 2;
    if (h < 2)
        h = 2;
    *out_w = w;
    *out_h = h;
    return KZ_OK;
}

enum kz_err render_create(int coord_w, int coord_h, const struct render_opts *o,
                          struct render **out, struct err_ctx *e)
{
    struct render *r = NULL;
    enum kz_err rc;
    if (!out)
        return err_set(e, KZ_E_INVALID, "render_create: NULL out");
    *out = NULL;
    r = calloc(1, sizeof(*r));
    if (!r)
        return err_set(e, KZ_E_NOMEM, "render: out of memory");
    rc = render_output_size(coord_w, coord_h, o ? o->max_long_side_px : 0, &r->out_w, &r->out_h, e);
    if (rc != KZ_OK)
        goto fail;
    r->coord_w = coord_w;
    r->coord_h = coord_h;
    r->sx = (double)r->out_w / coord_w;
    r->sy = (double)r->out_h / coord_h;
    r->unit_px = (r->out_w > r->out_h ? r->out_w : r->out_h) / 400.0;
    if (r->unit_px < 1.0)
        r->unit_px = 1.0;
    rc = frame_alloc(&r->out, r->out_w, r->out_h, e);
    if (rc != KZ_OK)
        goto fail;
    rc = frame_canvas_create(r->out_w, r->out_h, &r->canvas, e);
    if (rc != KZ_OK)
        goto fail;
    *out = r;
    return KZ_OK;
fail:
    render_destroy(r);
    return rc;
}

void render_destroy(struct render *r)
{
    if (!r)
        return;
    frame_canvas_destroy(r->canvas);
    frame_free(&r->scaled);
    frame_free(&r->out);
    free(r);
}

void render_size(const struct render *r, int *out_w, int *out_h)
{
    if (out_w)
        *out_w = r ? r->out_w : 0;
    if (out_h)
        *out_h = r ? r->out_h : 0;
}

static int lm_ok(const struct render_overlay *ov, int i)
{
    const struct render_point *p = &ov->lm[i];
    return p->visibility >= RENDER_MIN_VISIBILITY && isfinite(p->x_px) && isfinite(p->y_px);
}

static void lm_xy(const struct render *r, const struct render_overlay *ov, int i, double *x,
                  double *y)
{
    *x = ov->lm[i].x_px * r->sx;
    *y = ov->lm[i].y_px * r->sy;
}

static struct frame_rgba side_color(enum side s)
{
    return s == SIDE_LEFT ? col_left : s == SIDE_RIGHT ? col_right : col_mid;
}

static void draw_skeleton(struct render *r, const struct render_overlay *ov)
{
    double u = r->unit_px;
    double x0, y0, x1, y1;
    /* Neck: mid-shoulder to nose. */
    if (lm_ok(ov, LM_LSHO) && lm_ok(ov, LM_RSHO) && lm_ok(ov, LM_NOSE)) {
        double ax, ay, bx, by, nx, ny;
        lm_xy(r, ov, LM_LSHO, &ax, &ay);
        lm_xy(r, ov, LM_RSHO, &bx, &by);
        lm_xy(r, ov, LM_NOSE, &nx, &ny);
        frame_canvas_line(r->canvas, (ax + bx) / 2, (ay + by) / 2, nx, ny, 1.5 * u, col_mid);
    }
    for (size_t i = 0; i < KZ_ARRAY_LEN(bones); i++) {
        if (!lm_ok(ov, bones[i].a) || !lm_ok(ov, bones[i].b))
            continue;
        lm_xy(r, ov, bones[i].a, &x0, &y0);
        lm_xy(r, ov, bones[i].b, &x1, &y1);
        frame_canvas_line(r->canvas, x0, y0, x1, y1, bones[i].side == SIDE_MID ? 1.5 * u : 2.0 * u,
                          side_color(bones[i].side));
    }
    for (size_t i = 0; i < KZ_ARRAY_LEN(joints); i++) {
        if (!lm_ok(ov, joints[i]))
            continue;
        lm_xy(r, ov, joints[i], &x0, &y0);
        frame_canvas_circle(r->canvas, x0, y0, 2.2 * u, 1, 0.0, col_joint);
    }
}

static void draw_angle_labels(struct render *r, const struct render_overlay *ov)
{
    double u = r->unit_px;
    double size = 7.0 * u < 11.0 ? 11.0 : 7.0 * u; /* stays readable on small videos */
    char text[16];
    for (int a = 0; a < RENDER_N_ANGLES; a++) {
        int lm = angle_table[a].landmark;
        if (!isfinite(ov->angle_deg[a]) || !lm_ok(ov, lm))
            continue;
        double x, y;
        lm_xy(r, ov, lm, &x, &y);
        if (str_printf(text, sizeof(text), "%.0f\xc2\xb0", ov->angle_deg[a]) != KZ_OK)
            continue;
        /* Left-side labels sit up-left of the joint, right-side ones down-right,
           so both legs of a side view keep readable labels. Measure first by
           drawing off-screen is not possible; use a width estimate. */
        int left = (a % 2) == 0;
        double est_w = size * 0.62 * (double)strlen(text) + size / 2;
        double tx = left ? x - est_w - 3.0 * u : x + 3.0 * u;
        double ty = left ? y - size - 2.0 * u : y + 1.0 * u;
        frame_canvas_text(r->canvas, tx, ty, text, size, col_label, col_label_bg);
    }
}

static void draw_contacts(struct render *r, const struct render_overlay *ov)
{
    double u = r->unit_px;
    static const int heel[2] = {LM_LHEE, LM_RHEE}, toe[2] = {LM_LTOE, LM_RTOE};
    for (int s = 0; s < 2; s++) {
        if (ov->contact[s] != 1 || !lm_ok(ov, heel[s]) || !lm_ok(ov, toe[s]))
            continue;
        double hx, hy, tx, ty;
        lm_xy(r, ov, heel[s], &hx, &hy);
        lm_xy(r, ov, toe[s], &tx, &ty);
        double cx = (hx + tx) / 2, cy = (hy > ty ? hy : ty) + 3.0 * u;
        struct frame_rgba c = s == 0 ? col_left : col_right;
        frame_canvas_circle(r->canvas, cx, cy, 5.0 * u, 1, 0.0, c);
        frame_canvas_circle(r->canvas, cx, cy, 5.0 * u, 0, 1.0 * u, col_text);
        /* a ground bar under the stance foot */
        frame_canvas_line(r->canvas, hx - 3.0 * u, cy + 6.0 * u, tx + 3.0 * u, cy + 6.0 * u,
                          1.5 * u, c);
    }
}

static void draw_bar(struct render *r, const struct render_overlay *ov)
{
    if (!ov->bar || ov->n_bar < 1)
        return;
    double u = r->unit_px;
    double vmax = ov->bar_speed_max_mps;
    if (!(vmax > 0.0)) {
        vmax = 0.0;
        for (int i = 0; i < ov->n_bar; i++)
            if (isfinite(ov->bar[i].speed_mps) && ov->bar[i].speed_mps > vmax)
                vmax = ov->bar[i].speed_mps;
        if (vmax <= 0.0)
            vmax = 1.0;
    }
    for (int i = 1; i < ov->n_bar; i++) {
        const struct render_bar_point *a = &ov->bar[i - 1], *b = &ov->bar[i];
        if (!isfinite(a->x_px) || !isfinite(a->y_px) || !isfinite(b->x_px) || !isfinite(b->y_px))
            continue;
        uint8_t rgb[3];
        render_speed_color(b->speed_mps, vmax, rgb);
        struct frame_rgba c = {rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0,
                               (a->valid && b->valid) ? 1.0 : 0.35};
        frame_canvas_line(r->canvas, a->x_px * r->sx, a->y_px * r->sy, b->x_px * r->sx,
                          b->y_px * r->sy, 2.5 * u, c);
    }
    const struct render_bar_point *last = &ov->bar[ov->n_bar - 1];
    if (isfinite(last->x_px) && isfinite(last->y_px)) {
        uint8_t rgb[3];
        render_speed_color(last->speed_mps, vmax, rgb);
        struct frame_rgba c = {rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, 1.0};
        frame_canvas_circle(r->canvas, last->x_px * r->sx, last->y_px * r->sy, 4.0 * u, 1, 0.0, c);
        frame_canvas_circle(r->canvas, last->x_px * r->sx, last->y_px * r->sy, 4.0 * u, 0, 1.0 * u,
                            col_text);
    }
    /* Legend: a colour ramp along the bottom-left with its scale. */
    double lw = 60.0 * u, lh = 4.0 * u;
    double lx = 6.0 * u, ly = r->out_h - 16.0 * u;
    int steps = 24;
    for (int i = 0; i < steps; i++) {
        uint8_t rgb[3];
        render_speed_color((i + 0.5) / steps * vmax, vmax, rgb);
        struct frame_rgba c = {rgb[0] / 255.0, rgb[1] / 255.0, rgb[2] / 255.0, 1.0};
        frame_canvas_rect(r->canvas, lx + lw * i / steps, ly, lw / steps + 0.5, lh, 1, 0.0, c);
    }
    char text[48];
    if (str_printf(text, sizeof(text), "bar speed 0 - %.1f m/s", vmax) == KZ_OK)
        frame_canvas_text(r->canvas, lx, ly - 7.0 * u, text, 4.5 * u, col_text, col_none);
}

static void draw_text_box(struct render *r, const struct render_overlay *ov)
{
    double u = r->unit_px;
    double x = 6.0 * u, y = 6.0 * u;
    if (ov->phase && ov->phase[0]) {
        double size = 8.0 * u < 13.0 ? 13.0 : 8.0 * u;
        frame_canvas_text(r->canvas, x, y, ov->phase, size, col_label, col_box);
        y += size * 1.6;
    }
    for (int i = 0; i < RENDER_MAX_INFO; i++) {
        if (!ov->info[i] || !ov->info[i][0])
            continue;
        double size = 6.0 * u < 10.0 ? 10.0 : 6.0 * u;
        frame_canvas_text(r->canvas, x, y, ov->info[i], size, col_text, col_box);
        y += size * 1.6;
    }
}

enum kz_err render_draw(struct render *r, const struct frame *src, const struct render_overlay *ov,
                        const struct frame **out, struct err_ctx *e)
{
    enum kz_err rc;
    const struct frame *base = src;
    if (!r || !src || !out || !src->data || src->width < 1 || src->height < 1)
        return err_set(e, KZ_E_INVALID, "render_draw: bad arguments");
    *out = NULL;
    if (src->width != r->out_w || src->height != r->out_h) {
        if (!r->scaled.data) {
            rc = frame_alloc(&r->scaled, r->out_w, r->out_h, e);
            if (rc != KZ_OK)
                return rc;
        }
        rc = frame_resize(&r->scaled, src, e);
        if (rc != KZ_OK)
            return rc;
        base = &r->scaled;
    }
    rc = frame_canvas_begin(r->canvas, base, e);
    if (rc != KZ_OK)
        return rc;
    if (ov) {
        draw_bar(r, ov);
        if (ov->have_pose) {
            draw_skeleton(r, ov);
            draw_contacts(r, ov);
            draw_angle_labels(r, ov);
        }
        draw_text_box(r, ov);
    }
    rc = frame_canvas_end(r->canvas, &r->out, e);
    if (rc != KZ_OK)
        return rc;
    r->out.t_s = src->t_s;
    r->out.index = src->index;
    *out = &r->out;
    return KZ_OK;
}
