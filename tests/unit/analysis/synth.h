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
};

/* Fill `s` (initialised here; caller calls analysis_series_cleanup). 0 on success. */
int synth_run_make(const struct synth_run *p, struct an_series *s, struct synth_run_truth *t);
int synth_jump_make(const struct synth_jump *p, struct an_series *s, struct synth_jump_truth *t);

/* Defaults for the common block. */
void synth_common_defaults(struct synth_common *c, double fps);

/* Swap the left and right leg landmarks (hip..toe) of frames [a, b) in place. */
void synth_swap_legs(struct an_series *s, int a, int b);

#endif
