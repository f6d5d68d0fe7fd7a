/*
 * media_util.c — libav error mapping and one-time libav set-up (log level)
 * shared by the decoder and the encoder.
 */
#include "media/media_int.h"

#include <errno.h>
#include <libavutil/error.h>
#include <libavutil/log.h>
#include <pthread.h>

static pthread_once_t media_log_once = PTHREAD_ONCE_INIT;

static void media_log_setup(void)
{
    /* libav writes its own diagnostics to stderr; our errors carry the
       message instead, so only show libav's chatter at debug log level. */
    av_log_set_level(log_get_level() <= LOG_DEBUG ? AV_LOG_WARNING : AV_LOG_QUIET);
}

void media_init(void)
{
    pthread_once(&media_log_once, media_log_setup);
}

enum kz_err media_av_err(struct err_ctx *e, int averr, enum kz_err fallback, const char *what,
                         const char *path)
{
    char buf[AV_ERROR_MAX_STRING_SIZE] = {0};
    enum kz_err code = fallback;

    av_strerror(averr, buf, sizeof buf);
    if (averr == AVERROR(ENOENT) || averr == AVERROR(EACCES) || averr == AVERROR(EISDIR) ||
        averr == AVERROR(EIO) || averr == AVERROR(EPERM) || averr == AVERROR(ENOSPC))
        code = KZ_E_IO;
    else if (averr == AVERROR_INVALIDDATA || averr == AVERROR_DEMUXER_NOT_FOUND ||
             averr == AVERROR_EOF)
        code = KZ_E_FORMAT;
    else if (averr == AVERROR(ENOMEM))
        code = KZ_E_NOMEM;
    else if (averr == AVERROR_DECODER_NOT_FOUND || averr == AVERROR_ENCODER_NOT_FOUND)
        code = KZ_E_UNSUPPORTED;
    return err_set(e, code, "%s '%s': %s", what, path ? path : "", buf);
}
