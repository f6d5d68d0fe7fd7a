/*
 * pipeline_int.h — internals shared by the pipeline's files: the analyzed
 * video writer (pipeline_video.c), which knows nothing of the analysis and
 * asks its caller for each frame's overlay, and the weightlifting glue
 * (pipeline_lift.c): bar tracking during the pose pass, the lift analysis,
 * its document and its overlay.
 */
#ifndef KZ_PIPELINE_INT_H
#define KZ_PIPELINE_INT_H

#include "analysis/analysis.h"
#include "core/core.h"
#include "frame/frame.h"
#include "lift/lift.h"
#include "pipeline/pipeline.h"
#include "pose/pose.h"
#include "render/render.h"
#include "vision/vision.h"

#include <jansson.h>
#include <pthread.h>

#include <stdatomic.h>
#include <stdint.h>

/*
 * Fill `ov` for frame `i` (0-based presentation index). Strings and arrays
 * `ov` points to must stay valid until the next call; called from one
 * thread only (the one running pl_video_write).
 */
typedef void (*pl_overlay_fn)(void *user, int i, struct render_overlay *ov);

/* Progress of the video pass: frames drawn so far out of n_frames. */
typedef void (*pl_video_progress_fn)(void *user, int frames_done, int n_frames);

struct pl_video_job {
    const char *in_path;   /* the source video (decoded again, downscaled) */
    const char *out_path;  /* H.264/MP4 to write */
    int coord_w, coord_h;  /* coordinate space of the overlays (pass-1 frame size) */
    int max_long_side_px;  /* 0 = RENDER_MAX_LONG_SIDE_PX */
    int n_frames;          /* frames to write (the pose pass' count) */
    double fps;            /* output frame rate (> 0) */
    pl_overlay_fn overlay; /* required */
    void *overlay_user;
    pl_video_progress_fn progress; /* may be NULL; called from the calling thread */
    void *progress_user;
    const atomic_int *cancel; /* may be NULL */
};

struct pl_video_stats {
    int width, height; /* output size */
    int64_t frames;    /* frames written */
    double decode_s;   /* decoder thread busy time (decode + downscale + copy) */
    double render_s;   /* overlay drawing (calling thread) */
    double encode_s;   /* encoder thread busy time (colour conversion + H.264) */
};

/*
 * Decode `j->in_path` downscaled to the render size, draw each frame's overlay
 * and encode it to `j->out_path`. Three stages run concurrently — a decoder
 * thread, drawing in the calling thread, an encoder thread — joined by
 * bounded frame queues, so the pass costs about its slowest stage instead of
 * the sum. Frames past the source's end are not invented: the video ends
 * there. `st` is filled as far as the pass got, also on error.
 * Errors: those of media_decoder_*, media_encoder_*, render_* (first failing
 * stage wins), KZ_E_CANCELLED, KZ_E_NOMEM, KZ_E_INTERNAL (thread creation).
 * On error the output file may be left partial; the caller removes it.
 */
enum kz_err pl_video_write(const struct pl_video_job *j, struct pl_video_stats *st,
                           struct err_ctx *e);

/* ---- bounded frame queue between threads (pipeline_queue.c) ---- */

#define PL_QUEUE_SLOTS 4

struct pl_fqueue {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    struct frame slot[PL_QUEUE_SLOTS]; /* allocated on first fill, freed by destroy */
    int head, count; /* filled slots: head .. head + count - 1 (mod PL_QUEUE_SLOTS) */
    int closed;      /* the producer pushes no more */
    int aborted;     /* the consumer stopped: producers give up */
};

void pl_fq_init(struct pl_fqueue *q);
void pl_fq_destroy(struct pl_fqueue *q); /* frees the slots' pixels */
/* Producer: the next empty slot, waiting for one; NULL once the queue is aborted. */
struct frame *pl_fq_acquire(struct pl_fqueue *q);
void pl_fq_commit(struct pl_fqueue *q); /* the acquired slot is filled */
/* Consumer: the oldest filled slot, waiting; NULL when closed and drained, or aborted. */
const struct frame *pl_fq_peek(struct pl_fqueue *q);
void pl_fq_release(struct pl_fqueue *q); /* done with the peeked slot */
void pl_fq_close(struct pl_fqueue *q);   /* producer: no more frames */
void pl_fq_abort(struct pl_fqueue *q);   /* either side: stop both */
/* Index 0..PL_QUEUE_SLOTS-1 of slot `f` of `q` (for data kept beside the frames). */
int pl_fq_slot_index(const struct pl_fqueue *q, const struct frame *f);
/* Copy pixels, t_s and index of `src` into slot `dst` (allocated on first use).
   Errors: KZ_E_NOMEM, KZ_E_INVALID. */
enum kz_err pl_frame_fill(struct frame *dst, const struct frame *src, struct err_ctx *e);

/* ---- weightlifting (pipeline_lift.c) ---- */

struct pl_lift {
    struct vision_plate_tracker *tracker;
    /* The tracker runs on its own thread, fed by the pose pass through a frame
       queue (the wrists of each frame kept beside its slot); its error, if
       any, is read after the queue is aborted or the thread joined. */
    pthread_t thread;
    int thread_started, queue_ready;
    struct pl_fqueue q;
    struct vision_hands hands[PL_QUEUE_SLOTS];
    enum kz_err track_rc;
    struct err_ctx track_e;
    double track_s; /* plate tracker busy time (its thread; read after the join) */
    double copy_s;  /* frame copies into the queue (pose thread) */
    struct vision_plate_track bar;
    struct an_kinematics kin;
    int have_kin;
    struct lift_result *res;
    struct render_bar_point *trail; /* one per frame (res->n) */
    int trail_first;                /* first frame the trail is drawn from */
    double speed_max_mps;           /* top of the trail's colour scale */
    char info[RENDER_MAX_INFO][64];
    char phase[32];
};

/*
 * Create the plate tracker (plate diameter from the options) and start its
 * thread. Errors: KZ_E_INVALID, KZ_E_NOMEM, KZ_E_INTERNAL (thread).
 */
enum kz_err pl_lift_begin(const struct pipeline_opts *o, struct pl_lift *l, struct err_ctx *e);

/*
 * Queue the pose pass' frame `f` (copied) with the visible wrists of `pr`
 * for the tracker thread; waits while the queue is full. Errors: KZ_E_NOMEM
 * (copy), or the tracker's own error once it has failed.
 */
enum kz_err pl_lift_frame(struct pl_lift *l, const struct frame *f, const struct pose_result *pr,
                          struct err_ctx *e);

/*
 * Wait for the tracker thread to drain the queue, then finish the bar track.
 * KZ_E_NOT_FOUND when no frame had a plate (the message says what to film),
 * else the tracker's error or those of vision_plate_tracker_finish.
 */
enum kz_err pl_lift_finish_bar(struct pl_lift *l, struct err_ctx *e);

/*
 * Body kinematics of `s`, the lift analysis on the finished bar track and
 * the weightlifting document (new reference in *doc): metrics, angles,
 * report_metrics, all_timestamps, keypoints (body and bar), exercise and
 * kinalyze {metrics (value, unit, uncertainty, method or reason per item),
 * bar_tracking, scale, body_scale}. Errors: KZ_E_INVALID (no exercise,
 * unknown exercise), those of analysis_prepare / lift_analyze, KZ_E_NOMEM.
 */
enum kz_err pl_lift_analyze(const struct pipeline_opts *o, struct pl_lift *l,
                            const struct an_series *s, json_t **doc, struct err_ctx *e);

/* Prepare the overlay data (trail, info lines). Errors: KZ_E_NOMEM. */
enum kz_err pl_lift_plan(struct pl_lift *l, struct err_ctx *e);

/* Add the bar trail, the phase name and the lift's info lines to `ov` for frame i. */
void pl_lift_overlay(struct pl_lift *l, int i, struct render_overlay *ov);

void pl_lift_cleanup(struct pl_lift *l); /* NULL-safe; stops the thread; zeroes `l` */

#endif
