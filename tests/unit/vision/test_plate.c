/*
 * test_plate.c — the barbell plate tracker on synthetic clips rendered here:
 * a bumper-plate-like disc (dark rubber, lighter rim band and hub, dark sleeve
 * hole) moving along a snatch-shaped trajectory over a textured background,
 * with motion blur (sub-frame positions averaged over a 1/2-frame shutter),
 * Gaussian pixel noise, a static distractor disc and occluded frames. Sampled
 * at 25, 30 and 60 fps. Checks centre accuracy, diameter (scale), lost and
 * interpolated frames, and the bar speed through the lift module.
 */
#include "lift/lift.h"
#include "vision/vision.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#define W 480
#define H 720
#define PLATE_R 45.0 /* px: 450 mm plate -> 0.005 m/px */
#define M_PER_PX (0.45 / (2 * PLATE_R))
#define Y0 620.0
#define X0 230.0

struct knot {
    double t, v;
};
/* Snatch-like vertical velocity (m/s); each knot is an extremum. */
static const struct knot knots[] = {{0, 0},      {0.4, 0},  {0.9, 1.2},   {1.05, 1.0},
                                    {1.25, 2.0}, {1.47, 0}, {1.65, -1.1}, {1.85, 0},
                                    {2.35, 1.0}, {2.85, 0}, {3.1, 0}};
#define NK (sizeof knots / sizeof knots[0])

static double vel_at(double t)
{
    if (t <= 0)
        return 0;
    for (size_t i = 0; i + 1 < NK; i++)
        if (t <= knots[i + 1].t) {
            double u = (t - knots[i].t) / (knots[i + 1].t - knots[i].t);
            return knots[i].v + (0.5 - 0.5 * cos(M_PI * u)) * (knots[i + 1].v - knots[i].v);
        }
    return 0;
}

/* Height (m) by fine integration; memoised on a 0.1 ms grid. */
static double *h_table;
static size_t h_len;
static void build_height(void)
{
    double dt = 1e-4;
    h_len = (size_t)(knots[NK - 1].t / dt) + 2;
    h_table = malloc(h_len * sizeof *h_table);
    h_table[0] = 0;
    for (size_t i = 1; i < h_len; i++)
        h_table[i] = h_table[i - 1] + vel_at((i - 0.5) * dt) * dt;
}
static double height_at(double t)
{
    double f = t / 1e-4;
    if (f <= 0)
        return 0;
    size_t i = (size_t)f;
    if (i + 1 >= h_len)
        return h_table[h_len - 1];
    return h_table[i] + (f - i) * (h_table[i + 1] - h_table[i]);
}
/* Horizontal: toward the lifter (image -x) then out in front. */
static double xoff_m(double t)
{
    if (t < 0.4)
        return 0;
    if (t < 0.9)
        return -0.05 * (0.5 - 0.5 * cos(M_PI * (t - 0.4) / 0.5));
    if (t < 1.47)
        return -0.05 + 0.09 * (0.5 - 0.5 * cos(M_PI * (t - 0.9) / 0.57));
    return 0.04;
}
static void truth_px(double t, double *x, double *y)
{
    *x = X0 + xoff_m(t) / M_PER_PX;
    *y = Y0 - height_at(t) / M_PER_PX;
}

static uint64_t rng;
static double urand(void)
{
    rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((rng >> 11) + 0.5) / 9007199254740992.0;
}
static double gauss(void)
{
    double a = urand(), b = urand();
    return sqrt(-2 * log(a)) * cos(2 * M_PI * b);
}

#define NOISE_N 65521
static int8_t noise_tab[NOISE_N];
static void build_noise(void)
{
    rng = 4242;
    for (int i = 0; i < NOISE_N; i++)
        noise_tab[i] = (int8_t)lround(fmax(-100, fmin(100, 4.0 * gauss())));
}

/* Textured background: floor/wall split, smooth colour waves, stripes, grain. */
static uint8_t *make_background(void)
{
    uint8_t *bg = malloc((size_t)W * H * 3);
    rng = 99;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            double base = y > 560 ? 130 : 160;
            double wave = 25 * sin(x * 0.05 + y * 0.013) + 15 * sin(y * 0.11 - x * 0.02);
            double stripe = ((x / 24 + y / 40) % 2) ? 12 : -12;
            for (int c = 0; c < 3; c++) {
                double v = base + wave * (c == 1 ? 0.6 : 1.0) + stripe + (c == 2 ? 20 : 0) +
                           8 * (urand() - 0.5);
                bg[((size_t)y * W + x) * 3 + c] = (uint8_t)fmax(0, fmin(255, v));
            }
        }
    return bg;
}

/* Colour of the plate at distance d from its centre (anti-aliased at edges). */
static void plate_rgb(double d, double r, double out[3], double *alpha)
{
    double edge = fmin(1, fmax(0, r - d + 0.5)); /* coverage of the outer edge */
    double rubber[3] = {38, 38, 44}, rim[3] = {72, 72, 80}, hub[3] = {175, 175, 170},
           hole[3] = {25, 25, 25};
    const double *c = rubber;
    if (d > 0.88 * r)
        c = rim;
    else if (d < 0.06 * r)
        c = hole;
    else if (d < 0.22 * r)
        c = hub;
    for (int k = 0; k < 3; k++)
        out[k] = c[k];
    *alpha = edge;
}

/* Render frame `i` at time t: background + distractor + blurred plate + noise.
   occlude != 0 paints a skin-coloured box over the plate (a lost frame). */
static void render(struct frame *f, const uint8_t *bg, double t, double fps, int occlude)
{
    const int K = 5;
    memcpy(f->data, bg, (size_t)W * H * 3);
    /* static distractor: a smaller plate on a rack, upper right */
    for (int y = 60; y < 180; y++)
        for (int x = 340; x < 460; x++) {
            double d = hypot(x + 0.5 - 400, y + 0.5 - 120), col[3], a;
            plate_rgb(d, 30, col, &a);
            uint8_t *p = f->data + ((size_t)y * W + x) * 3;
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)(a * col[c] + (1 - a) * p[c]);
        }
    double xs[5], ys[5], shutter = 0.5 / fps;
    for (int k = 0; k < K; k++)
        truth_px(t - shutter / 2 + shutter * k / (K - 1), &xs[k], &ys[k]);
    int bx0 = (int)fmin(xs[0], xs[K - 1]) - 50, bx1 = (int)fmax(xs[0], xs[K - 1]) + 50;
    int by0 = (int)fmin(ys[0], ys[K - 1]) - 50, by1 = (int)fmax(ys[0], ys[K - 1]) + 50;
    for (int y = by0 < 0 ? 0 : by0; y < by1 && y < H; y++)
        for (int x = bx0 < 0 ? 0 : bx0; x < bx1 && x < W; x++) {
            uint8_t *p = f->data + ((size_t)y * W + x) * 3;
            double acc[3] = {0, 0, 0};
            for (int k = 0; k < K; k++) {
                double col[3], a, d = hypot(x + 0.5 - xs[k], y + 0.5 - ys[k]);
                plate_rgb(d, PLATE_R, col, &a);
                for (int c = 0; c < 3; c++)
                    acc[c] += a * col[c] + (1 - a) * p[c];
            }
            for (int c = 0; c < 3; c++)
                p[c] = (uint8_t)(acc[c] / K + 0.5);
        }
    if (occlude) {
        double cx, cy;
        truth_px(t, &cx, &cy);
        for (int y = (int)cy - 60; y < (int)cy + 60; y++)
            for (int x = (int)cx - 60; x < (int)cx + 60; x++)
                if (x >= 0 && y >= 0 && x < W && y < H) {
                    uint8_t *p = f->data + ((size_t)y * W + x) * 3;
                    p[0] = 200, p[1] = 150, p[2] = 120;
                }
    }
    /* sensor noise, sigma 4 levels, from a pre-drawn Gaussian table */
    size_t off = (size_t)(urand() * NOISE_N);
    for (size_t i = 0; i < (size_t)W * H * 3; i++) {
        int v = f->data[i] + noise_tab[(off + i * 7919) % NOISE_N];
        f->data[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

struct run_stats {
    size_t n;
    double rms_px, max_px, diam_px, found, vmax;
    struct vision_plate_track tr;
};

static void run_clip(double fps, int with_hands, int occl_from, int occl_to, struct run_stats *st)
{
    struct frame f;
    struct err_ctx e;
    struct vision_plate_tracker *t = NULL;
    uint8_t *bg = make_background();
    assert_int_equal(frame_alloc(&f, W, H, &e), KZ_OK);
    assert_int_equal(vision_plate_tracker_create(NULL, &t, &e), KZ_OK);
    size_t n = (size_t)(knots[NK - 1].t * fps) + 1;
    rng = 7;
    for (size_t i = 0; i < n; i++) {
        double ts = (double)i / fps, tx, ty;
        f.t_s = ts;
        f.index = (int64_t)i;
        render(&f, bg, ts, fps, (int)i >= occl_from && (int)i < occl_to);
        truth_px(ts, &tx, &ty);
        struct vision_hands hands = {2, {tx + 12, tx + 18}, {ty - 25, ty - 22}};
        struct vision_plate_obs o;
        if (vision_plate_tracker_process(t, &f, with_hands ? &hands : NULL, &o, &e) != KZ_OK)
            fail_msg("process: %s", e.msg);
    }
    assert_int_equal(vision_plate_tracker_finish(t, &st->tr, &e), KZ_OK);
    double ss = 0, mx = 0;
    size_t c = 0;
    for (size_t i = 0; i < n; i++) {
        const struct vision_plate_obs *o = &st->tr.obs[i];
        if (o->status != VISION_PLATE_MEASURED)
            continue;
        double tx, ty;
        truth_px(o->t_s, &tx, &ty);
        double d = hypot(o->x_px - tx, o->y_px - ty);
        ss += d * d;
        mx = fmax(mx, d);
        c++;
    }
    st->n = n;
    st->rms_px = c ? sqrt(ss / c) : INFINITY;
    st->max_px = mx;
    st->diam_px = st->tr.diameter_px;
    st->found = st->tr.found_fraction;
    vision_plate_tracker_destroy(t);
    frame_free(&f);
    free(bg);
}

struct lift_figures {
    double vmax, hmax;     /* peak vertical speed m/s, max height m */
    double dxf, dxb;       /* DxF toward / DxB away, m */
    double path_max_err_m; /* max |bar path - truth| over the lift, m (origin at lift-off) */
};

static void lift_speed(struct run_stats *st, struct lift_figures *out)
{
    size_t n = st->tr.n;
    double *t = malloc(n * sizeof *t), *x = malloc(n * sizeof *x), *y = malloc(n * sizeof *y);
    double *cf = malloc(n * sizeof *cf);
    uint8_t *fl = malloc(n);
    for (size_t i = 0; i < n; i++) {
        t[i] = st->tr.obs[i].t_s;
        x[i] = st->tr.obs[i].x_px;
        y[i] = st->tr.obs[i].y_px;
        cf[i] = st->tr.obs[i].confidence;
        fl[i] = (uint8_t)st->tr.obs[i].status;
    }
    struct lift_input in = {.exercise = LIFT_SNATCH,
                            .n_frames = n,
                            .t_s = t,
                            .bar_x_px = x,
                            .bar_y_px = y,
                            .bar_flag = fl,
                            .bar_conf = cf,
                            .m_per_px = st->tr.m_per_px,
                            .facing = 1,
                            .barbell_mass_kg = 100};
    struct lift_result *r = NULL;
    struct err_ctx e;
    if (lift_analyze(&in, &r, &e) != KZ_OK)
        fail_msg("lift: %s", e.msg);
    out->vmax = r->m[LIFT_M_MAX_BAR_VEL_Y].value;
    out->hmax = r->m[LIFT_M_MAX_BAR_HEIGHT].value;
    out->dxf = r->m[LIFT_M_DX_TOWARD].value;
    out->dxb = r->m[LIFT_M_DX_AWAY].value;
    /* The bar path in metres against the rendered truth, both referenced to the
       detected lift-off (facing +1: + toward the lifter = image -x). */
    out->path_max_err_m = INFINITY;
    if (r->ev[LIFT_EV_START_OF_LIFTING].found && r->ev[LIFT_EV_CATCH_END].found) {
        size_t s0 = r->ev[LIFT_EV_START_OF_LIFTING].index, s1 = r->ev[LIFT_EV_CATCH_END].index;
        double x0, y0, err = 0;
        truth_px(r->t_s[s0], &x0, &y0);
        for (size_t i = s0; i <= s1; i++) {
            double tx, ty;
            truth_px(r->t_s[i], &tx, &ty);
            double ex = r->bar_x_m[i] - (-(tx - x0) * M_PER_PX);
            double ey = r->bar_y_m[i] - (-(ty - y0) * M_PER_PX);
            err = fmax(err, hypot(ex, ey));
        }
        out->path_max_err_m = err;
    }
    lift_result_destroy(r);
    free(t);
    free(x);
    free(y);
    free(cf);
    free(fl);
}

/* Tolerances: centre RMS <= 1.5 px (plate 90 px; blur up to 2 m/s × 1/50 s =
   8 px smear at 25 fps), diameter within 2 %, plate found in >= 95 % of the
   frames, peak vertical bar speed within 6 % and max height within 2 cm; the
   bar path in metres within 2 cm of the truth from lift-off to the catch (6 Hz
   low-pass lag at the fastest turn included), DxF (5 cm toward the lifter) and
   DxB (9 cm back) within 1 cm. */
static void check_fps(double fps, int hands)
{
    struct run_stats st;
    memset(&st, 0, sizeof st);
    run_clip(fps, hands, -1, -1, &st);
    struct lift_figures lf;
    lift_speed(&st, &lf);
    double vmax = lf.vmax, hmax = lf.hmax;
    double h_true = 0;
    for (double tt = 0; tt < knots[NK - 1].t; tt += 1e-3)
        if (tt < 1.7)
            h_true = fmax(h_true, height_at(tt));
    printf("fps %.0f hands %d: found %.3f rms %.2f px max %.2f px diam %.2f px conf %.2f "
           "vmax %.3f m/s hmax %.3f (true %.3f) m dxf %.3f dxb %.3f path err %.3f m\n",
           fps, hands, st.found, st.rms_px, st.max_px, st.diam_px, st.tr.mean_confidence, vmax,
           hmax, h_true, lf.dxf, lf.dxb, lf.path_max_err_m);
    assert_true(st.found >= 0.95);
    assert_true(st.rms_px <= 1.5);
    assert_true(fabs(st.diam_px - 2 * PLATE_R) <= 0.02 * 2 * PLATE_R);
    assert_true(fabs(st.tr.m_per_px - M_PER_PX) <= 0.02 * M_PER_PX);
    assert_true(fabs(vmax - 2.0) <= 0.12);
    assert_true(fabs(hmax - h_true) <= 0.02);
    assert_true(lf.path_max_err_m <= 0.02);
    assert_true(fabs(lf.dxf - 0.05) <= 0.01);
    assert_true(fabs(lf.dxb - 0.09) <= 0.01);
    vision_plate_track_cleanup(&st.tr);
}

static void test_25fps(void **state)
{
    (void)state;
    check_fps(25, 0);
}
static void test_30fps_hands(void **state)
{
    (void)state;
    check_fps(30, 1);
}
static void test_60fps(void **state)
{
    (void)state;
    check_fps(60, 0);
}

/* Occluded frames are lost online, interpolated and flagged after finish. */
static void test_lost_interpolated(void **state)
{
    (void)state;
    struct run_stats st;
    memset(&st, 0, sizeof st);
    run_clip(30, 1, 20, 24, &st); /* 0.67..0.77 s, first pull */
    for (int i = 20; i < 24; i++) {
        const struct vision_plate_obs *o = &st.tr.obs[i];
        assert_int_equal(o->status, VISION_PLATE_INTERPOLATED);
        assert_true(o->confidence == 0.0);
        double tx, ty;
        truth_px(o->t_s, &tx, &ty);
        assert_true(hypot(o->x_px - tx, o->y_px - ty) < 6.0); /* smooth motion: linear is close */
    }
    assert_int_equal(st.tr.obs[19].status, VISION_PLATE_MEASURED);
    assert_int_equal(st.tr.obs[24].status, VISION_PLATE_MEASURED);
    assert_true(st.tr.n_interpolated >= 4);
    vision_plate_track_cleanup(&st.tr);
}

static void test_errors(void **state)
{
    (void)state;
    struct vision_plate_tracker *t = NULL;
    struct vision_plate_track tr;
    struct err_ctx e;
    struct vision_plate_opts bad = {.min_diameter_frac = 0.5, .max_diameter_frac = 0.2};
    assert_int_equal(vision_plate_tracker_create(&bad, &t, &e), KZ_E_INVALID);
    assert_int_equal(vision_plate_tracker_create(NULL, &t, &e), KZ_OK);
    assert_int_equal(vision_plate_tracker_finish(t, &tr, &e), KZ_E_NOT_FOUND);
    vision_plate_track_cleanup(&tr);
    struct frame f, g;
    assert_int_equal(frame_alloc(&f, 64, 64, &e), KZ_OK);
    assert_int_equal(frame_alloc(&g, 80, 64, &e), KZ_OK);
    f.t_s = 1.0;
    assert_int_equal(vision_plate_tracker_process(t, &f, NULL, NULL, &e), KZ_OK);
    f.t_s = 0.5;
    assert_int_equal(vision_plate_tracker_process(t, &f, NULL, NULL, &e), KZ_E_INVALID);
    g.t_s = 2.0;
    assert_int_equal(vision_plate_tracker_process(t, &g, NULL, NULL, &e), KZ_E_INVALID);
    /* a blank frame has no plate: lost, not invented */
    assert_int_equal(vision_plate_tracker_finish(t, &tr, &e), KZ_OK);
    assert_int_equal(tr.n, 1);
    assert_int_equal(tr.obs[0].status, VISION_PLATE_LOST);
    assert_true(isnan(tr.obs[0].x_px));
    assert_true(isnan(tr.m_per_px));
    vision_plate_track_cleanup(&tr);
    vision_plate_track_cleanup(NULL);
    frame_free(&f);
    frame_free(&g);
    vision_plate_tracker_destroy(t);
    vision_plate_tracker_destroy(NULL);
}

int main(void)
{
    build_height();
    build_noise();
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_25fps),
        cmocka_unit_test(test_30fps_hands),
        cmocka_unit_test(test_60fps),
        cmocka_unit_test(test_lost_interpolated),
    };
    int rc = cmocka_run_group_tests(tests, NULL, NULL);
    free(h_table);
    return rc;
}
