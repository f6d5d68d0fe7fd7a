/*
 * cmd_analyze.c — `kinalyze analyze ACTIVITY VIDEO --out DIR [options]`: runs
 * the same pipeline the server's worker runs (src/pipeline) offline and
 * writes DIR/result.json (the vendor's session document for the activity,
 * plus units, uncertainties and timings under "kinalyze") and
 * DIR/analyzed.mp4. Progress goes to stderr; a one-line summary to stdout.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "frame/frame.h"
#include "pipeline/pipeline.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f)
{
    fprintf(f,
            "usage: kinalyze analyze running|jumping|weightlifting VIDEO --out DIR [options]\n"
            "\n"
            "Analyse VIDEO and write DIR/result.json and DIR/analyzed.mp4.\n"
            "\n"
            "options:\n"
            "  --exercise NAME      jumping: \"Countermovement Jump\" (default) | \"Drop Jump\";\n"
            "                       weightlifting: snatch | clean | clean_and_jerk\n"
            "  --incline DEG        running: treadmill incline in degrees\n"
            "  --mass-kg M          athlete body mass\n"
            "  --height-cm H        athlete height (scale from body segments)\n"
            "  --barbell-mass KG    weightlifting: barbell mass (default 100)\n"
            "  --model M            pose model: lite | full (default) | heavy\n"
            "  --models-dir DIR     pose model files (default $KINALYZE_MODELS_DIR or models)\n"
            "  --backend NAME       inference backend (default: fastest)\n"
            "  --threads N          inference threads (default 1; 0 = all cores)\n"
            "  --max-frames N       analyse only the first N frames\n"
            "  --no-video           skip the analyzed video\n"
            "  --quiet              no progress on stderr\n");
}

/* On a terminal: one updating line. Otherwise: a line per stage and per 10 %. */
static void on_progress(void *user, const char *stage, int stage_pct, int overall_pct)
{
    static const char *last_stage;
    static int last_decile = -1;
    (void)user;
    if (isatty(fileno(stderr))) {
        fprintf(stderr, "\ranalyze: %3d%%  %-9s %3d%%", overall_pct, stage, stage_pct);
        if (overall_pct >= 100)
            fputc('\n', stderr);
        fflush(stderr);
        return;
    }
    if (stage != last_stage || stage_pct / 10 != last_decile)
        fprintf(stderr, "analyze: %3d%%  %s %d%%\n", overall_pct, stage, stage_pct);
    last_stage = stage;
    last_decile = stage_pct / 10;
}

static int parse_num(const char *name, const char *s, double min, double max, double *out)
{
    if (str_to_double(s, min, max, out) != KZ_OK) {
        fprintf(stderr, "kinalyze analyze: %s: '%s' is not a number in [%g, %g]\n", name, s, min,
                max);
        return -1;
    }
    return 0;
}

int cmd_analyze(int argc, char **argv)
{
    enum {
        O_EXERCISE = 256,
        O_INCLINE,
        O_MASS,
        O_HEIGHT,
        O_BARBELL,
        O_MODEL,
        O_MODELS_DIR,
        O_BACKEND,
        O_THREADS,
        O_MAX_FRAMES,
        O_OUT,
        O_NO_VIDEO,
        O_QUIET,
        O_HELP
    };
    static const struct option longopts[] = {
        {"exercise", required_argument, NULL, O_EXERCISE},
        {"incline", required_argument, NULL, O_INCLINE},
        {"mass-kg", required_argument, NULL, O_MASS},
        {"height-cm", required_argument, NULL, O_HEIGHT},
        {"barbell-mass", required_argument, NULL, O_BARBELL},
        {"model", required_argument, NULL, O_MODEL},
        {"models-dir", required_argument, NULL, O_MODELS_DIR},
        {"backend", required_argument, NULL, O_BACKEND},
        {"threads", required_argument, NULL, O_THREADS},
        {"max-frames", required_argument, NULL, O_MAX_FRAMES},
        {"out", required_argument, NULL, O_OUT},
        {"no-video", no_argument, NULL, O_NO_VIDEO},
        {"quiet", no_argument, NULL, O_QUIET},
        {"help", no_argument, NULL, O_HELP},
        {NULL, 0, NULL, 0},
    };
    struct pipeline_opts o;
    struct pipeline_result res = {0};
    struct err_ctx e = {0};
    const char *out_dir = NULL;
    char json_path[4096], video_path[4096];
    int no_video = 0, quiet = 0, c;
    double v;

    pipeline_opts_init(&o);
    optind = 1;
    opterr = 1;
    while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
        switch (c) {
        case O_EXERCISE:
            o.exercise = optarg;
            break;
        case O_INCLINE:
            if (parse_num("--incline", optarg, -45, 45, &o.incline_deg))
                return 2;
            break;
        case O_MASS:
            if (parse_num("--mass-kg", optarg, 1, 500, &o.mass_kg))
                return 2;
            break;
        case O_HEIGHT:
            if (parse_num("--height-cm", optarg, 50, 300, &o.height_cm))
                return 2;
            break;
        case O_BARBELL:
            if (parse_num("--barbell-mass", optarg, 0.5, 1000, &o.barbell_mass_kg))
                return 2;
            break;
        case O_MODEL:
            o.model = optarg;
            break;
        case O_MODELS_DIR:
            o.models_dir = optarg;
            break;
        case O_BACKEND:
            o.backend = optarg;
            break;
        case O_THREADS:
            if (parse_num("--threads", optarg, 0, 256, &v))
                return 2;
            o.threads = (int)v;
            break;
        case O_MAX_FRAMES:
            if (parse_num("--max-frames", optarg, 1, 1 << 20, &v))
                return 2;
            o.max_frames = (int)v;
            break;
        case O_OUT:
            out_dir = optarg;
            break;
        case O_NO_VIDEO:
            no_video = 1;
            break;
        case O_QUIET:
            quiet = 1;
            break;
        case 'h':
        case O_HELP:
            usage(stdout);
            return 0;
        default:
            usage(stderr);
            return 2;
        }
    }
    if (argc - optind != 2 || !out_dir) {
        usage(stderr);
        return 2;
    }
    if (pipeline_activity_parse(argv[optind], &o.activity, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze analyze: %s\n", err_msg(&e));
        return 2;
    }
    o.video_path = argv[optind + 1];
    if (pipeline_opts_check(&o, &e) != KZ_OK) {
        fprintf(stderr, "kinalyze analyze: %s\n", err_msg(&e));
        return 2;
    }
    if (mkdir(out_dir, 0777) != 0 && errno != EEXIST) {
        fprintf(stderr, "kinalyze analyze: cannot create %s: %s\n", out_dir, strerror(errno));
        return 1;
    }
    if (str_printf(json_path, sizeof(json_path), "%s/result.json", out_dir) != KZ_OK ||
        str_printf(video_path, sizeof(video_path), "%s/analyzed.mp4", out_dir) != KZ_OK) {
        fprintf(stderr, "kinalyze analyze: output path too long\n");
        return 2;
    }
    o.out_json_path = json_path;
    o.out_video_path = no_video ? NULL : video_path;
    if (!quiet)
        o.progress = on_progress;

    enum kz_err rc = pipeline_run(&o, &res, &e);
    if (rc != KZ_OK) {
        if (!quiet)
            fputc('\n', stderr);
        fprintf(stderr, "kinalyze analyze: failed in stage %s: %s (%s)\n",
                res.failed_stage[0] ? res.failed_stage : "?", err_msg(&e), err_name(rc));
        pipeline_result_cleanup(&res);
        return 1;
    }
    printf("%s: %lld frames (%lld with a person), %.2f s of video in %.2f s "
           "(real-time factor %.2f; pose %.2f s, video %.2f s)\n",
           json_path, (long long)res.n_frames, (long long)res.n_frames_with_pose, res.duration_s,
           res.timing.total_s, res.duration_s > 0 ? res.timing.total_s / res.duration_s : 0.0,
           res.timing.pose_s, res.timing.video_s);
    pipeline_result_cleanup(&res);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches (leak checkers) */
    return 0;
}
