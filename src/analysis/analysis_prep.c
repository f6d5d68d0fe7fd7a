/*
 * analysis_prep.c — from a raw landmark series to filtered kinematics:
 * validity mask, left/right identity repair, pixel→metre scale, gap
 * filling, zero-lag low-pass, velocities, accelerations and joint angles. Running,
 * jumping and the lift module all start from analysis_prepare().
 *
 * Left/right repair: a side view lets the pose model swap the leg (or arm)
 * labels for a few frames. Per limb group we choose, per frame, "keep" or
 * "swap" by a Viterbi search over pairs of consecutive decisions whose cost
 * is the constant-velocity prediction error of the relabelled trajectories
 * (continuity), plus a small cost per swapped frame (the model's labels are
 * right most of the time). Afterwards frames whose thigh or shank length is
 * far from the clip's median (segment-length constancy) lose that limb's
 * distal landmarks, which gap filling then bridges. Gait alternation is
 * checked by the running analysis.
 *
 * Scale: either the athlete's height — shank + thigh + trunk (hip→shoulder)
 * = (0.246 + 0.245 + 0.288) × height, segment ratios from Winter 2009,
 * Table 4.1 (Drillis & Contini) — or the pose model's world landmarks
 * (metres) compared with the same chain in pixels, median over frames.
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define WINTER_CHAIN_FRACTION (0.246 + 0.245 + 0.288)

static const int leg_group[2][5] = {
    {AN_L_HIP, AN_L_KNEE, AN_L_ANKLE, AN_L_HEEL, AN_L_FOOT},
    {AN_R_HIP, AN_R_KNEE, AN_R_ANKLE, AN_R_HEEL, AN_R_FOOT},
};
static const int arm_group[2][6] = {
    {AN_L_SHOULDER, AN_L_ELBOW, AN_L_WRIST, AN_L_PINKY, AN_L_INDEX, AN_L_THUMB},
    {AN_R_SHOULDER, AN_R_ELBOW, AN_R_WRIST, AN_R_PINKY, AN_R_INDEX, AN_R_THUMB},
};

void analysis_kinematics_cleanup(struct an_kinematics *k)
{
    if (!k)
        return;
    free(k->t_s);
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        free(k->x[j]);
        free(k->y[j]);
        free(k->vx[j]);
        free(k->vy[j]);
        free(k->ax[j]);
        free(k->ay[j]);
        free(k->conf[j]);
        free(k->rx[j]);
        free(k->ry[j]);
    }
    for (int a = 0; a < AN_ANG__COUNT; a++)
        free(k->angle_deg[a]);
    free(k->side_swapped);
    free(k->arm_swapped);
    memset(k, 0, sizeof *k);
}

/* Raw working copy: pixel positions (y down) and confidences, NaN when unusable. */
struct raw {
    int n;
    double *x[AN_N_LANDMARKS], *y[AN_N_LANDMARKS], *c[AN_N_LANDMARKS];
    double *wx[AN_N_LANDMARKS], *wy[AN_N_LANDMARKS], *wz[AN_N_LANDMARKS];
};

static void raw_free(struct raw *r)
{
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        free(r->x[j]);
        free(r->y[j]);
        free(r->c[j]);
        free(r->wx[j]);
        free(r->wy[j]);
        free(r->wz[j]);
    }
}

static void swap_lm(struct raw *r, int a, int b, int i)
{
    double t;
#define SW(arr)                                                                                    \
    t = r->arr[a][i];                                                                              \
    r->arr[a][i] = r->arr[b][i];                                                                   \
    r->arr[b][i] = t;
    SW(x)
    SW(y)
    SW(c)
    SW(wx)
    SW(wy)
    SW(wz)
#undef SW
}

/* Position of landmark `lm` of side `side` at frame i under decision s (0 keep, 1 swap). */
static int grp_pos(const struct raw *r, const int *grp0, const int *grp1, int j, int side, int s,
                   int i, double *px, double *py)
{
    int lm = ((side ^ s) == 0) ? grp0[j] : grp1[j];
    *px = r->x[lm][i];
    *py = r->y[lm][i];
    return isfinite(*px) && isfinite(*py);
}

/*
 * Viterbi over decisions s_t ∈ {keep, swap} for one limb group. State at step
 * t is (s_{t-1}, s_t); transition cost is the squared constant-velocity
 * prediction error of both sides' landmarks (px², normalised by unit_px²).
 */
static int repair_group(struct raw *r, const double *t_s, const int *grp0, const int *grp1,
                        int glen, double unit_px, unsigned char *swapped_out)
{
    int n = r->n, nv = 0, nswap = 0;
    int *idx = malloc(sizeof(int) * (size_t)(n ? n : 1));
    double *cost = malloc(sizeof(double) * 4 * (size_t)(n ? n : 1));
    unsigned char *back = malloc(4 * (size_t)(n ? n : 1));
    if (!idx || !cost || !back)
        goto done;
    /* Frames where the group is seen on both sides (at least knee+ankle). */
    for (int i = 0; i < n; i++) {
        double a, b;
        if (grp_pos(r, grp0, grp1, 1, 0, 0, i, &a, &b) &&
            grp_pos(r, grp0, grp1, 1, 1, 0, i, &a, &b))
            idx[nv++] = i;
    }
    if (nv < 3)
        goto done;
    /* Costs in units of unit_px²: each swapped frame, and each change of decision. A
       relabelling must explain a large continuity break; pose jitter and the landmark
       "collapse" of crossing legs must not (checked on the 60 fps treadmill clip). The
       per-frame prior is what keeps two nearly equivalent labellings (parallel legs in a
       jump, fast extension at 30 fps) on the model's side: at 0.05 the countermovement
       jump clip got 21 frames relabelled where the raw labels were consistent; at 0.3
       it gets 1, while the slow-motion, walking, treadmill and sprint clips keep the
       same gait events (bench_analysis_clips, docs/METRICS.md §5). */
    const double prior = 0.3, switch_cost = 1.0;
    double u2 = unit_px * unit_px;
    for (int st = 0; st < 4; st++)
        cost[4 + st] = (st & 1) * prior + ((st >> 1) & 1) * prior;
    for (int v = 2; v < nv; v++) {
        int i0 = idx[v - 2], i1 = idx[v - 1], i2 = idx[v];
        double ratio = (t_s[i2] - t_s[i1]) / (t_s[i1] - t_s[i0]);
        for (int c = 0; c < 2; c++) {
            for (int b = 0; b < 2; b++) {
                double best = INFINITY;
                int arg = 0;
                for (int a = 0; a < 2; a++) {
                    double acc = 0;
                    for (int side = 0; side < 2; side++)
                        for (int j = 1; j < glen; j++) {
                            double x0, y0, x1, y1, x2, y2;
                            if (!grp_pos(r, grp0, grp1, j, side, a, i0, &x0, &y0) ||
                                !grp_pos(r, grp0, grp1, j, side, b, i1, &x1, &y1) ||
                                !grp_pos(r, grp0, grp1, j, side, c, i2, &x2, &y2))
                                continue;
                            double px = x1 + (x1 - x0) * ratio, py = y1 + (y1 - y0) * ratio;
                            acc += ((x2 - px) * (x2 - px) + (y2 - py) * (y2 - py)) / u2;
                        }
                    double tot = cost[(v - 1) * 4 + a * 2 + b] + acc;
                    if (tot < best)
                        best = tot, arg = a;
                }
                cost[v * 4 + b * 2 + c] = best + c * prior + (c != b) * switch_cost;
                back[v * 4 + b * 2 + c] = (unsigned char)arg;
            }
        }
    }
    int bst = 0;
    for (int st = 1; st < 4; st++)
        if (cost[(nv - 1) * 4 + st] < cost[(nv - 1) * 4 + bst])
            bst = st;
    int b = bst >> 1, c = bst & 1;
    unsigned char *dec = back; /* reuse: decisions written after reading each step */
    for (int v = nv - 1; v >= 2; v--) {
        int a = back[v * 4 + b * 2 + c];
        dec[v * 4] = (unsigned char)c; /* safe: slot v*4 already consumed */
        c = b;
        b = a;
    }
    dec[1 * 4] = (unsigned char)c;
    dec[0] = (unsigned char)b;
    /* Apply; frames between seen frames inherit the previous decision. */
    int cur = 0, v = 0;
    for (int i = 0; i < n; i++) {
        if (v < nv && idx[v] == i) {
            cur = dec[v * 4];
            v++;
        }
        if (cur) {
            for (int j = 0; j < glen; j++)
                swap_lm(r, grp0[j], grp1[j], i);
            if (swapped_out)
                swapped_out[i] = 1;
            nswap++;
        }
    }
done:
    free(idx);
    free(cost);
    free(back);
    return nswap;
}

static double seglen(const struct raw *r, int a, int b, int i)
{
    return hypot(r->x[a][i] - r->x[b][i], r->y[a][i] - r->y[b][i]);
}

/*
 * Outliers the pose model produces in side views (seen on the 60 fps treadmill
 * clip): single-frame spikes, where a landmark jumps away and back, and the
 * "collapse" of crossing legs, where both ankles/heels/toes are put on the
 * same spot while the knees are clearly apart. Both are removed (NaN) so gap
 * filling bridges them instead of the filters smearing them into the events.
 * Returns the number of landmark samples removed.
 */
static int remove_spikes(struct raw *r, double leg_px)
{
    int n = r->n, removed = 0;
    double tau = 0.08 * leg_px;
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        for (int i = 1; i + 1 < n; i++) {
            double x0 = r->x[j][i - 1], y0 = r->y[j][i - 1], x2 = r->x[j][i + 1],
                   y2 = r->y[j][i + 1], x1 = r->x[j][i], y1 = r->y[j][i];
            if (!isfinite(x0) || !isfinite(x1) || !isfinite(x2))
                continue;
            double dev = hypot(x1 - 0.5 * (x0 + x2), y1 - 0.5 * (y0 + y2));
            double span = hypot(x2 - x0, y2 - y0);
            if (dev > tau && dev > span) {
                r->x[j][i] = r->y[j][i] = NAN;
                removed++;
            }
        }
    }
    return removed;
}

static int remove_collapse(struct raw *r, double leg_px)
{
    int n = r->n, removed = 0;
    static const int distal[3][2] = {
        {AN_L_ANKLE, AN_R_ANKLE}, {AN_L_HEEL, AN_R_HEEL}, {AN_L_FOOT, AN_R_FOOT}};
    for (int i = 0; i < n; i++) {
        double kd =
            hypot(r->x[AN_L_KNEE][i] - r->x[AN_R_KNEE][i], r->y[AN_L_KNEE][i] - r->y[AN_R_KNEE][i]);
        double ad = hypot(r->x[AN_L_ANKLE][i] - r->x[AN_R_ANKLE][i],
                          r->y[AN_L_ANKLE][i] - r->y[AN_R_ANKLE][i]);
        if (!(kd > 0.15 * leg_px) || !(ad < 0.06 * leg_px))
            continue;
        for (int q = 0; q < 3; q++)
            for (int sd = 0; sd < 2; sd++) {
                int j = distal[q][sd];
                if (isfinite(r->x[j][i]))
                    removed++;
                r->x[j][i] = r->y[j][i] = NAN;
            }
    }
    return removed;
}

/* Segment-length constancy: drop distal landmarks where a segment is implausible. */
static void check_segments(struct raw *r)
{
    int n = r->n;
    double *buf = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!buf)
        return;
    for (int side = 0; side < 2; side++) {
        const int *g = leg_group[side];
        for (int seg = 0; seg < 2; seg++) { /* 0 thigh hip-knee, 1 shank knee-ankle */
            int a = g[seg], b = g[seg + 1], m = 0;
            for (int i = 0; i < n; i++) {
                double l = seglen(r, a, b, i);
                if (isfinite(l))
                    buf[m++] = l;
            }
            if (m < 5)
                continue;
            double med = an_median(buf, m);
            for (int i = 0; i < n; i++) {
                double l = seglen(r, a, b, i);
                if (isfinite(l) && (l < 0.5 * med || l > 1.6 * med))
                    for (int j = seg + 1; j < 5; j++)
                        r->x[g[j]][i] = r->y[g[j]][i] = NAN;
            }
        }
    }
    free(buf);
}

/* Chain shank+thigh+trunk per side, in px (2D) and in world metres (3D). */
static void chain_len(const struct raw *r, int i, int side, double *px, double *wm)
{
    const int *g = leg_group[side];
    int sh = side ? AN_R_SHOULDER : AN_L_SHOULDER;
    int pts[4] = {g[2], g[1], g[0], sh};
    double p = 0, w = 0;
    for (int q = 0; q < 3; q++) {
        int a = pts[q], b = pts[q + 1];
        p += hypot(r->x[a][i] - r->x[b][i], r->y[a][i] - r->y[b][i]);
        double dx = r->wx[a][i] - r->wx[b][i], dy = r->wy[a][i] - r->wy[b][i],
               dz = r->wz[a][i] - r->wz[b][i];
        w += sqrt(dx * dx + dy * dy + dz * dz);
    }
    *px = p;
    *wm = w;
}

static void compute_scale(const struct raw *r, double height_cm, struct an_kinematics *k)
{
    int n = r->n, m = 0, mw = 0;
    double *lp = malloc(sizeof(double) * 2 * (size_t)(n ? n : 1));
    double *rw = malloc(sizeof(double) * 2 * (size_t)(n ? n : 1));
    k->scale_source = AN_SCALE_NONE;
    k->scale_m_per_px = 1;
    k->scale_rel_uncertainty = NAN;
    if (!lp || !rw)
        goto done;
    for (int i = 0; i < n; i++)
        for (int side = 0; side < 2; side++) {
            double p, w;
            chain_len(r, i, side, &p, &w);
            if (isfinite(p) && p > 1) {
                lp[m++] = p;
                if (isfinite(w) && w > 0.1)
                    rw[mw++] = w / p;
            }
        }
    if (m < 3)
        goto done;
    if (height_cm > 0) {
        /* Winter 2009 Table 4.1: shank 0.246 H, thigh 0.245 H, hip→shoulder 0.288 H. */
        double med = an_percentile(lp, m, 75); /* foreshortening only shortens */
        k->scale_m_per_px = WINTER_CHAIN_FRACTION * height_cm / 100.0 / med;
        k->scale_source = AN_SCALE_ATHLETE_HEIGHT;
        /* Anthropometric spread of segment ratios (~4 %) dominates. */
        k->scale_rel_uncertainty = 0.04;
    } else if (mw >= 3) {
        double med = an_median(rw, mw);
        double *dev = lp; /* reuse */
        for (int i = 0; i < mw; i++)
            dev[i] = fabs(rw[i] - med);
        double mad = an_median(dev, mw) * 1.4826;
        k->scale_m_per_px = med;
        k->scale_source = AN_SCALE_WORLD_LANDMARKS;
        /* World landmarks carry a model bias of a few percent; never claim better than 5 %. */
        k->scale_rel_uncertainty = fmax(0.05, mad / med);
    }
done:
    free(lp);
    free(rw);
}

static double *alloc_nan(int n)
{
    double *p = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (p)
        for (int i = 0; i < n; i++)
            p[i] = NAN;
    return p;
}

static void compute_angles(struct an_kinematics *k)
{
    int f = k->facing;
    for (int i = 0; i < k->n; i++) {
        for (int side = 0; side < 2; side++) {
            int hip = side ? AN_R_HIP : AN_L_HIP, kne = side ? AN_R_KNEE : AN_L_KNEE,
                ank = side ? AN_R_ANKLE : AN_L_ANKLE, hee = side ? AN_R_HEEL : AN_L_HEEL,
                toe = side ? AN_R_FOOT : AN_L_FOOT, sho = side ? AN_R_SHOULDER : AN_L_SHOULDER,
                elb = side ? AN_R_ELBOW : AN_L_ELBOW, wri = side ? AN_R_WRIST : AN_L_WRIST;
            double *X[AN_N_LANDMARKS], *Y[AN_N_LANDMARKS];
            for (int j = 0; j < AN_N_LANDMARKS; j++)
                X[j] = k->x[j], Y[j] = k->y[j];
            /* Ankle dorsiflexion: 90° − angle(shank ankle→knee, foot heel→toe). */
            double sx = X[kne][i] - X[ank][i], sy = Y[kne][i] - Y[ank][i];
            double fx = X[toe][i] - X[hee][i], fy = Y[toe][i] - Y[hee][i];
            double ang = analysis_angle_3pt_deg(sx, sy, 0, 0, fx, fy);
            k->angle_deg[side ? AN_ANG_RANK : AN_ANG_LANK][i] = 90.0 - ang;
            /* Knee flexion: 180° − interior hip-knee-ankle (Winter 2009 convention). */
            double kn = analysis_angle_3pt_deg(X[hip][i], Y[hip][i], X[kne][i], Y[kne][i],
                                               X[ank][i], Y[ank][i]);
            k->angle_deg[side ? AN_ANG_RKNE : AN_ANG_LKNE][i] = 180.0 - kn;
            /* Hip flexion: trunk line (shoulder→hip, extended down) to thigh (hip→knee). */
            double tx = X[hip][i] - X[sho][i], ty = Y[hip][i] - Y[sho][i];
            double hx = X[kne][i] - X[hip][i], hy = Y[kne][i] - Y[hip][i];
            k->angle_deg[side ? AN_ANG_RHIP : AN_ANG_LHIP][i] =
                analysis_angle_between_deg(tx, ty, hx, hy, f);
            /* Shoulder flexion: trunk (shoulder→hip) to upper arm (shoulder→elbow). */
            double ax = X[elb][i] - X[sho][i], ay = Y[elb][i] - Y[sho][i];
            k->angle_deg[side ? AN_ANG_RSHO : AN_ANG_LSHO][i] =
                analysis_angle_between_deg(tx, ty, ax, ay, f);
            /* Elbow flexion: 180° − interior shoulder-elbow-wrist. */
            double el = analysis_angle_3pt_deg(X[sho][i], Y[sho][i], X[elb][i], Y[elb][i],
                                               X[wri][i], Y[wri][i]);
            k->angle_deg[side ? AN_ANG_RELB : AN_ANG_LELB][i] = 180.0 - el;
        }
        /* Trunk lean: hip-mid → shoulder-mid from vertical, + forward. */
        double dx = an_midx(k, AN_L_SHOULDER, AN_R_SHOULDER, i) - an_midx(k, AN_L_HIP, AN_R_HIP, i);
        double dy = an_midy(k, AN_L_SHOULDER, AN_R_SHOULDER, i) - an_midy(k, AN_L_HIP, AN_R_HIP, i);
        k->angle_deg[AN_ANG_TRUNK][i] = analysis_angle_from_vertical_deg(dx, dy, f);
    }
}

/* Facing: the toes point forward of the heels (side view); else nose vs ears. */
static int compute_facing(const struct raw *r)
{
    double s = 0;
    for (int i = 0; i < r->n; i++) {
        for (int side = 0; side < 2; side++) {
            int h = side ? AN_R_HEEL : AN_L_HEEL, t = side ? AN_R_FOOT : AN_L_FOOT;
            double d = r->x[t][i] - r->x[h][i];
            if (isfinite(d))
                s += d > 0 ? 1 : -1;
        }
        double d = r->x[AN_NOSE][i] - 0.5 * (r->x[AN_L_EAR][i] + r->x[AN_R_EAR][i]);
        if (isfinite(d))
            s += d > 0 ? 0.5 : -0.5;
    }
    return s >= 0 ? 1 : -1;
}

enum kz_err analysis_prepare(const struct an_series *s, const struct an_prep_opts *o,
                             struct an_kinematics *k, struct err_ctx *e)
{
    struct raw r;
    memset(&r, 0, sizeof r);
    enum kz_err rc = KZ_OK;
    memset(k, 0, sizeof *k);
    struct an_prep_opts d = {0};
    if (o)
        d = *o;
    if (d.cutoff_hz <= 0)
        d.cutoff_hz = 10;
    if (d.max_gap_s <= 0)
        d.max_gap_s = 0.25;
    if (d.min_visibility <= 0)
        d.min_visibility = 0.3;
    if (!s || !s->frames || s->n_frames < 1)
        return err_set(e, KZ_E_INVALID, "analysis: empty landmark series");
    int n = s->n_frames;
    for (int i = 1; i < n; i++)
        if (!(s->frames[i].t_s > s->frames[i - 1].t_s))
            return err_set(e, KZ_E_INVALID, "analysis: timestamps not increasing at frame %d", i);
    r.n = n;
    k->n = n;
    k->t_s = malloc(sizeof(double) * (size_t)n);
    k->side_swapped = calloc((size_t)n, 1);
    k->arm_swapped = calloc((size_t)n, 1);
    if (!k->t_s || !k->side_swapped || !k->arm_swapped)
        goto nomem;
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        if (!(r.x[j] = alloc_nan(n)) || !(r.y[j] = alloc_nan(n)) || !(r.c[j] = alloc_nan(n)) ||
            !(r.wx[j] = alloc_nan(n)) || !(r.wy[j] = alloc_nan(n)) || !(r.wz[j] = alloc_nan(n)) ||
            !(k->x[j] = alloc_nan(n)) || !(k->y[j] = alloc_nan(n)) || !(k->vx[j] = alloc_nan(n)) ||
            !(k->vy[j] = alloc_nan(n)) || !(k->ax[j] = alloc_nan(n)) ||
            !(k->ay[j] = alloc_nan(n)) || !(k->rx[j] = alloc_nan(n)) ||
            !(k->ry[j] = alloc_nan(n)) || !(k->conf[j] = calloc((size_t)n, sizeof(double))))
            goto nomem;
    }
    for (int a = 0; a < AN_ANG__COUNT; a++)
        if (!(k->angle_deg[a] = alloc_nan(n)))
            goto nomem;
    int nvalid = 0;
    for (int i = 0; i < n; i++) {
        const struct an_frame *f = &s->frames[i];
        k->t_s[i] = f->t_s;
        if (!f->valid)
            continue;
        nvalid++;
        for (int j = 0; j < AN_N_LANDMARKS; j++) {
            const struct an_landmark *l = &f->lm[j];
            double c = (double)l->visibility * (double)l->presence;
            if (!isfinite(l->x_px) || !isfinite(l->y_px) || !isfinite(c))
                continue;
            r.c[j][i] = c;
            if (c < d.min_visibility)
                continue;
            r.x[j][i] = l->x_px;
            r.y[j][i] = l->y_px;
            r.wx[j][i] = f->world_m[j][0];
            r.wy[j][i] = f->world_m[j][1];
            r.wz[j][i] = f->world_m[j][2];
        }
    }
    k->valid_fraction = (double)nvalid / n;
    k->dt_median_s = analysis_signal_median_dt(k->t_s, n);
    k->fps_median = k->dt_median_s > 0 ? 1.0 / k->dt_median_s : 0;

    /* Leg length in px sets the unit of the swap cost. */
    double leg_px = NAN;
    {
        double *buf = malloc(sizeof(double) * (size_t)n);
        if (!buf)
            goto nomem;
        int m = 0;
        for (int i = 0; i < n; i++) {
            double l = seglen(&r, AN_L_HIP, AN_L_KNEE, i) + seglen(&r, AN_L_KNEE, AN_L_ANKLE, i);
            if (isfinite(l))
                buf[m++] = l;
        }
        leg_px = m ? an_median(buf, m) : NAN;
        free(buf);
    }
    /* Collapse before the L/R repair (it would read as motion), spikes after it (a
       relabelled frame next to a raw one can look like a spike). */
    if (isfinite(leg_px) && leg_px > 1)
        k->n_outliers_removed = remove_collapse(&r, leg_px);
    if (!d.no_fix_sides && isfinite(leg_px) && leg_px > 1) {
        k->n_leg_swaps_fixed =
            repair_group(&r, k->t_s, leg_group[0], leg_group[1], 5, 0.1 * leg_px, k->side_swapped);
        k->n_arm_swaps_fixed =
            repair_group(&r, k->t_s, arm_group[0], arm_group[1], 6, 0.1 * leg_px, k->arm_swapped);
        check_segments(&r);
    }
    if (isfinite(leg_px) && leg_px > 1)
        k->n_outliers_removed += remove_spikes(&r, leg_px);
    compute_scale(&r, d.height_cm, k);
    k->facing = compute_facing(&r);

    double sc = k->scale_m_per_px, H = s->height_px;
    double *tmp = malloc(sizeof(double) * (size_t)n);
    double *res = malloc(sizeof(double) * 2 * (size_t)n);
    if (!tmp || !res) {
        free(tmp);
        free(res);
        goto nomem;
    }
    double used = 0;
    for (int j = 0; j < AN_N_LANDMARKS; j++) {
        double cu = 0;
        int cnt = 0;
        for (int i = 0; i < n; i++) {
            k->conf[j][i] = isfinite(r.c[j][i]) ? r.c[j][i] : 0;
            tmp[i] = isfinite(r.x[j][i]) ? r.x[j][i] * sc : NAN;
            k->rx[j][i] = tmp[i];
            k->ry[j][i] = isfinite(r.y[j][i]) ? (H - r.y[j][i]) * sc : NAN;
        }
        analysis_signal_fill_gaps(k->t_s, tmp, n, d.max_gap_s);
        rc = analysis_signal_lowpass(k->t_s, tmp, n, d.cutoff_hz, k->x[j], &cu, e);
        if (rc)
            break;
        for (int i = 0; i < n; i++)
            tmp[i] = isfinite(r.y[j][i]) ? (H - r.y[j][i]) * sc : NAN;
        analysis_signal_fill_gaps(k->t_s, tmp, n, d.max_gap_s);
        rc = analysis_signal_lowpass(k->t_s, tmp, n, d.cutoff_hz, k->y[j], &cu, e);
        if (rc)
            break;
        if (cu > 0 && (used == 0 || cu < used))
            used = cu;
        for (int i = 0; i < n; i++) {
            if (!isfinite(r.x[j][i]) || !isfinite(k->x[j][i]))
                continue;
            double ex = r.x[j][i] * sc - k->x[j][i], ey = (H - r.y[j][i]) * sc - k->y[j][i];
            res[cnt++] = fabs(ex);
            res[cnt++] = fabs(ey);
        }
        /* Robust noise: 1.4826 × median absolute residual (outliers do not inflate it). */
        k->noise_m[j] = cnt ? 1.4826 * an_median(res, cnt) : NAN;
        analysis_signal_derivative(k->t_s, k->x[j], n, k->vx[j]);
        analysis_signal_derivative(k->t_s, k->y[j], n, k->vy[j]);
        /* Second derivative as the derivative of the filtered-position velocity (Winter
           2009 §3.4: filter positions once, then finite differences). */
        analysis_signal_derivative(k->t_s, k->vx[j], n, k->ax[j]);
        analysis_signal_derivative(k->t_s, k->vy[j], n, k->ay[j]);
    }
    free(tmp);
    free(res);
    if (rc)
        goto fail;
    k->cutoff_hz_used = used;
    compute_angles(k);
    raw_free(&r);
    return KZ_OK;
nomem:
    rc = err_set(e, KZ_E_NOMEM, "analysis: kinematics for %d frames", n);
fail:
    raw_free(&r);
    analysis_kinematics_cleanup(k);
    return rc;
}
