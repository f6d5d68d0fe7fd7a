/*
 * pipeline.h — one video through the whole analysis, offline and reusable:
 *
 *   probe → pose (decode pass 1, BlazePose per frame; for weightlifting the
 *   barbell's near plate is tracked on the same frames, seeded at the wrists)
 *   → bar (weightlifting: the plate track finished, gaps flagged) → analysis
 *   (running | jumping | weightlifting) → video (decode pass 2 downscaled,
 *   overlay drawn by src/render, H.264/MP4 faststart at the source frame
 *   rate; decoding, drawing and encoding run as three concurrent stages) →
 *   results (the vendor's session document for the activity, plus units,
 *   uncertainties and the pipeline's own figures under "kinalyze").
 *
 * The worker calls pipeline_run() as the analysis stage of a job (with a
 * progress callback and a cancel flag); `kinalyze analyze` calls it directly.
 *
 * Result document (JSON object, new reference in pipeline_result.doc):
 *   the analysis module's parts for the activity (running: metrics,
 *   calculated_metrics, angles, all_timestamps, contact, segments, keypoints;
 *   jumping: metrics, calculated_metrics, angles, whole_report_metrics,
 *   all_timestamps, end_frames, segments, phase_data, keypoints;
 *   weightlifting: metrics (single numbers, phase times in ms), angles,
 *   report_metrics, all_timestamps (ms), keypoints (body and bar), exercise,
 *   and under "kinalyze": metrics (value, unit, uncertainty, method or
 *   reason per item), bar_tracking, scale, body_scale), plus
 *   "activity", "title", "video_url", "analyzed_video_url", "user_name",
 *   "created_at" {date DD/MM/YYYY, time HH:MM AM/PM} taken from the options,
 *   and under "kinalyze" (next to the analysis' units/uncertainty/...):
 *   "pipeline": { "model", "backend", "frames", "frames_with_pose",
 *   "duration_s", "source": {width, height, fps, rotation_deg, codec},
 *   "analyzed_video": {width, height, fps, frames} | null,
 *   "timing_s": {probe, decode, pose, bar, analysis, render, encode, video,
 *   results, total}, "real_time_factor" }.
 *
 * Errors name the stage: the message starts with "<stage>: " and
 * pipeline_result.failed_stage holds the stage name.
 *
 * Thread-safety: pipeline_run is reentrant; concurrent runs use separate
 * trackers, decoders and encoders (each loads its own models).
 */
#ifndef KZ_PIPELINE_H
#define KZ_PIPELINE_H

#include "analysis/analysis.h"
#include "core/core.h"
#include "pose/pose.h"

#include <jansson.h>
#include <stdatomic.h>
#include <stdint.h>

enum pipeline_activity { PIPELINE_RUNNING = 0, PIPELINE_JUMPING, PIPELINE_WEIGHTLIFTING };

/*
 * Parse an activity: "running"/"Running", "jumping"/"Jumping"/"Vertical Jump",
 * "weightlifting"/"Weightlifting". Errors: KZ_E_INVALID.
 */
enum kz_err pipeline_activity_parse(const char *s, enum pipeline_activity *out, struct err_ctx *e);
/* Vendor activity name: "Running", "Jumping", "Weightlifting"; NULL out of range. */
const char *pipeline_activity_name(enum pipeline_activity a);

/* Stage names passed to the progress callback and used in error messages. */
#define PIPELINE_STAGE_PROBE "probe"
#define PIPELINE_STAGE_POSE "pose"
#define PIPELINE_STAGE_BAR "bar" /* weightlifting: plate tracker setup and track finishing */
#define PIPELINE_STAGE_ANALYSIS "analysis"
#define PIPELINE_STAGE_VIDEO "video"
#define PIPELINE_STAGE_RESULTS "results"

/*
 * Progress: `stage` is one of the names above, stage_pct 0..100 within the
 * stage, overall_pct 0..100 over the whole run (monotonic). Called from the
 * thread running pipeline_run, at most a few times per second plus once at
 * each stage's start and end.
 */
typedef void (*pipeline_progress_fn)(void *user, const char *stage, int stage_pct, int overall_pct);

struct pipeline_opts {
    enum pipeline_activity activity;
    const char *video_path;     /* required: the uploaded video */
    const char *exercise;       /* jumping: "Countermovement Jump" (NULL default) | "Drop Jump";
                                   weightlifting: "snatch" | "clean" | "clean_and_jerk" */
    double incline_deg;         /* running: treadmill incline, reported with the metrics */
    double barbell_mass_kg;     /* weightlifting; 0 = the vendor default 100 kg */
    double mass_kg;             /* athlete body mass; 0 = unknown */
    double height_cm;           /* athlete height; 0 = unknown */
    const char *model;          /* pose landmark model "lite" | "full" | "heavy"; NULL = full */
    const char *backend;        /* nn backend; NULL = fastest */
    int threads;                /* nn threads; pipeline_opts_init sets 1; 0 = nn's default */
    const char *models_dir;     /* NULL = env KINALYZE_MODELS_DIR, else "models" */
    const char *out_json_path;  /* NULL = do not write the document to a file */
    const char *out_video_path; /* NULL = no analyzed video (stage skipped) */
    int max_long_side_px;       /* analyzed video; 0 = 1280 */
    int max_frames;             /* analyse only the first N frames; 0 = all */
    double person_wait_s;       /* fail (KZ_E_NOT_FOUND) when nobody is seen in the first
                                   seconds; 0 = look at every frame */
    /* Document fields owned by the caller's context (NULL = defaults: the
       video's file name as title and video_url, the output video's file name
       as analyzed_video_url, "" user name, created now). */
    const char *title;
    const char *video_url;
    const char *analyzed_video_url;
    const char *user_name;
    int64_t created_at_ms;         /* Unix ms; 0 = now */
    pipeline_progress_fn progress; /* may be NULL */
    void *progress_user;
    const atomic_int *cancel; /* may be NULL; non-zero = stop (checked between frames) */
};

/*
 * Check `o` without touching any file: a video path and a known activity,
 * non-negative masses and height, a finite incline, a known jump exercise
 * when one is given, and an exercise (snatch | clean | clean_and_jerk) for
 * weightlifting. pipeline_run does the same first. Errors: KZ_E_INVALID with
 * a message naming the option.
 */
enum kz_err pipeline_opts_check(const struct pipeline_opts *o, struct err_ctx *e);

/* Fill `o` with defaults (running, full model, everything else zero/NULL). */
void pipeline_opts_init(struct pipeline_opts *o);

/* Wall-clock seconds per stage (decode/pose/render/encode are parts of the passes). */
struct pipeline_timing {
    double probe_s;
    double decode_s; /* pass 1 decoding (inside the pose stage) */
    double pose_s;   /* pose inference (inside the pose stage) */
    double bar_s;    /* weightlifting: plate tracker busy time (its own thread, overlapping
                        the pose stage) + frame copies for it + the wait for it and finishing
                        the track */
    double analysis_s;
    double video_s;  /* the whole analyzed-video stage */
    double render_s; /* overlay drawing (inside the video stage) */
    double encode_s; /* H.264 encoding (inside the video stage) */
    double results_s;
    double total_s;
};

struct pipeline_result {
    json_t *doc;      /* the session document (owned; see top of file) */
    int64_t n_frames; /* frames decoded in pass 1 */
    int64_t n_frames_with_pose;
    double duration_s;             /* clip duration (last - first timestamp + one frame) */
    double fps;                    /* source average frame rate */
    int video_width, video_height; /* analyzed video size; 0 when not written */
    int64_t video_frames;          /* frames written to the analyzed video */
    struct pipeline_timing timing;
    char failed_stage[16]; /* "" on success */
    char backend[32];      /* nn backend the pose ran on */
};

/*
 * Analyse one video. `o` and its strings are borrowed for the call. On
 * success `out->doc` holds the document and the files named in `o` exist
 * (the JSON is written last). `out` is always initialised: release it with
 * pipeline_result_cleanup() on success and on error.
 * Errors (message starts with the stage name; out->failed_stage set):
 *   KZ_E_INVALID bad options; KZ_E_IO / KZ_E_FORMAT / KZ_E_UNSUPPORTED the
 *   video cannot be read or the output cannot be written, or a model file is
 *   unusable; KZ_E_NOT_FOUND no person found in any frame or unknown backend;
 *   KZ_E_CANCELLED the cancel flag was raised; KZ_E_NOMEM; KZ_E_INTERNAL.
 * On error the output video may be left partial; the caller removes it.
 */
enum kz_err pipeline_run(const struct pipeline_opts *o, struct pipeline_result *out,
                         struct err_ctx *e);

/*
 * One pose result as the analysis module's input frame: timestamp, validity
 * (a person found), and, when found, the 33 landmarks (pixels, z,
 * visibility, presence) and world landmarks (metres). Shared by the
 * pipeline, the analysis benchmarks and the clip tests.
 */
void pipeline_frame_from_pose(const struct pose_result *pr, struct an_frame *out);

/* Free the document and zero `r`. NULL-safe. */
void pipeline_result_cleanup(struct pipeline_result *r);

#endif
