/*
 * media_int.h — helpers shared by the media source files (never included
 * outside src/media): mapping libav error codes to kz_err with a message.
 */
#ifndef KZ_MEDIA_INT_H
#define KZ_MEDIA_INT_H

#include "media/media.h"

/*
 * Record a libav error `averr` from operation `what` on `path` in `e`, mapped
 * to a kz_err: missing/unreadable file -> KZ_E_IO, invalid data / unknown
 * format -> KZ_E_FORMAT, ENOMEM -> KZ_E_NOMEM, else `fallback`.
 */
enum kz_err media_av_err(struct err_ctx *e, int averr, enum kz_err fallback, const char *what,
                         const char *path);

/* One-time libav set-up (quiet logging unless kinalyze logs at debug). Idempotent. */
void media_init(void);

#endif
