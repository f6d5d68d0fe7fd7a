/*
 * bench_nn.c — inference latency of the BlazePose models on each backend of
 * our engine (src/nn), at 1 and 2 threads, with the graphs pruned as the pose
 * pipeline runs them (landmarks: Identity, Identity_1, Identity_4; detector:
 * both outputs).
 *
 * Each configuration runs in RUNS separate child processes (fork; the
 * parent never touches oneDNN/OpenMP); each child creates the graph, does
 * WARMUP inferences, then times ITERS inferences on a fixed random input and
 * reports its median. Printed per configuration: the median over processes
 * of the per-process medians, the best and worst process median, graph
 * creation time, the calling thread's CPU time per inference (at 1 thread:
 * the compute time without what other processes stole), MACs counted from the graph, GFLOP/s (2
 * FLOP per MAC) and that as a share of this machine's measured FMA peak
 * (../shared/research/INFERENCE-ENGINE.md: AVX-512 225 GFLOP/s on 1 thread,
 * 441 on 2; AVX2 112/219).
 *
 * usage: bench_nn [--models-dir DIR] [--model detector|lite|full|heavy]
 *                 [--backend B] [--threads T] [--runs R] [--iters N] [--warmup W]
 */
#include "core/core.h"
#include "nn/nn.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_ITERS 1000
#define MAX_RUNS 15

static const double peak_avx512_gflops[3] = {0, 225.0, 441.0};

struct result {
    double median_ms, create_ms, cpu_ms;
    int64_t macs;
    int ok;
};

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, (size_t)n, sizeof *v, cmp_double);
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

/* CPU time of the calling thread: at 1 thread all inference work runs on it,
   so this shows how much of the wall time was lost to other processes. */
static double thread_cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* One process's measurement (runs in the child). */
static struct result measure(const char *path, int is_detector, const char *backend, int threads,
                             int warmup, int iters)
{
    struct result r = {0};
    struct err_ctx e;
    struct nn_model *m = NULL;
    struct nn_graph *g = NULL;
    static double t_ms[MAX_ITERS], c_ms[MAX_ITERS];
    const char *lm_outs[] = {"Identity", "Identity_1", "Identity_4"};
    const char *det_outs[] = {"Identity", "Identity_1"};
    if (nn_model_load(path, &m, &e)) {
        fprintf(stderr, "bench_nn: %s\n", err_msg(&e));
        return r;
    }
    struct nn_graph_opts o = {.backend = backend,
                              .threads = threads,
                              .outputs = is_detector ? det_outs : lm_outs,
                              .n_outputs = is_detector ? 2 : 3};
    double t0 = time_mono_s();
    if (nn_graph_create(m, &o, &g, &e)) {
        fprintf(stderr, "bench_nn: %s on %s: %s\n", path, backend, err_msg(&e));
        nn_model_destroy(m);
        return r;
    }
    r.create_ms = (time_mono_s() - t0) * 1e3;
    struct nn_shape s;
    float *in = nn_graph_input(g, 0, &s);
    uint32_t x = 1;
    for (size_t i = 0; i < nn_shape_count(&s); i++) {
        x = x * 1664525u + 1013904223u;
        in[i] = (float)(x >> 8) / 16777216.f;
    }
    for (int i = 0; i < warmup + iters; i++) {
        double c0 = thread_cpu_s();
        t0 = time_mono_s();
        if (nn_graph_run(g, &e)) {
            fprintf(stderr, "bench_nn: run: %s\n", err_msg(&e));
            goto out;
        }
        if (i >= warmup) {
            t_ms[i - warmup] = (time_mono_s() - t0) * 1e3;
            c_ms[i - warmup] = (thread_cpu_s() - c0) * 1e3;
        }
    }
    r.median_ms = median(t_ms, iters);
    r.cpu_ms = median(c_ms, iters);
    r.macs = nn_graph_mac_count(g);
    r.ok = 1;
out:
    nn_graph_destroy(g);
    nn_model_destroy(m);
    return r;
}

/* Run `measure` in a child process and read its result through a pipe. */
static struct result measure_in_child(const char *path, int is_detector, const char *backend,
                                      int threads, int warmup, int iters)
{
    struct result r = {0};
    int fd[2];
    if (pipe(fd) != 0)
        return r;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        close(fd[0]);
        close(fd[1]);
        return r;
    }
    if (pid == 0) {
        close(fd[0]);
        struct result c = measure(path, is_detector, backend, threads, warmup, iters);
        ssize_t w = write(fd[1], &c, sizeof c);
        close(fd[1]);
        _exit(w == (ssize_t)sizeof c ? 0 : 1);
    }
    close(fd[1]);
    ssize_t got = read(fd[0], &r, sizeof r);
    close(fd[0]);
    int status;
    waitpid(pid, &status, 0);
    if (got != (ssize_t)sizeof r)
        memset(&r, 0, sizeof r);
    return r;
}

int main(int argc, char **argv)
{
    const char *dir = getenv("KZ_MODELS_DIR") ? getenv("KZ_MODELS_DIR") : "models";
    const char *only_model = NULL, *only_backend = NULL;
    int only_threads = 0, runs = 3, iters = 50, warmup = 10;
    for (int i = 1; i + 1 < argc; i += 2) {
        int64_t v = 0;
        if (strcmp(argv[i], "--models-dir") == 0)
            dir = argv[i + 1];
        else if (strcmp(argv[i], "--model") == 0)
            only_model = argv[i + 1];
        else if (strcmp(argv[i], "--backend") == 0)
            only_backend = argv[i + 1];
        else if (strcmp(argv[i], "--threads") == 0 && !str_to_i64(argv[i + 1], 1, 2, &v))
            only_threads = (int)v;
        else if (strcmp(argv[i], "--runs") == 0 && !str_to_i64(argv[i + 1], 1, MAX_RUNS, &v))
            runs = (int)v;
        else if (strcmp(argv[i], "--iters") == 0 && !str_to_i64(argv[i + 1], 1, MAX_ITERS, &v))
            iters = (int)v;
        else if (strcmp(argv[i], "--warmup") == 0 && !str_to_i64(argv[i + 1], 0, 1000, &v))
            warmup = (int)v;
        else {
            fprintf(stderr, "usage: bench_nn [--models-dir DIR] [--model M] [--backend B] "
                            "[--threads 1|2] [--runs R] [--iters N] [--warmup W]\n");
            return 2;
        }
    }
    const struct {
        const char *name, *file;
        int detector;
    } models[] = {{"detector", "pose_detection.tflite", 1},
                  {"lite", "pose_landmark_lite.tflite", 0},
                  {"full", "pose_landmark_full.tflite", 0},
                  {"heavy", "pose_landmark_heavy.tflite", 0}};
    printf("# bench_nn: %d process runs x (%d warm-up + %d timed) per row; ms = median of the "
           "per-process medians\n",
           runs, warmup, iters);
    printf("%-9s %-7s %3s %9s %9s %9s %9s %8s %8s %9s %8s\n", "model", "backend", "thr", "ms",
           "best", "worst", "cpu_ms", "MMAC", "GFLOP/s", "%peak512", "setup_ms");
    for (size_t mi = 0; mi < KZ_ARRAY_LEN(models); mi++) {
        if (only_model && strcmp(only_model, models[mi].name) != 0)
            continue;
        char path[1024];
        if (str_printf(path, sizeof path, "%s/%s", dir, models[mi].file))
            return 1;
        if (access(path, R_OK) != 0) {
            fprintf(stderr, "bench_nn: %s missing (make models)\n", path);
            return 1;
        }
        for (int b = 0; nn_backend_name(b); b++) {
            const char *be = nn_backend_name(b);
            if (only_backend && strcmp(only_backend, be) != 0)
                continue;
            int is_ref = strcmp(be, "ref") == 0;
            for (int t = 1; t <= 2; t++) {
                if ((only_threads && t != only_threads) || (is_ref && t == 2))
                    continue; /* ref is single-threaded */
                double med[MAX_RUNS], setup[MAX_RUNS], cpu[MAX_RUNS];
                int n = 0;
                int64_t macs = 0;
                int it = is_ref ? (iters < 5 ? iters : 5) : iters;
                int wu = is_ref ? (warmup < 1 ? warmup : 1) : warmup;
                for (int r = 0; r < runs; r++) {
                    struct result res = measure_in_child(path, models[mi].detector, be, t, wu, it);
                    if (!res.ok)
                        continue;
                    med[n] = res.median_ms;
                    setup[n] = res.create_ms;
                    cpu[n] = res.cpu_ms;
                    macs = res.macs;
                    n++;
                }
                if (!n) {
                    printf("%-9s %-7s %3d  failed\n", models[mi].name, be, t);
                    continue;
                }
                double ms = median(med, n), best = med[0], worst = med[n - 1];
                double gflops = 2.0 * (double)macs / (ms * 1e-3) / 1e9;
                printf("%-9s %-7s %3d %9.2f %9.2f %9.2f %9.2f %8.1f %8.1f %8.1f%% %8.1f\n",
                       models[mi].name, be, t, ms, best, worst, median(cpu, n), (double)macs / 1e6,
                       gflops, 100.0 * gflops / peak_avx512_gflops[t], median(setup, n));
                fflush(stdout);
            }
        }
    }
    return 0;
}
