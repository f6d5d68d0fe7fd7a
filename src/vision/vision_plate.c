/*
 * vision_plate.c — the barbell near-plate tracker of vision.h.
 *
 * Per frame, on a box-downscaled working copy (long side <= 480 px):
 *   1. Sobel gradients of R, G and B; each pixel keeps the channel with the
 *      largest magnitude (colour edges: a yellow plate on a blue floor has
 *      weak grey-level contrast but strong colour contrast).
 *   2. Edge pixels = magnitude above max(absolute floor, 85th percentile of
 *      the search window).
 *   3. Centre by Hough voting along the gradient direction (both signs, so a
 *      dark plate on a light background and the reverse both vote) for every
 *      radius in the allowed range — the "Hough gradient" method (Ballard 1981;
 *      Kimme, Ballard & Sklansky 1975).
 *   4. Radius = the largest radius whose radial-edge density is at least half
 *      the best one (prefers the outer rim to the hub), then a magnitude-
 *      weighted algebraic least-squares circle fit on the rim's edge points
 *      (Kåsa 1976) for sub-pixel centre and radius.
 *   5. Confidence = fraction of 72 rim directions with a radially oriented
 *      edge within ±1.5 px of the fitted circle, times the agreement of the
 *      plate face colour (annulus 0.3..0.8 r) with the colour learnt on
 *      confident frames, 1 / (1 + (ΔRGB / 50)²) — an occluder or a
 *      different disc scores low even when its outline is round enough.
 * Candidates are ranked by confidence × plausibility (prediction, wrists,
 * bottom-centre prior at start-up). See vision.h for the tracking policy.
 */
#include "vision/vision.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAX_FRAMES 1000000
#define N_CAND 48       /* candidate slots */
#define BAND_RATIO 1.35 /* global search: radius bands of this ratio, 3 peaks each */
#define RIM_SAMPLES 72
#define EDGE_FLOOR 40.0f  /* Sobel magnitude floor (~ a 10-level step) */
#define EDGE_CAP 100.0f   /* Sobel magnitude cap (~ a 25-level step) */
#define MAX_LOST_LOCAL 12 /* frames searched locally before a global search */
#define MAX_INTERP_GAP_S 0.5

struct vision_plate_tracker {
    struct vision_plate_opts o;
    int full_w, full_h, scale, w, h;
    float *rgb; /* working image, 3 planes */
    float *gx, *gy, *mag;
    float *acc, *accs;  /* votes and their 5×5 box sums */
    int act_y0, act_y1; /* active rows (letterbox bars excluded), working coords */
    struct vision_plate_obs *obs;
    size_t n, cap;
    /* tracking state (working coordinates) */
    int locked;
    double cx, cy, r, vx, vy;
    int lost;
    double radii[15];
    int n_radii, radii_pos;
    double last_t;
    int have_ref;
    double ref_rgb[3]; /* mean plate colour (annulus 0.3..0.8 r), EMA over confident frames */
};

struct circle {
    double cx, cy, r, conf, score;
    double rgb[3]; /* mean colour of the annulus 0.3..0.8 r */
};

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

enum kz_err vision_plate_tracker_create(const struct vision_plate_opts *o,
                                        struct vision_plate_tracker **out, struct err_ctx *e)
{
    struct vision_plate_tracker *t;
    struct vision_plate_opts d = {0};
    if (!out)
        return err_set(e, KZ_E_INVALID, "vision: out is NULL");
    *out = NULL;
    if (o)
        d = *o;
    if (d.plate_diameter_m < 0 || d.min_diameter_frac < 0 || d.max_diameter_frac < 0 ||
        d.min_confidence < 0 || d.min_confidence > 1 || d.work_long_side_px < 0)
        return err_set(e, KZ_E_INVALID, "vision: negative option");
    if (d.plate_diameter_m == 0)
        d.plate_diameter_m = VISION_PLATE_DIAMETER_M;
    if (d.min_diameter_frac == 0)
        d.min_diameter_frac = 0.08;
    if (d.max_diameter_frac == 0)
        d.max_diameter_frac = 0.70;
    if (d.min_confidence == 0)
        d.min_confidence = 0.30;
    if (d.work_long_side_px == 0)
        d.work_long_side_px = 480;
    if (d.min_diameter_frac >= d.max_diameter_frac || d.max_diameter_frac > 1 ||
        d.work_long_side_px < 64)
        return err_set(e, KZ_E_INVALID, "vision: inconsistent plate size range");
    t = calloc(1, sizeof *t);
    if (!t)
        return err_set(e, KZ_E_NOMEM, "vision: out of memory");
    t->o = d;
    t->last_t = -INFINITY;
    *out = t;
    return KZ_OK;
}

static void free_buffers(struct vision_plate_tracker *t)
{
    free(t->rgb);
    free(t->gx);
    free(t->gy);
    free(t->mag);
    free(t->acc);
    free(t->accs);
    t->rgb = t->gx = t->gy = t->mag = t->acc = t->accs = NULL;
}

void vision_plate_tracker_destroy(struct vision_plate_tracker *t)
{
    if (!t)
        return;
    free_buffers(t);
    free(t->obs);
    free(t);
}

static enum kz_err setup_size(struct vision_plate_tracker *t, const struct frame *f,
                              struct err_ctx *e)
{
    int longest = f->width > f->height ? f->width : f->height;
    size_t px;
    t->full_w = f->width;
    t->full_h = f->height;
    t->scale = (longest + t->o.work_long_side_px - 1) / t->o.work_long_side_px;
    if (t->scale < 1)
        t->scale = 1;
    t->w = f->width / t->scale;
    t->h = f->height / t->scale;
    if (t->w < 16 || t->h < 16)
        return err_set(e, KZ_E_INVALID, "vision: frame %dx%d too small", f->width, f->height);
    px = (size_t)t->w * (size_t)t->h; /* bounded by FRAME_MAX_SIDE_PX² */
    t->rgb = malloc(3 * px * sizeof(float));
    t->gx = malloc(px * sizeof(float));
    t->gy = malloc(px * sizeof(float));
    t->mag = malloc(px * sizeof(float));
    t->acc = malloc(px * sizeof(float));
    t->accs = malloc(px * sizeof(float));
    if (!t->rgb || !t->gx || !t->gy || !t->mag || !t->acc || !t->accs) {
        free_buffers(t);
        return err_set(e, KZ_E_NOMEM, "vision: out of memory");
    }
    return KZ_OK;
}

/*
 * Box-average the frame into the working planes, only the working-coordinate
 * window [x0,x1)×[y0,y1) (clamped): while tracking, the local search reads
 * nothing else, and the full 1080×1920 frame would cost most of the tracker's
 * time per frame.
 */
static void downscale(struct vision_plate_tracker *t, const struct frame *f, int x0, int y0, int x1,
                      int y1)
{
    int s = t->scale, w = t->w, h = t->h;
    size_t px = (size_t)w * (size_t)h;
    float inv = 1.0f / (float)(s * s);
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > w ? w : x1;
    y1 = y1 > h ? h : y1;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            unsigned sum[3] = {0, 0, 0};
            for (int dy = 0; dy < s; dy++) {
                const uint8_t *p = f->data + (size_t)(y * s + dy) * f->stride + (size_t)x * s * 3;
                for (int dx = 0; dx < s; dx++, p += 3) {
                    sum[0] += p[0];
                    sum[1] += p[1];
                    sum[2] += p[2];
                }
            }
            size_t i = (size_t)y * w + x;
            t->rgb[i] = (float)sum[0] * inv;
            t->rgb[px + i] = (float)sum[1] * inv;
            t->rgb[2 * px + i] = (float)sum[2] * inv;
        }
}

/* Letterbox bars: top/bottom rows that are black across the whole width. */
static void find_active_rows(struct vision_plate_tracker *t)
{
    size_t px = (size_t)t->w * (size_t)t->h;
    int y0 = 0, y1 = t->h;
    for (int dir = 0; dir < 2; dir++)
        for (;;) {
            int y = dir ? y1 - 1 : y0;
            if (y1 - y0 < t->h / 2)
                break;
            float mx = 0;
            for (int x = 0; x < t->w; x++)
                for (int c = 0; c < 3; c++)
                    mx = fmaxf(mx, t->rgb[c * px + (size_t)y * t->w + x]);
            if (mx >= 24)
                break;
            if (dir)
                y1--;
            else
                y0++;
        }
    t->act_y0 = y0;
    t->act_y1 = y1;
}

/* Sobel on the ROI [x0,x1)×[y0,y1) (clamped one pixel inside the image). */
static void gradients(struct vision_plate_tracker *t, int x0, int y0, int x1, int y1)
{
    int w = t->w;
    size_t px = (size_t)w * (size_t)t->h;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            size_t i = (size_t)y * w + x;
            if (x < 1 || y < 1 || x >= w - 1 || y >= t->h - 1) {
                t->gx[i] = t->gy[i] = t->mag[i] = 0;
                continue;
            }
            float bgx = 0, bgy = 0, bm = -1;
            for (int c = 0; c < 3; c++) {
                const float *p = t->rgb + c * px + i;
                float gx = (p[-w + 1] + 2 * p[1] + p[w + 1]) - (p[-w - 1] + 2 * p[-1] + p[w - 1]);
                float gy = (p[w - 1] + 2 * p[w] + p[w + 1]) - (p[-w - 1] + 2 * p[-w] + p[-w + 1]);
                float m = gx * gx + gy * gy;
                if (m > bm) {
                    bm = m;
                    bgx = gx;
                    bgy = gy;
                }
            }
            t->gx[i] = bgx;
            t->gy[i] = bgy;
            t->mag[i] = sqrtf(bm);
        }
}

/* 85th percentile of the magnitude in the ROI, floored. */
static float edge_threshold(const struct vision_plate_tracker *t, int x0, int y0, int x1, int y1)
{
    enum { NB = 512 };
    unsigned hist[NB] = {0};
    size_t total = 0, acc = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            int b = (int)(t->mag[(size_t)y * t->w + x] * 0.25f);
            hist[b < NB ? b : NB - 1]++;
            total++;
        }
    for (int b = 0; b < NB; b++) {
        acc += hist[b];
        if (acc >= total * 85 / 100) {
            float v = (float)b * 4.0f;
            /* capped: a busy background (bricks) must not lift the threshold
               above a dark plate's rim on a dark floor */
            return v < EDGE_FLOOR ? EDGE_FLOOR : v > EDGE_CAP ? EDGE_CAP : v;
        }
    }
    return EDGE_FLOOR;
}

/* Fraction of rim directions with a radial edge within ±1.5 px. Directions
   whose rim lies outside the picture or in a letterbox bar are not counted,
   but at least 60 % of the rim must be tested (a sliver is not a plate). */
static double rim_support(const struct vision_plate_tracker *t, double cx, double cy, double r,
                          float thr)
{
    int hit = 0, tested = 0;
    for (int k = 0; k < RIM_SAMPLES; k++) {
        double a = 2 * M_PI * k / RIM_SAMPLES, ux = cos(a), uy = sin(a);
        int ok = 0, inside = 0;
        for (double dr = -1.5; dr <= 1.51 && !ok; dr += 1) {
            double px = cx + (r + dr) * ux, py = cy + (r + dr) * uy;
            int x = (int)floor(px), y = (int)floor(py);
            if (x < 1 || y < t->act_y0 + 1 || x >= t->w - 1 || y >= t->act_y1 - 1)
                continue;
            inside = 1;
            size_t i = (size_t)y * t->w + x;
            float m = t->mag[i];
            if (m >= thr && fabs(t->gx[i] * ux + t->gy[i] * uy) >= 0.9 * m)
                ok = 1;
        }
        tested += inside;
        hit += ok;
    }
    return (double)hit / fmax(tested, 0.6 * RIM_SAMPLES);
}

/* Radius from the radial-edge histogram around (cx, cy). */
static double pick_radius(const struct vision_plate_tracker *t, double cx, double cy, int rmin,
                          int rmax, float thr, int x0, int y0, int x1, int y1)
{
    int nb = rmax + 4;
    double *hist = calloc((size_t)nb, sizeof *hist);
    double best_r = NAN;
    if (!hist)
        return NAN;
    int bx0 = (int)fmax(x0, cx - rmax - 2), bx1 = (int)fmin(x1, cx + rmax + 3);
    int by0 = (int)fmax(y0, cy - rmax - 2), by1 = (int)fmin(y1, cy + rmax + 3);
    for (int y = by0; y < by1; y++)
        for (int x = bx0; x < bx1; x++) {
            size_t i = (size_t)y * t->w + x;
            float m = t->mag[i];
            if (m < thr)
                continue;
            double dx = x + 0.5 - cx, dy = y + 0.5 - cy, d = hypot(dx, dy);
            if (d < rmin - 2 || d > rmax + 2 || d < 1)
                continue;
            if (fabs(t->gx[i] * dx + t->gy[i] * dy) < 0.92 * m * d)
                continue;
            int b = (int)lround(d);
            if (b < nb)
                hist[b] += 1;
        }
    double best = 0, dens[4096];
    int top = nb < 4096 ? nb : 4096;
    for (int r = rmin; r <= rmax && r + 1 < top; r++) {
        dens[r] = (hist[r - 1] + hist[r] + hist[r + 1]) / (2 * M_PI * r);
        if (dens[r] > best)
            best = dens[r];
    }
    for (int r = rmax; r >= rmin && best > 0; r--)
        if (r + 1 < top && dens[r] >= 0.5 * best) {
            /* centroid of the peak for a sub-bin radius */
            double s = hist[r - 1] + hist[r] + hist[r + 1];
            /* walk to the local maximum of density from this bin */
            while (r > rmin && r + 1 < top && dens[r - 1] > dens[r])
                r--;
            s = hist[r - 1] + hist[r] + hist[r + 1];
            best_r = s > 0 ? ((r - 1) * hist[r - 1] + r * hist[r] + (r + 1) * hist[r + 1]) / s : r;
            break;
        }
    free(hist);
    return best_r;
}

/* Weighted algebraic circle fit (Kåsa) on radial edges within ±band px of c. */
static int refine_circle(const struct vision_plate_tracker *t, struct circle *c, float thr,
                         double band)
{
    double s[10] = {0}; /* Sw Sx Sy Sxx Syy Sxy Sz Sxz Syz (z = x²+y²) */
    int x0 = (int)fmax(1, c->cx - c->r - 4), x1 = (int)fmin(t->w - 1, c->cx + c->r + 5);
    int y0 = (int)fmax(1, c->cy - c->r - 4), y1 = (int)fmin(t->h - 1, c->cy + c->r + 5);
    int cnt = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            size_t i = (size_t)y * t->w + x;
            float m = t->mag[i];
            if (m < thr)
                continue;
            double dx = x + 0.5 - c->cx, dy = y + 0.5 - c->cy, d = hypot(dx, dy);
            if (fabs(d - c->r) > band || d < 1)
                continue;
            if (fabs(t->gx[i] * dx + t->gy[i] * dy) < 0.85 * m * d)
                continue;
            double wgt = m, z = dx * dx + dy * dy;
            s[0] += wgt;
            s[1] += wgt * dx;
            s[2] += wgt * dy;
            s[3] += wgt * dx * dx;
            s[4] += wgt * dy * dy;
            s[5] += wgt * dx * dy;
            s[6] += wgt * z;
            s[7] += wgt * dx * z;
            s[8] += wgt * dy * z;
            cnt++;
        }
    if (cnt < 12)
        return 0;
    /* Minimise Σw (z + D x + E y + F)²: normal equations 3×3. */
    double A[3][4] = {
        {s[3], s[5], s[1], -s[7]}, {s[5], s[4], s[2], -s[8]}, {s[1], s[2], s[0], -s[6]}};
    for (int k = 0; k < 3; k++) {
        int p = k;
        for (int i = k + 1; i < 3; i++)
            if (fabs(A[i][k]) > fabs(A[p][k]))
                p = i;
        if (fabs(A[p][k]) < 1e-9)
            return 0;
        for (int j = 0; j < 4; j++) {
            double tmp = A[k][j];
            A[k][j] = A[p][j];
            A[p][j] = tmp;
        }
        for (int i = 0; i < 3; i++)
            if (i != k) {
                double f = A[i][k] / A[k][k];
                for (int j = k; j < 4; j++)
                    A[i][j] -= f * A[k][j];
            }
    }
    double D = A[0][3] / A[0][0], E = A[1][3] / A[1][1], F = A[2][3] / A[2][2];
    double ox = -D / 2, oy = -E / 2, r2 = ox * ox + oy * oy - F;
    if (!(r2 > 1))
        return 0;
    double r = sqrt(r2);
    if (hypot(ox, oy) > 0.3 * c->r || fabs(r - c->r) > 0.15 * c->r)
        return 0;
    c->cx += ox;
    c->cy += oy;
    c->r = r;
    return 1;
}

/* Mean colour of the annulus 0.3..0.8 r (the rubber face, away from hub and rim). */
static void annulus_rgb(const struct vision_plate_tracker *t, const struct circle *c, double out[3])
{
    size_t px = (size_t)t->w * (size_t)t->h;
    double s[3] = {0, 0, 0};
    int n = 0;
    for (int ring = 0; ring < 3; ring++) {
        double rr = c->r * (0.35 + 0.2 * ring);
        for (int k = 0; k < 32; k++) {
            double a = 2 * M_PI * (k + 0.5 * ring) / 32;
            int x = (int)floor(c->cx + rr * cos(a)), y = (int)floor(c->cy + rr * sin(a));
            if (x < 0 || y < t->act_y0 || x >= t->w || y >= t->act_y1)
                continue;
            size_t i = (size_t)y * t->w + x;
            for (int ch = 0; ch < 3; ch++)
                s[ch] += t->rgb[ch * px + i];
            n++;
        }
    }
    for (int ch = 0; ch < 3; ch++)
        out[ch] = n ? s[ch] / n : NAN;
}

/* Appearance agreement with the learnt plate colour: 1 / (1 + (ΔRGB / 50)²). */
static double appearance_weight(const struct vision_plate_tracker *t, const struct circle *c)
{
    if (!t->have_ref || isnan(c->rgb[0]))
        return 1.0;
    double d = sqrt((c->rgb[0] - t->ref_rgb[0]) * (c->rgb[0] - t->ref_rgb[0]) +
                    (c->rgb[1] - t->ref_rgb[1]) * (c->rgb[1] - t->ref_rgb[1]) +
                    (c->rgb[2] - t->ref_rgb[2]) * (c->rgb[2] - t->ref_rgb[2])) /
               50.0;
    return 1.0 / (1.0 + d * d);
}

/* Search the ROI for up to N_CAND circles with radius in [rmin, rmax]. */
static int search(struct vision_plate_tracker *t, int x0, int y0, int x1, int y1, int rmin,
                  int rmax, int ncand, int reuse_grad, struct circle *out, float *thr_out)
{
    int w = t->w, n = 0;
    x0 = x0 < 0 ? 0 : x0;
    y0 = y0 < 0 ? 0 : y0;
    x1 = x1 > w ? w : x1;
    y1 = y1 > t->h ? t->h : y1;
    if (x1 - x0 < 8 || y1 - y0 < 8 || rmax < rmin || rmin < 2)
        return 0;
    if (!reuse_grad) {
        gradients(t, x0, y0, x1, y1);
        *thr_out = edge_threshold(t, x0, y0, x1, y1);
    }
    float thr = *thr_out;
    for (int y = y0; y < y1; y++)
        memset(t->acc + (size_t)y * w + x0, 0, sizeof(float) * (size_t)(x1 - x0));
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            size_t i = (size_t)y * w + x;
            float m = t->mag[i];
            if (m < thr)
                continue;
            double ux = t->gx[i] / m, uy = t->gy[i] / m;
            for (int sgn = -1; sgn <= 1; sgn += 2)
                for (int r = rmin; r <= rmax; r++) {
                    int cx = (int)floor(x + 0.5 + sgn * r * ux);
                    int cy = (int)floor(y + 0.5 + sgn * r * uy);
                    if (cx < x0 || cy < y0 || cx >= x1 || cy >= y1)
                        break;
                    t->acc[(size_t)cy * w + cx] += 1.0f / (float)r; /* r-normalised */
                }
        }
    /* Peaks of the 5×5 box-summed accumulator, kept apart by rmin. */
    for (int y = y0 + 2; y < y1 - 2; y++)
        for (int x = x0 + 2; x < x1 - 2; x++) {
            float sum = 0;
            for (int dy = -2; dy <= 2; dy++) {
                const float *a = t->acc + (size_t)(y + dy) * w + x;
                sum += a[-2] + a[-1] + a[0] + a[1] + a[2];
            }
            t->accs[(size_t)y * w + x] = sum;
        }
    for (int k = 0; k < ncand; k++) {
        float best = 0;
        int bx = -1, by = -1;
        for (int y = y0 + 2; y < y1 - 2; y++)
            for (int x = x0 + 2; x < x1 - 2; x++) {
                float v = t->accs[(size_t)y * w + x];
                if (v <= best)
                    continue;
                int far = 1;
                for (int j = 0; j < n && far; j++)
                    if (hypot(x + 0.5 - out[j].cx, y + 0.5 - out[j].cy) < rmin)
                        far = 0;
                if (!far)
                    continue;
                best = v;
                bx = x;
                by = y;
            }
        if (bx < 0)
            break;
        struct circle c = {bx + 0.5, by + 0.5, 0, 0, 0};
        c.r = pick_radius(t, c.cx, c.cy, (int)fmax(3, rmin * 0.87), (int)ceil(rmax * 1.15), thr, x0,
                          y0, x1, y1);
        if (isnan(c.r)) {
            c.r = rmin; /* keep the slot so the next peak is searched elsewhere */
            c.conf = 0;
        } else {
            refine_circle(t, &c, thr, 2.5);
            refine_circle(t, &c, thr, 1.5); /* narrow: keep the hub/rim band edges out */
            c.conf = rim_support(t, c.cx, c.cy, c.r, thr);
            annulus_rgb(t, &c, c.rgb);
            c.conf *= appearance_weight(t, &c);
        }
        out[n++] = c;
    }
    return n;
}

static double median_radius(const struct vision_plate_tracker *t)
{
    double v[15];
    int n = t->n_radii;
    memcpy(v, t->radii, sizeof(double) * (size_t)n);
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && v[j] < v[j - 1]; j--) {
            double tmp = v[j];
            v[j] = v[j - 1];
            v[j - 1] = tmp;
        }
    return n ? v[n / 2] : NAN;
}

/* Plausibility weight of a candidate against the wrists (working coords). */
static double hand_weight(const struct vision_plate_tracker *t, const struct vision_hands *hands,
                          const struct circle *c)
{
    if (!hands || hands->n <= 0)
        return 1.0;
    double dmin = INFINITY;
    for (int k = 0; k < hands->n && k < 2; k++) {
        double hx = hands->x_px[k] / t->scale, hy = hands->y_px[k] / t->scale;
        if (isfinite(hx) && isfinite(hy))
            dmin = fmin(dmin, hypot(hx - c->cx, hy - c->cy));
    }
    if (!isfinite(dmin))
        return 1.0;
    double D = 2 * c->r;
    return dmin <= D ? 1.0 : exp(-(dmin - D) / D);
}

static enum kz_err push_obs(struct vision_plate_tracker *t, const struct vision_plate_obs *o,
                            struct err_ctx *e)
{
    if (t->n == t->cap) {
        size_t cap = t->cap ? 2 * t->cap : 256, bytes;
        if (size_mul(cap, sizeof *t->obs, &bytes))
            return err_set(e, KZ_E_TOO_LARGE, "vision: too many frames");
        struct vision_plate_obs *p = realloc(t->obs, bytes);
        if (!p)
            return err_set(e, KZ_E_NOMEM, "vision: out of memory");
        t->obs = p;
        t->cap = cap;
    }
    t->obs[t->n++] = *o;
    return KZ_OK;
}

enum kz_err vision_plate_tracker_process(struct vision_plate_tracker *t, const struct frame *f,
                                         const struct vision_hands *hands,
                                         struct vision_plate_obs *obs, struct err_ctx *e)
{
    enum kz_err rc;
    struct circle cand[N_CAND];
    float thr = EDGE_FLOOR;
    int nc = 0, global;
    if (!t || !f || !f->data || f->width < 1 || f->height < 1 || f->stride < 3 * (size_t)f->width)
        return err_set(e, KZ_E_INVALID, "vision: bad frame");
    if (t->n >= MAX_FRAMES)
        return err_set(e, KZ_E_TOO_LARGE, "vision: more than %d frames", MAX_FRAMES);
    if (!t->rgb) {
        rc = setup_size(t, f, e);
        if (rc != KZ_OK)
            return rc;
    } else if (f->width != t->full_w || f->height != t->full_h) {
        return err_set(e, KZ_E_INVALID, "vision: frame size changed from %dx%d to %dx%d", t->full_w,
                       t->full_h, f->width, f->height);
    }
    if (!(f->t_s >= t->last_t))
        return err_set(e, KZ_E_INVALID, "vision: timestamps go back (%.3f after %.3f)", f->t_s,
                       t->last_t);
    t->last_t = f->t_s;

    int shortside = t->w < t->h ? t->w : t->h;
    int rmin_g = (int)fmax(3, t->o.min_diameter_frac * shortside / 2);
    int rmax_g = (int)(t->o.max_diameter_frac * shortside / 2);
    double pred_x = t->cx + t->vx, pred_y = t->cy + t->vy;
    global = !t->locked || t->lost > MAX_LOST_LOCAL;
    if (global) {
        downscale(t, f, 0, 0, t->w, t->h);
        find_active_rows(t);
    }
    if (!global) {
        double rm = median_radius(t);
        double half = 1.3 * rm + 0.6 * hypot(t->vx, t->vy) + 0.7 * rm * (1 + t->lost);
        int rmin = (int)floor(rm * 0.85), rmax = (int)ceil(rm * 1.15);
        /* the search window, plus what its candidates read around it (Sobel
           neighbours, the colour annulus of a circle centred on its edge) */
        int m = rmax + 2;
        downscale(t, f, (int)(pred_x - half) - m, (int)(pred_y - half) - m,
                  (int)(pred_x + half) + 1 + m, (int)(pred_y + half) + 1 + m);
        nc = search(t, (int)(pred_x - half), (int)(pred_y - half), (int)(pred_x + half) + 1,
                    (int)(pred_y + half) + 1, rmin < 3 ? 3 : rmin, rmax, 6, 0, cand, &thr);
        double sig = 0.35 * rm + 0.5 * hypot(t->vx, t->vy) + 0.5 * rm * t->lost;
        for (int k = 0; k < nc; k++) {
            double d = hypot(cand[k].cx - pred_x, cand[k].cy - pred_y);
            cand[k].score = cand[k].conf * (1.0 / (1.0 + (d / sig) * (d / sig))) *
                            hand_weight(t, hands, &cand[k]);
        }
    } else {
        int rmin = rmin_g, rmax = rmax_g;
        if (t->n_radii > 0) { /* re-acquisition: the plate keeps its size */
            double rm = median_radius(t);
            rmin = (int)floor(rm * 0.8);
            rmax = (int)ceil(rm * 1.2);
        }
        /* Radius bands: clutter votes from all distances would otherwise bury a
           plate's peak under a broad hill in a textured scene. */
        for (int lo = rmin, first = 1; lo < rmax && nc + 3 <= N_CAND; first = 0) {
            int hi = (int)fmin(rmax, ceil(lo * BAND_RATIO) + 1);
            nc += search(t, 0, 0, t->w, t->h, lo, hi, 3, !first, cand + nc, &thr);
            if (hi >= rmax)
                break;
            lo = hi - 1;
        }
        for (int k = 0; k < nc; k++) {
            double hw = hand_weight(t, hands, &cand[k]);
            double prior = 1.0;
            if (!hands || hands->n <= 0) {
                /* bottom-centre prior: the bar starts on the floor, mid-picture */
                double d = hypot(cand[k].cx - 0.5 * t->w, cand[k].cy - 0.8 * t->h);
                prior = 0.7 + 0.3 * (1 - clampd(d / hypot(t->w, t->h), 0, 1));
            }
            cand[k].score = cand[k].conf * hw * prior;
        }
        /* A bumper plate has a hub: a circle with a concentric smaller circle
           inside is the plate (bonus), the inner one is never the plate. */
        for (int j = 0; j < nc; j++)
            for (int k = 0; k < nc; k++)
                if (k != j && cand[j].conf >= 0.45 && cand[j].r > 1.4 * cand[k].r &&
                    hypot(cand[j].cx - cand[k].cx, cand[j].cy - cand[k].cy) < 0.35 * cand[j].r) {
                    cand[k].score = 0;
                    cand[j].score *= 1.25;
                }
    }
    for (int k = 0; k < nc; k++)
        log_debug("plate f%lld %s cand %d: c=(%.1f,%.1f) r=%.1f conf=%.2f score=%.3f",
                  (long long)f->index, global ? "global" : "local", k, cand[k].cx * t->scale,
                  cand[k].cy * t->scale, cand[k].r * t->scale, cand[k].conf, cand[k].score);
    int best = -1;
    for (int k = 0; k < nc; k++)
        if (best < 0 || cand[k].score > cand[best].score)
            best = k;
    double need = global ? fmax(t->o.min_confidence, 0.45) : t->o.min_confidence;
    struct vision_plate_obs o = {.frame_index = f->index,
                                 .t_s = f->t_s,
                                 .x_px = NAN,
                                 .y_px = NAN,
                                 .diameter_px = NAN,
                                 .confidence = 0,
                                 .status = VISION_PLATE_LOST};
    if (best >= 0 && cand[best].conf >= need) {
        const struct circle *c = &cand[best];
        if (t->locked) {
            int steps = t->lost + 1;
            double nvx = (c->cx - t->cx) / steps, nvy = (c->cy - t->cy) / steps;
            t->vx = t->lost ? nvx : 0.5 * t->vx + 0.5 * nvx;
            t->vy = t->lost ? nvy : 0.5 * t->vy + 0.5 * nvy;
            if (global) /* re-acquired far away: no velocity memory */
                t->vx = t->vy = 0;
        } else {
            t->vx = t->vy = 0;
        }
        t->cx = c->cx;
        t->cy = c->cy;
        t->r = c->r;
        if (c->conf >= 0.6 && !isnan(c->rgb[0])) {
            for (int ch = 0; ch < 3; ch++)
                t->ref_rgb[ch] = t->have_ref ? 0.9 * t->ref_rgb[ch] + 0.1 * c->rgb[ch] : c->rgb[ch];
            t->have_ref = 1;
        }
        t->locked = 1;
        t->lost = 0;
        t->radii[t->radii_pos] = c->r;
        t->radii_pos = (t->radii_pos + 1) % 15;
        if (t->n_radii < 15)
            t->n_radii++;
        o.x_px = c->cx * t->scale;
        o.y_px = c->cy * t->scale;
        o.diameter_px = 2 * c->r * t->scale;
        o.confidence = c->conf;
        o.status = VISION_PLATE_MEASURED;
    } else if (t->locked) {
        t->lost++;
        t->cx = pred_x; /* coast on the prediction, damped */
        t->cy = pred_y;
        t->vx *= 0.8;
        t->vy *= 0.8;
    }
    if (obs)
        *obs = o;
    return push_obs(t, &o, e);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

void vision_plate_track_cleanup(struct vision_plate_track *tr)
{
    if (!tr)
        return;
    free(tr->obs);
    memset(tr, 0, sizeof *tr);
}

enum kz_err vision_plate_tracker_finish(struct vision_plate_tracker *t,
                                        struct vision_plate_track *out, struct err_ctx *e)
{
    double *d = NULL;
    size_t n, nd = 0;
    if (!out)
        return err_set(e, KZ_E_INVALID, "vision: out is NULL");
    memset(out, 0, sizeof *out);
    out->diameter_px = out->m_per_px = out->m_per_px_rel_unc = NAN;
    if (!t || t->n == 0)
        return err_set(e, KZ_E_NOT_FOUND, "vision: no frame processed");
    n = t->n;
    out->obs = malloc(n * sizeof *out->obs);
    d = malloc(n * sizeof *d);
    if (!out->obs || !d) {
        free(d);
        return err_set(e, KZ_E_NOMEM, "vision: out of memory");
    }
    memcpy(out->obs, t->obs, n * sizeof *out->obs);
    out->n = n;
    struct vision_plate_obs *o = out->obs;

    /* Median diameter over confident measurements, then drop size outliers. */
    for (size_t i = 0; i < n; i++)
        if (o[i].status == VISION_PLATE_MEASURED && o[i].confidence >= 0.5)
            d[nd++] = o[i].diameter_px;
    if (nd == 0)
        for (size_t i = 0; i < n; i++)
            if (o[i].status == VISION_PLATE_MEASURED)
                d[nd++] = o[i].diameter_px;
    double dmed = NAN;
    if (nd > 0) {
        qsort(d, nd, sizeof *d, cmp_double);
        dmed = d[nd / 2];
        for (size_t i = 0; i < nd; i++)
            d[i] = fabs(d[i] - dmed);
        qsort(d, nd, sizeof *d, cmp_double);
        double sd = 1.4826 * d[nd / 2];
        double rel = sd / dmed / sqrt((double)nd);
        out->diameter_px = dmed;
        out->m_per_px = t->o.plate_diameter_m / dmed;
        out->m_per_px_rel_unc = hypot(rel, 0.01);
        for (size_t i = 0; i < n; i++)
            if (o[i].status == VISION_PLATE_MEASURED &&
                fabs(o[i].diameter_px - dmed) > 0.25 * dmed) {
                o[i].status = VISION_PLATE_LOST;
                out->n_spikes_removed++;
            }
        /* Spikes: a measurement far from the line through its measured neighbours
           (each at most 2 frames away). */
        for (size_t i = 1; i + 1 < n; i++) {
            if (o[i].status != VISION_PLATE_MEASURED)
                continue;
            size_t p = i - 1, q = i + 1;
            if (o[p].status != VISION_PLATE_MEASURED && p > 0)
                p--;
            if (o[q].status != VISION_PLATE_MEASURED && q + 1 < n)
                q++;
            if (o[p].status != VISION_PLATE_MEASURED || o[q].status != VISION_PLATE_MEASURED)
                continue;
            double w = (o[i].t_s - o[p].t_s) / (o[q].t_s - o[p].t_s);
            if (!isfinite(w))
                continue;
            double ex = o[p].x_px + w * (o[q].x_px - o[p].x_px);
            double ey = o[p].y_px + w * (o[q].y_px - o[p].y_px);
            if (hypot(o[i].x_px - ex, o[i].y_px - ey) > 0.5 * dmed &&
                hypot(o[q].x_px - o[p].x_px, o[q].y_px - o[p].y_px) < 0.5 * dmed) {
                o[i].status = VISION_PLATE_LOST;
                out->n_spikes_removed++;
            }
        }
    }
    for (size_t i = 0; i < n; i++)
        if (o[i].status != VISION_PLATE_MEASURED) {
            o[i].x_px = o[i].y_px = o[i].diameter_px = NAN;
            o[i].confidence = 0;
            o[i].status = VISION_PLATE_LOST;
        }
    /* Interpolate interior gaps up to MAX_INTERP_GAP_S, linearly in time. */
    size_t prev = (size_t)-1;
    for (size_t i = 0; i < n; i++) {
        if (o[i].status != VISION_PLATE_MEASURED)
            continue;
        if (prev != (size_t)-1 && i > prev + 1 && o[i].t_s - o[prev].t_s <= MAX_INTERP_GAP_S) {
            for (size_t k = prev + 1; k < i; k++) {
                double w = (o[k].t_s - o[prev].t_s) / (o[i].t_s - o[prev].t_s);
                if (!isfinite(w))
                    w = (double)(k - prev) / (double)(i - prev);
                o[k].x_px = o[prev].x_px + w * (o[i].x_px - o[prev].x_px);
                o[k].y_px = o[prev].y_px + w * (o[i].y_px - o[prev].y_px);
                o[k].diameter_px =
                    o[prev].diameter_px + w * (o[i].diameter_px - o[prev].diameter_px);
                o[k].status = VISION_PLATE_INTERPOLATED;
            }
        }
        prev = i;
    }
    double csum = 0;
    for (size_t i = 0; i < n; i++) {
        if (o[i].status == VISION_PLATE_MEASURED) {
            out->n_measured++;
            csum += o[i].confidence;
        } else if (o[i].status == VISION_PLATE_INTERPOLATED) {
            out->n_interpolated++;
        } else {
            out->n_lost++;
        }
    }
    out->mean_confidence = out->n_measured ? csum / (double)out->n_measured : 0;
    out->found_fraction = (double)out->n_measured / (double)n;
    free(d);
    return KZ_OK;
}
