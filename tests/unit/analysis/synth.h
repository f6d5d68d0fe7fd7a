/*
 * synth.h — synthetic side-view motion with known answers for the analysis
 * tests and the accuracy report (bench_analysis_accuracy). A planar stick
 * body (Winter 2009 segment proportions) runs on a treadmill or performs
 * countermovement / drop jumps; the generator renders BlazePose-style image
 * and world landmarks at any frame rate (optionally jittered timestamps)
 * with Gaussian pixel noise, and reports the true event times and values.
 */
#ifndef KZ_TEST_SYNTH_H
#define KZ_TEST_SYNTH_H

#include "analysis/analysis.h"

struct synth_common {
    double fps;      /* nominal frame rate */
    double jitter;   /* 0..0.45: each interval is (1 ± jitter·u) / fps */
    double noise_px; /* Gaussian landmark noise (standard deviation), pixels */
    double world_noise_m;
    double visibility;      /* visibility and presence of every landmark (default 0.95) */
    double foot_visibility; /* heel/toe visibility (0 = same as visibility) */
    unsigned seed;
    double m_per_px; /* true scale (default 0.002) */
    double height_m; /* athlete height (default 1.75) */
};

struct synth_run {
    struct synth_common c;
    double cadence_spm;  /* steps per minute */
    double contact_s;    /* ground-contact time */
    double speed_mps;    /* belt speed */
    double vo_m;         /* vertical oscillation peak-to-trough */
    double strike_deg;   /* foot angle at contact (toe up +) */
    double overstride_m; /* heel ahead of the hip at contact */
    double duration_s;
};

struct synth_run_truth {
    int n_contacts;
    double t_on[256], t_off[256];
    int side[256];
    double knee_flexion_contact_deg; /* mean over contacts */
    /* Means over contacts, same definitions as the analysis (facing +x): */
    double shank_angle_contact_deg; /* shank from vertical at contact, + ankle ahead of knee */
    double contact_angle_deg;       /* lower of heel/toe → hip-mid line vs the ground ahead */
    double hip_angle_toeoff_deg;    /* trunk line → thigh at toe-off, + flexion */
};

struct synth_jump {
    struct synth_common c;
    int drop;         /* 1 = drop jump from a box */
    double box_m;     /* drop height */
    double contact_s; /* drop jump ground contact */
    double flight_s;
    double depth_m; /* hip countermovement depth (CMJ) */
    double tuck_m;  /* landing with the legs tucked by this much (0 = same posture) */
    int n_jumps;
};

struct synth_jump_truth {
    int n;
    double t_takeoff[8], t_landing[8], t_contact[8];
    double flight_s[8], height_ft_m[8], height_v_m[8], depth_m[8], takeoff_v_mps[8];
    double stand_hip_m; /* standing hip height above the floor */
    /* Drop jump: the generator puts the athlete back on the box instantly at this
       time (a jump no body makes; per-frame comparisons skip ±0.3 s around it). */
    double t_box_start[8];
    /* Phases by the analysis' definitions applied to the true hip motion: onset =
       hip velocity below 10 % of its most negative value before the lowest point
       (drop jump: the floor contact after the box), lowest hip point. */
    double t_onset[8], t_lowest[8];
    double knee_lowest_deg[8]; /* knee flexion at the lowest point */
    /* Peaks of the true hip acceleration (GRF / m − g) from onset to take-off and
       from landing to the end of that jump, and of (g + a)·v (power / m) from
       onset to take-off. */
    double peak_a_takeoff[8], peak_a_landing[8], peak_power_per_kg[8];
};

/* True hip and lowest-foot motion of a synthetic jump at time t (metres, y up,
   floor at 0; derivatives by central differences of the generator, 0.2 ms). */
struct synth_jump_state {
    double hip_y_m, hip_v_mps, hip_a_mps2;
    double foot_y_m, foot_v_mps;
};
void synth_jump_state_at(const struct synth_jump *p, double t, struct synth_jump_state *st);

/* Fill `s` (initialised here; caller calls analysis_series_cleanup). 0 on success. */
int synth_run_make(const struct synth_run *p, struct an_series *s, struct synth_run_truth *t);
int synth_jump_make(const struct synth_jump *p, struct an_series *s, struct synth_jump_truth *t);

/* Defaults for the common block. */
void synth_common_defaults(struct synth_common *c, double fps);

/* Swap the left and right leg landmarks (hip..toe) of frames [a, b) in place. */
void synth_swap_legs(struct an_series *s, int a, int b);

#endif
