/*
 * pipeline_int.h — internals shared by the pipeline's files: the analyzed
 * video writer (pipeline_video.c), which knows nothing of the analysis and
 * asks its caller for each frame's overlay.
 */
#ifndef KZ_PIPELINE_INT_H
#define KZ_PIPELINE_INT_H

#include "core/core.h"
#include "render/render.h"

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

#endif
