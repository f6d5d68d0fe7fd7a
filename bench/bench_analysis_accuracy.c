/*
 * bench_analysis_accuracy.c — measures the error of every running and
 * jumping metric on the synthetic suites (tests/unit/analysis/synth.c):
 * several seeds × 30/60/120/240 fps × 1.5 px landmark noise, plus a
 * variable-frame-rate row (running, CMJ and drop jump). Prints a Markdown
 * table (bias, mean absolute error, max absolute error, mean reported
 * standard uncertainty) that docs/METRICS.md quotes, and the analysis run
 * time per clip. Per-frame jumping series (hipy, vhipy, ahipy, toey, vtoey,
 * grf) are compared frame by frame with the generator's true motion
 * (synth_jump_state_at): those rows count frames and have no reported u.
 *
 * Usage: bench_analysis_accuracy [seeds (default 5)] [noise_px (default 1.5)]
 */
#include "../tests/unit/analysis/synth.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define G 9.80665

struct acc {
    const char *name, *unit;
    double fps;
    int n;
    double sum, sabs, max, unc;
};

#define MAXROWS 512
static struct acc rows[MAXROWS];
static int nrows;

static struct acc *row(const char *name, const char *unit, double fps)
{
    for (int i = 0; i < nrows; i++)
        if (strcmp(rows[i].name, name) == 0 && rows[i].fps == fps)
            return &rows[i];
    if (nrows == MAXROWS)
        return &rows[MAXROWS - 1];
    struct acc *a = &rows[nrows++];
    memset(a, 0, sizeof *a);
    a->name = name;
    a->unit = unit;
    a->fps = fps;
    return a;
}

static void add(const char *name, const char *unit, double fps, double err, double unc)
{
    if (!isfinite(err))
        return;
    struct acc *a = row(name, unit, fps);
    a->n++;
    a->sum += err;
    a->sabs += fabs(err);
    if (fabs(err) > a->max)
        a->max = fabs(err);
    a->unc += isfinite(unc) ? unc : 0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double run_time_s, run_clip_s, jump_time_s, jump_clip_s;

static void bench_run(double fps, double jitter, unsigned seed, double noise)
{
    struct synth_run p;
    memset(&p, 0, sizeof p);
    synth_common_defaults(&p.c, fps);
    p.c.seed = seed;
    p.c.noise_px = noise;
    p.c.jitter = jitter;
    p.cadence_spm = 160 + 5 * (seed % 4);
    p.contact_s = 0.22 + 0.01 * (seed % 3);
    p.speed_mps = 3.0 + 0.25 * (seed % 3);
    p.vo_m = 0.07 + 0.01 * (seed % 2);
    p.strike_deg = (seed % 2) ? 12 : -4;
    p.overstride_m = 0.22 + 0.02 * (seed % 3);
    p.duration_s = 8;
    struct an_series s;
    struct synth_run_truth t;
    if (synth_run_make(&p, &s, &t))
        return;
    struct an_running_result r;
    double t0 = now_s();
    enum kz_err rc = analysis_running_run(&s, NULL, &r, NULL);
    run_time_s += now_s() - t0;
    run_clip_s += p.duration_s;
    if (rc == KZ_OK) {
        double step = 60.0 / p.cadence_spm;
        double key = jitter > 0 ? -fps : fps;
        struct an_metric *m = r.m;
        add("cadence", "steps/min", key, m[AN_RM_CADENCE].avg - p.cadence_spm,
            m[AN_RM_CADENCE].uncertainty);
        add("contact_time", "ms", key, 1000 * (m[AN_RM_CONTACT_TIME].avg - p.contact_s),
            1000 * m[AN_RM_CONTACT_TIME].uncertainty);
        add("flight_time", "ms", key, 1000 * (m[AN_RM_FLIGHT_TIME].avg - (step - p.contact_s)),
            1000 * m[AN_RM_FLIGHT_TIME].uncertainty);
        add("step_time", "ms", key, 1000 * (m[AN_RM_STEP_TIME].avg - step),
            1000 * m[AN_RM_STEP_TIME].uncertainty);
        add("duty_factor", "% points", key,
            m[AN_RM_DUTY_FACTOR].avg - 100 * p.contact_s / (2 * step),
            m[AN_RM_DUTY_FACTOR].uncertainty);
        add("speed", "%", key, 100 * (m[AN_RM_SPEED].avg - p.speed_mps) / p.speed_mps,
            100 * m[AN_RM_SPEED].uncertainty / p.speed_mps);
        add("stride_length", "%", key,
            100 * (m[AN_RM_STRIDE_LENGTH].avg - 2 * step * p.speed_mps) / (2 * step * p.speed_mps),
            100 * m[AN_RM_STRIDE_LENGTH].uncertainty / (2 * step * p.speed_mps));
        add("vertical_oscillation", "cm", key, m[AN_RM_VERTICAL_OSC].avg - 100 * p.vo_m,
            m[AN_RM_VERTICAL_OSC].uncertainty);
        if (m[AN_RM_FOOTSTRIKE_ANGLE].available)
            add("footstrike_angle", "deg", key, m[AN_RM_FOOTSTRIKE_ANGLE].avg - p.strike_deg,
                m[AN_RM_FOOTSTRIKE_ANGLE].uncertainty);
        add("overstride", "cm", key, m[AN_RM_OVERSTRIDE].avg - 100 * p.overstride_m,
            m[AN_RM_OVERSTRIDE].uncertainty);
        add("knee_flexion_contact", "deg", key,
            m[AN_RM_KNEE_FLEXION_CONTACT].avg - t.knee_flexion_contact_deg,
            m[AN_RM_KNEE_FLEXION_CONTACT].uncertainty);
        add("trunk_lean", "deg", key, m[AN_RM_TRUNK_LEAN].avg - 8, m[AN_RM_TRUNK_LEAN].uncertainty);
        add("rbalance", "% points", key, m[AN_RM_RBALANCE].avg - 50, m[AN_RM_RBALANCE].uncertainty);
        add("stride_time", "ms", key, 1000 * (m[AN_RM_STRIDE_TIME].avg - 2 * step),
            1000 * m[AN_RM_STRIDE_TIME].uncertainty);
        double pace = (1000.0 / 60) / p.speed_mps;
        add("pace", "%", key, 100 * (m[AN_RM_PACE].avg - pace) / pace,
            100 * m[AN_RM_PACE].uncertainty / pace);
        add("shank_angle_contact", "deg", key,
            m[AN_RM_SHANK_ANGLE_CONTACT].avg - t.shank_angle_contact_deg,
            m[AN_RM_SHANK_ANGLE_CONTACT].uncertainty);
        add("contact_angle", "deg", key, m[AN_RM_CONTACT_ANGLE].avg - t.contact_angle_deg,
            m[AN_RM_CONTACT_ANGLE].uncertainty);
        add("gct_asymmetry", "% points", key, m[AN_RM_GCT_ASYMMETRY].avg - 0,
            m[AN_RM_GCT_ASYMMETRY].uncertainty);
        add("hip_extension_toeoff", "deg", key,
            m[AN_RM_HIP_EXTENSION_TOEOFF].avg - t.hip_angle_toeoff_deg,
            m[AN_RM_HIP_EXTENSION_TOEOFF].uncertainty);
        /* Per-event timing. */
        for (int c = 0; c < r.n_contacts; c++) {
            int b = 0;
            for (int j = 1; j < t.n_contacts; j++)
                if (fabs(t.t_on[j] - r.contacts[c].t_on_s) < fabs(t.t_on[b] - r.contacts[c].t_on_s))
                    b = j;
            add("contact event (per foot)", "ms", key, 1000 * (r.contacts[c].t_on_s - t.t_on[b]),
                NAN);
            add("toe-off event (per foot)", "ms", key, 1000 * (r.contacts[c].t_off_s - t.t_off[b]),
                NAN);
        }
        int fs_ok = (r.footstrike == (p.strike_deg > 7.4 ? AN_FS_REARFOOT : AN_FS_FOREFOOT));
        if (m[AN_RM_FOOTSTRIKE_ANGLE].available)
            add("footstrike class wrong", "fraction", key, fs_ok ? 0 : 1, NAN);
    }
    analysis_running_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

static void bench_jump(double fps, double jitter, unsigned seed, double noise, int drop)
{
    struct synth_jump p;
    memset(&p, 0, sizeof p);
    synth_common_defaults(&p.c, fps);
    p.c.seed = seed;
    p.c.noise_px = noise;
    p.c.jitter = jitter;
    p.flight_s = 0.40 + 0.05 * (seed % 4);
    p.depth_m = 0.25 + 0.05 * (seed % 3);
    p.n_jumps = 3;
    p.drop = drop;
    p.box_m = 0.3 + 0.1 * (seed % 2);
    p.contact_s = 0.20 + 0.05 * (seed % 3);
    struct an_series s;
    struct synth_jump_truth t;
    if (synth_jump_make(&p, &s, &t))
        return;
    struct an_jumping_result r;
    struct an_jumping_opts o = {.kind = drop ? AN_JUMP_DROP : AN_JUMP_CMJ, .mass_kg = 75};
    double t0 = now_s();
    enum kz_err rc = analysis_jumping_run(&s, &o, &r, NULL);
    jump_time_s += now_s() - t0;
    jump_clip_s += s.frames[s.n_frames - 1].t_s;
    double key = jitter > 0 ? -fps : fps;
    if (rc == KZ_OK) {
        add(drop ? "DJ jumps missed" : "CMJ jumps missed", "count", key, t.n - r.n_jumps, NAN);
        struct an_metric *m = r.m;
        for (int j = 0; j < r.n_jumps && j < t.n; j++) {
            const char *pre = drop ? "DJ " : "CMJ ";
            (void)pre;
            add(drop ? "DJ flight_time" : "CMJ flight_time", "ms", key,
                1000 * (m[AN_JM_FLIGHT_TIME].values[j] - t.flight_s[j]),
                1000 * m[AN_JM_FLIGHT_TIME].uncertainty);
            add(drop ? "DJ jump_height (flight)" : "CMJ jump_height (flight)", "cm", key,
                m[AN_JM_JUMP_HEIGHT].values[j] - 100 * t.height_ft_m[j],
                m[AN_JM_JUMP_HEIGHT].uncertainty);
            add(drop ? "DJ jump_height_velocity" : "CMJ jump_height_velocity", "cm", key,
                m[AN_JM_JUMP_HEIGHT_VELOCITY].values[j] - 100 * t.height_v_m[j],
                m[AN_JM_JUMP_HEIGHT_VELOCITY].uncertainty);
            add(drop ? "DJ takeoff_velocity" : "CMJ takeoff_velocity", "m/s", key,
                m[AN_JM_TAKEOFF_VELOCITY].values[j] - t.takeoff_v_mps[j],
                m[AN_JM_TAKEOFF_VELOCITY].uncertainty);
            add(drop ? "DJ takeoff event" : "CMJ takeoff event", "ms", key,
                1000 * (r.jumps[j].t_s[AN_PH_TAKEOFF] - t.t_takeoff[j]), NAN);
            add(drop ? "DJ landing event" : "CMJ landing event", "ms", key,
                1000 * (r.jumps[j].t_s[AN_PH_LANDING] - t.t_landing[j]), NAN);
            add(drop ? "DJ false disagreement flag" : "CMJ false disagreement flag", "fraction",
                key, m[AN_JM_HEIGHT_DISAGREE].values[j], NAN);
            if (!drop) {
                add("CMJ countermovement_depth", "cm", key,
                    m[AN_JM_CM_DEPTH].values[j] - 100 * t.depth_m[j],
                    m[AN_JM_CM_DEPTH].uncertainty);
                add("CMJ g_estimate", "%", key, 100 * (m[AN_JM_G_ESTIMATE].values[j] - G) / G,
                    100 * m[AN_JM_G_ESTIMATE].uncertainty / G);
            } else {
                add("DJ contact_time", "ms", key,
                    1000 * (m[AN_JM_CONTACT_TIME].values[j] - p.contact_s),
                    1000 * m[AN_JM_CONTACT_TIME].uncertainty);
                double rsi = t.height_ft_m[j] / p.contact_s;
                add("DJ rsi", "%", key, 100 * (m[AN_JM_RSI].values[j] - rsi) / rsi,
                    100 * m[AN_JM_RSI].uncertainty / rsi);
            }
#define J(name) (drop ? "DJ " name : "CMJ " name)
            add(J("eccentric_duration"), "ms", key,
                1000 * (m[AN_JM_ECCENTRIC_DURATION].values[j] - (t.t_lowest[j] - t.t_onset[j])),
                1000 * m[AN_JM_ECCENTRIC_DURATION].uncertainty);
            add(J("concentric_duration"), "ms", key,
                1000 * (m[AN_JM_CONCENTRIC_DURATION].values[j] - (t.t_takeoff[j] - t.t_lowest[j])),
                1000 * m[AN_JM_CONCENTRIC_DURATION].uncertainty);
            add(J("time_to_takeoff"), "ms", key,
                1000 * (m[AN_JM_TIME_TO_TAKEOFF].values[j] - (t.t_takeoff[j] - t.t_onset[j])),
                1000 * m[AN_JM_TIME_TO_TAKEOFF].uncertainty);
            if (!drop) {
                double rsim = t.height_ft_m[j] / (t.t_takeoff[j] - t.t_onset[j]);
                add("CMJ rsi_modified", "%", key,
                    100 * (m[AN_JM_RSI_MODIFIED].values[j] - rsim) / rsim,
                    100 * m[AN_JM_RSI_MODIFIED].uncertainty / rsim);
            }
            add(J("knee_angle_eccentric_end"), "deg", key,
                m[AN_JM_KNEE_ANGLE_ECC_END].values[j] - t.knee_lowest_deg[j],
                m[AN_JM_KNEE_ANGLE_ECC_END].uncertainty);
            double mass = o.mass_kg, f_to = mass * (G + t.peak_a_takeoff[j]),
                   f_la = mass * (G + t.peak_a_landing[j]), pw = mass * t.peak_power_per_kg[j];
            add(J("max_grf_takeoff"), "%", key,
                100 * (m[AN_JM_PEAK_GRF_TAKEOFF].values[j] - f_to) / f_to,
                100 * m[AN_JM_PEAK_GRF_TAKEOFF].uncertainty / f_to);
            add(J("max_grf_landing"), "%", key,
                100 * (m[AN_JM_PEAK_GRF_LANDING].values[j] - f_la) / f_la,
                100 * m[AN_JM_PEAK_GRF_LANDING].uncertainty / f_la);
            add(J("peak_power"), "%", key, 100 * (m[AN_JM_PEAK_POWER].values[j] - pw) / pw,
                100 * m[AN_JM_PEAK_POWER].uncertainty / pw);
            add(J("normalized_power"), "W/kg", key,
                m[AN_JM_NORMALIZED_POWER].values[j] - t.peak_power_per_kg[j],
                m[AN_JM_NORMALIZED_POWER].uncertainty);
            add(J("height_disagreement u"), "flag", key, 0, m[AN_JM_HEIGHT_DISAGREE].uncertainty);
        }
        /* Per-frame series against the true motion (frames where both are known). */
        for (int i = 0; i < s.n_frames; i++) {
            struct synth_jump_state st;
            double ti = s.frames[i].t_s;
            int skip = 0, on_box = 0;
            for (int j = 0; drop && j < t.n; j++) {
                if (j > 0 && fabs(ti - t.t_box_start[j]) < 0.3)
                    skip = 1; /* the generator's teleport back onto the box */
                if (ti >= t.t_box_start[j] - 0.3 && ti < t.t_contact[j])
                    on_box = 1; /* toey is measured from the local floor: the box top */
            }
            if (skip)
                continue;
            synth_jump_state_at(&p, ti, &st);
            add(J("series hipy"), "cm", key, 100 * (r.hipy_m[i] - (st.hip_y_m - t.stand_hip_m)),
                NAN);
            add(J("series vhipy"), "m/s", key, r.vhipy_mps[i] - st.hip_v_mps, NAN);
            add(J("series ahipy"), "m/s^2", key, r.ahipy_mps2[i] - st.hip_a_mps2, NAN);
            if (!on_box) {
                add(J("series toey"), "cm", key, 100 * (r.toey_m[i] - st.foot_y_m), NAN);
                add(J("series vtoey"), "m/s", key, r.vtoey_mps[i] - st.foot_v_mps, NAN);
            }
            if (r.grf_n)
                add(J("series grf"), "N", key, r.grf_n[i] - o.mass_kg * (G + st.hip_a_mps2), NAN);
        }
#undef J
    }
    analysis_jumping_result_cleanup(&r);
    analysis_series_cleanup(&s);
}

int main(int argc, char **argv)
{
    int seeds = argc > 1 ? atoi(argv[1]) : 5;
    double noise = argc > 2 ? atof(argv[2]) : 1.5;
    if (seeds < 1 || seeds > 100)
        seeds = 5;
    const double fpss[4] = {30, 60, 120, 240};
    for (int f = 0; f < 4; f++)
        for (int sd = 1; sd <= seeds; sd++) {
            bench_run(fpss[f], 0, (unsigned)sd, noise);
            bench_jump(fpss[f], 0, (unsigned)sd, noise, 0);
            bench_jump(fpss[f], 0, (unsigned)sd, noise, 1);
        }
    for (int sd = 1; sd <= seeds; sd++) {
        bench_run(60, 0.35, (unsigned)sd, noise);
        bench_jump(60, 0.35, (unsigned)sd, noise, 0);
        bench_jump(60, 0.35, (unsigned)sd, noise, 1);
    }
    printf("Synthetic suites: %d seeds per row, landmark noise %.2f px (scale 2 mm/px), "
           "fps column '~60' = 60 fps with ±35 %% interval jitter.\n\n",
           seeds, noise);
    printf(
        "| metric | unit | fps | n | bias | mean abs error | max abs error | mean reported u |\n");
    printf("|---|---|---|---|---|---|---|---|\n");
    /* Group rows by metric name in first-seen order. */
    for (int i = 0; i < nrows; i++) {
        int first = 1;
        for (int j = 0; j < i; j++)
            if (strcmp(rows[j].name, rows[i].name) == 0)
                first = 0;
        if (!first)
            continue;
        for (int j = i; j < nrows; j++) {
            struct acc *a = &rows[j];
            if (strcmp(a->name, rows[i].name) != 0 || a->n == 0)
                continue;
            printf("| %s | %s | %s%g | %d | %+.3g | %.3g | %.3g | %.3g |\n", a->name, a->unit,
                   a->fps < 0 ? "~" : "", fabs(a->fps), a->n, a->sum / a->n, a->sabs / a->n, a->max,
                   a->unc / a->n);
        }
    }
    printf("\nAnalysis time: running %.2f ms per clip-second, jumping %.2f ms per clip-second.\n",
           1000 * run_time_s / run_clip_s, 1000 * jump_time_s / jump_clip_s);
    return 0;
}
