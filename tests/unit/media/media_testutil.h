/* media_testutil.h — clip generation for the media tests (ffmpeg CLI in a temp dir). */
#ifndef KZ_MEDIA_TESTUTIL_H
#define KZ_MEDIA_TESTUTIL_H

#include "frame/frame.h"

#include <stddef.h>
#include <stdint.h>

/* 1 when `ffmpeg` is on PATH. */
int tu_have_ffmpeg(void);
/* Create a fresh temp dir (static buffer path); NULL on failure. */
const char *tu_tmpdir(void);
/* Remove the temp dir and everything in it. */
void tu_rmtmp(void);
/* Path of `name` inside the temp dir (static rotating buffers). */
const char *tu_path(const char *name);
/* Run an ffmpeg command line (arguments after "ffmpeg -v error -y"); 0 on success. */
int tu_ffmpeg(const char *args_fmt, ...) __attribute__((format(printf, 1, 2)));
/* Read a whole file (caller frees); NULL on failure. */
uint8_t *tu_read_file(const char *path, size_t *len);
/* Write bytes to a file; 0 on success. */
int tu_write_file(const char *path, const void *data, size_t len);
/* Mean absolute difference of two RGB frames of the same size. */
double tu_mean_abs_diff(const struct frame *a, const uint8_t *rgb, size_t rgb_stride);
/* Pixel pointer. */
const uint8_t *tu_px(const struct frame *f, int x, int y);

#endif
