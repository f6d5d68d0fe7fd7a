/*
 * media_encode.c — writing media: JPEG thumbnails (FFmpeg's MJPEG encoder)
 * and the annotated video (libx264 H.264, yuv420p, in MP4).
 *
 * The MP4 is written with movflags=+faststart, so the muxer rewrites the
 * file at the end to put the index (moov) before the media data (mdat) and
 * browsers can start playing before the download finishes. Timestamps: the
 * stream time base is 1/90000 s (exact for 24, 25, 30, 50, 60 and the
 * NTSC 1001 rates); each frame's pts is its t_s relative to the first frame
 * written, so variable-frame-rate sources keep their real timing. The codec
 * frame rate (for x264's rate control and the container's nominal rate) is
 * the `fps` given at open. Colour: RGB24 is converted by swscale with the
 * BT.601 matrix, limited range, and tagged so.
 */
#include "media/media_int.h"

#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#define ENC_TIME_BASE 90000

struct media_encoder {
    AVFormatContext *oc;
    AVCodecContext *cc;
    AVStream *st;
    AVFrame *yuv;
    AVPacket *pkt;
    struct SwsContext *sws;
    const char *path;
    int in_w, in_h; /* frame size accepted by write() */
    int64_t last_pts;
    double first_t_s;
    int64_t n_frames;
    int64_t frame_ticks; /* nominal frame duration in time-base ticks */
    int header_written;
};

/* Move every packet the encoder has ready into the muxer. */
static enum kz_err enc_drain(struct media_encoder *enc, struct err_ctx *e)
{
    for (;;) {
        int r = avcodec_receive_packet(enc->cc, enc->pkt);
        if (r == AVERROR(EAGAIN) || r == AVERROR_EOF)
            return KZ_OK;
        if (r < 0)
            return media_av_err(e, r, KZ_E_INTERNAL, "H.264 encoding of", enc->path);
        if (enc->pkt->duration <= 0)
            enc->pkt->duration = enc->frame_ticks;
        av_packet_rescale_ts(enc->pkt, enc->cc->time_base, enc->st->time_base);
        enc->pkt->stream_index = enc->st->index;
        r = av_interleaved_write_frame(enc->oc, enc->pkt);
        av_packet_unref(enc->pkt);
        if (r < 0)
            return media_av_err(e, r, KZ_E_IO, "writing", enc->path);
    }
}

enum kz_err media_encoder_open(const char *path_mp4, const struct media_encode_opts *o,
                               struct media_encoder **out, struct err_ctx *e)
{
    struct media_encoder *enc = NULL;
    AVDictionary *copts = NULL, *mopts = NULL;
    const AVCodec *codec;
    AVRational fr;
    char crf[16];
    enum kz_err rc;
    int r, w, h;

    if (!path_mp4 || !o || !out)
        return err_set(e, KZ_E_INVALID, "media_encoder_open: NULL argument");
    *out = NULL;
    media_init();
    w = o->width & ~1;
    h = o->height & ~1;
    if (w < 2 || h < 2 || o->width > FRAME_MAX_SIDE_PX || o->height > FRAME_MAX_SIDE_PX ||
        !(o->fps > 0 && o->fps <= 1000) || o->crf < 0 || o->crf > 51)
        return err_set(e, KZ_E_INVALID, "media_encoder_open: invalid size %dx%d, fps %g or crf %d",
                       o->width, o->height, o->fps, o->crf);
    codec = avcodec_find_encoder_by_name("libx264");
    if (!codec)
        return err_set(e, KZ_E_UNSUPPORTED, "FFmpeg was built without libx264");
    enc = calloc(1, sizeof *enc);
    if (!enc)
        return err_set(e, KZ_E_NOMEM, "out of memory");
    enc->path = path_mp4;
    enc->in_w = o->width;
    enc->in_h = o->height;
    enc->last_pts = -1;
    r = avformat_alloc_output_context2(&enc->oc, NULL, "mp4", path_mp4);
    if (r < 0 || !enc->oc) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "cannot create MP4 muxer for", path_mp4);
        goto fail;
    }
    enc->st = avformat_new_stream(enc->oc, NULL);
    enc->cc = avcodec_alloc_context3(codec);
    enc->yuv = av_frame_alloc();
    enc->pkt = av_packet_alloc();
    if (!enc->st || !enc->cc || !enc->yuv || !enc->pkt) {
        rc = err_set(e, KZ_E_NOMEM, "out of memory");
        goto fail;
    }
    fr = av_d2q(o->fps, 1000 * 1001);
    enc->cc->width = w;
    enc->cc->height = h;
    enc->cc->pix_fmt = AV_PIX_FMT_YUV420P;
    enc->cc->time_base = (AVRational){1, ENC_TIME_BASE};
    enc->cc->framerate = fr;
    enc->cc->gop_size = (int)lround(o->fps * 2) > 1 ? (int)lround(o->fps * 2) : 2;
    enc->cc->colorspace = AVCOL_SPC_SMPTE170M;
    enc->cc->color_range = AVCOL_RANGE_MPEG;
    enc->cc->thread_count = 0;
    if (enc->oc->oformat->flags & AVFMT_GLOBALHEADER)
        enc->cc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    enc->frame_ticks = llround(ENC_TIME_BASE / o->fps);
    if (enc->frame_ticks < 1)
        enc->frame_ticks = 1;
    str_printf(crf, sizeof crf, "%d", o->crf > 0 ? o->crf : 23);
    av_dict_set(&copts, "preset", "superfast", 0);
    av_dict_set(&copts, "crf", crf, 0);
    r = avcodec_open2(enc->cc, codec, &copts);
    av_dict_free(&copts);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "cannot open libx264 for", path_mp4);
        goto fail;
    }
    r = avcodec_parameters_from_context(enc->st->codecpar, enc->cc);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "codec parameters for", path_mp4);
        goto fail;
    }
    enc->st->time_base = enc->cc->time_base;
    enc->st->avg_frame_rate = fr;
    enc->yuv->format = AV_PIX_FMT_YUV420P;
    enc->yuv->width = w;
    enc->yuv->height = h;
    r = av_frame_get_buffer(enc->yuv, 0);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_NOMEM, "frame buffer for", path_mp4);
        goto fail;
    }
    enc->sws = sws_getContext(w, h, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUV420P, SWS_BILINEAR, NULL,
                              NULL, NULL);
    if (!enc->sws) {
        rc = err_set(e, KZ_E_NOMEM, "cannot create RGB->YUV converter");
        goto fail;
    }
    r = avio_open(&enc->oc->pb, path_mp4, AVIO_FLAG_WRITE);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_IO, "cannot create", path_mp4);
        goto fail;
    }
    av_dict_set(&mopts, "movflags", "+faststart", 0);
    r = avformat_write_header(enc->oc, &mopts);
    av_dict_free(&mopts);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_IO, "cannot write MP4 header to", path_mp4);
        goto fail;
    }
    enc->header_written = 1;
    *out = enc;
    return KZ_OK;
fail:
    media_encoder_destroy(enc);
    return rc;
}

enum kz_err media_encoder_write(struct media_encoder *enc, const struct frame *f, struct err_ctx *e)
{
    const uint8_t *src[4];
    int src_linesize[4] = {0};
    int64_t pts;
    int r;

    if (!enc || !f || !f->data)
        return err_set(e, KZ_E_INVALID, "media_encoder_write: NULL argument");
    if (f->width != enc->in_w || f->height != enc->in_h || f->stride > INT32_MAX)
        return err_set(e, KZ_E_INVALID, "frame %dx%d does not match the encoder's %dx%d", f->width,
                       f->height, enc->in_w, enc->in_h);
    r = av_frame_make_writable(enc->yuv);
    if (r < 0)
        return media_av_err(e, r, KZ_E_NOMEM, "frame buffer for", enc->path);
    src[0] = f->data;
    src[1] = src[2] = src[3] = NULL;
    src_linesize[0] = (int)f->stride;
    /* The top-left even-sized part of the frame is encoded. */
    sws_scale(enc->sws, src, src_linesize, 0, enc->cc->height, enc->yuv->data, enc->yuv->linesize);
    if (enc->n_frames == 0)
        enc->first_t_s = f->t_s;
    pts = isfinite(f->t_s) ? llround((f->t_s - enc->first_t_s) * ENC_TIME_BASE) : enc->last_pts + 1;
    if (pts <= enc->last_pts)
        pts = enc->last_pts + 1;
    enc->last_pts = pts;
    enc->yuv->pts = pts;
    enc->n_frames++;
    r = avcodec_send_frame(enc->cc, enc->yuv);
    if (r < 0)
        return media_av_err(e, r, KZ_E_INTERNAL, "H.264 encoding of", enc->path);
    return enc_drain(enc, e);
}

enum kz_err media_encoder_finish(struct media_encoder *enc, struct err_ctx *e)
{
    enum kz_err rc;
    int r;

    if (!enc)
        return err_set(e, KZ_E_INVALID, "media_encoder_finish: NULL encoder");
    r = avcodec_send_frame(enc->cc, NULL);
    if (r < 0 && r != AVERROR_EOF) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "flushing the encoder for", enc->path);
        goto out;
    }
    rc = enc_drain(enc, e);
    if (rc != KZ_OK)
        goto out;
    r = av_write_trailer(enc->oc);
    enc->header_written = 0;
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_IO, "finalising", enc->path);
        goto out;
    }
    r = avio_closep(&enc->oc->pb);
    if (r < 0)
        rc = media_av_err(e, r, KZ_E_IO, "closing", enc->path);
out:
    media_encoder_destroy(enc);
    return rc;
}

void media_encoder_destroy(struct media_encoder *enc)
{
    if (!enc)
        return;
    if (enc->oc) {
        if (enc->oc->pb)
            avio_closep(&enc->oc->pb);
        avformat_free_context(enc->oc);
    }
    avcodec_free_context(&enc->cc);
    av_frame_free(&enc->yuv);
    av_packet_free(&enc->pkt);
    sws_freeContext(enc->sws);
    free(enc);
}

/* ---- thumbnails ---- */

enum kz_err media_write_thumbnail(const struct frame *f, const char *path_jpg, int max_long_side_px,
                                  struct err_ctx *e)
{
    const AVCodec *codec;
    AVCodecContext *cc = NULL;
    AVFrame *yuv = NULL;
    AVPacket *pkt = NULL;
    struct SwsContext *sws = NULL;
    FILE *fp = NULL;
    const uint8_t *src[4] = {NULL};
    int src_linesize[4] = {0};
    int long_side, w, h, r;
    enum kz_err rc;

    if (!f || !f->data || f->width < 1 || f->height < 1 || !path_jpg || max_long_side_px < 0 ||
        f->stride > INT32_MAX)
        return err_set(e, KZ_E_INVALID, "media_write_thumbnail: invalid arguments");
    media_init();
    long_side = f->width > f->height ? f->width : f->height;
    w = f->width;
    h = f->height;
    if (max_long_side_px > 0 && long_side > max_long_side_px) {
        w = (int)lround((double)f->width * max_long_side_px / long_side);
        h = (int)lround((double)f->height * max_long_side_px / long_side);
    }
    if (w < 1)
        w = 1;
    if (h < 1)
        h = 1;
    codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
    if (!codec)
        return err_set(e, KZ_E_UNSUPPORTED, "FFmpeg was built without the MJPEG encoder");
    cc = avcodec_alloc_context3(codec);
    yuv = av_frame_alloc();
    pkt = av_packet_alloc();
    if (!cc || !yuv || !pkt) {
        rc = err_set(e, KZ_E_NOMEM, "out of memory");
        goto fail;
    }
    cc->width = w;
    cc->height = h;
    cc->pix_fmt = AV_PIX_FMT_YUVJ420P;
    cc->color_range = AVCOL_RANGE_JPEG;
    cc->time_base = (AVRational){1, 25};
    cc->flags |= AV_CODEC_FLAG_QSCALE;
    cc->global_quality = FF_QP2LAMBDA * 3;
    r = avcodec_open2(cc, codec, NULL);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "cannot open the JPEG encoder for", path_jpg);
        goto fail;
    }
    yuv->format = AV_PIX_FMT_YUVJ420P;
    yuv->width = w;
    yuv->height = h;
    yuv->quality = cc->global_quality;
    yuv->pts = 0;
    r = av_frame_get_buffer(yuv, 0);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_NOMEM, "frame buffer for", path_jpg);
        goto fail;
    }
    sws = sws_getContext(f->width, f->height, AV_PIX_FMT_RGB24, w, h, AV_PIX_FMT_YUVJ420P,
                         SWS_BICUBIC, NULL, NULL, NULL);
    if (!sws) {
        rc = err_set(e, KZ_E_NOMEM, "cannot create RGB->YUV converter");
        goto fail;
    }
    src[0] = f->data;
    src_linesize[0] = (int)f->stride;
    sws_scale(sws, src, src_linesize, 0, f->height, yuv->data, yuv->linesize);
    r = avcodec_send_frame(cc, yuv);
    if (r >= 0)
        r = avcodec_send_frame(cc, NULL);
    if (r >= 0)
        r = avcodec_receive_packet(cc, pkt);
    if (r < 0) {
        rc = media_av_err(e, r, KZ_E_INTERNAL, "JPEG encoding of", path_jpg);
        goto fail;
    }
    fp = fopen(path_jpg, "wb");
    if (!fp) {
        rc = err_set(e, KZ_E_IO, "cannot create '%s'", path_jpg);
        goto fail;
    }
    if (fwrite(pkt->data, 1, (size_t)pkt->size, fp) != (size_t)pkt->size) {
        rc = err_set(e, KZ_E_IO, "cannot write '%s'", path_jpg);
        goto fail;
    }
    r = fclose(fp);
    fp = NULL;
    if (r != 0) {
        rc = err_set(e, KZ_E_IO, "cannot write '%s'", path_jpg);
        goto fail;
    }
    rc = KZ_OK;
fail:
    if (fp)
        fclose(fp);
    sws_freeContext(sws);
    av_packet_free(&pkt);
    av_frame_free(&yuv);
    avcodec_free_context(&cc);
    return rc;
}
