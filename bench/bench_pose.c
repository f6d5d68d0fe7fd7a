/*
 * bench_pose.c — frames per second of the whole pose pipeline (decode +
 * BlazePose tracker, what `kinalyze pose` does minus writing JSON) on a real
 * clip, with the time split per stage: decode, detector (letterbox +
 * inference + decoding/NMS), warp (ROI crop), landmark inference, post
 * (projection, heatmap refinement, filters, next ROI). Each configuration
 * runs `--repeat` full passes; the median pass is reported, with the
 * process CPU time per frame (all threads) next to the wall-clock figures
 * because the shared VM is often loaded by other work.
 *
 * usage: bench_pose [--clip FILE] [--model lite|full|heavy|all] [--backend B]
 *                   [--threads T] [--frames N] [--repeat R] [--models-dir DIR]
 *                   [--refine 0|1] [--smoothing 0|1]
 */
#include "core/core.h"
#include "frame/frame.h"
#include "media/media.h"
#include "pose/pose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct pass {
    double wall_s, cpu_s, decode_s;
    struct pose_stage_stats st;
    int64_t frames, found;
};

/* Process CPU time (all threads), seconds. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static int cmp_pass(const void *a, const void *b)
{
    double x = ((const struct pass *)a)->wall_s, y = ((const struct pass *)b)->wall_s;
    return x < y ? -1 : x > y;
}

static enum kz_err run_pass(const char *clip, const struct pose_opts *o, int64_t max_frames,
                            struct pass *p, const char **backend, struct err_ctx *e)
{
    struct pose_tracker *t = NULL;
    struct media_decoder *d = NULL;
    enum kz_err rc = pose_tracker_create(o, &t, e);
    if (rc != KZ_OK)
        goto fail;
    rc = media_decoder_open(clip, NULL, &d, e);
    if (rc != KZ_OK)
        goto fail;
    memset(p, 0, sizeof *p);
    double t0 = time_mono_s(), c0 = cpu_s();
    while (max_frames < 0 || p->frames < max_frames) {
        const struct frame *f;
        struct pose_result r;
        double td = time_mono_s();
        rc = media_decoder_next(d, &f, e);
        p->decode_s += time_mono_s() - td;
        if (rc != KZ_OK)
            goto fail;
        if (!f)
            break;
        rc = pose_tracker_process(t, f, &r, e);
        if (rc != KZ_OK)
            goto fail;
        p->frames++;
        p->found += r.found;
    }
    p->wall_s = time_mono_s() - t0;
    p->cpu_s = cpu_s() - c0;
    pose_tracker_stats(t, &p->st);
    *backend = pose_tracker_backend(t);
fail:
    media_decoder_close(d);
    pose_tracker_destroy(t);
    return rc;
}

int main(int argc, char **argv)
{
    const char *clip = "../shared/media/running_treadmill_side_60fps.mp4";
    const char *model = "all";
    struct pose_opts o;
    int64_t frames = -1, repeat = 3, n;
    struct err_ctx e = {0};

    pose_opts_init(&o);
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *a = argv[i], *v = argv[i + 1];
        if (strcmp(a, "--clip") == 0)
            clip = v;
        else if (strcmp(a, "--model") == 0)
            model = v;
        else if (strcmp(a, "--backend") == 0)
            o.backend = v;
        else if (strcmp(a, "--models-dir") == 0)
            o.models_dir = v;
        else if (strcmp(a, "--threads") == 0 && str_to_i64(v, 0, 256, &n) == KZ_OK)
            o.threads = (int)n;
        else if (strcmp(a, "--frames") == 0 && str_to_i64(v, 1, INT64_MAX, &n) == KZ_OK)
            frames = n;
        else if (strcmp(a, "--repeat") == 0 && str_to_i64(v, 1, 100, &n) == KZ_OK)
            repeat = n;
        else if (strcmp(a, "--refine") == 0 && str_to_i64(v, 0, 1, &n) == KZ_OK)
            o.refine_heatmap = (int)n;
        else if (strcmp(a, "--smoothing") == 0 && str_to_i64(v, 0, 1, &n) == KZ_OK)
            o.smoothing = (int)n;
        else {
            fprintf(stderr, "bench_pose: bad option %s %s\n", a, v);
            return 2;
        }
    }
    static const char *const all[] = {"lite", "full", "heavy"};
    const char *const *models = all;
    int n_models = 3;
    if (strcmp(model, "all") != 0) {
        models = &model;
        n_models = 1;
    }
    printf("clip %s, %lld pass(es) per model, median pass shown\n", clip, (long long)repeat);
    printf("%-6s %-7s %3s %6s %7s %7s | ms/frame: %6s %8s %6s %8s %6s\n", "model", "backend", "thr",
           "frames", "fps", "cpu_ms", "decode", "detector", "warp", "landmark", "post");
    for (int m = 0; m < n_models; m++) {
        struct pass passes[100];
        const char *backend = "?";
        o.model = models[m];
        for (int r = 0; r < repeat; r++) {
            if (run_pass(clip, &o, frames, &passes[r], &backend, &e) != KZ_OK) {
                fprintf(stderr, "bench_pose: %s: %s\n", models[m], err_msg(&e));
                return 1;
            }
        }
        qsort(passes, (size_t)repeat, sizeof passes[0], cmp_pass);
        const struct pass *p = &passes[repeat / 2];
        double per = p->frames ? 1000.0 / (double)p->frames : 0;
        printf("%-6s %-7s %3d %6lld %7.1f %7.2f | ms/frame: %6.2f %8.2f %6.2f %8.2f %6.3f"
               "  (%lld detector runs, %lld/%lld frames with a pose)\n",
               models[m], backend, o.threads, (long long)p->frames,
               p->wall_s > 0 ? (double)p->frames / p->wall_s : 0, p->cpu_s * per, p->decode_s * per,
               p->st.detector_s * per, p->st.warp_s * per, p->st.landmark_s * per,
               p->st.post_s * per, (long long)p->st.n_detector_runs, (long long)p->found,
               (long long)p->frames);
    }
    return 0;
}
