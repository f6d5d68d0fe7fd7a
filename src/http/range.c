/*
 * range.c — HTTP Range header parsing (RFC 9110 §14): one byte range of the
 * forms "bytes=a-b", "bytes=a-" and "bytes=-n". Several ranges are answered
 * with the whole resource (allowed by the RFC), which keeps responses simple
 * and is what browsers' <video> elements never ask for anyway.
 */
#include "http/http.h"

#include <ctype.h>
#include <string.h>

static int range_num(const char **p, int64_t *out)
{
    int64_t v = 0;
    int digits = 0;
    while (isdigit((unsigned char)**p)) {
        if (v > (INT64_MAX - 9) / 10)
            return -1;
        v = v * 10 + (**p - '0');
        (*p)++;
        digits++;
    }
    *out = v;
    return digits;
}

int http_range_parse(const char *header, int64_t size, int64_t *start, int64_t *len)
{
    const char *p = header;
    int64_t a = 0, b = 0;
    int na, nb;
    if (!p)
        return 0;
    while (*p == ' ')
        p++;
    if (strncmp(p, "bytes=", 6) != 0)
        return 0;
    p += 6;
    while (*p == ' ')
        p++;
    if (strchr(p, ','))
        return 0;
    na = range_num(&p, &a);
    if (na < 0 || *p != '-')
        return 0;
    p++;
    nb = range_num(&p, &b);
    while (*p == ' ')
        p++;
    if (nb < 0 || *p != '\0' || (na == 0 && nb == 0))
        return 0;
    if (na == 0) { /* suffix: the last b bytes */
        if (b == 0 || size == 0)
            return -1;
        if (b > size)
            b = size;
        *start = size - b;
        *len = b;
        return 1;
    }
    if (nb > 0 && b < a)
        return 0; /* invalid: ignore the header */
    if (a >= size)
        return -1;
    if (nb == 0 || b >= size)
        b = size - 1;
    *start = a;
    *len = b - a + 1;
    return 1;
}
