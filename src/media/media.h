/*
 * media.h — the only FFmpeg code in kinalyze: probe an uploaded file (is it a
 * decodable video? size, rotation, fps, duration), decode it to upright RGB24
 * frames with real timestamps, write a JPEG thumbnail, and encode the
 * annotated video (H.264/libx264 in MP4 with the index at the front).
 * No libav* type appears in this header.
 *
 * Thread-safety: functions are reentrant; a decoder or encoder object must be
 * used by one thread at a time. Different objects may run on different threads.
 */
#ifndef KZ_MEDIA_H
#define KZ_MEDIA_H

#include "core/core.h"
#include "frame/frame.h"

#include <stdint.h>

struct media_info {
    char codec[32];     /* e.g. "h264" */
    char container[32]; /* e.g. "mov,mp4,m4a,3gp,3g2,mj2" (truncated to fit) */
    int width, height;  /* display size, after applying rotation */
    int coded_width, coded_height;
    int rotation_deg;    /* clockwise rotation applied for display: 0, 90, 180, 270 */
    double fps;          /* average frame rate */
    int64_t frame_count; /* container's count when known, else estimated; -1 unknown */
    double duration_s;
    int has_audio;
};

/*
 * Open `path`, find the best video stream AND decode at least one frame, and
 * fill every field of `out`. Errors: KZ_E_INVALID (NULL args), KZ_E_IO (cannot
 * open / read the file), KZ_E_FORMAT (not a recognised container, no video
 * stream — e.g. a text file named .mp4 or an audio-only file — or no frame
 * can be decoded, e.g. truncated; or a picture over 40 Mpixel), KZ_E_UNSUPPORTED
 * (no decoder for the codec), KZ_E_NOMEM. `e` gets a human-readable message.
 * Rotation is read from the display matrix and snapped to a quarter turn;
 * mirroring in the matrix is ignored.
 */
enum kz_err media_probe(const char *path, struct media_info *out, struct err_ctx *e);

/* Frame count and timing read from the container's packets (no decoding). */
struct media_frame_scan {
    int64_t frames;             /* video frames (packets the demuxer does not discard) */
    double last_t_s;            /* presentation time of the last frame after the first's */
    int64_t repeated_timestamp; /* frames whose timestamp equals another frame's */
    int64_t no_timestamp;       /* frames without any timestamp */
};

#define MEDIA_MAX_SCAN_FRAMES (1 << 24) /* refuse more frames (memory bound) */

/*
 * Count the frames of `path`'s video stream by reading every packet without
 * decoding (about 1 ms per 1000 frames): one packet is one frame for the
 * codecs and containers we accept (H.264/HEVC/VPx/AV1/MPEG-4 in MP4, MKV,
 * ...). Complements media_decoder_open, which proves the first frame
 * decodes. Errors: as media_probe; KZ_E_TOO_LARGE beyond
 * MEDIA_MAX_SCAN_FRAMES frames.
 */
enum kz_err media_scan_frames(const char *path, struct media_frame_scan *out, struct err_ctx *e);

struct media_decoder;
struct media_decode_opts {
    int max_long_side_px; /* 0 = native size; else downscale (never upscale) so that
                             max(width, height) <= this, aspect kept */
    int keep_rotation;    /* 0 = apply rotation (default); 1 = coded orientation */
    int threads;          /* decoder threads; 0 = automatic */
};

/*
 * Open `path` for decoding. `opts` may be NULL (defaults). The caller owns
 * *out (media_decoder_close). Errors as media_probe.
 */
enum kz_err media_decoder_open(const char *path, const struct media_decode_opts *opts,
                               struct media_decoder **out, struct err_ctx *e);

/*
 * Information about the opened stream (as media_probe). width/height here are
 * the size of the frames this decoder returns (after rotation and downscale).
 * Borrowed; valid until close.
 */
const struct media_info *media_decoder_info(const struct media_decoder *d);

/*
 * Next frame in presentation order, rotated upright, RGB24. *out = NULL at
 * end of stream. The frame is borrowed: valid until the next call or close.
 * t_s is seconds from the stream start (best-effort timestamp in the stream
 * time base, minus the first frame's); index counts from 0.
 * Errors: KZ_E_FORMAT (corrupt data that cannot be skipped), KZ_E_IO, KZ_E_NOMEM.
 */
enum kz_err media_decoder_next(struct media_decoder *d, const struct frame **out,
                               struct err_ctx *e);
void media_decoder_close(struct media_decoder *d); /* NULL-safe */

/*
 * Write `f` (borrowed) as a baseline JPEG to `path_jpg`, downscaled so that
 * its long side <= max_long_side_px (0 = native). Errors: KZ_E_INVALID,
 * KZ_E_IO (cannot write), KZ_E_UNSUPPORTED (no MJPEG encoder), KZ_E_NOMEM.
 */
enum kz_err media_write_thumbnail(const struct frame *f, const char *path_jpg, int max_long_side_px,
                                  struct err_ctx *e);

struct media_encoder;
struct media_encode_opts {
    int width, height; /* frame size; odd sizes are cropped by one pixel to be even */
    double fps;        /* nominal frame rate (time base); frames carry their own t_s */
    int crf;           /* x264 constant rate factor; 0 = default 23 */
};

/*
 * H.264 (libx264, yuv420p) in MP4 with the index at the front (faststart).
 * Each written frame's t_s sets its presentation time (VFR preserved);
 * t_s must increase, frames whose rounded time does not increase are
 * nudged forward by one tick. Caller owns *out: finish it or destroy it.
 * Errors: KZ_E_INVALID (size < 2, fps <= 0 or > 1000, crf > 51), KZ_E_IO (cannot
 * create file), KZ_E_UNSUPPORTED (libx264 not available), KZ_E_INTERNAL (the
 * encoder or muxer refused its set-up), KZ_E_NOMEM.
 */
enum kz_err media_encoder_open(const char *path_mp4, const struct media_encode_opts *o,
                               struct media_encoder **out, struct err_ctx *e);
/* Encode one frame (borrowed, size as opened). Errors: KZ_E_INVALID, KZ_E_IO,
   KZ_E_INTERNAL (encoder failure), KZ_E_NOMEM. */
enum kz_err media_encoder_write(struct media_encoder *enc, const struct frame *f,
                                struct err_ctx *e);
/* Flush, write the trailer (moves the index to the front) and free `enc` (always freed). */
enum kz_err media_encoder_finish(struct media_encoder *enc, struct err_ctx *e);
/* Abort and free; the partial file is left in place (removes nothing). NULL-safe. */
void media_encoder_destroy(struct media_encoder *enc);

#endif
