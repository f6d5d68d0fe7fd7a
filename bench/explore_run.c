#include "../tests/unit/analysis/synth.h"
#include <stdio.h>
#include <math.h>
#include <stdlib.h>
int main(int argc, char **argv) {
    double fps = argc > 1 ? atof(argv[1]) : 60;
    struct synth_run p = {0};
    synth_common_defaults(&p.c, fps);
    p.cadence_spm = 170; p.contact_s = 0.24; p.speed_mps = 3.0; p.vo_m = 0.08; p.strike_deg = 12; p.overstride_m = 0.25; p.duration_s = 6;
    struct an_series s; struct synth_run_truth t;
    synth_run_make(&p, &s, &t);
    struct an_running_opts o = {0};
    struct an_running_result r; struct err_ctx e;
    if (analysis_running_run(&s, &o, &r, &e)) { printf("err %s\n", e.msg); return 1; }
    printf("contacts %d (truth %d) steps %d viol %d swaps %d scale %g src %d fs %s knee truth %.1f\n", r.n_contacts, t.n_contacts, r.n_steps, r.alternation_violations, r.kin.n_leg_swaps_fixed, r.kin.scale_m_per_px, r.kin.scale_source, analysis_footstrike_name(r.footstrike), t.knee_flexion_contact_deg);
    if (getenv("DBG")) for (int i = 0; i < r.kin.n && r.kin.t_s[i] < 0.5; i++) printf("t %.4f heel f %.4f r %.4f toe f %.4f r %.4f\n", r.kin.t_s[i], r.kin.y[AN_L_HEEL][i], r.kin.ry[AN_L_HEEL][i], r.kin.y[AN_L_FOOT][i], r.kin.ry[AN_L_FOOT][i]);
    for (int c = 0; c < r.n_contacts && c < 8; c++) {
        double best=1e9; int bi=0; for (int j=0;j<t.n_contacts;j++) if (fabs(t.t_on[j]-r.contacts[c].t_on_s)<best) best=fabs(t.t_on[j]-r.contacts[c].t_on_s), bi=j;
        printf("  side %d on %.4f (%.4f) off %.4f (%.4f) fsa %.1f knee %.1f os %.3f\n", r.contacts[c].side, r.contacts[c].t_on_s, t.t_on[bi], r.contacts[c].t_off_s, t.t_off[bi], r.contacts[c].footstrike_angle_deg, r.contacts[c].knee_flexion_deg, r.contacts[c].overstride_m);
    }
    for (int i = 0; i < AN_RM__COUNT; i++) {
        struct an_metric *m = &r.m[i];
        if (m->available) printf("%-22s %10.4f ± %.4f %s [%g..%g] n=%d\n", m->key, m->avg, m->uncertainty, m->unit, m->min, m->max, m->n);
        else printf("%-22s unavailable: %s\n", m->key, m->reason);
    }
    analysis_running_result_cleanup(&r); analysis_series_cleanup(&s);
    return 0;
}
/* debug */
