/*
 * bench_media.c — throughput of the media and frame hot paths:
 *   decode fps of a clip (native size, and downscaled to a max long side),
 *   H.264 encode fps at 1280x720, and the per-call cost of the pose warps
 *   (224x224 letterboxed detector tensor, 256x256 rotated landmark crop) and
 *   of a canvas round trip at the clip's size.
 * Usage: bench_media [CLIP] [REPEATS]   (default: the shared treadmill clip, 3)
 * Prints the median of REPEATS runs for each figure.
 */
#include "frame/frame.h"
#include "media/media.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_CLIP KZ_SOURCE_ROOT "/../shared/media/running_treadmill_side_60fps.mp4"
#define MAX_REPEATS 15

/* CPU seconds used by the whole process (all threads): robust to a busy machine. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return ts.tv_sec + ts.tv_nsec * 1e-9;
}

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

/* Decode the whole clip; returns frames per second, or -1 on error. */
static double bench_decode(const char *clip, int max_long_side, int threads, int *w, int *h,
                           double *cpu_ms_per_frame)
{
    double c0 = cpu_s();
    struct media_decode_opts o = {.max_long_side_px = max_long_side, .threads = threads};
    struct media_decoder *d = NULL;
    const struct frame *f;
    struct err_ctx e = {0};
    double t0 = time_mono_s();
    long n = 0;

    if (media_decoder_open(clip, &o, &d, &e) != KZ_OK) {
        fprintf(stderr, "decode: %s\n", err_msg(&e));
        return -1;
    }
    while (media_decoder_next(d, &f, &e) == KZ_OK && f) {
        *w = f->width;
        *h = f->height;
        n++;
    }
    media_decoder_close(d);
    *cpu_ms_per_frame = n ? (cpu_s() - c0) * 1e3 / n : 0;
    return n / (time_mono_s() - t0);
}

static double bench_encode(int w, int h, int n_frames, double *cpu_ms_per_frame)
{
    double c0;
    struct media_encode_opts o = {.width = w, .height = h, .fps = 30};
    struct media_encoder *enc = NULL;
    struct err_ctx e = {0};
    struct frame f;
    char path[256];
    double t0;

    str_printf(path, sizeof path, "/tmp/bench_media_%d.mp4", (int)getpid());
    if (frame_alloc(&f, w, h, &e) != KZ_OK)
        return -1;
    t0 = time_mono_s();
    c0 = cpu_s();
    if (media_encoder_open(path, &o, &enc, &e) != KZ_OK) {
        fprintf(stderr, "encode: %s\n", err_msg(&e));
        frame_free(&f);
        return -1;
    }
    for (int i = 0; i < n_frames; i++) {
        /* Moving content so x264 has real work to do. */
        for (int y = 0; y < h; y++) {
            uint8_t *row = f.data + (size_t)y * f.stride;
            for (int x = 0; x < w; x++) {
                row[3 * x] = (uint8_t)(x + 3 * i);
                row[3 * x + 1] = (uint8_t)(y - 2 * i);
                row[3 * x + 2] = (uint8_t)((x ^ y) + i);
            }
        }
        f.t_s = i / 30.0;
        if (media_encoder_write(enc, &f, &e) != KZ_OK) {
            fprintf(stderr, "encode: %s\n", err_msg(&e));
            media_encoder_destroy(enc);
            frame_free(&f);
            return -1;
        }
    }
    if (media_encoder_finish(enc, &e) != KZ_OK)
        fprintf(stderr, "encode: %s\n", err_msg(&e));
    double fps = n_frames / (time_mono_s() - t0);
    *cpu_ms_per_frame = (cpu_s() - c0) * 1e3 / n_frames;
    unlink(path);
    frame_free(&f);
    return fps;
}

int main(int argc, char **argv)
{
    const char *clip = argc > 1 ? argv[1] : DEFAULT_CLIP;
    int reps = argc > 2 ? (int)strtol(argv[2], NULL, 10) : 3;
    double v[MAX_REPEATS], cpu[MAX_REPEATS];
    int w = 0, h = 0;
    struct media_info in;
    struct err_ctx e = {0};

    if (reps < 1 || reps > MAX_REPEATS)
        reps = 3;
    log_set_level(LOG_WARN);
    if (media_probe(clip, &in, &e) != KZ_OK) {
        fprintf(stderr, "bench_media: %s\n", err_msg(&e));
        return 1;
    }
    printf("clip: %s (%dx%d, %.3f fps, %lld frames, %s)\n", clip, in.width, in.height, in.fps,
           (long long)in.frame_count, in.codec);

    static const int sizes[] = {0, 1280, 640, 256}; /* 1280: the analyzed video */
    for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
        for (int th = 0; th <= 1; th++) {
            for (int r = 0; r < reps; r++)
                v[r] = bench_decode(clip, sizes[s], th, &w, &h, &cpu[r]);
            printf("decode max_long_side=%-4d -> %4dx%-4d threads=%s: %7.1f fps, %6.2f ms CPU/frame"
                   " (medians of %d)\n",
                   sizes[s], w, h, th ? "1   " : "auto", median(v, reps), median(cpu, reps), reps);
        }
    }
    for (int r = 0; r < reps; r++)
        v[r] = bench_encode(1280, 720, 120, &cpu[r]);
    printf("encode 1280x720 H.264 (superfast, crf 23): %7.1f fps, %6.2f ms CPU/frame (medians of "
           "%d)\n",
           median(v, reps), median(cpu, reps), reps);

    /* Pose warps on a frame of the clip's size. */
    {
        struct frame src, cv;
        struct frame_affine m;
        struct frame_letterbox lb;
        struct frame_canvas *c = NULL;
        float *t = malloc(256 * 256 * 3 * sizeof *t);
        const int iters = 200;
        if (!t || frame_alloc(&src, in.width, in.height, &e) != KZ_OK)
            return 1;
        for (size_t i = 0; i < src.stride * (size_t)src.height; i++)
            src.data[i] = (uint8_t)(i * 31);
        frame_letterbox_compute(src.width, src.height, 224, &lb, &m);
        for (int r = 0; r < reps; r++) {
            double t0 = time_mono_s(), c0 = cpu_s();
            for (int i = 0; i < iters; i++)
                frame_warp_affine_tensor(&src, &m, t, 224, 224, FRAME_RANGE_0_1, NULL, NULL);
            v[r] = (time_mono_s() - t0) / iters * 1e6;
            cpu[r] = (cpu_s() - c0) / iters * 1e6;
        }
        printf("warp letterbox -> 224x224 float tensor   : %7.1f us/call, %7.1f us CPU (medians)\n",
               median(v, reps), median(cpu, reps));
        frame_affine_rect(src.width * 0.5, src.height * 0.5, src.width * 0.6, src.width * 0.6, 0.3,
                          256, 256, &m);
        for (int r = 0; r < reps; r++) {
            double t0 = time_mono_s(), c0 = cpu_s();
            for (int i = 0; i < iters; i++)
                frame_warp_affine_tensor(&src, &m, t, 256, 256, FRAME_RANGE_0_1, NULL, NULL);
            v[r] = (time_mono_s() - t0) / iters * 1e6;
            cpu[r] = (cpu_s() - c0) / iters * 1e6;
        }
        printf("warp rotated crop -> 256x256 float tensor: %7.1f us/call, %7.1f us CPU (medians)\n",
               median(v, reps), median(cpu, reps));
        if (frame_alloc(&cv, in.width, in.height, &e) == KZ_OK &&
            frame_canvas_create(in.width, in.height, &c, &e) == KZ_OK) {
            const struct frame_rgba red = {1, 0, 0, 0.8};
            for (int r = 0; r < reps; r++) {
                double t0 = time_mono_s(), c0 = cpu_s();
                for (int i = 0; i < 20; i++) {
                    frame_canvas_begin(c, &src, NULL);
                    for (int k = 0; k < 33; k++)
                        frame_canvas_circle(c, 100 + 10 * k, 200 + 5 * k, 6, 1, 0, red);
                    for (int k = 0; k < 35; k++)
                        frame_canvas_line(c, 100 + 7 * k, 300, 150 + 7 * k, 500, 4, red);
                    frame_canvas_text(c, 20, 20, "knee 42 deg", 28, red, red);
                    frame_canvas_end(c, &cv, NULL);
                }
                v[r] = (time_mono_s() - t0) / 20 * 1e3;
                cpu[r] = (cpu_s() - c0) / 20 * 1e3;
            }
            printf("canvas round trip %dx%d + 33 circles, 35 lines, 1 label: %6.2f ms/frame, "
                   "%6.2f ms CPU (medians)\n",
                   in.width, in.height, median(v, reps), median(cpu, reps));
        }
        frame_canvas_destroy(c);
        frame_free(&cv);
        frame_free(&src);
        free(t);
    }
    return 0;
}
