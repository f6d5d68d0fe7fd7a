/*
 * cmd_pose.c — `kinalyze pose VIDEO`: decode a video (upright, real
 * timestamps) and run the BlazePose tracker on every frame, writing the
 * landmarks as JSON to --out (or stdout) and a summary with frames per
 * second and the time per stage to stderr.
 *
 * Output format (one JSON object):
 *   {"video": path, "model": "full", "backend": "onednn", "width": W,
 *    "height": H, "landmark_names": [33 names],
 *    "frames": [{"index": i, "t_s": s, "found": true,
 *                "source": "detection"|"tracking", "score": p,
 *                "landmarks": [[x_px, y_px, z, visibility, presence] x 33],
 *                "world_landmarks": [[x_m, y_m, z_m] x 33]}
 *               | {"index": i, "t_s": s, "found": false, "source": "none"}, ...],
 *    "summary": {"frames": n, "frames_with_pose": k, "detector_runs": d,
 *                "seconds": wall, "fps": n / wall,
 *                "stage_ms_per_frame": {"decode", "detector", "warp",
 *                                       "landmark", "post"}}}
 */
#include "cli/cli.h"
#include "core/core.h"
#include "frame/frame.h"
#include "media/media.h"
#include "pose/pose.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void usage(FILE *f)
{
    fprintf(f, "usage: kinalyze pose VIDEO [--model lite|full|heavy] [--backend B] [--threads T]\n"
               "                    [--models-dir DIR] [--out FILE.json] [--max-frames N]\n"
               "                    [--no-smoothing]\n\n"
               "Run BlazePose on every frame and write the landmarks as JSON (stdout by\n"
               "default); a summary with frames per second goes to stderr.\n");
}

/* Print `s` as a JSON string (escaped by jansson). */
static void put_json_string(FILE *out, const char *s)
{
    json_t *j = json_string(s ? s : "");
    char *d = j ? json_dumps(j, JSON_ENCODE_ANY) : NULL;
    fputs(d ? d : "\"\"", out);
    free(d);
    json_decref(j);
}

static void put_frame(FILE *out, const struct pose_result *r, int first)
{
    fprintf(out, "%s\n  {\"index\": %lld, \"t_s\": %.6f, \"found\": %s", first ? "" : ",",
            (long long)r->frame_index, r->t_s, r->found ? "true" : "false");
    if (!r->found) {
        fprintf(out, ", \"source\": \"none\"}");
        return;
    }
    fprintf(out, ", \"source\": \"%s\", \"score\": %.5f,\n   \"landmarks\": [",
            r->from_detection ? "detection" : "tracking", r->score);
    for (int i = 0; i < POSE_N_LANDMARKS; i++) {
        const struct pose_landmark *l = &r->lm[i];
        fprintf(out, "%s[%.2f, %.2f, %.5f, %.4f, %.4f]", i ? ", " : "", l->x_px, l->y_px, l->z,
                l->visibility, l->presence);
    }
    fprintf(out, "],\n   \"world_landmarks\": [");
    for (int i = 0; i < POSE_N_LANDMARKS; i++)
        fprintf(out, "%s[%.4f, %.4f, %.4f]", i ? ", " : "", r->world_m[i][0], r->world_m[i][1],
                r->world_m[i][2]);
    fprintf(out, "]}");
}

int cmd_pose(int argc, char **argv)
{
    struct err_ctx e = {0};
    struct pose_opts po;
    struct pose_tracker *t = NULL;
    struct media_decoder *d = NULL;
    const char *video = NULL, *out_path = NULL;
    FILE *out = NULL;
    int64_t max_frames = -1;
    int status = 1;
    enum kz_err rc;

    pose_opts_init(&po);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--no-smoothing") == 0) {
            po.smoothing = 0;
        } else if (a[0] == '-' && a[1] == '-') {
            int64_t n;
            if (!v) {
                fprintf(stderr, "kinalyze pose: %s needs a value\n", a);
                return 2;
            }
            i++;
            if (strcmp(a, "--model") == 0) {
                po.model = v;
            } else if (strcmp(a, "--backend") == 0) {
                po.backend = v;
            } else if (strcmp(a, "--models-dir") == 0) {
                po.models_dir = v;
            } else if (strcmp(a, "--out") == 0) {
                out_path = v;
            } else if (strcmp(a, "--threads") == 0 && str_to_i64(v, 0, 256, &n) == KZ_OK) {
                po.threads = (int)n;
            } else if (strcmp(a, "--max-frames") == 0 && str_to_i64(v, 0, INT64_MAX, &n) == KZ_OK) {
                max_frames = n;
            } else {
                fprintf(stderr, "kinalyze pose: bad option %s %s\n", a, v);
                usage(stderr);
                return 2;
            }
        } else if (!video) {
            video = a;
        } else {
            usage(stderr);
            return 2;
        }
    }
    if (!video) {
        usage(stderr);
        return 2;
    }

    double t_start = time_mono_s();
    rc = pose_tracker_create(&po, &t, &e);
    if (rc != KZ_OK)
        goto fail;
    rc = media_decoder_open(video, NULL, &d, &e);
    if (rc != KZ_OK)
        goto fail;
    const struct media_info *info = media_decoder_info(d);
    out = out_path ? fopen(out_path, "w") : stdout;
    if (!out) {
        rc = err_set(&e, KZ_E_IO, "cannot write %s", out_path);
        goto fail;
    }
    fputs("{\"video\": ", out);
    put_json_string(out, video);
    fprintf(out, ", \"model\": \"%s\", \"backend\": \"%s\", \"width\": %d, \"height\": %d,\n",
            po.model, pose_tracker_backend(t), info->width, info->height);
    fputs(" \"landmark_names\": [", out);
    for (int i = 0; i < POSE_N_LANDMARKS; i++)
        fprintf(out, "%s\"%s\"", i ? ", " : "", pose_landmark_name(i));
    fputs("],\n \"frames\": [", out);

    double decode_s = 0, t_loop = time_mono_s();
    int64_t n = 0, n_found = 0;
    for (; max_frames < 0 || n < max_frames; n++) {
        const struct frame *f;
        struct pose_result r;
        double t0 = time_mono_s();
        rc = media_decoder_next(d, &f, &e);
        decode_s += time_mono_s() - t0;
        if (rc != KZ_OK)
            goto fail;
        if (!f)
            break;
        rc = pose_tracker_process(t, f, &r, &e);
        if (rc != KZ_OK)
            goto fail;
        n_found += r.found;
        put_frame(out, &r, n == 0);
    }
    double wall = time_mono_s() - t_loop;
    struct pose_stage_stats st;
    pose_tracker_stats(t, &st);
    double per = n > 0 ? 1000.0 / (double)n : 0.0;
    fprintf(out,
            "\n ],\n \"summary\": {\"frames\": %lld, \"frames_with_pose\": %lld, "
            "\"detector_runs\": %lld, \"seconds\": %.3f, \"fps\": %.2f,\n"
            "  \"stage_ms_per_frame\": {\"decode\": %.2f, \"detector\": %.2f, \"warp\": %.2f, "
            "\"landmark\": %.2f, \"post\": %.3f}}}\n",
            (long long)n, (long long)n_found, (long long)st.n_detector_runs, wall,
            wall > 0 ? (double)n / wall : 0.0, decode_s * per, st.detector_s * per, st.warp_s * per,
            st.landmark_s * per, st.post_s * per);
    fprintf(stderr,
            "kinalyze pose: %lld frames (%lld with a pose, %lld detector runs) in %.2f s = %.1f "
            "fps [model %s, backend %s; load %.2f s]\n"
            "  ms/frame: decode %.2f, detector %.2f, warp %.2f, landmark %.2f, post %.3f\n",
            (long long)n, (long long)n_found, (long long)st.n_detector_runs, wall,
            wall > 0 ? (double)n / wall : 0.0, po.model, pose_tracker_backend(t), t_loop - t_start,
            decode_s * per, st.detector_s * per, st.warp_s * per, st.landmark_s * per,
            st.post_s * per);
    status = 0;
fail:
    if (status != 0)
        fprintf(stderr, "kinalyze pose: %s: %s\n", err_name(rc), err_msg(&e));
    if (out && out != stdout && fclose(out) != 0 && status == 0) {
        fprintf(stderr, "kinalyze pose: error writing %s\n", out_path);
        status = 1;
    }
    media_decoder_close(d);
    pose_tracker_destroy(t);
    return status;
}
