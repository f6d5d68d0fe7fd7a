/*
 * lift_phase.c — phase boundaries of a snatch / clean / clean & jerk from the
 * bar height and vertical velocity (and the knee angle when pose landmarks are
 * available). The rules are documented in lift.h; sources: METRICS-AND-PEERS.md
 * §3.3 (phases from the knee's extension–flexion–extension pattern,
 * engineeredathletics 2017; 1st pull / transition / 2nd pull / turnover / drop,
 * Nascimento et al. 2021; jerk dip / braking / drive / split, the "power
 * snatch and jerk sequences" study) and Gourgoulis et al. 2000 (second pull
 * ends at the peak vertical bar velocity).
 *
 * Thresholds (metres, m/s) are hysteresis margins against tracking noise:
 * a lift-off is a 3 cm rise, a max height must be followed by a 3 cm fall, a
 * catch low point by a 2 cm rise.
 */
#include "lift/lift_int.h"

#include <math.h>
#include <stdlib.h>

#define LIFTOFF_RISE_M 0.03
#define LIFTOFF_VEL_MPS 0.05
#define PEAK_FALL_M 0.03
#define LOW_RISE_M 0.02
#define RECOVERY_MIN_RISE_M 0.05
#define KNEE_PROMINENCE_DEG 5.0
#define VEL_PROMINENCE_MPS 0.05
/* Guards against noise being taken for the end of the first pull: the knees
   straighten by tens of degrees in the first pull (lift-off ~80-100 deg of
   flexion, first extension peak ~30-40 deg; engineeredathletics 2017) and the
   bar reaches knee height, well above 10 cm over its lift-off position (plate
   centre 0.225 m above the floor, knee joint ~0.45 m). */
#define FIRST_PULL_MIN_KNEE_EXT_DEG 15.0
#define FIRST_PULL_MIN_RISE_M 0.10
/* A pull ends above every height the bar held before lift-off (a snatch or a
   clean raises it from the floor or the hang to the shoulders or overhead);
   a squat or a lowering only returns it to where it was. */
#define PULL_ABOVE_START_M 0.10
/* At the first tracked frame the bar is already rising faster than this:
   the lift-off happened before the clip. */
#define MOVING_AT_START_MPS 0.10
/* A catch needs the bar to have (nearly) stopped descending. */
#define CATCH_MAX_FALL_MPS 0.15
/* A jerk dip is a shallow knee bend with the bar on the shoulders (typically
   0.08-0.16 m; the "half-squat" of the jerk sequence, METRICS-AND-PEERS §3.3),
   and the drive takes the bar from the shoulders to arm's length overhead
   (~0.4-0.6 m higher). A deeper fall is a dropped bar; a smaller rise, no jerk. */
#define JERK_MAX_DIP_M 0.30
#define JERK_MIN_RISE_M 0.20
/* Depth of an acceleration dip that marks the transition (several times the
   acceleration noise of a 6 Hz low-passed plate track at 25-60 fps). */
#define ACC_PROMINENCE_MPS2 1.0

static void found(struct lift_result *r, enum lift_event ev, size_t i, const char *method)
{
    r->ev[ev] = (struct lift_event_value){1, i, r->t_s[i], method, NULL};
}

static void missing(struct lift_result *r, enum lift_event ev, const char *reason)
{
    r->ev[ev] = (struct lift_event_value){0, 0, NAN, NULL, reason};
}

/* First index >= from where the bar has risen LIFTOFF_RISE_M above its running
   minimum; the lift-off is the last earlier frame still slower than
   LIFTOFF_VEL_MPS (or the running-minimum frame). n when none. */
static size_t find_liftoff(const struct lift_result *r, size_t from, size_t to)
{
    double hmin = INFINITY;
    size_t imin = from;
    for (size_t i = from; i <= to; i++) {
        double h = r->bar_y_m[i];
        if (isnan(h))
            continue;
        if (h < hmin) {
            hmin = h;
            imin = i;
        }
        if (h > hmin + LIFTOFF_RISE_M) {
            size_t j = i;
            while (j > imin && !(r->vel_y_mps[j - 1] < LIFTOFF_VEL_MPS))
                j--;
            return j > imin ? j - 1 : imin;
        }
    }
    return r->n;
}

/* Max of the bar height from `from`, ended by a fall of PEAK_FALL_M below the
   running max (or the end of the known span). */
static size_t find_peak(const struct lift_result *r, size_t from, size_t to, int *confirmed)
{
    double hmax = -INFINITY;
    size_t imax = from;
    *confirmed = 0;
    for (size_t i = from; i <= to; i++) {
        double h = r->bar_y_m[i];
        if (isnan(h))
            break;
        if (h > hmax) {
            hmax = h;
            imax = i;
        }
        if (h < hmax - PEAK_FALL_M) {
            *confirmed = 1;
            break;
        }
    }
    return imax;
}

/* Min of the bar height from `from`, ended by a rise of LOW_RISE_M above the
   running min. */
static size_t find_low(const struct lift_result *r, size_t from, size_t to, int *confirmed)
{
    double hmin = INFINITY;
    size_t imin = from;
    *confirmed = 0;
    for (size_t i = from; i <= to; i++) {
        double h = r->bar_y_m[i];
        if (isnan(h))
            break;
        if (h < hmin) {
            hmin = h;
            imin = i;
        }
        if (h > hmin + LOW_RISE_M) {
            *confirmed = 1;
            break;
        }
    }
    return imin;
}

static size_t argmax(const double *y, size_t a, size_t b)
{
    size_t k = a;
    for (size_t i = a; i <= b; i++)
        if (y[i] > y[k] || isnan(y[k]))
            k = i;
    return k;
}

static size_t argmin(const double *y, size_t a, size_t b)
{
    size_t k = a;
    for (size_t i = a; i <= b; i++)
        if (y[i] < y[k] || isnan(y[k]))
            k = i;
    return k;
}

/* First local max of y in [a, b] followed by a fall of `prom` before b, where
   the max is at least `min_gain` above y[a] and the bar has risen at least
   FIRST_PULL_MIN_RISE_M; the following min is returned through *low. A fall
   from a max that does not meet the guards restarts the search (noise). 0 when
   there is no such dip. */
static int first_dip(const struct lift_result *r, const double *y, size_t a, size_t b, double prom,
                     double min_gain, size_t *peak, size_t *low)
{
    double m = -INFINITY, y0 = y[a];
    size_t im = a;
    for (size_t i = a; i <= b; i++) {
        if (isnan(y[i]))
            continue;
        if (y[i] > m) {
            m = y[i];
            im = i;
        }
        if (y[i] < m - prom) {
            if (!(m - y0 >= min_gain) ||
                !(r->bar_y_m[im] - r->bar_y_m[a] >= FIRST_PULL_MIN_RISE_M)) {
                m = y[i]; /* not a first-pull end: look for a later maximum */
                im = i;
                continue;
            }
            *peak = im;
            *low = argmin(y, im, b);
            return *low < b || y[*low] < m - prom;
        }
    }
    return 0;
}

/* The first local minimum of the vertical acceleration in (a, b) that is at
   least ACC_PROMINENCE_MPS2 below the largest value before it and below the
   largest value after it (the transition's reduced drive between the pulls,
   when neither the knee angle nor the velocity dips). */
static int acc_dip(const double *acc, size_t a, size_t b, size_t *out)
{
    double before = -INFINITY;
    for (size_t i = a; i + 1 <= b; i++) {
        if (isnan(acc[i]))
            continue;
        before = fmax(before, acc[i]);
        if (i == a || !(acc[i] <= acc[i - 1]) || !(acc[i] <= acc[i + 1]))
            continue;
        if (!(acc[i] <= before - ACC_PROMINENCE_MPS2))
            continue;
        double after = -INFINITY;
        for (size_t j = i + 1; j <= b; j++)
            after = fmax(after, acc[j]);
        if (after >= acc[i] + ACC_PROMINENCE_MPS2) {
            *out = i;
            return 1;
        }
    }
    return 0;
}

/* Standing height after a low point: 95 % of the rise to the first maximum that
   is followed by a 2 cm fall (a jerk dip or a drop) or the end of the clip. */
static int find_recovery(const struct lift_result *r, size_t low, size_t to, size_t *out)
{
    double h0 = r->bar_y_m[low], hmax = h0;
    for (size_t i = low; i <= to && !isnan(r->bar_y_m[i]); i++) {
        if (r->bar_y_m[i] < hmax - LOW_RISE_M)
            break;
        hmax = fmax(hmax, r->bar_y_m[i]);
    }
    if (hmax - h0 < RECOVERY_MIN_RISE_M)
        return 0;
    for (size_t i = low; i <= to; i++)
        if (r->bar_y_m[i] >= h0 + 0.95 * (hmax - h0)) {
            *out = i;
            return 1;
        }
    return 0;
}

static void label(struct lift_result *r, size_t a, size_t b, enum lift_phase p)
{
    for (size_t i = a; i < b && i < r->n; i++)
        r->phase[i] = (uint8_t)p;
}

void lift_detect_phases(struct lift_result *r)
{
    size_t n = r->n, lo = 0, hi = n - 1;
    for (int k = 0; k < LIFT_EV__COUNT; k++)
        missing(r, (enum lift_event)k, "not reached");
    r->pull_start = n;
    r->liftoff_in_clip = 0;
    while (lo < n && isnan(r->bar_y_m[lo]))
        lo++;
    while (hi > lo && isnan(r->bar_y_m[hi]))
        hi--;
    if (lo >= n)
        return;

    size_t s = find_liftoff(r, lo, hi);
    if (s >= n) {
        missing(r, LIFT_EV_START_OF_LIFTING, "the bar never rose 3 cm");
        return;
    }
    int conf;
    size_t mh = find_peak(r, s, hi, &conf);
    if (mh <= s + 1) {
        missing(r, LIFT_EV_START_OF_LIFTING, "no rise after the bar's lowest point");
        missing(r, LIFT_EV_MAX_HEIGHT, "no rise after lift-off");
        return;
    }
    {
        double before = -INFINITY;
        for (size_t i = lo; i <= s; i++)
            before = fmax(before, r->bar_y_m[i]);
        if (!(r->bar_y_m[mh] >= before + PULL_ABOVE_START_M)) {
            const char *why =
                "the bar never rose 10 cm above where it was before its lowest point: "
                "not a snatch or clean pull (a squat or a lowering?)";
            missing(r, LIFT_EV_START_OF_LIFTING, why);
            missing(r, LIFT_EV_MAX_HEIGHT, why);
            return;
        }
    }
    r->pull_start = s;
    if (s == lo && r->vel_y_mps[lo] > MOVING_AT_START_MPS) {
        r->liftoff_in_clip = 0;
        missing(
            r, LIFT_EV_START_OF_LIFTING,
            "the bar is already rising in the first tracked frame: lift-off is before the clip");
    } else {
        r->liftoff_in_clip = 1;
        found(r, LIFT_EV_START_OF_LIFTING, s, "rise_3cm_vel_0.05");
    }
    found(r, LIFT_EV_MAX_HEIGHT, mh, conf ? "peak_then_fall_3cm" : "peak_at_clip_end");
    size_t spe = argmax(r->vel_y_mps, s, mh);
    found(r, LIFT_EV_SECOND_PULL_END, spe, "peak_vertical_velocity");

    /* First pull end and transition: knee extension-flexion-extension first. */
    size_t fpe = 0, tr = 0;
    int ok = 0;
    const char *method = NULL;
    if (spe > s + 2) {
        /* knee extension = falling flexion: look for the first dip of -flexion */
        double *ext = malloc((spe + 1) * sizeof *ext);
        int knee_known = ext != NULL;
        for (size_t i = s; knee_known && i <= spe; i++) {
            ext[i] = -r->knee_flex_deg[i];
            if (isnan(ext[i]))
                knee_known = 0;
        }
        if (knee_known &&
            first_dip(r, ext, s, spe, KNEE_PROMINENCE_DEG, FIRST_PULL_MIN_KNEE_EXT_DEG, &fpe,
                      &tr) &&
            tr < spe) {
            ok = 1;
            method = "knee_angle";
        }
        free(ext);
        if (!ok && first_dip(r, r->vel_y_mps, s, spe, VEL_PROMINENCE_MPS, 0.0, &fpe, &tr) &&
            tr < spe && fpe > s) {
            ok = 1;
            method = "bar_velocity";
        }
        if (!ok) {
            size_t a = s;
            while (a < spe && !(r->bar_y_m[a] - r->bar_y_m[s] >= FIRST_PULL_MIN_RISE_M))
                a++;
            if (acc_dip(r->acc_y_mps2, a, spe, &fpe)) {
                tr = fpe;
                ok = 1;
                method = "acc_dip";
            }
        }
    }
    if (ok) {
        found(r, LIFT_EV_FIRST_PULL_END, fpe, method);
        found(r, LIFT_EV_TRANSITION, tr, method);
    } else {
        const char *why = spe > s + 2 ? "no knee re-bend, bar-velocity dip or acceleration dip: "
                                        "one continuous acceleration (or knees not tracked)"
                                      : "pull too short to split";
        missing(r, LIFT_EV_FIRST_PULL_END, why);
        missing(r, LIFT_EV_TRANSITION, why);
    }

    size_t ce = 0, rec = 0;
    if (conf) {
        ce = find_low(r, mh, hi, &conf);
        if (!conf && r->vel_y_mps[ce] < -CATCH_MAX_FALL_MPS) {
            missing(r, LIFT_EV_CATCH_END,
                    "the clip ends while the bar is still coming down: catch not in the clip");
            missing(r, LIFT_EV_RECOVERY_END, "catch not in the clip");
            conf = -1;
        } else {
            found(r, LIFT_EV_CATCH_END, ce, conf ? "low_then_rise_2cm" : "low_at_clip_end");
        }
    }
    if (conf == -1) {
        /* reported above */
    } else if (r->ev[LIFT_EV_CATCH_END].found) {
        if (find_recovery(r, ce, hi, &rec))
            found(r, LIFT_EV_RECOVERY_END, rec, "95pct_of_rise_to_standing");
        else
            missing(r, LIFT_EV_RECOVERY_END, "no recovery rise in the clip");
    } else {
        missing(r, LIFT_EV_CATCH_END, "bar did not come down after max height");
        missing(r, LIFT_EV_RECOVERY_END, "bar did not come down after max height");
    }

    /* Per-frame labels for the clean / snatch part. */
    if (ok) {
        label(r, s, fpe, LIFT_PHASE_FIRST_PULL);
        label(r, fpe, tr, LIFT_PHASE_TRANSITION);
        label(r, tr, spe, LIFT_PHASE_SECOND_PULL);
    } else {
        label(r, s, spe, LIFT_PHASE_FIRST_PULL);
    }
    label(r, spe, mh, LIFT_PHASE_TURNOVER);
    if (r->ev[LIFT_EV_CATCH_END].found) {
        label(r, mh, ce + 1, LIFT_PHASE_CATCH);
        if (r->ev[LIFT_EV_RECOVERY_END].found)
            label(r, ce + 1, rec + 1, LIFT_PHASE_RECOVERY);
    } else if (conf == -1) {
        label(r, mh, hi + 1, LIFT_PHASE_CATCH); /* still in the catch when the clip ends */
    }

    if (r->exercise != LIFT_CLEAN_AND_JERK)
        return;
    if (!r->ev[LIFT_EV_RECOVERY_END].found) {
        missing(r, LIFT_EV_JERK_DIP_START, "clean recovery not detected");
        return;
    }
    /* Jerk: dip start = the bar has gone 2 cm below the standing height; backtrack
       to where the downward velocity began. */
    double hs = r->bar_y_m[rec];
    size_t ds = n;
    for (size_t i = rec; i <= hi && !isnan(r->bar_y_m[i]); i++) {
        hs = fmax(hs, r->bar_y_m[i]);
        if (r->bar_y_m[i] < hs - LOW_RISE_M) {
            ds = i;
            while (ds > rec && r->vel_y_mps[ds - 1] < -LIFTOFF_VEL_MPS)
                ds--;
            break;
        }
    }
    if (ds >= n) {
        missing(r, LIFT_EV_JERK_DIP_START, "no dip after the clean");
        return;
    }
    size_t de = find_low(r, ds, hi, &conf);
    if (!conf) {
        missing(r, LIFT_EV_JERK_DIP_START, "no drive after the dip");
        missing(r, LIFT_EV_JERK_DIP_END, "no drive after the dip");
        return;
    }
    if (r->bar_y_m[ds] - r->bar_y_m[de] > JERK_MAX_DIP_M) {
        const char *why = "the bar fell more than 30 cm after the clean: a drop, not a jerk dip";
        missing(r, LIFT_EV_JERK_DIP_START, why);
        missing(r, LIFT_EV_JERK_DIP_END, why);
        return;
    }
    size_t jm = find_peak(r, de, hi, &conf);
    if (!(r->bar_y_m[jm] >= r->bar_y_m[ds] + JERK_MIN_RISE_M)) {
        const char *why = "the bar did not rise 20 cm above the rack height: no jerk";
        missing(r, LIFT_EV_JERK_DIP_START, why);
        missing(r, LIFT_EV_JERK_DIP_END, why);
        missing(r, LIFT_EV_JERK_DRIVE_END, why);
        return;
    }
    found(r, LIFT_EV_JERK_DIP_START, ds, "fall_2cm_vel_-0.05");
    found(r, LIFT_EV_JERK_DIP_END, de, "low_then_rise_2cm");
    size_t jd = argmax(r->vel_y_mps, de, jm);
    found(r, LIFT_EV_JERK_DRIVE_END, jd, "peak_vertical_velocity");
    label(r, ds, de, LIFT_PHASE_JERK_DIP);
    label(r, de, jd, LIFT_PHASE_JERK_DRIVE);
    if (!conf) {
        /* The bar is still at its highest when the clip ends: caught there. */
        found(r, LIFT_EV_JERK_CATCH_END, jm, "peak_at_clip_end");
        label(r, jd, jm + 1, LIFT_PHASE_JERK_CATCH);
        missing(r, LIFT_EV_JERK_RECOVERY_END, "clip ends in the jerk catch");
        return;
    }
    size_t jc = find_low(r, jm, hi, &conf);
    found(r, LIFT_EV_JERK_CATCH_END, jc, conf ? "low_then_rise_2cm" : "low_at_clip_end");
    label(r, jd, jc + 1, LIFT_PHASE_JERK_CATCH);
    size_t jr;
    if (find_recovery(r, jc, hi, &jr)) {
        found(r, LIFT_EV_JERK_RECOVERY_END, jr, "95pct_of_rise_to_standing");
        label(r, jc + 1, jr + 1, LIFT_PHASE_JERK_RECOVERY);
    } else {
        /* Caught at full height (split jerk recovered without a bar rise). */
        found(r, LIFT_EV_JERK_RECOVERY_END, jc, "no_rise_after_catch");
    }
}
