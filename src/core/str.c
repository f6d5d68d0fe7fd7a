/*
 * str.c — bounded string copies and strict number parsing. These replace the
 * banned strcpy/sprintf/atoi family: truncation and garbage are errors, not
 * silent surprises.
 */
#include "core/core.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum kz_err str_copy(char *dst, size_t cap, const char *src)
{
    size_t n;
    if (!dst || cap == 0)
        return KZ_E_INVALID;
    if (!src)
        src = "";
    n = strlen(src);
    if (n >= cap) {
        memcpy(dst, src, cap - 1);
        dst[cap - 1] = '\0';
        return KZ_E_TOO_LARGE;
    }
    memcpy(dst, src, n + 1);
    return KZ_OK;
}

enum kz_err str_printf(char *dst, size_t cap, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (!dst || cap == 0)
        return KZ_E_INVALID;
    va_start(ap, fmt);
    n = vsnprintf(dst, cap, fmt, ap);
    va_end(ap);
    if (n < 0)
        return KZ_E_FORMAT;
    return (size_t)n >= cap ? KZ_E_TOO_LARGE : KZ_OK;
}

enum kz_err str_to_i64(const char *s, int64_t min, int64_t max, int64_t *out)
{
    char *end = NULL;
    long long v;
    if (!s || !*s)
        return KZ_E_INVALID;
    errno = 0;
    v = strtoll(s, &end, 10);
    if (errno == ERANGE)
        return KZ_E_TOO_LARGE;
    if (end == s || *end != '\0')
        return KZ_E_FORMAT;
    if (v < min || v > max)
        return KZ_E_TOO_LARGE;
    *out = (int64_t)v;
    return KZ_OK;
}

enum kz_err str_to_double(const char *s, double min, double max, double *out)
{
    char *end = NULL;
    double v;
    if (!s || !*s)
        return KZ_E_INVALID;
    errno = 0;
    v = strtod(s, &end);
    if (errno == ERANGE)
        return KZ_E_TOO_LARGE;
    if (end == s || *end != '\0' || !isfinite(v))
        return KZ_E_FORMAT;
    if (v < min || v > max)
        return KZ_E_TOO_LARGE;
    *out = v;
    return KZ_OK;
}
