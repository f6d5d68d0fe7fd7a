/*
 * test_pipeline_clips.c — end-to-end on one real clip from ../shared/media:
 *   test_pipeline_clips CLIP ACTIVITY METRIC MIN MAX [MAX_FRAMES [EXERCISE [MODEL]]]
 * runs the whole pipeline (MODEL, default lite; EXERCISE "-" = none) and
 * checks that it completes; with
 * METRIC "-" also that the analyzed video (H.264, long side <= 1280) has
 * every frame; otherwise (no video made) that the
 * metric is physically plausible: calculated_metrics.METRIC.avg when the
 * document has it, else every value of metrics.METRIC, must lie in
 * [MIN, MAX]; "max:OBJECT.SERIES" checks the largest value of a per-frame
 * series (e.g. max:whole_report_metrics.hipy, the jump's hip rise in m);
 * METRIC "-" checks completion only. Several checks on one run: METRIC
 * "name=lo:hi,name=lo:hi,..." (MIN MAX ignored); a name prefixed "!" must be
 * unavailable, with its reason printed (e.g. "!speed" on a moving camera).
 * MAX_FRAMES > 0 analyses
 * only the first frames (keeps the sanitizer build within the CI budget). Registered once per clip
 * in meson.build. Skips (exit 77) when the clip or the models are absent.
 */
#include "clip_inputs.h"
#include "media/media.h"
#include "pipeline/pipeline.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* "max:OBJECT.SERIES": the largest number of doc[OBJECT][SERIES]. */
static int check_series_max(const json_t *doc, const char *spec, double lo, double hi)
{
    char obj[64];
    const char *dot = strchr(spec, '.');
    if (!dot || (size_t)(dot - spec) >= sizeof(obj))
        return -1;
    memcpy(obj, spec, (size_t)(dot - spec));
    obj[dot - spec] = 0;
    const json_t *arr = json_object_get(json_object_get(doc, obj), dot + 1);
    double best = -INFINITY;
    size_t i;
    const json_t *x;
    json_array_foreach(arr, i, x)
    {
        if (json_is_number(x) && json_number_value(x) > best)
            best = json_number_value(x);
    }
    printf("max of %s = %.4g (plausible range %g..%g)\n", spec, best, lo, hi);
    return best >= lo && best <= hi ? 0 : -1;
}

static int check_metric(const json_t *doc, const char *metric, double lo, double hi)
{
    if (strncmp(metric, "max:", 4) == 0)
        return check_series_max(doc, metric + 4, lo, hi);
    const json_t *cm = json_object_get(json_object_get(doc, "calculated_metrics"), metric);
    const json_t *avg = json_object_get(cm, "avg");
    if (json_is_number(avg)) {
        double v = json_number_value(avg);
        printf("%s avg = %.4g (plausible range %g..%g)\n", metric, v, lo, hi);
        return v >= lo && v <= hi ? 0 : -1;
    }
    const json_t *arr = json_object_get(json_object_get(doc, "metrics"), metric);
    size_t i, n = 0;
    const json_t *x;
    int bad = 0;
    json_array_foreach(arr, i, x)
    {
        if (!json_is_number(x))
            continue;
        double v = json_number_value(x);
        printf("%s[%zu] = %.4g (plausible range %g..%g)\n", metric, i, v, lo, hi);
        n++;
        if (!(v >= lo && v <= hi))
            bad = 1;
    }
    if (n == 0) {
        const json_t *why = json_object_get(
            json_object_get(json_object_get(doc, "kinalyze"), "unavailable"), metric);
        printf("%s: no value (%s)\n", metric, why ? json_string_value(why) : "no reason given");
        return -1;
    }
    return bad ? -1 : 0;
}

/* "!name": the metric must be reported unavailable (under kinalyze.unavailable). */
static int check_unavailable(const json_t *doc, const char *metric)
{
    const json_t *why =
        json_object_get(json_object_get(json_object_get(doc, "kinalyze"), "unavailable"), metric);
    const json_t *cm = json_object_get(json_object_get(doc, "calculated_metrics"), metric);
    printf("%s: %s\n", metric, why ? json_string_value(why) : "AVAILABLE");
    return why && !cm ? 0 : -1;
}

/* "name=lo:hi,!name,...": every check must hold (all are run and printed). */
static int check_list(const json_t *doc, const char *spec)
{
    char buf[1024];
    int bad = 0;
    str_copy(buf, sizeof buf, spec);
    for (char *p = buf; p && *p;) {
        char *next = strchr(p, ',');
        if (next)
            *next++ = 0;
        if (*p == '!') {
            bad |= check_unavailable(doc, p + 1) != 0;
        } else {
            char *eq = strchr(p, '='), *colon = eq ? strchr(eq, ':') : NULL;
            if (!eq || !colon) {
                fprintf(stderr, "bad check '%s'\n", p);
                return -1;
            }
            *eq = 0;
            *colon = 0;
            if (check_metric(doc, p, strtod(eq + 1, NULL), strtod(colon + 1, NULL)) != 0) {
                fprintf(stderr, "FAIL: %s not plausible\n", p);
                bad = 1;
            }
        }
        p = next;
    }
    return bad ? -1 : 0;
}

static int atoi_checked(const char *s)
{
    int64_t v = 0;
    return str_to_i64(s, 0, 1 << 20, &v) == KZ_OK ? (int)v : 0;
}

int main(int argc, char **argv)
{
    if (argc < 6) {
        fprintf(stderr, "usage: %s CLIP ACTIVITY METRIC MIN MAX [MAX_FRAMES [EXERCISE [MODEL]]]\n",
                argv[0]);
        return 2;
    }
    const char *models = NULL;
    const char *model = argc > 8 ? argv[8] : "lite";
    char clip[1024], dir[256], out_json[512], out_mp4[512];
    if (clip_inputs(argv[1], model, clip, sizeof(clip), &models) != 0)
        return CLIP_SKIP;
    double lo = strtod(argv[4], NULL), hi = strtod(argv[5], NULL);

    str_copy(dir, sizeof(dir), "/tmp/kz_test_clip_XXXXXX");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    str_printf(out_json, sizeof(out_json), "%s/result.json", dir);
    str_printf(out_mp4, sizeof(out_mp4), "%s/analyzed.mp4", dir);

    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    struct media_info vid;
    int status = 1;
    pipeline_opts_init(&o);
    if (pipeline_activity_parse(argv[2], &o.activity, &e) != KZ_OK) {
        fprintf(stderr, "%s\n", err_msg(&e));
        return 2;
    }
    o.video_path = clip;
    o.max_frames = argc > 6 ? atoi_checked(argv[6]) : 0;
    o.exercise = argc > 7 && strcmp(argv[7], "-") != 0 ? argv[7] : NULL;
    o.model = model;
    o.models_dir = models;
    o.out_json_path = out_json;
    /* completion runs make and check the analyzed video; metric runs skip it */
    int with_video = strcmp(argv[3], "-") == 0;
    o.out_video_path = with_video ? out_mp4 : NULL;
    if (pipeline_run(&o, &r, &e) != KZ_OK) {
        fprintf(stderr, "FAIL: pipeline: %s\n", err_msg(&e));
        goto done;
    }
    printf("%s: %lld frames, %lld with a person, %.2f s clip in %.2f s (pose %.2f, video %.2f)\n",
           argv[1], (long long)r.n_frames, (long long)r.n_frames_with_pose, r.duration_s,
           r.timing.total_s, r.timing.pose_s, r.timing.video_s);
    if (r.n_frames_with_pose < r.n_frames / 2) {
        fprintf(stderr, "FAIL: a person in only %lld of %lld frames\n",
                (long long)r.n_frames_with_pose, (long long)r.n_frames);
        goto done;
    }
    if (with_video && (media_probe(out_mp4, &vid, &e) != KZ_OK || strcmp(vid.codec, "h264") != 0 ||
                       vid.frame_count != r.n_frames || vid.width > 1280 || vid.height > 1280)) {
        fprintf(stderr, "FAIL: analyzed video: %s, %lld frames, %dx%d\n", vid.codec,
                (long long)vid.frame_count, vid.width, vid.height);
        goto done;
    }
    if (strchr(argv[3], '=') || argv[3][0] == '!') {
        if (check_list(r.doc, argv[3]) != 0)
            goto done;
    } else if (strcmp(argv[3], "-") != 0 && check_metric(r.doc, argv[3], lo, hi) != 0) {
        fprintf(stderr, "FAIL: %s not plausible\n", argv[3]);
        goto done;
    }
    status = 0;
done:
    pipeline_result_cleanup(&r);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches, for the leak checker */
    remove(out_json);
    remove(out_mp4);
    rmdir(dir);
    return status;
}
