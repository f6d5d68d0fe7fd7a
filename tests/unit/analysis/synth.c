/*
 * synth.c — synthetic side-view running and jumping with known answers (see
 * synth.h). The body is a planar stick figure with Winter (2009) segment
 * proportions; knees come from two-link inverse kinematics, feet from an
 * explicit heel/toe model (rear-foot or fore-foot pivot in stance, sine
 * clearance in swing), the jump hip from piecewise cosine / cubic-Hermite /
 * ballistic pieces whose take-off velocity is g·t_flight/2 by construction.
 */
#include "synth.h"

#include <math.h>
#include <stdint.h>
#include <string.h>

#define G 9.80665
#define IMG_W 1080
#define IMG_H 1920
#define FLOOR_PX 1750.0
#define CENTER_PX 540.0

struct rng {
    uint64_t s;
};
static double rng_u(struct rng *r)
{
    r->s = r->s * 6364136223846793005ULL + 1442695040888963407ULL;
    return ((r->s >> 11) + 0.5) / 9007199254740992.0;
}
static double rng_n(struct rng *r)
{
    double u1 = rng_u(r), u2 = rng_u(r);
    return sqrt(-2 * log(u1)) * cos(2 * M_PI * u2);
}

void synth_common_defaults(struct synth_common *c, double fps)
{
    memset(c, 0, sizeof *c);
    c->fps = fps;
    c->noise_px = 1.5;
    c->world_noise_m = 0.01;
    c->visibility = 0.95;
    c->seed = 7;
    c->m_per_px = 0.002;
    c->height_m = 1.75;
}

/* Body geometry in metres from the height (Winter 2009, Table 4.1). */
struct body {
    double shank, thigh, trunk, ankle_h, ankle_x, foot, uarm, farm, head;
};
static struct body body_of(double h)
{
    struct body b = {0.246 * h, 0.245 * h, 0.288 * h, 0.039 * h, 0.05,
                     0.12 * h,  0.186 * h, 0.146 * h, 0.11 * h};
    return b;
}

struct pt {
    double x, y;
};

/* Knee from hip P and ankle A, bending forward (+x). */
static struct pt knee_ik(struct pt P, struct pt A, double lt, double ls)
{
    double dx = A.x - P.x, dy = A.y - P.y, d = hypot(dx, dy);
    struct pt K;
    if (d >= lt + ls - 1e-9 || d < 1e-9) {
        double f = lt / (lt + ls);
        K.x = P.x + dx * f;
        K.y = P.y + dy * f;
        return K;
    }
    double ux = dx / d, uy = dy / d;
    double cb = (lt * lt + d * d - ls * ls) / (2 * lt * d);
    if (cb > 1)
        cb = 1;
    double sb = sqrt(1 - cb * cb);
    /* Perpendicular pointing forward. */
    double px = -uy, py = ux;
    if (px < 0)
        px = -px, py = -py;
    K.x = P.x + lt * (ux * cb + px * sb);
    K.y = P.y + lt * (uy * cb + py * sb);
    return K;
}

struct foot {
    struct pt heel, toe, ankle;
};

static struct foot foot_from_heel(const struct body *b, struct pt heel, double alpha)
{
    struct foot f;
    f.heel = heel;
    f.toe.x = heel.x + b->foot * cos(alpha);
    f.toe.y = heel.y + b->foot * sin(alpha);
    f.ankle.x = heel.x + b->ankle_x * cos(alpha) - b->ankle_h * sin(alpha);
    f.ankle.y = heel.y + b->ankle_x * sin(alpha) + b->ankle_h * cos(alpha);
    return f;
}
static struct foot foot_from_toe(const struct body *b, struct pt toe, double alpha)
{
    struct pt heel = {toe.x - b->foot * cos(alpha), toe.y - b->foot * sin(alpha)};
    return foot_from_heel(b, heel, alpha);
}

struct pose {
    struct pt lm[AN_N_LANDMARKS];
};

/* Assemble all 33 landmarks from hip, trunk lean, feet and arm angles. */
static void pose_build(const struct body *b, struct pt hip, double lean_rad,
                       const struct foot ft[2], const double sho_rad[2], const double elb_rad[2],
                       struct pose *p)
{
    struct pt sh = {hip.x + b->trunk * sin(lean_rad), hip.y + b->trunk * cos(lean_rad)};
    for (int side = 0; side < 2; side++) {
        struct pt K = knee_ik(hip, ft[side].ankle, b->thigh, b->shank);
        int o = side; /* 0 left, 1 right: BlazePose odd = left for body points */
        p->lm[AN_L_HIP + o] = hip;
        p->lm[AN_L_KNEE + o] = K;
        p->lm[AN_L_ANKLE + o] = ft[side].ankle;
        p->lm[AN_L_HEEL + o] = ft[side].heel;
        p->lm[AN_L_FOOT + o] = ft[side].toe;
        p->lm[AN_L_SHOULDER + o] = sh;
        /* Upper arm: hanging down from the trunk direction rotated forward by sho. */
        double a = lean_rad + M_PI - sho_rad[side]; /* direction angle from +y, clockwise */
        struct pt E = {sh.x + b->uarm * sin(a), sh.y + b->uarm * cos(a)};
        double a2 = a - elb_rad[side];
        struct pt W = {E.x + b->farm * sin(a2), E.y + b->farm * cos(a2)};
        p->lm[AN_L_ELBOW + o] = E;
        p->lm[AN_L_WRIST + o] = W;
        p->lm[AN_L_PINKY + o] = (struct pt){W.x + 0.02, W.y - 0.05};
        p->lm[AN_L_INDEX + o] = (struct pt){W.x + 0.03, W.y - 0.05};
        p->lm[AN_L_THUMB + o] = (struct pt){W.x + 0.03, W.y - 0.02};
    }
    struct pt head = {sh.x + 0.08, sh.y + b->head};
    p->lm[AN_NOSE] = head;
    for (int j = AN_L_EYE_INNER; j <= AN_R_EYE_OUTER; j++)
        p->lm[j] = (struct pt){head.x - 0.01 * (j % 3), head.y + 0.03};
    p->lm[AN_L_EAR] = p->lm[AN_R_EAR] = (struct pt){head.x - 0.1, head.y + 0.02};
    p->lm[AN_MOUTH_L] = p->lm[AN_MOUTH_R] = (struct pt){head.x - 0.01, head.y - 0.04};
}

static int is_foot(int j)
{
    return j == AN_L_HEEL || j == AN_R_HEEL || j == AN_L_FOOT || j == AN_R_FOOT;
}

/* Render one pose (metres, y up) into an_frame with noise. */
static void render(const struct synth_common *c, const struct pose *p, double x0, struct rng *r,
                   struct an_frame *f)
{
    double s = c->m_per_px;
    struct pt hipmid = {0.5 * (p->lm[AN_L_HIP].x + p->lm[AN_R_HIP].x),
                        0.5 * (p->lm[AN_L_HIP].y + p->lm[AN_R_HIP].y)};
    f->valid = 1;
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        struct an_landmark *l = &f->lm[j];
        l->x_px = (float)(CENTER_PX + (p->lm[j].x - x0) / s + c->noise_px * rng_n(r));
        l->y_px = (float)(FLOOR_PX - p->lm[j].y / s + c->noise_px * rng_n(r));
        l->z = 0;
        double v = c->visibility;
        if (is_foot(j) && c->foot_visibility > 0)
            v = c->foot_visibility;
        l->visibility = (float)v;
        l->presence = (float)(v > 0.5 ? 0.99 : v);
        int right = (j >= AN_L_SHOULDER) ? ((j - AN_L_SHOULDER) % 2) : 0;
        f->world_m[j][0] = (float)(p->lm[j].x - hipmid.x + c->world_noise_m * rng_n(r));
        f->world_m[j][1] = (float)(-(p->lm[j].y - hipmid.y) + c->world_noise_m * rng_n(r));
        f->world_m[j][2] = (float)((right ? -0.1 : 0.1) + c->world_noise_m * rng_n(r));
    }
}

static int times_make(const struct synth_common *c, double duration, struct an_series *s,
                      struct rng *r)
{
    int n = (int)(duration * c->fps) + 1;
    if (analysis_series_init(s, n, IMG_W, IMG_H, NULL))
        return -1;
    double t = 0;
    for (int i = 0; i < n; i++) {
        s->frames[i].t_s = t;
        double j = c->jitter * (2 * rng_u(r) - 1);
        t += (1 + j) / c->fps;
    }
    return 0;
}

static double hermite(double p0, double m0, double p1, double m1, double s)
{
    double s2 = s * s, s3 = s2 * s;
    return (2 * s3 - 3 * s2 + 1) * p0 + (s3 - 2 * s2 + s) * m0 + (-2 * s3 + 3 * s2) * p1 +
           (s3 - s2) * m1;
}

/* ------------------------------------------------------------------ running */

static double pmod(double a, double m)
{
    double r = fmod(a, m);
    return r < 0 ? r + m : r;
}

static void run_foot(const struct synth_run *p, const struct body *b, double phi, struct foot *f)
{
    double T = 120.0 / p->cadence_spm, Tc = p->contact_s, Tsw = T - Tc, v = p->speed_mps;
    double th = p->strike_deg * M_PI / 180, off = -30 * M_PI / 180;
    double xc = p->overstride_m; /* flat heel position at contact (hip at x = 0) */
    if (th < 0)
        xc = p->overstride_m - b->foot + b->foot * cos(th); /* heel where it would be when flat */
    if (phi < Tc) {
        double tau = phi / Tc, hx = xc - v * phi, a;
        if (tau < 0.15)
            a = th * (1 - tau / 0.15);
        else if (tau < 0.6)
            a = 0;
        else
            a = off * (tau - 0.6) / 0.4;
        if (a > 0)
            *f = foot_from_heel(b, (struct pt){hx, 0}, a);
        else
            *f = foot_from_toe(b, (struct pt){hx + b->foot, 0}, a);
        return;
    }
    double tau = (phi - Tc) / Tsw;
    double sm = 0.5 * (1 - cos(M_PI * tau));
    double a = off + (th - off) * sm;
    double h = 0.2 * sin(M_PI * tau);
    /* Heel x at toe-off and at the next contact. */
    double toe_end = xc - v * Tc + b->foot;
    double heel0 = toe_end - b->foot * cos(off);
    double heel1 = th >= 0 ? xc : xc + b->foot - b->foot * cos(th);
    double hx = hermite(heel0, -v * Tsw, heel1, -0.3 * v * Tsw, tau);
    if (a >= 0) {
        *f = foot_from_heel(b, (struct pt){hx, h}, a);
    } else {
        struct pt toe = {hx + b->foot * cos(a), h};
        *f = foot_from_toe(b, toe, a);
    }
}

static void run_pose(const struct synth_run *p, const struct body *b, double t, struct pose *ps,
                     double *t_l0)
{
    double Tst = 60.0 / p->cadence_spm, T = 2 * Tst;
    double t0[2] = {0.1, 0.1 + Tst};
    struct foot ft[2];
    for (int side = 0; side < 2; side++)
        run_foot(p, b, pmod(t - t0[side], T), &ft[side]);
    double Hh = 0.486 * p->c.height_m;
    double tmf = t0[0] + p->contact_s + (Tst - p->contact_s) / 2;
    struct pt hip = {0, Hh + 0.5 * p->vo_m * cos(2 * M_PI * (t - tmf) / Tst)};
    double ph = 2 * M_PI * (t - t0[0]) / T;
    double sho[2] = {-0.6 * sin(ph), 0.6 * sin(ph)}, elb[2] = {1.4, 1.4};
    pose_build(b, hip, 8 * M_PI / 180, ft, sho, elb, ps);
    if (t_l0)
        *t_l0 = t0[0];
}

int synth_run_make(const struct synth_run *p, struct an_series *s, struct synth_run_truth *t)
{
    struct rng r = {p->c.seed * 2654435761ULL + 1};
    struct body b = body_of(p->c.height_m);
    if (times_make(&p->c, p->duration_s, s, &r))
        return -1;
    for (int i = 0; i < s->n_frames; i++) {
        struct pose ps;
        run_pose(p, &b, s->frames[i].t_s, &ps, NULL);
        render(&p->c, &ps, 0, &r, &s->frames[i]);
    }
    if (t) {
        memset(t, 0, sizeof *t);
        double Tst = 60.0 / p->cadence_spm;
        double tend = s->frames[s->n_frames - 1].t_s;
        double ksum = 0, ssum = 0, csum = 0, hsum = 0;
        for (int k = 0; k < 256; k++) {
            double on = 0.1 + k * Tst;
            if (on > tend)
                break;
            t->t_on[t->n_contacts] = on;
            t->t_off[t->n_contacts] = on + p->contact_s;
            t->side[t->n_contacts] = k % 2;
            struct pose ps;
            run_pose(p, &b, on, &ps, NULL);
            int o = k % 2;
            struct pt H = ps.lm[AN_L_HIP + o], K = ps.lm[AN_L_KNEE + o], A = ps.lm[AN_L_ANKLE + o];
            double ux = H.x - K.x, uy = H.y - K.y, vx = A.x - K.x, vy = A.y - K.y;
            double ang = acos((ux * vx + uy * vy) / (hypot(ux, uy) * hypot(vx, vy)));
            ksum += 180 - ang * 180 / M_PI;
            /* Shank from vertical (+ ankle ahead), the athlete faces +x. */
            ssum += atan2(A.x - K.x, K.y - A.y) * 180 / M_PI;
            /* Contact point (the lower of heel and toe) → hip line vs the ground ahead. */
            struct pt he = ps.lm[AN_L_HEEL + o], to = ps.lm[AN_L_FOOT + o];
            struct pt cp = to.y < he.y ? to : he;
            csum += atan2(H.y - cp.y, cp.x - H.x) * 180 / M_PI;
            /* Hip angle at toe-off: trunk line (shoulder → hip) to thigh (hip → knee). */
            run_pose(p, &b, on + p->contact_s, &ps, NULL);
            struct pt S = ps.lm[AN_L_SHOULDER + o], H2 = ps.lm[AN_L_HIP + o],
                      K2 = ps.lm[AN_L_KNEE + o];
            double tx = H2.x - S.x, ty = H2.y - S.y, qx = K2.x - H2.x, qy = K2.y - H2.y;
            hsum += atan2(tx * qy - ty * qx, tx * qx + ty * qy) * 180 / M_PI;
            t->n_contacts++;
        }
        int nc = t->n_contacts;
        t->knee_flexion_contact_deg = nc ? ksum / nc : NAN;
        t->shank_angle_contact_deg = nc ? ssum / nc : NAN;
        t->contact_angle_deg = nc ? csum / nc : NAN;
        t->hip_angle_toeoff_deg = nc ? hsum / nc : NAN;
    }
    return 0;
}

/* ------------------------------------------------------------------ jumping */

enum jseg { J_QUIET, J_ECC, J_CON, J_FLIGHT, J_LAND, J_RECOVER, J_BOX, J_FALL, J_DJ1, J_DJ2 };
struct piece {
    enum jseg kind;
    double t0, dur;
    double p0, m0, p1, m1; /* hip heights/velocities for Hermite pieces */
};

struct jplan {
    int n;
    struct piece pc[96];
    double H0, ext, v_to, tuck;
    double box;
};

static void add(struct jplan *pl, enum jseg k, double *t, double dur, double p0, double m0,
                double p1, double m1)
{
    if (pl->n >= 96)
        return;
    pl->pc[pl->n++] = (struct piece){k, *t, dur, p0, m0, p1, m1};
    *t += dur;
}

static double flight_dur(double v, double tuck)
{
    return (v + sqrt(v * v + 2 * G * tuck)) / G;
}

static void jump_plan(const struct synth_jump *p, const struct body *b, struct jplan *pl,
                      struct synth_jump_truth *tr)
{
    memset(pl, 0, sizeof *pl);
    double H0 = b->ankle_h + b->shank + b->thigh, ext = 0.08;
    double v = G * p->flight_s / 2;
    pl->H0 = H0, pl->ext = ext, pl->v_to = v, pl->tuck = p->tuck_m, pl->box = p->box_m;
    double t = 0;
    memset(tr, 0, sizeof *tr);
    for (int j = 0; j < p->n_jumps && j < 8; j++) {
        double hto = H0 + ext;
        if (p->drop) {
            tr->t_box_start[j] = t;
            add(pl, J_BOX, &t, 1.0, 0, 0, 0, 0);
            double tf = sqrt(2 * p->box_m / G), vi = sqrt(2 * G * p->box_m);
            add(pl, J_FALL, &t, tf, 0, 0, 0, 0);
            tr->t_contact[j] = t;
            double D = p->depth_m;
            add(pl, J_DJ1, &t, 0.45 * p->contact_s, H0, -vi, H0 - D, 0);
            add(pl, J_DJ2, &t, 0.55 * p->contact_s, H0 - D, 0, hto, v);
        } else {
            add(pl, J_QUIET, &t, j == 0 ? 1.0 : 0.8, H0, 0, H0, 0);
            add(pl, J_ECC, &t, 0.45, H0, 0, H0 - p->depth_m, 0);
            double dh = p->depth_m + ext, tc = fmin(0.35, 2.5 * dh / v);
            add(pl, J_CON, &t, tc, H0 - p->depth_m, 0, hto, v);
        }
        tr->t_takeoff[j] = t;
        double fd = flight_dur(v, p->tuck_m);
        add(pl, J_FLIGHT, &t, fd, hto, v, 0, 0);
        tr->t_landing[j] = t;
        double hl = hto - p->tuck_m, vl = sqrt(v * v + 2 * G * p->tuck_m), dl = 0.15;
        double tl = fmin(0.3, 2.5 * (hl - (H0 - dl)) / vl);
        add(pl, J_LAND, &t, tl, hl, -vl, H0 - dl, 0);
        add(pl, J_RECOVER, &t, 0.6, H0 - dl, 0, H0, 0);
        add(pl, J_QUIET, &t, 0.8, H0, 0, H0, 0);
        tr->flight_s[j] = fd;
        tr->height_ft_m[j] = G * fd * fd / 8;
        tr->height_v_m[j] = v * v / (2 * G);
        tr->takeoff_v_mps[j] = v;
        tr->depth_m[j] = p->drop ? p->depth_m : p->depth_m;
        tr->n = j + 1;
    }
}

/* Foot rotation about the toe that raises the ankle by e (bisection). */
static double heel_raise_alpha(const struct body *b, double e)
{
    double lo = -1.2, hi = 0;
    for (int it = 0; it < 50; it++) {
        double a = 0.5 * (lo + hi);
        struct foot f = foot_from_toe(b, (struct pt){b->foot, 0}, a);
        if (f.ankle.y - b->ankle_h > e)
            lo = a;
        else
            hi = a;
    }
    return 0.5 * (lo + hi);
}

static void jump_pose(const struct jplan *pl, const struct body *b, double t, struct pose *ps)
{
    const struct piece *pc = &pl->pc[pl->n - 1];
    for (int i = 0; i < pl->n; i++)
        if (t < pl->pc[i].t0 + pl->pc[i].dur) {
            pc = &pl->pc[i];
            break;
        }
    double u = (t - pc->t0) / pc->dur;
    if (u < 0)
        u = 0;
    if (u > 1)
        u = 1;
    double h = pl->H0, lift = 0, tuck_off = 0; /* lift: rigid translation of the takeoff pose */
    int rigid = 0;
    switch (pc->kind) {
    case J_QUIET:
        h = pl->H0;
        break;
    case J_RECOVER:
    case J_ECC:
        h = pc->p0 + (pc->p1 - pc->p0) * 0.5 * (1 - cos(M_PI * u));
        break;
    case J_CON:
    case J_LAND:
    case J_DJ1:
    case J_DJ2:
        h = hermite(pc->p0, pc->m0 * pc->dur, pc->p1, pc->m1 * pc->dur, u);
        break;
    case J_FLIGHT: {
        double tt = t - pc->t0;
        lift = pc->m0 * tt - 0.5 * G * tt * tt;
        rigid = 1;
        double fd = pc->dur;
        if (pl->tuck > 0 && tt > 0.5 * fd)
            tuck_off = pl->tuck * fmin(1, (tt - 0.5 * fd) / (0.3 * fd));
        break;
    }
    case J_BOX:
        h = pl->H0;
        lift = pl->box;
        break;
    case J_FALL: {
        double tt = t - pc->t0;
        h = pl->H0;
        lift = pl->box - 0.5 * G * tt * tt;
        if (lift < 0)
            lift = 0;
        break;
    }
    }
    struct foot ft[2];
    struct pt hip;
    double hto = pl->H0 + pl->ext;
    if (rigid) {
        double a = heel_raise_alpha(b, pl->ext);
        struct foot f = foot_from_toe(b, (struct pt){b->foot, 0}, a);
        hip = (struct pt){foot_from_heel(b, (struct pt){0, 0}, 0).ankle.x, hto + lift};
        for (int s = 0; s < 2; s++) {
            ft[s] = f;
            ft[s].heel.y += lift + tuck_off;
            ft[s].toe.y += lift + tuck_off;
            ft[s].ankle.y += lift + tuck_off;
        }
    } else {
        double e = h - pl->H0;
        struct foot f;
        if (e > 0) {
            double a = heel_raise_alpha(b, fmin(e, pl->ext));
            f = foot_from_toe(b, (struct pt){b->foot, 0}, a);
        } else {
            f = foot_from_heel(b, (struct pt){0, 0}, 0);
        }
        double ax = foot_from_heel(b, (struct pt){0, 0}, 0).ankle.x;
        hip = (struct pt){ax, h + lift};
        for (int s = 0; s < 2; s++) {
            ft[s] = f;
            ft[s].heel.y += lift;
            ft[s].toe.y += lift;
            ft[s].ankle.y += lift;
        }
    }
    double lean = 0.6 * fmax(0, fmin(1, (pl->H0 - h) / 0.35));
    double sho[2] = {0.1, 0.1}, elb[2] = {0.2, 0.2};
    pose_build(b, hip, lean, ft, sho, elb, ps);
}

void synth_jump_state_at(const struct synth_jump *p, double t, struct synth_jump_state *st)
{
    struct body b = body_of(p->c.height_m);
    struct jplan pl;
    struct synth_jump_truth tr;
    jump_plan(p, &b, &pl, &tr);
    const double h = 2e-4;
    double hy[3], fy[3];
    for (int q = 0; q < 3; q++) {
        struct pose ps;
        jump_pose(&pl, &b, t + (q - 1) * h, &ps);
        hy[q] = ps.lm[AN_L_HIP].y;
        fy[q] = INFINITY;
        static const int feet[4] = {AN_L_HEEL, AN_R_HEEL, AN_L_FOOT, AN_R_FOOT};
        for (int k = 0; k < 4; k++)
            fy[q] = fmin(fy[q], ps.lm[feet[k]].y);
    }
    st->hip_y_m = hy[1];
    st->hip_v_mps = (hy[2] - hy[0]) / (2 * h);
    st->hip_a_mps2 = (hy[2] - 2 * hy[1] + hy[0]) / (h * h);
    st->foot_y_m = fy[1];
    st->foot_v_mps = (fy[2] - fy[0]) / (2 * h);
}

/* Phase times and peaks of jump j by the analysis' definitions (synth.h), on a
   1 ms grid of the true motion. */
static void jump_truth_phases(const struct synth_jump *p, const struct body *b,
                              struct synth_jump_truth *tr, int j)
{
    const double step = 1e-3;
    struct synth_jump_state st;
    double to = tr->t_takeoff[j];
    double w0 = p->drop ? tr->t_contact[j] : fmax(0, to - 1.2);
    double tl = w0, yl = INFINITY;
    for (double t = w0; t <= to; t += step) {
        synth_jump_state_at(p, t, &st);
        if (st.hip_y_m < yl)
            yl = st.hip_y_m, tl = t;
    }
    tr->t_lowest[j] = tl;
    double on = w0;
    if (!p->drop) {
        double vmin = 0, tb = w0;
        for (double t = w0; t <= tl; t += step) {
            synth_jump_state_at(p, t, &st);
            if (st.hip_v_mps < vmin)
                vmin = st.hip_v_mps, tb = t;
        }
        on = tb;
        for (;;) {
            synth_jump_state_at(p, on - step, &st);
            if (on - step < w0 || !(st.hip_v_mps < 0.1 * vmin))
                break;
            on -= step;
        }
    }
    tr->t_onset[j] = on;
    double amax = -INFINITY, pmax = -INFINITY;
    for (double t = on; t <= to; t += step) {
        synth_jump_state_at(p, t, &st);
        amax = fmax(amax, st.hip_a_mps2);
        pmax = fmax(pmax, (G + st.hip_a_mps2) * st.hip_v_mps);
    }
    tr->peak_a_takeoff[j] = amax;
    tr->peak_power_per_kg[j] = pmax;
    amax = -INFINITY;
    for (double t = tr->t_landing[j]; t <= tr->t_landing[j] + 0.9; t += step) {
        synth_jump_state_at(p, t, &st);
        amax = fmax(amax, st.hip_a_mps2);
    }
    tr->peak_a_landing[j] = amax;
    /* Knee flexion at the lowest point: 180° − interior hip-knee-ankle angle. */
    struct jplan pl;
    struct synth_jump_truth dummy;
    jump_plan(p, b, &pl, &dummy);
    struct pose ps;
    jump_pose(&pl, b, tl, &ps);
    struct pt H = ps.lm[AN_L_HIP], K = ps.lm[AN_L_KNEE], A = ps.lm[AN_L_ANKLE];
    double ux = H.x - K.x, uy = H.y - K.y, vx = A.x - K.x, vy = A.y - K.y;
    tr->knee_lowest_deg[j] =
        180 - acos((ux * vx + uy * vy) / (hypot(ux, uy) * hypot(vx, vy))) * 180 / M_PI;
}

int synth_jump_make(const struct synth_jump *p, struct an_series *s, struct synth_jump_truth *t)
{
    struct rng r = {p->c.seed * 2654435761ULL + 3};
    struct body b = body_of(p->c.height_m);
    struct jplan pl;
    struct synth_jump_truth tr;
    jump_plan(p, &b, &pl, &tr);
    double dur = pl.pc[pl.n - 1].t0 + pl.pc[pl.n - 1].dur;
    if (times_make(&p->c, dur, s, &r))
        return -1;
    for (int i = 0; i < s->n_frames; i++) {
        struct pose ps;
        jump_pose(&pl, &b, s->frames[i].t_s, &ps);
        render(&p->c, &ps, 0, &r, &s->frames[i]);
    }
    if (t) {
        tr.stand_hip_m = pl.H0;
        for (int j = 0; j < tr.n; j++)
            jump_truth_phases(p, &b, &tr, j);
        *t = tr;
    }
    return 0;
}

void synth_swap_legs(struct an_series *s, int a, int b)
{
    static const int L[5] = {AN_L_HIP, AN_L_KNEE, AN_L_ANKLE, AN_L_HEEL, AN_L_FOOT};
    for (int i = a; i < b && i < s->n_frames; i++)
        for (int j = 0; j < 5; j++) {
            struct an_frame *f = &s->frames[i];
            struct an_landmark tl = f->lm[L[j]];
            f->lm[L[j]] = f->lm[L[j] + 1];
            f->lm[L[j] + 1] = tl;
            for (int q = 0; q < 3; q++) {
                float tw = f->world_m[L[j]][q];
                f->world_m[L[j]][q] = f->world_m[L[j] + 1][q];
                f->world_m[L[j] + 1][q] = tw;
            }
        }
}
