/*
 * pipeline_video.c — the analyzed-video pass as three concurrent stages:
 *
 *   decoder thread ──frames──▶ calling thread ──frames──▶ encoder thread
 *   (decode, downscale)         (overlay drawing)          (RGB→YUV, H.264)
 *
 * Each arrow is a bounded queue of PL_QUEUE_SLOTS preallocated frames. A
 * producer fills the slot after the filled ones while the consumer reads the
 * oldest, so slots are never shared and the lock only guards the counters.
 * Run one after the other, the three cost their sum (about 12 ms per
 * 720x1280 frame on this machine); overlapped, about the slowest of them.
 *
 * Shutdown: a producer that is done closes its queue (the consumer drains it
 * and stops); a consumer that fails aborts its input queue (the producer's
 * next acquire returns NULL). The calling thread joins both threads before it
 * finishes or abandons the encoder, so no thread outlives pl_video_write.
 */
#include "pipeline/pipeline_int.h"

#include "frame/frame.h"
#include "media/media.h"

#include <pthread.h>
#include <string.h>

static int is_cancelled(const atomic_int *c)
{
    return c && atomic_load(c) != 0;
}

struct video_ctx {
    const struct pl_video_job *job;
    struct media_decoder *dec;
    struct media_encoder *enc;
    struct pl_fqueue qd; /* decoded frames -> drawing */
    struct pl_fqueue qe; /* drawn frames -> encoder */
    enum kz_err dec_rc, enc_rc;
    struct err_ctx dec_e, enc_e;
    double decode_s, encode_s;
    int64_t encoded;
};

static void *decode_main(void *arg)
{
    struct video_ctx *c = arg;
    enum kz_err rc = KZ_OK;
    for (int i = 0; i < c->job->n_frames; i++) {
        const struct frame *f = NULL;
        if (is_cancelled(c->job->cancel))
            break; /* the drawing stage reports the cancellation */
        double t0 = time_mono_s();
        rc = media_decoder_next(c->dec, &f, &c->dec_e);
        if (rc != KZ_OK || !f)
            break;
        struct frame *slot = pl_fq_acquire(&c->qd);
        if (!slot)
            break;
        rc = pl_frame_fill(slot, f, &c->dec_e);
        c->decode_s += time_mono_s() - t0;
        if (rc != KZ_OK)
            break;
        pl_fq_commit(&c->qd);
    }
    c->dec_rc = rc;
    pl_fq_close(&c->qd);
    return NULL;
}

static void *encode_main(void *arg)
{
    struct video_ctx *c = arg;
    enum kz_err rc = KZ_OK;
    const struct frame *f;
    while ((f = pl_fq_peek(&c->qe)) != NULL) {
        double t0 = time_mono_s();
        rc = media_encoder_write(c->enc, f, &c->enc_e);
        c->encode_s += time_mono_s() - t0;
        pl_fq_release(&c->qe);
        if (rc != KZ_OK) {
            pl_fq_abort(&c->qe);
            break;
        }
        c->encoded++;
    }
    c->enc_rc = rc;
    return NULL;
}

/* Drawing stage, in the calling thread: returns its own error (not the other stages'). */
static enum kz_err draw_loop(struct video_ctx *c, struct render *rnd, struct pl_video_stats *st,
                             struct err_ctx *e)
{
    const struct pl_video_job *j = c->job;
    struct render_overlay ov;
    const struct frame *f;
    enum kz_err rc = KZ_OK;
    int i = 0;
    while ((f = pl_fq_peek(&c->qd)) != NULL) {
        const struct frame *drawn = NULL;
        if (is_cancelled(j->cancel))
            return err_set(e, KZ_E_CANCELLED, "cancelled at frame %d", i);
        double t0 = time_mono_s();
        j->overlay(j->overlay_user, i, &ov);
        rc = render_draw(rnd, f, &ov, &drawn, e);
        st->render_s += time_mono_s() - t0;
        if (rc != KZ_OK)
            return rc;
        struct frame *slot = pl_fq_acquire(&c->qe);
        if (!slot)
            return KZ_OK; /* the encoder failed; its error is reported */
        rc = pl_frame_fill(slot, drawn, e);
        if (rc != KZ_OK)
            return rc;
        pl_fq_commit(&c->qe);
        pl_fq_release(&c->qd);
        i++;
        if (j->progress)
            j->progress(j->progress_user, i, j->n_frames);
    }
    /* The decoder stops at a raised flag too and may have closed its queue
       before this loop looked at the flag again. */
    if (is_cancelled(j->cancel))
        return err_set(e, KZ_E_CANCELLED, "cancelled at frame %d", i);
    return KZ_OK;
}

enum kz_err pl_video_write(const struct pl_video_job *j, struct pl_video_stats *st,
                           struct err_ctx *e)
{
    struct video_ctx c;
    struct render *rnd = NULL;
    struct render_opts ropts;
    pthread_t dec_thread, enc_thread;
    int dec_started = 0, enc_started = 0;
    enum kz_err rc;

    memset(&c, 0, sizeof(c));
    c.job = j;
    pl_fq_init(&c.qd);
    pl_fq_init(&c.qe);
    if (st)
        memset(st, 0, sizeof(*st));
    if (!j || !st || !j->in_path || !j->out_path || !j->overlay || j->n_frames < 1 ||
        !(j->fps > 0)) {
        rc = err_set(e, KZ_E_INVALID, "pl_video_write: bad job");
        goto fail;
    }
    ropts.max_long_side_px = j->max_long_side_px;
    rc = render_create(j->coord_w, j->coord_h, &ropts, &rnd, e);
    if (rc != KZ_OK)
        goto fail;
    render_size(rnd, &st->width, &st->height);
    struct media_decode_opts dopts = {0};
    dopts.max_long_side_px = st->width > st->height ? st->width : st->height;
    rc = media_decoder_open(j->in_path, &dopts, &c.dec, e);
    if (rc != KZ_OK)
        goto fail;
    struct media_encode_opts eo = {st->width, st->height, j->fps, 0};
    rc = media_encoder_open(j->out_path, &eo, &c.enc, e);
    if (rc != KZ_OK)
        goto fail;

    if (pthread_create(&dec_thread, NULL, decode_main, &c) != 0) {
        rc = err_set(e, KZ_E_INTERNAL, "cannot start the decoder thread");
        goto fail;
    }
    dec_started = 1;
    if (pthread_create(&enc_thread, NULL, encode_main, &c) != 0) {
        rc = err_set(e, KZ_E_INTERNAL, "cannot start the encoder thread");
        goto fail;
    }
    enc_started = 1;

    rc = draw_loop(&c, rnd, st, e);
    pl_fq_abort(&c.qd); /* no-op for a decoder that already finished */
    if (rc == KZ_OK)
        pl_fq_close(&c.qe);
    else
        pl_fq_abort(&c.qe);
    pthread_join(dec_thread, NULL);
    pthread_join(enc_thread, NULL);
    dec_started = enc_started = 0;
    if (rc == KZ_OK && c.dec_rc != KZ_OK)
        rc = err_set(e, c.dec_rc, "%s", c.dec_e.msg);
    if (rc == KZ_OK && c.enc_rc != KZ_OK)
        rc = err_set(e, c.enc_rc, "%s", c.enc_e.msg);
    st->frames = c.encoded;
    if (rc != KZ_OK)
        goto fail;
    double t0 = time_mono_s();
    rc = media_encoder_finish(c.enc, e);
    c.enc = NULL;
    c.encode_s += time_mono_s() - t0;
fail:
    if (dec_started || enc_started) {
        pl_fq_abort(&c.qd);
        pl_fq_abort(&c.qe);
        if (dec_started)
            pthread_join(dec_thread, NULL);
        if (enc_started)
            pthread_join(enc_thread, NULL);
    }
    if (st) {
        st->decode_s = c.decode_s;
        st->encode_s = c.encode_s;
    }
    media_encoder_destroy(c.enc);
    media_decoder_close(c.dec);
    render_destroy(rnd);
    pl_fq_destroy(&c.qd);
    pl_fq_destroy(&c.qe);
    return rc;
}
