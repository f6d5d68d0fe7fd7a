/*
 * stages.c — the processing pipeline, one row per stage, run in order by
 * worker_job_run(). "media" decodes the first frame of the upload (rotation
 * applied) for the thumbnail, counts every frame from the container's
 * packets (media_scan_frames: no second full decode, the analysis stage
 * decodes them all) and stores the media facts; "analysis" runs the
 * pipeline (stage_analysis.c).
 *
 * Media facts (sessions.media_json): {codec, container, width, height
 * (upright), coded_width, coded_height, rotation_deg, fps, frame_count
 * (frames in the video stream), container_frame_count (the header's claim),
 * duration_s, first_frame_t_s, last_frame_t_s (presentation time after the
 * first frame), non_monotonic_timestamps (frames with a repeated or missing
 * timestamp), has_audio, size_bytes}.
 */
#include "media/media.h"
#include "worker/worker.h"
#include "worker/worker_int.h"

#include <jansson.h>
#include <stdlib.h>
#include <unistd.h>

#define THUMB_LONG_SIDE_PX 480

/* Write the thumbnail of frame `f` and place it under sessions/<id>/thumbnail.jpg. */
static enum kz_err media_thumbnail(struct worker_job *j, const struct frame *f, char *key,
                                   size_t cap, struct err_ctx *e)
{
    struct blob_store *b = worker_job_blob(j);
    char tmp[BLOB_PATH_MAX];
    int fd = -1;
    enum kz_err rc = blob_tmp_create(b, ".jpg", &fd, tmp, e);
    if (rc != KZ_OK)
        return rc;
    close(fd);
    rc = media_write_thumbnail(f, tmp, THUMB_LONG_SIDE_PX, e);
    if (rc == KZ_OK)
        rc = blob_session_key(worker_job_session(j)->id, BLOB_FILE_THUMBNAIL, key, cap, e);
    if (rc == KZ_OK)
        rc = blob_place(b, tmp, key, e);
    if (rc != KZ_OK)
        unlink(tmp);
    return rc;
}

static enum kz_err stage_media(struct worker_job *j, struct err_ctx *e)
{
    struct media_decoder *d = NULL;
    struct media_decode_opts dopts = {THUMB_LONG_SIDE_PX, 0, 1};
    struct media_frame_scan scan;
    const struct media_info *mi;
    const struct frame *f = NULL;
    char thumb[256] = "";
    int64_t size_bytes = 0;
    char *json = NULL;
    json_t *facts = NULL;
    /* the first frame must decode (thumbnail); the rest are counted from the
       container's packets — the analysis stage decodes every frame anyway */
    enum kz_err rc = media_decoder_open(worker_job_video_path(j), &dopts, &d, e);
    if (rc != KZ_OK)
        goto fail;
    mi = media_decoder_info(d);
    if ((rc = media_decoder_next(d, &f, e)) != KZ_OK)
        goto fail;
    if (!f) {
        rc = err_set(e, KZ_E_FORMAT, "the video has no decodable frames");
        goto fail;
    }
    if ((rc = media_thumbnail(j, f, thumb, sizeof thumb, e)) != KZ_OK)
        goto fail;
    if ((rc = worker_job_progress(j, 0.5, e)) != KZ_OK)
        goto fail;
    if ((rc = media_scan_frames(worker_job_video_path(j), &scan, e)) != KZ_OK)
        goto fail;
    if (scan.frames < 1) {
        rc = err_set(e, KZ_E_FORMAT, "the video has no frames");
        goto fail;
    }
    int upright_w = mi->rotation_deg % 180 ? mi->coded_height : mi->coded_width;
    int upright_h = mi->rotation_deg % 180 ? mi->coded_width : mi->coded_height;
    blob_size(worker_job_blob(j), worker_job_session(j)->video_key, &size_bytes, NULL);
    facts = json_pack(
        "{s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:f,s:I,s:I,s:f,s:f,s:f,s:I,s:b,s:I}", "codec", mi->codec,
        "container", mi->container, "width", upright_w, "height", upright_h, "coded_width",
        mi->coded_width, "coded_height", mi->coded_height, "rotation_deg", mi->rotation_deg, "fps",
        mi->fps, "frame_count", (json_int_t)scan.frames, "container_frame_count",
        (json_int_t)mi->frame_count, "duration_s",
        mi->duration_s > 0 ? mi->duration_s : scan.last_t_s + (mi->fps > 0 ? 1.0 / mi->fps : 0),
        "first_frame_t_s", f->t_s, "last_frame_t_s", scan.last_t_s, "non_monotonic_timestamps",
        (json_int_t)(scan.repeated_timestamp + scan.no_timestamp), "has_audio", mi->has_audio,
        "size_bytes", (json_int_t)size_bytes);
    json = facts ? json_to_string(facts) : NULL;
    if (!json) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    rc = worker_job_progress(j, 1.0, e);
    if (rc == KZ_OK)
        rc =
            store_session_set_media(worker_job_store(j), worker_job_session(j)->id, json, thumb, e);
fail:
    free(json);
    json_decref(facts);
    media_decoder_close(d);
    return rc;
}

const struct worker_stage worker_stages[] = {
    {"media", 100, stage_media}, {"analysis", 900, worker_stage_analysis}, /* stage_analysis.c */
};
const size_t worker_n_stages = KZ_ARRAY_LEN(worker_stages);
