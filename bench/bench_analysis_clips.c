/*
 * bench_analysis_clips.c — runs decode → pose → analysis on a real clip and
 * prints the per-stage wall time and the main metrics, to check that the
 * analysis is physically plausible on real video (the synthetic suites in
 * bench_analysis_accuracy measure its accuracy).
 *
 * Usage: bench_analysis_clips running|jumping CLIP [--model lite|full|heavy]
 *        [--exercise "Drop Jump"] [--height-cm H] [--mass-kg M] [--cache FILE]
 *        [--json FILE]
 * --cache stores the landmark series (raw binary, this machine only) so the
 * analysis can be re-run without pose estimation.
 */
#include "analysis/analysis.h"
#include "pipeline/pipeline.h"
#include "frame/frame.h"
#include "media/media.h"
#include "pose/pose.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int load_cache(const char *path, struct an_series *s)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    int hdr[3];
    int ok = fread(hdr, sizeof hdr, 1, f) == 1 && hdr[0] > 0 && hdr[0] < (1 << 22) &&
             analysis_series_init(s, hdr[0], hdr[1], hdr[2], NULL) == KZ_OK &&
             fread(s->frames, sizeof *s->frames, (size_t)hdr[0], f) == (size_t)hdr[0];
    fclose(f);
    return ok ? 0 : -1;
}

static void save_cache(const char *path, const struct an_series *s)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return;
    int hdr[3] = {s->n_frames, s->width_px, s->height_px};
    fwrite(hdr, sizeof hdr, 1, f);
    fwrite(s->frames, sizeof *s->frames, (size_t)s->n_frames, f);
    fclose(f);
}

static int pose_clip(const char *clip, const char *model, struct an_series *s, double *t_dec,
                     double *t_pose)
{
    struct err_ctx e;
    struct media_decoder *d = NULL;
    struct pose_tracker *tr = NULL;
    struct pose_opts po;
    pose_opts_init(&po);
    po.model = model;
    if (media_decoder_open(clip, NULL, &d, &e) || pose_tracker_create(&po, &tr, &e)) {
        fprintf(stderr, "open: %s\n", e.msg);
        media_decoder_close(d);
        pose_tracker_destroy(tr);
        return -1;
    }
    const struct media_info *mi = media_decoder_info(d);
    int cap = mi->frame_count > 0 ? (int)mi->frame_count + 64 : 4096;
    if (analysis_series_init(s, cap, mi->width, mi->height, &e))
        return -1;
    int n = 0;
    for (;;) {
        const struct frame *fr;
        double t0 = time_mono_s();
        if (media_decoder_next(d, &fr, &e) || !fr)
            break;
        double t1 = time_mono_s();
        struct pose_result pr;
        if (pose_tracker_process(tr, fr, &pr, &e))
            break;
        *t_dec += t1 - t0;
        *t_pose += time_mono_s() - t1;
        if (n >= cap)
            break;
        pipeline_frame_from_pose(&pr, &s->frames[n++]);
    }
    s->n_frames = n;
    media_decoder_close(d);
    pose_tracker_destroy(tr);
    return 0;
}

static void print_metrics(const struct an_metric *m, int count)
{
    for (int i = 0; i < count; i++) {
        if (m[i].available)
            printf("  %-26s %10.3f ± %-8.3f %-10s [%.3f .. %.3f] n=%d\n", m[i].key, m[i].avg,
                   m[i].uncertainty, m[i].unit, m[i].min, m[i].max, m[i].n);
        else
            printf("  %-26s unavailable: %s\n", m[i].key, m[i].reason);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: %s running|jumping CLIP [options]\n", argv[0]);
        return 2;
    }
    const char *act = argv[1], *clip = argv[2], *model = "full", *cache = NULL, *json = NULL;
    const char *exercise = "Countermovement Jump";
    double height = 0, mass = 0;
    for (int i = 3; i + 1 < argc; i += 2) {
        if (!strcmp(argv[i], "--model"))
            model = argv[i + 1];
        else if (!strcmp(argv[i], "--exercise"))
            exercise = argv[i + 1];
        else if (!strcmp(argv[i], "--height-cm"))
            height = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--mass-kg"))
            mass = strtod(argv[i + 1], NULL);
        else if (!strcmp(argv[i], "--cache"))
            cache = argv[i + 1];
        else if (!strcmp(argv[i], "--json"))
            json = argv[i + 1];
    }
    struct an_series s;
    double t_dec = 0, t_pose = 0;
    if (!cache || load_cache(cache, &s) != 0) {
        if (pose_clip(clip, model, &s, &t_dec, &t_pose))
            return 1;
        if (cache)
            save_cache(cache, &s);
    }
    double dur = s.n_frames > 1 ? s.frames[s.n_frames - 1].t_s - s.frames[0].t_s : 0;
    int valid = 0;
    for (int i = 0; i < s.n_frames; i++)
        valid += s.frames[i].valid;
    printf("%s: %d frames (%d with a person), %.2f s, %dx%d; decode %.2f s, pose (%s) %.2f s\n",
           clip, s.n_frames, valid, dur, s.width_px, s.height_px, t_dec, model, t_pose);
    struct err_ctx e;
    double t0 = time_mono_s();
    json_t *doc = NULL;
    if (!strcmp(act, "running")) {
        struct an_running_result r;
        struct an_running_opts o = {.height_cm = height, .mass_kg = mass};
        if (analysis_running_run(&s, &o, &r, &e)) {
            fprintf(stderr, "analysis: %s\n", e.msg);
            return 1;
        }
        double ta = time_mono_s() - t0;
        printf("analysis %.1f ms; scale %s %.5f m/px; fps %.1f; contacts %d, steps %d, "
               "alternation violations %d, leg swaps fixed %d, treadmill %d, footstrike %s\n",
               1000 * ta, analysis_scale_source_name(r.kin.scale_source), r.kin.scale_m_per_px,
               r.kin.fps_median, r.n_contacts, r.n_steps, r.alternation_violations,
               r.kin.n_leg_swaps_fixed, r.treadmill, analysis_footstrike_name(r.footstrike));
        print_metrics(r.m, AN_RM__COUNT);
        if (json)
            doc = analysis_running_json(&r, &s);
        analysis_running_result_cleanup(&r);
    } else {
        struct an_jumping_result r;
        struct an_jumping_opts o = {.height_cm = height, .mass_kg = mass};
        if (analysis_jump_kind_parse(exercise, &o.kind, &e) ||
            analysis_jumping_run(&s, &o, &r, &e)) {
            fprintf(stderr, "analysis: %s\n", e.msg);
            return 1;
        }
        double ta = time_mono_s() - t0;
        printf("analysis %.1f ms; scale %s %.5f m/px; fps %.1f; jumps %d, leg swaps fixed %d\n",
               1000 * ta, analysis_scale_source_name(r.kin.scale_source), r.kin.scale_m_per_px,
               r.kin.fps_median, r.n_jumps, r.kin.n_leg_swaps_fixed);
        for (int j = 0; j < r.n_jumps; j++) {
            printf("  jump %d:", j + 1);
            for (int p = 0; p < AN_PH__COUNT; p++)
                printf(" %s=%d", analysis_phase_name(p), r.jumps[j].frame[p]);
            printf("\n");
        }
        print_metrics(r.m, AN_JM__COUNT);
        if (json)
            doc = analysis_jumping_json(&r, &s);
        analysis_jumping_result_cleanup(&r);
    }
    if (doc) {
        json_dump_file(doc, json, JSON_INDENT(1));
        json_decref(doc);
    }
    analysis_series_cleanup(&s);
    return 0;
}
