#include "../tests/unit/analysis/synth.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    double fps = argc > 1 ? atof(argv[1]) : 60;
    struct synth_jump p = {0};
    synth_common_defaults(&p.c, fps);
    p.flight_s = 0.5; p.depth_m = 0.3; p.n_jumps = 2; p.drop = argc > 2 ? atoi(argv[2]) : 0; p.box_m = 0.4; p.contact_s = 0.25;
    p.tuck_m = argc > 3 ? atof(argv[3]) : 0;
    struct an_series s; struct synth_jump_truth t;
    synth_jump_make(&p, &s, &t);
    struct an_jumping_opts o = {.kind = p.drop ? AN_JUMP_DROP : AN_JUMP_CMJ, .mass_kg = 75};
    struct an_jumping_result r; struct err_ctx e;
    if (analysis_jumping_run(&s, &o, &r, &e)) { printf("err %s\n", e.msg); return 1; }
    printf("jumps %d (truth %d) scale %g\n", r.n_jumps, t.n, r.kin.scale_m_per_px);
    for (int j = 0; j < r.n_jumps; j++) {
        printf(" jump %d: to %.4f (%.4f) land %.4f (%.4f) ic truth %.4f phases:", j, r.jumps[j].t_s[AN_PH_TAKEOFF], t.t_takeoff[j], r.jumps[j].t_s[AN_PH_LANDING], t.t_landing[j], t.t_contact[j]);
        for (int q = 0; q < AN_PH__COUNT; q++) printf(" %s=%d(%.3f)", analysis_phase_name(q), r.jumps[j].frame[q], r.jumps[j].t_s[q]);
        printf(" end %d\n", r.jumps[j].end_frame);
        printf("   truth tf %.4f hft %.4f hv %.4f v %.3f depth %.3f\n", t.flight_s[j], t.height_ft_m[j], t.height_v_m[j], t.takeoff_v_mps[j], t.depth_m[j]);
    }
    for (int i = 0; i < AN_JM__COUNT; i++) {
        struct an_metric *m = &r.m[i];
        if (m->available) printf("%-26s %10.4f ± %.4f %s [%g..%g] n=%d\n", m->key, m->avg, m->uncertainty, m->unit, m->min, m->max, m->n);
        else printf("%-26s unavailable: %s\n", m->key, m->reason);
    }
    analysis_jumping_result_cleanup(&r); analysis_series_cleanup(&s);
    return 0;
}
