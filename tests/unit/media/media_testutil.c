/* media_testutil.c — helpers for the media tests: temp dir, running ffmpeg, file I/O. */
#include "media_testutil.h"

#include "core/core.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char tmp_dir[256];

int tu_have_ffmpeg(void)
{
    return system("command -v ffmpeg >/dev/null 2>&1") == 0;
}

const char *tu_tmpdir(void)
{
    const char *base = getenv("TMPDIR");
    if (str_printf(tmp_dir, sizeof tmp_dir, "%s/kz-media-XXXXXX", base && *base ? base : "/tmp"))
        return NULL;
    return mkdtemp(tmp_dir);
}

void tu_rmtmp(void)
{
    char cmd[300];
    if (tmp_dir[0] && str_printf(cmd, sizeof cmd, "rm -rf '%s'", tmp_dir) == KZ_OK)
        (void)!system(cmd);
    tmp_dir[0] = 0;
}

const char *tu_path(const char *name)
{
    static char bufs[4][512];
    static int next;
    char *b = bufs[next++ % 4];
    if (str_printf(b, 512, "%s/%s", tmp_dir, name) != KZ_OK)
        return "";
    return b;
}

int tu_ffmpeg(const char *args_fmt, ...)
{
    char args[2048], cmd[2200];
    va_list ap;
    int n;
    va_start(ap, args_fmt);
    n = vsnprintf(args, sizeof args, args_fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof args)
        return -1;
    if (str_printf(cmd, sizeof cmd, "cd '%s' && ffmpeg -nostdin -v error -y %s", tmp_dir, args))
        return -1;
    return system(cmd) == 0 ? 0 : -1;
}

uint8_t *tu_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    uint8_t *buf = NULL;
    long n;
    if (!f)
        return NULL;
    if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0) {
        buf = malloc((size_t)n + 1);
        if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
            free(buf);
            buf = NULL;
        }
        *len = (size_t)n;
    }
    fclose(f);
    return buf;
}

int tu_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    int ok;
    if (!f)
        return -1;
    ok = fwrite(data, 1, len, f) == len;
    return (fclose(f) == 0 && ok) ? 0 : -1;
}

double tu_mean_abs_diff(const struct frame *a, const uint8_t *rgb, size_t rgb_stride)
{
    double sum = 0;
    for (int y = 0; y < a->height; y++)
        for (int x = 0; x < a->width * 3; x++) {
            int d = a->data[(size_t)y * a->stride + (size_t)x] -
                    rgb[(size_t)y * rgb_stride + (size_t)x];
            sum += d < 0 ? -d : d;
        }
    return sum / ((double)a->width * a->height * 3);
}

const uint8_t *tu_px(const struct frame *f, int x, int y)
{
    return f->data + (size_t)y * f->stride + (size_t)x * 3;
}
