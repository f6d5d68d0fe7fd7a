/*
 * test_pipeline_lift_clips.c — weightlifting end to end on one real clip from
 * ../shared/media (lite pose model, no analyzed video):
 *   test_pipeline_lift_clips CLIP EXERCISE MAX_FRAMES [@OPTION=VALUE...] CHECK...
 * runs the whole pipeline (decode, pose, plate tracking, lift analysis) once
 * with the options (@mass_kg athlete body mass, @barbell_kg barbell mass) and
 * evaluates every CHECK on the weightlifting document:
 *   PATH=LO:HI       the number at the dotted PATH (e.g. metrics.max_bar_speed,
 *                    kinalyze.bar_tracking.found_fraction) lies in [LO, HI];
 *   !NAME            metrics.NAME is absent (cannot be measured on this clip)
 *                    AND kinalyze.metrics.NAME says why (a non-empty reason);
 *   order:A<B<=C...  the phase times metrics.A, metrics.B, ... all exist and
 *                    keep the stated strict (<) / non-strict (<=) order.
 * Every check is printed with its value, then the test fails if any failed.
 * Registered once per clip in meson.build (weightlifting block). Skips (exit
 * 77) when the clip or the models are absent.
 */
#include "clip_inputs.h"
#include "pipeline/pipeline.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* doc at a dotted path ("a.b.c"); NULL when any part is missing. */
static const json_t *get_path(const json_t *doc, const char *path)
{
    char part[128];
    const json_t *cur = doc;
    while (cur && *path) {
        const char *dot = strchr(path, '.');
        size_t len = dot ? (size_t)(dot - path) : strlen(path);
        if (len >= sizeof(part))
            return NULL;
        memcpy(part, path, len);
        part[len] = 0;
        cur = json_object_get(cur, part);
        path += len + (dot ? 1 : 0);
    }
    return cur;
}

static int check_range(const json_t *doc, const char *spec)
{
    char path[256];
    const char *eq = strchr(spec, '=');
    if (!eq || (size_t)(eq - spec) >= sizeof(path))
        return -1;
    memcpy(path, spec, (size_t)(eq - spec));
    path[eq - spec] = 0;
    char *end = NULL;
    double lo = strtod(eq + 1, &end);
    if (!end || *end != ':')
        return -1;
    double hi = strtod(end + 1, NULL);
    const json_t *v = get_path(doc, path);
    if (!json_is_number(v)) {
        char why[300];
        str_printf(why, sizeof(why), "kinalyze.%s.reason", path);
        const json_t *r = get_path(doc, why);
        printf("FAIL %s: no value (%s)\n", path, json_is_string(r) ? json_string_value(r) : "-");
        return -1;
    }
    double x = json_number_value(v);
    int ok = x >= lo && x <= hi;
    printf("%s %s = %.4g (plausible %g..%g)\n", ok ? "ok  " : "FAIL", path, x, lo, hi);
    return ok ? 0 : -1;
}

static int check_absent(const json_t *doc, const char *name)
{
    char path[256];
    str_printf(path, sizeof(path), "metrics.%s", name);
    const json_t *v = get_path(doc, path);
    str_printf(path, sizeof(path), "kinalyze.metrics.%s.reason", name);
    const json_t *why = get_path(doc, path);
    int ok = !v && json_is_string(why) && json_string_value(why)[0];
    printf("%s %s unavailable (%s)%s\n", ok ? "ok  " : "FAIL", name,
           json_is_string(why) ? json_string_value(why) : "no reason",
           v ? ": but metrics has a value" : "");
    return ok ? 0 : -1;
}

/* "order:a<b<=c": every name present, each relation holding. */
static int check_order(const json_t *doc, const char *spec)
{
    const char *p = spec;
    double prev = NAN;
    int strict = 0, bad = 0;
    char name[64];
    while (*p) {
        size_t len = strcspn(p, "<");
        if (len == 0 || len >= sizeof(name))
            return -1;
        memcpy(name, p, len);
        name[len] = 0;
        if (len > 1 && name[len - 1] == '=')
            return -1;
        const json_t *v = json_object_get(json_object_get(doc, "metrics"), name);
        if (!json_is_number(v)) {
            printf("FAIL order: %s missing\n", name);
            return -1;
        }
        double t = json_number_value(v);
        if (!isnan(prev) && (strict ? !(t > prev) : !(t >= prev)))
            bad = 1;
        printf("     %s = %.0f ms\n", name, t);
        prev = t;
        p += len;
        if (*p == '<') {
            p++;
            strict = 1;
            if (*p == '=') {
                strict = 0;
                p++;
            }
        }
    }
    printf("%s order %s\n", bad ? "FAIL" : "ok  ", spec);
    return bad ? -1 : 0;
}

static int atoi_checked(const char *s)
{
    int64_t v = 0;
    return str_to_i64(s, 0, 1 << 20, &v) == KZ_OK ? (int)v : 0;
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: %s CLIP EXERCISE MAX_FRAMES CHECK...\n", argv[0]);
        return 2;
    }
    const char *models = NULL;
    char clip[1024];
    if (clip_inputs(argv[1], "lite", clip, sizeof(clip), &models) != 0)
        return CLIP_SKIP;

    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    int failed = 0;
    pipeline_opts_init(&o);
    o.activity = PIPELINE_WEIGHTLIFTING;
    o.video_path = clip;
    o.exercise = argv[2];
    o.max_frames = atoi_checked(argv[3]);
    o.model = "lite";
    o.models_dir = models;
    int first_check = 4;
    for (; first_check < argc && argv[first_check][0] == '@'; first_check++) {
        const char *a = argv[first_check] + 1, *eq = strchr(a, '=');
        double v = 0;
        if (!eq || str_to_double(eq + 1, 0, 1000, &v) != KZ_OK) {
            fprintf(stderr, "bad option %s\n", argv[first_check]);
            return 2;
        }
        if (strncmp(a, "mass_kg=", 8) == 0)
            o.mass_kg = v;
        else if (strncmp(a, "barbell_kg=", 11) == 0)
            o.barbell_mass_kg = v;
        else {
            fprintf(stderr, "unknown option %s\n", argv[first_check]);
            return 2;
        }
    }
    if (pipeline_run(&o, &r, &e) != KZ_OK) {
        fprintf(stderr, "FAIL: pipeline: %s\n", err_msg(&e));
        return 1;
    }
    printf("%s (%s): %lld frames, %lld with a person, %.2f s clip in %.2f s\n", argv[1], argv[2],
           (long long)r.n_frames, (long long)r.n_frames_with_pose, r.duration_s, r.timing.total_s);
    for (int k = first_check; k < argc; k++) {
        const char *c = argv[k];
        int rc = c[0] == '!'                    ? check_absent(r.doc, c + 1)
                 : strncmp(c, "order:", 6) == 0 ? check_order(r.doc, c + 6)
                                                : check_range(r.doc, c);
        if (rc != 0)
            failed++;
    }
    pipeline_result_cleanup(&r);
    if (failed)
        fprintf(stderr, "FAIL: %d of %d checks\n", failed, argc - first_check);
    return failed ? 1 : 0;
}
