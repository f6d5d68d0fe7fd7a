/*
 * test_pose_clip.c — the whole pipeline (media decoder, detector, ROI,
 * landmark model, tracking, filters) on the first frames of a real clip, the
 * side-view treadmill runner in <source root>/../shared/media, with the lite
 * model. Skips when the clip or the models are absent. Checks: a pose on
 * every frame with high presence, detection on the first frame and tracking
 * afterwards, anatomically plausible landmarks (hips below shoulders, ankles
 * below knees, nose above hips, everything inside the image) and plausible
 * world landmarks (hip-centred, metres). A copy of the clip stored sideways
 * with a rotation flag (made with the ffmpeg CLI; skipped without it) must
 * give the same upright landmarks.
 */
#include "media/media.h"
#include "pose/pose.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CLIP KZ_SOURCE_ROOT "/../shared/media/running_treadmill_side_60fps.mp4"
#define N_FRAMES 6

static int models_present(const char *dir)
{
    char path[1024];
    struct stat st;
    str_printf(path, sizeof path, "%s/pose_landmark_lite.tflite", dir);
    if (stat(path, &st) != 0)
        return 0;
    str_printf(path, sizeof path, "%s/pose_detection.tflite", dir);
    return stat(path, &st) == 0;
}

static float mid_y(const struct pose_result *r, int a, int b)
{
    return (r->lm[a].y_px + r->lm[b].y_px) / 2.0f;
}

static void test_treadmill_runner(void **state)
{
    struct stat st;
    struct err_ctx e = {0};
    struct pose_opts o;
    struct pose_tracker *t = NULL;
    struct media_decoder *d = NULL;
    struct media_decode_opts mo = {.max_long_side_px = 960};
    const char *models = getenv("KINALYZE_MODELS_DIR");
    (void)state;
    if (stat(CLIP, &st) != 0) {
        fprintf(stderr, "SKIP: %s absent\n", CLIP);
        skip();
    }
    if (!models || !models_present(models)) {
        fprintf(stderr, "SKIP: models absent (KINALYZE_MODELS_DIR=%s)\n", models ? models : "");
        skip();
    }
    pose_opts_init(&o);
    o.model = "lite";
    o.models_dir = models;
    if (pose_tracker_create(&o, &t, &e) != KZ_OK)
        fail_msg("pose_tracker_create: %s", err_msg(&e));
    if (media_decoder_open(CLIP, &mo, &d, &e) != KZ_OK)
        fail_msg("media_decoder_open: %s", err_msg(&e));

    double prev_t = -1;
    for (int i = 0; i < N_FRAMES; i++) {
        const struct frame *f;
        struct pose_result r;
        assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
        assert_non_null(f);
        assert_true(f->height > f->width); /* portrait clip comes upright */
        if (pose_tracker_process(t, f, &r, &e) != KZ_OK)
            fail_msg("pose_tracker_process: %s", err_msg(&e));
        assert_int_equal(r.found, 1);
        assert_int_equal(r.from_detection, i == 0); /* detector once, then tracking */
        assert_true(r.score > 0.9f);
        assert_true(r.t_s > prev_t);
        assert_int_equal(r.frame_index, f->index);
        prev_t = r.t_s;
        for (int k = 0; k < POSE_N_LANDMARKS; k++) {
            assert_true(r.lm[k].x_px >= 0 && r.lm[k].x_px < (float)f->width);
            assert_true(r.lm[k].y_px >= 0 && r.lm[k].y_px < (float)f->height);
            assert_true(r.lm[k].presence > 0.5f);
            assert_true(r.lm[k].visibility >= 0 && r.lm[k].visibility <= 1);
        }
        float h = (float)f->height;
        /* image y grows downwards */
        assert_true(mid_y(&r, POSE_LEFT_HIP, POSE_RIGHT_HIP) >
                    mid_y(&r, POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER) + 0.05f * h);
        assert_true(r.lm[POSE_NOSE].y_px < mid_y(&r, POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER));
        assert_true(r.lm[POSE_LEFT_ANKLE].y_px > r.lm[POSE_LEFT_KNEE].y_px);
        assert_true(r.lm[POSE_RIGHT_ANKLE].y_px > r.lm[POSE_RIGHT_KNEE].y_px);
        assert_true(r.lm[POSE_LEFT_KNEE].y_px > r.lm[POSE_LEFT_HIP].y_px);
        /* the runner fills a good part of the frame height: nose to ankle > 40% */
        assert_true(r.lm[POSE_LEFT_ANKLE].y_px - r.lm[POSE_NOSE].y_px > 0.4f * h);
        /* world landmarks: hip-centred metres, torso 0.3..0.8 m, shoulders above hips */
        float hx = (r.world_m[POSE_LEFT_HIP][0] + r.world_m[POSE_RIGHT_HIP][0]) / 2;
        float hy = (r.world_m[POSE_LEFT_HIP][1] + r.world_m[POSE_RIGHT_HIP][1]) / 2;
        float sy = (r.world_m[POSE_LEFT_SHOULDER][1] + r.world_m[POSE_RIGHT_SHOULDER][1]) / 2;
        assert_true(fabsf(hx) < 0.1f && fabsf(hy) < 0.1f);
        assert_true(hy - sy > 0.3f && hy - sy < 0.8f);
    }
    struct pose_stage_stats s;
    pose_tracker_stats(t, &s);
    assert_int_equal(s.n_frames, N_FRAMES);
    assert_int_equal(s.n_detector_runs, 1);
    assert_int_equal(s.n_landmark_runs, N_FRAMES);
    media_decoder_close(d);
    pose_tracker_destroy(t);
}

/* First `n` results of the tracker (lite model) on `path`. */
static void run_frames(const char *path, const char *models, struct pose_result *out, int n)
{
    struct err_ctx e = {0};
    struct pose_opts o;
    struct pose_tracker *t = NULL;
    struct media_decoder *d = NULL;
    pose_opts_init(&o);
    o.model = "lite";
    o.models_dir = models;
    if (pose_tracker_create(&o, &t, &e) != KZ_OK)
        fail_msg("pose_tracker_create: %s", err_msg(&e));
    if (media_decoder_open(path, NULL, &d, &e) != KZ_OK)
        fail_msg("media_decoder_open %s: %s", path, err_msg(&e));
    for (int i = 0; i < n; i++) {
        const struct frame *f;
        assert_int_equal(media_decoder_next(d, &f, &e), KZ_OK);
        assert_non_null(f);
        assert_int_equal(f->width, 1080); /* upright portrait whatever the storage */
        assert_int_equal(f->height, 1920);
        if (pose_tracker_process(t, f, &out[i], &e) != KZ_OK)
            fail_msg("pose_tracker_process: %s", err_msg(&e));
    }
    media_decoder_close(d);
    pose_tracker_destroy(t);
}

static void test_rotation_flag_gives_upright_landmarks(void **state)
{
    struct stat st;
    const char *models = getenv("KINALYZE_MODELS_DIR");
    char dir[] = "/tmp/kz_pose_rot_XXXXXX", cmd[2048], sideways[512], flagged[512];
    struct pose_result a[2], b[2];
    (void)state;
    if (stat(CLIP, &st) != 0 || !models || !models_present(models) ||
        system("ffmpeg -version >/dev/null 2>&1") != 0) {
        fprintf(stderr, "SKIP: clip, models or ffmpeg absent\n");
        skip();
    }
    assert_non_null(mkdtemp(dir));
    str_printf(sideways, sizeof sideways, "%s/sideways.mp4", dir);
    str_printf(flagged, sizeof flagged, "%s/flagged.mp4", dir);
    /* store the frames turned 90 degrees counter-clockwise, flagged to display upright */
    str_printf(cmd, sizeof cmd,
               "ffmpeg -loglevel error -y -i '%s' -frames:v 2 -vf transpose=2 -c:v libx264 "
               "-crf 10 '%s' && ffmpeg -loglevel error -y -i '%s' -c copy "
               "-metadata:s:v:0 rotate=270 '%s'",
               CLIP, sideways, sideways, flagged);
    assert_int_equal(system(cmd), 0);
    run_frames(CLIP, models, a, 2);
    run_frames(flagged, models, b, 2);
    unlink(sideways);
    unlink(flagged);
    rmdir(dir);
    static const int stable[] = {POSE_NOSE, POSE_LEFT_SHOULDER, POSE_RIGHT_SHOULDER, POSE_LEFT_HIP,
                                 POSE_RIGHT_HIP};
    for (int i = 0; i < 2; i++) {
        assert_int_equal(a[i].found, 1);
        assert_int_equal(b[i].found, 1);
        for (size_t k = 0; k < sizeof stable / sizeof stable[0]; k++) {
            assert_float_equal(a[i].lm[stable[k]].x_px, b[i].lm[stable[k]].x_px, 15.0);
            assert_float_equal(a[i].lm[stable[k]].y_px, b[i].lm[stable[k]].y_px, 15.0);
        }
    }
}

static void test_bad_options(void **state)
{
    struct pose_opts o;
    struct pose_tracker *t = NULL;
    struct err_ctx e = {0};
    (void)state;
    pose_opts_init(&o);
    o.model = "huge";
    assert_int_equal(pose_tracker_create(&o, &t, &e), KZ_E_INVALID);
    assert_null(t);
    pose_opts_init(&o);
    o.models_dir = "/nonexistent-kinalyze-models";
    assert_int_not_equal(pose_tracker_create(&o, &t, &e), KZ_OK);
    assert_non_null(strstr(err_msg(&e), "pose_detection.tflite"));
    assert_null(t);
    pose_tracker_destroy(NULL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_bad_options),
        cmocka_unit_test(test_treadmill_runner),
        cmocka_unit_test(test_rotation_flag_gives_upright_landmarks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
