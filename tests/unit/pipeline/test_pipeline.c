/*
 * test_pipeline.c — the whole pipeline on short clips made by the test with
 * ffmpeg: option and activity validation; a clip without a person fails in
 * the pose stage with a message naming it; a 2 s clip cut from a shared
 * walking video (downscaled, stored with a 90° rotation flag so the decoder's
 * rotation is exercised) completes, the document carries the vendor's
 * required keys, analyzed.mp4 is H.264 with the same frame count and its
 * index before the media data (faststart), progress is monotonic and ends at
 * 100, and a raised cancel flag stops the run.
 *
 * Needs ffmpeg on PATH and the pose models (KINALYZE_MODELS_DIR); the
 * walking-clip cases need ../shared/media (KZ_SHARED_MEDIA). Each missing
 * piece skips with a message.
 */
#include "media/media.h"
#include "pipeline/pipeline.h"

#include <jansson.h>
#include <stdatomic.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

static char tmp_dir[256];
static char models_dir[1024];
static char walk_clip[1024]; /* "" when absent */
static char person_clip[512];
static char empty_clip[512];
static int have_ffmpeg, have_models;

static int file_exists(const char *p)
{
    struct stat st;
    return stat(p, &st) == 0 && st.st_size > 0;
}

static int run_cmd(const char *cmd)
{
    int rc = system(cmd);
    return rc == 0 ? 0 : -1;
}

static int setup(void **state)
{
    (void)state;
    const char *md = getenv("KINALYZE_MODELS_DIR");
    str_copy(models_dir, sizeof(models_dir), md ? md : "models");
    char p[1200];
    str_printf(p, sizeof(p), "%s/pose_landmark_lite.tflite", models_dir);
    have_models = file_exists(p);
    str_printf(p, sizeof(p), "%s/pose_detection.tflite", models_dir);
    have_models = have_models && file_exists(p);
    have_ffmpeg = system("ffmpeg -version > /dev/null 2>&1") == 0;

    str_copy(tmp_dir, sizeof(tmp_dir), "/tmp/kz_test_pipeline_XXXXXX");
    if (!mkdtemp(tmp_dir))
        return -1;
    const char *sm = getenv("KZ_SHARED_MEDIA");
    walk_clip[0] = 0;
    if (sm) {
        str_printf(walk_clip, sizeof(walk_clip), "%s/walking_side.mp4", sm);
        if (!file_exists(walk_clip))
            walk_clip[0] = 0;
    }
    char cmd[4096];
    str_printf(empty_clip, sizeof(empty_clip), "%s/empty.mp4", tmp_dir);
    if (have_ffmpeg) {
        /* a moving test pattern: no person anywhere */
        str_printf(cmd, sizeof(cmd),
                   "ffmpeg -v error -y -f lavfi -i testsrc=size=320x240:rate=25 -t 0.8 "
                   "-pix_fmt yuv420p -c:v libx264 %s",
                   empty_clip);
        if (run_cmd(cmd) != 0)
            empty_clip[0] = 0;
    }
    person_clip[0] = 0;
    if (have_ffmpeg && walk_clip[0]) {
        /* 2 s of the walker, 640x360, coded sideways (transposed) and flagged
           with a display rotation so the upright video is 640x360 again; the
           rotation flag is added by a stream-copy remux (ffmpeg 5 only turns
           the "rotate" tag into a display matrix there) */
        char raw[512];
        str_printf(raw, sizeof(raw), "%s/walk_raw.mp4", tmp_dir);
        str_printf(person_clip, sizeof(person_clip), "%s/walk_rot.mp4", tmp_dir);
        str_printf(cmd, sizeof(cmd),
                   "ffmpeg -v error -y -ss 2 -i %s -t 2 -an -vf scale=640:360,transpose=1 "
                   "-c:v libx264 -preset veryfast -pix_fmt yuv420p %s && "
                   "ffmpeg -v error -y -i %s -c copy -metadata:s:v:0 rotate=90 %s",
                   walk_clip, raw, raw, person_clip);
        if (run_cmd(cmd) != 0)
            person_clip[0] = 0;
    }
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[512];
    str_printf(cmd, sizeof(cmd), "rm -rf %s", tmp_dir);
    frame_draw_global_cleanup(); /* fontconfig/cairo caches, for the leak checker */
    return run_cmd(cmd);
}

static void test_activity_and_options(void **state)
{
    (void)state;
    enum pipeline_activity a;
    assert_int_equal(pipeline_activity_parse("running", &a, NULL), KZ_OK);
    assert_int_equal(a, PIPELINE_RUNNING);
    assert_int_equal(pipeline_activity_parse("Vertical Jump", &a, NULL), KZ_OK);
    assert_int_equal(a, PIPELINE_JUMPING);
    assert_int_equal(pipeline_activity_parse("weightlifting", &a, NULL), KZ_OK);
    assert_int_equal(a, PIPELINE_WEIGHTLIFTING);
    assert_int_equal(pipeline_activity_parse("swimming", &a, NULL), KZ_E_INVALID);
    assert_string_equal(pipeline_activity_name(PIPELINE_RUNNING), "Running");
    assert_string_equal(pipeline_activity_name(PIPELINE_JUMPING), "Jumping");

    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    pipeline_opts_init(&o);
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_INVALID); /* no video */
    assert_null(r.doc);
    pipeline_result_cleanup(&r);
    o.video_path = "/nonexistent/clip.mp4";
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_IO);
    assert_string_equal(r.failed_stage, "probe");
    assert_true(strncmp(err_msg(&e), "probe: ", 7) == 0);
    pipeline_result_cleanup(&r);
    o.mass_kg = -3;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_INVALID);
    pipeline_result_cleanup(&r);
    pipeline_result_cleanup(NULL);
}

static void test_no_person_fails_in_pose_stage(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !empty_clip[0]) {
        skip();
        return;
    }
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    char out_json[512];
    str_printf(out_json, sizeof(out_json), "%s/empty.json", tmp_dir);
    pipeline_opts_init(&o);
    o.video_path = empty_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    o.out_json_path = out_json;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_NOT_FOUND);
    assert_string_equal(r.failed_stage, "pose");
    assert_true(strncmp(err_msg(&e), "pose: ", 6) == 0);
    assert_int_equal(r.n_frames, 20);
    assert_int_equal(r.n_frames_with_pose, 0);
    assert_false(file_exists(out_json));
    pipeline_result_cleanup(&r);

    /* giving up early: nobody in the first 0.3 s (frames at 0, 0.04, ... 0.32 s) */
    o.person_wait_s = 0.3;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_NOT_FOUND);
    assert_string_equal(r.failed_stage, "pose");
    assert_non_null(strstr(err_msg(&e), "no person found in the first 0.3 s"));
    assert_true(r.n_frames >= 8 && r.n_frames <= 10);
    pipeline_result_cleanup(&r);
    o.person_wait_s = 0;

    /* a models directory without models names the pose stage too */
    o.models_dir = tmp_dir;
    assert_int_not_equal(pipeline_run(&o, &r, &e), KZ_OK);
    assert_string_equal(r.failed_stage, "pose");
    pipeline_result_cleanup(&r);
}

/* 1 when the file's top-level 'moov' box comes before its 'mdat' box. */
static int mp4_faststart(const char *path)
{
    FILE *f = fopen(path, "rb");
    long moov = -1, mdat = -1, pos = 0;
    unsigned char h[16];
    if (!f)
        return 0;
    while (fread(h, 1, 8, f) == 8) {
        uint64_t size =
            ((uint64_t)h[0] << 24) | ((uint64_t)h[1] << 16) | ((uint64_t)h[2] << 8) | h[3];
        long hdr = 8;
        if (size == 1) {
            if (fread(h + 8, 1, 8, f) != 8)
                break;
            size = 0;
            for (int i = 8; i < 16; i++)
                size = (size << 8) | h[i];
            hdr = 16;
        }
        if (memcmp(h + 4, "moov", 4) == 0 && moov < 0)
            moov = pos;
        if (memcmp(h + 4, "mdat", 4) == 0 && mdat < 0)
            mdat = pos;
        if (size < (uint64_t)hdr)
            break;
        pos += (long)size;
        if (fseek(f, pos, SEEK_SET) != 0)
            break;
    }
    fclose(f);
    return moov >= 0 && mdat >= 0 && moov < mdat;
}

struct progress_log {
    int calls, last_overall, monotonic, saw_pose, saw_video, saw_results_100;
};

static void on_progress(void *user, const char *stage, int stage_pct, int overall_pct)
{
    struct progress_log *p = user;
    if (p->calls > 0 && overall_pct < p->last_overall)
        p->monotonic = 0;
    p->calls++;
    p->last_overall = overall_pct;
    if (strcmp(stage, "pose") == 0)
        p->saw_pose = 1;
    if (strcmp(stage, "video") == 0)
        p->saw_video = 1;
    if (strcmp(stage, "results") == 0 && stage_pct == 100 && overall_pct == 100)
        p->saw_results_100 = 1;
}

static void assert_has_keys(const json_t *doc, const char *const *keys)
{
    for (int i = 0; keys[i]; i++) {
        if (!json_object_get(doc, keys[i]))
            fail_msg("result document lacks '%s'", keys[i]);
    }
}

/* Mean absolute difference of two equally sized frames (all channels). */
static double frame_mad(const struct frame *a, const struct frame *b)
{
    double sum = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < 3 * a->width; x++)
            sum += abs((int)a->data[(size_t)y * a->stride + x] -
                       (int)b->data[(size_t)y * b->stride + x]);
    return sum / ((double)a->width * a->height * 3);
}

/*
 * The analyzed video's frame `i` shows the source's frame `i` (the three
 * concurrent stages of the video pass keep the order): it is closer to the
 * source frame at the same index than to the frames `shift` before and after.
 */
static void assert_frame_order(const char *src_path, const char *out_path, int i, int shift)
{
    struct media_decoder *ds = NULL, *dv = NULL;
    const struct frame *f = NULL;
    struct frame src[3] = {{0}}, out = {0};
    assert_int_equal(media_decoder_open(src_path, NULL, &ds, NULL), KZ_OK);
    assert_int_equal(media_decoder_open(out_path, NULL, &dv, NULL), KZ_OK);
    for (int k = 0; k <= i + shift; k++) {
        assert_int_equal(media_decoder_next(ds, &f, NULL), KZ_OK);
        assert_non_null(f);
        if (k == i - shift || k == i || k == i + shift)
            assert_int_equal(frame_copy(&src[(k - (i - shift)) / shift], f, NULL), KZ_OK);
    }
    for (int k = 0; k <= i; k++) {
        assert_int_equal(media_decoder_next(dv, &f, NULL), KZ_OK);
        assert_non_null(f);
    }
    assert_int_equal(frame_copy(&out, f, NULL), KZ_OK);
    assert_int_equal(out.width, src[1].width);
    assert_int_equal(out.height, src[1].height);
    double same = frame_mad(&out, &src[1]);
    double before = frame_mad(&out, &src[0]), after = frame_mad(&out, &src[2]);
    if (!(same < before && same < after))
        fail_msg("analyzed frame %d: MAD %.2f to source frame %d, %.2f to %d, %.2f to %d", i, same,
                 i, before, i - shift, after, i + shift);
    for (int k = 0; k < 3; k++)
        frame_free(&src[k]);
    frame_free(&out);
    media_decoder_close(ds);
    media_decoder_close(dv);
}

static void test_person_clip_end_to_end(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !person_clip[0]) {
        skip();
        return;
    }
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    struct progress_log plog = {0, 0, 1, 0, 0, 0};
    struct media_info src, vid;
    char out_json[512], out_mp4[512];
    str_printf(out_json, sizeof(out_json), "%s/result.json", tmp_dir);
    str_printf(out_mp4, sizeof(out_mp4), "%s/analyzed.mp4", tmp_dir);

    assert_int_equal(media_probe(person_clip, &src, NULL), KZ_OK);
    assert_true(src.rotation_deg == 90 || src.rotation_deg == 270);
    assert_int_equal(src.width, 640);
    assert_int_equal(src.height, 360);

    pipeline_opts_init(&o);
    o.activity = PIPELINE_RUNNING;
    o.video_path = person_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    o.out_json_path = out_json;
    o.out_video_path = out_mp4;
    o.progress = on_progress;
    o.progress_user = &plog;
    o.title = "walk test";
    enum kz_err rc = pipeline_run(&o, &r, &e);
    if (rc != KZ_OK)
        fail_msg("pipeline failed: %s", err_msg(&e));
    assert_string_equal(r.failed_stage, "");
    assert_true(r.n_frames >= 58 && r.n_frames <= 62);
    assert_true(r.n_frames_with_pose > r.n_frames * 8 / 10);
    assert_true(r.duration_s > 1.9 && r.duration_s < 2.1);
    assert_true(r.timing.total_s > 0 && r.timing.pose_s > 0 && r.timing.encode_s > 0);

    /* the document in memory and on disk */
    static const char *const running_keys[] = {
        "metrics",  "angles",     "all_timestamps", "activity", "analyzed_video_url", "video_url",
        "segments", "created_at", "user_name",      "title",    "calculated_metrics", "keypoints",
        "contact",  NULL};
    assert_has_keys(r.doc, running_keys);
    json_error_t jerr;
    json_t *disk = json_load_file(out_json, 0, &jerr);
    assert_non_null(disk);
    assert_has_keys(disk, running_keys);
    assert_string_equal(json_string_value(json_object_get(disk, "activity")), "Running");
    assert_string_equal(json_string_value(json_object_get(disk, "title")), "walk test");
    assert_string_equal(json_string_value(json_object_get(disk, "analyzed_video_url")),
                        "analyzed.mp4");
    json_t *ts = json_object_get(disk, "all_timestamps");
    assert_int_equal((int64_t)json_array_size(ts), r.n_frames);
    assert_int_equal((int64_t)json_array_size(json_object_get(disk, "contact")), r.n_frames);
    json_t *lk = json_object_get(json_object_get(disk, "angles"), "lkne_angle");
    assert_int_equal((int64_t)json_array_size(lk), r.n_frames);
    json_t *pl = json_object_get(json_object_get(disk, "kinalyze"), "pipeline");
    assert_non_null(pl);
    assert_int_equal(json_integer_value(json_object_get(pl, "frames")), r.n_frames);
    assert_non_null(json_object_get(json_object_get(pl, "timing_s"), "pose"));
    json_t *created = json_object_get(disk, "created_at");
    assert_int_equal(strlen(json_string_value(json_object_get(created, "date"))), 10);
    json_decref(disk);

    /* the analyzed video: H.264, same frame count, upright, faststart */
    assert_int_equal(media_probe(out_mp4, &vid, NULL), KZ_OK);
    assert_string_equal(vid.codec, "h264");
    assert_int_equal(vid.frame_count, r.n_frames);
    assert_int_equal(r.video_frames, r.n_frames);
    assert_int_equal(vid.width, 640);
    assert_int_equal(vid.height, 360);
    assert_int_equal(vid.rotation_deg, 0);
    assert_true(vid.fps > src.fps * 0.95 && vid.fps < src.fps * 1.05);
    assert_true(mp4_faststart(out_mp4));
    assert_frame_order(person_clip, out_mp4, 20, 3);
    assert_frame_order(person_clip, out_mp4, r.n_frames - 4, 3);

    assert_true(plog.calls >= 5);
    assert_true(plog.monotonic);
    assert_true(plog.saw_pose && plog.saw_video && plog.saw_results_100);
    pipeline_result_cleanup(&r);
}

static void test_cancel(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !person_clip[0]) {
        skip();
        return;
    }
    atomic_int flag = 1;
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    pipeline_opts_init(&o);
    o.video_path = person_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    o.cancel = &flag;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_CANCELLED);
    assert_string_equal(r.failed_stage, "pose");
    assert_null(r.doc);
    pipeline_result_cleanup(&r);
}

/*
 * Weightlifting starts the plate tracker's thread with the pose pass: a clip
 * without a person still fails in the pose stage (the thread is stopped and
 * joined on the way out), and a lift on the walking clip runs the whole way
 * with the tracker fed frame by frame (a walker holds no barbell: whatever
 * circle the tracker follows, no pull is reported).
 */
static void test_weightlifting_tracker_thread(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !empty_clip[0]) {
        skip();
        return;
    }
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    pipeline_opts_init(&o);
    o.activity = PIPELINE_WEIGHTLIFTING;
    o.exercise = "snatch";
    o.video_path = empty_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_NOT_FOUND);
    assert_string_equal(r.failed_stage, "pose");
    pipeline_result_cleanup(&r);
    if (!person_clip[0])
        return;
    o.video_path = person_clip;
    enum kz_err rc = pipeline_run(&o, &r, &e);
    if (rc == KZ_OK) {
        json_t *m = json_object_get(r.doc, "metrics");
        assert_null(json_object_get(m, "max_bar_speed"));
        assert_int_equal(json_array_size(json_object_get(r.doc, "all_timestamps")), r.n_frames);
        assert_true(r.timing.bar_s > 0);
    } else {
        /* or no circle at all: the bar stage says so */
        assert_int_equal(rc, KZ_E_NOT_FOUND);
        assert_string_equal(r.failed_stage, "bar");
    }
    pipeline_result_cleanup(&r);
}

/* Raise the cancel flag once the video stage has started. */
struct cancel_in_video {
    atomic_int flag;
};

static void cancel_when_video(void *user, const char *stage, int stage_pct, int overall_pct)
{
    struct cancel_in_video *c = user;
    (void)overall_pct;
    if (strcmp(stage, PIPELINE_STAGE_VIDEO) == 0 && stage_pct > 0)
        atomic_store(&c->flag, 1);
}

/* Cancelling inside the three-threaded video pass stops it promptly and cleanly. */
static void test_cancel_in_video_stage(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !person_clip[0]) {
        skip();
        return;
    }
    struct cancel_in_video c;
    atomic_init(&c.flag, 0);
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    char out_mp4[512];
    str_printf(out_mp4, sizeof(out_mp4), "%s/cancelled.mp4", tmp_dir);
    pipeline_opts_init(&o);
    o.video_path = person_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    o.out_video_path = out_mp4;
    o.cancel = &c.flag;
    o.progress = cancel_when_video;
    o.progress_user = &c;
    assert_int_equal(pipeline_run(&o, &r, &e), KZ_E_CANCELLED);
    assert_string_equal(r.failed_stage, "video");
    assert_non_null(strstr(err_msg(&e), "video: cancelled"));
    assert_true(r.video_frames < r.n_frames);
    assert_null(r.doc);
    pipeline_result_cleanup(&r);
}

/* An analyzed video that cannot be written fails the video stage, naming it. */
static void test_unwritable_video_fails_video_stage(void **state)
{
    (void)state;
    if (!have_models || !have_ffmpeg || !person_clip[0]) {
        skip();
        return;
    }
    struct pipeline_opts o;
    struct pipeline_result r;
    struct err_ctx e = {0};
    char out_mp4[512];
    str_printf(out_mp4, sizeof(out_mp4), "%s/no/such/dir/analyzed.mp4", tmp_dir);
    pipeline_opts_init(&o);
    o.video_path = person_clip;
    o.model = "lite";
    o.models_dir = models_dir;
    o.out_video_path = out_mp4;
    o.max_frames = 10;
    enum kz_err rc = pipeline_run(&o, &r, &e);
    assert_int_not_equal(rc, KZ_OK);
    assert_string_equal(r.failed_stage, "video");
    assert_true(strncmp(err_msg(&e), "video: ", 7) == 0);
    assert_null(r.doc);
    pipeline_result_cleanup(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_activity_and_options),
        cmocka_unit_test(test_no_person_fails_in_pose_stage),
        cmocka_unit_test(test_person_clip_end_to_end),
        cmocka_unit_test(test_cancel),
        cmocka_unit_test(test_cancel_in_video_stage),
        cmocka_unit_test(test_weightlifting_tracker_thread),
        cmocka_unit_test(test_unwritable_video_fails_video_stage),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
