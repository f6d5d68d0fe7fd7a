/*
 * multipart.c — a streaming multipart/form-data parser (RFC 7578 on top of
 * RFC 2046 §5.1) whose memory does not grow with the body: part headers are
 * held in one fixed buffer (8 KiB) and body bytes are handed to the caller as
 * they arrive. Only the bytes that might begin the delimiter
 * "\r\n--<boundary>" are ever held back, and those are always a prefix of the
 * delimiter itself, so they need no buffer: on a mismatch they are re-emitted
 * from the delimiter string.
 *
 * Because a boundary cannot contain CR (RFC 2046 bchars), '\r' occurs only at
 * the first position of the delimiter, so on a mismatch the only possible
 * restart is at the current byte: no KMP table is needed.
 */
#include "http/http.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MP_HEADER_MAX 8192
#define MP_BOUNDARY_MAX 200

enum mp_state {
    MP_BODY,        /* scanning data (or the preamble) for the delimiter */
    MP_AFTER_DELIM, /* delimiter seen: "--" (end), or LWSP then CRLF (next part) */
    MP_AFTER_DASH,  /* one '-' seen after the delimiter */
    MP_AFTER_CR,    /* CR seen after the delimiter, expect LF */
    MP_HEADERS,     /* collecting part headers up to CRLFCRLF */
    MP_END,         /* closing delimiter seen; the epilogue is ignored */
    MP_ERROR,
};

struct http_multipart {
    struct http_multipart_cb cb;
    enum mp_state state;
    char delim[4 + MP_BOUNDARY_MAX + 1]; /* "\r\n--" boundary */
    size_t delim_len;
    size_t match;  /* bytes of delim matched so far */
    int in_part;   /* body bytes belong to a part (not the preamble) */
    int seen_part; /* at least one delimiter seen */
    size_t hdr_len;
    char hdr[MP_HEADER_MAX + 1];
    struct http_part part;
};

enum kz_err http_multipart_boundary(const char *content_type, char *out, size_t cap,
                                    struct err_ctx *e)
{
    const char *p;
    size_t n = 0;
    if (!content_type)
        return err_set(e, KZ_E_UNSUPPORTED, "missing Content-Type (expected multipart/form-data)");
    while (*content_type == ' ' || *content_type == '\t')
        content_type++;
    if (strncasecmp(content_type, "multipart/form-data", 19) != 0 ||
        (content_type[19] != '\0' && content_type[19] != ';' && content_type[19] != ' '))
        return err_set(e, KZ_E_UNSUPPORTED, "Content-Type is not multipart/form-data");
    p = content_type + 19;
    while (*p) {
        while (*p == ';' || *p == ' ' || *p == '\t')
            p++;
        if (strncasecmp(p, "boundary=", 9) == 0) {
            p += 9;
            if (*p == '"') {
                p++;
                while (*p && *p != '"') {
                    if (*p == '\\' && p[1])
                        p++;
                    if (n + 1 >= cap)
                        return err_set(e, KZ_E_FORMAT, "multipart boundary too long");
                    out[n++] = *p++;
                }
                if (*p != '"')
                    return err_set(e, KZ_E_FORMAT, "unterminated quoted boundary");
            } else {
                while (*p && *p != ';' && *p != ' ' && *p != '\t') {
                    if (n + 1 >= cap)
                        return err_set(e, KZ_E_FORMAT, "multipart boundary too long");
                    out[n++] = *p++;
                }
            }
            out[n] = '\0';
            if (n == 0 || n > 70 * 3)
                return err_set(e, KZ_E_FORMAT, "invalid multipart boundary");
            for (size_t i = 0; i < n; i++)
                if (out[i] == '\r' || out[i] == '\n')
                    return err_set(e, KZ_E_FORMAT, "invalid multipart boundary");
            return KZ_OK;
        }
        while (*p && *p != ';')
            p++;
    }
    return err_set(e, KZ_E_FORMAT, "multipart/form-data without a boundary");
}

enum kz_err http_multipart_create(const char *boundary, const struct http_multipart_cb *cb,
                                  struct http_multipart **out, struct err_ctx *e)
{
    struct http_multipart *m;
    size_t blen = boundary ? strlen(boundary) : 0;
    *out = NULL;
    if (blen == 0 || blen > MP_BOUNDARY_MAX || strchr(boundary, '\r'))
        return err_set(e, KZ_E_INVALID, "invalid multipart boundary");
    m = calloc(1, sizeof *m);
    if (!m)
        return err_set(e, KZ_E_NOMEM, NULL);
    m->cb = *cb;
    memcpy(m->delim, "\r\n--", 4);
    memcpy(m->delim + 4, boundary, blen + 1);
    m->delim_len = 4 + blen;
    /* The first delimiter may start the body without a preceding CRLF:
       pretend the CRLF was already matched. */
    m->match = 2;
    m->state = MP_BODY;
    *out = m;
    return KZ_OK;
}

void http_multipart_destroy(struct http_multipart *m)
{
    free(m);
}

static enum kz_err mp_fail(struct http_multipart *m, struct err_ctx *e, enum kz_err code,
                           const char *msg)
{
    m->state = MP_ERROR;
    return err_set(e, code, "%s", msg);
}

/* Hand body bytes to the current part (the preamble is dropped). */
static int mp_emit(struct http_multipart *m, const char *d, size_t n)
{
    if (!m->in_part || n == 0)
        return 0;
    return m->cb.part_data ? m->cb.part_data(m->cb.ctx, d, n) : 0;
}

/* Parse `key=value` parameters of a Content-Disposition header. */
static enum kz_err mp_disposition(struct http_multipart *m, const char *v, struct err_ctx *e)
{
    int have_name = 0;
    while (*v == ' ' || *v == '\t')
        v++;
    if (strncasecmp(v, "form-data", 9) != 0)
        return mp_fail(m, e, KZ_E_FORMAT, "part Content-Disposition is not form-data");
    v += 9;
    while (*v) {
        char key[32];
        char val[256];
        size_t kn = 0, vn = 0;
        while (*v == ';' || *v == ' ' || *v == '\t')
            v++;
        if (!*v)
            break;
        while (*v && *v != '=' && *v != ';' && kn + 1 < sizeof key)
            key[kn++] = *v++;
        key[kn] = '\0';
        while (kn > 0 && (key[kn - 1] == ' ' || key[kn - 1] == '\t'))
            key[--kn] = '\0';
        if (*v != '=') {
            while (*v && *v != ';')
                v++;
            continue;
        }
        v++;
        if (*v == '"') {
            v++;
            while (*v && *v != '"') {
                if (*v == '\\' && v[1])
                    v++;
                if (vn + 1 >= sizeof val)
                    return mp_fail(m, e, KZ_E_FORMAT, "part parameter value too long");
                val[vn++] = *v++;
            }
            if (*v != '"')
                return mp_fail(m, e, KZ_E_FORMAT, "unterminated quoted string in part header");
            v++;
        } else {
            while (*v && *v != ';' && *v != ' ' && *v != '\t') {
                if (vn + 1 >= sizeof val)
                    return mp_fail(m, e, KZ_E_FORMAT, "part parameter value too long");
                val[vn++] = *v++;
            }
        }
        val[vn] = '\0';
        if (strcasecmp(key, "name") == 0) {
            if (str_copy(m->part.name, sizeof m->part.name, val) != KZ_OK)
                return mp_fail(m, e, KZ_E_FORMAT, "part name too long");
            have_name = 1;
        } else if (strcasecmp(key, "filename") == 0) {
            str_copy(m->part.filename, sizeof m->part.filename, val);
            m->part.has_filename = 1;
        }
    }
    if (!have_name || !m->part.name[0])
        return mp_fail(m, e, KZ_E_FORMAT, "part without a name");
    return KZ_OK;
}

/* Headers of one part are complete in m->hdr (without the final CRLFCRLF). */
static enum kz_err mp_headers_done(struct http_multipart *m, struct err_ctx *e)
{
    char *line = m->hdr;
    int have_disp = 0;
    enum kz_err rc;
    memset(&m->part, 0, sizeof m->part);
    m->hdr[m->hdr_len] = '\0';
    while (line && *line) {
        char *next = strstr(line, "\r\n");
        char *colon;
        if (next) {
            *next = '\0';
            next += 2;
        }
        colon = strchr(line, ':');
        if (!colon)
            return mp_fail(m, e, KZ_E_FORMAT, "malformed part header line");
        *colon = '\0';
        if (strcasecmp(line, "Content-Disposition") == 0) {
            if ((rc = mp_disposition(m, colon + 1, e)) != KZ_OK)
                return rc;
            have_disp = 1;
        } else if (strcasecmp(line, "Content-Type") == 0) {
            const char *v = colon + 1;
            while (*v == ' ' || *v == '\t')
                v++;
            str_copy(m->part.content_type, sizeof m->part.content_type, v);
        }
        line = next;
    }
    if (!have_disp)
        return mp_fail(m, e, KZ_E_FORMAT, "part without Content-Disposition");
    m->in_part = 1;
    if (m->cb.part_begin && m->cb.part_begin(m->cb.ctx, &m->part))
        return mp_fail(m, e, KZ_E_CANCELLED, "upload refused");
    return KZ_OK;
}

enum kz_err http_multipart_feed(struct http_multipart *m, const char *data, size_t len,
                                struct err_ctx *e)
{
    size_t i = 0;
    enum kz_err rc;
    if (m->state == MP_ERROR)
        return err_set(e, KZ_E_FORMAT, "multipart parser already failed");
    while (i < len) {
        switch (m->state) {
        case MP_BODY: {
            if (m->match == 0) {
                /* fast path: everything before the next CR is data */
                const char *cr = memchr(data + i, '\r', len - i);
                size_t n = cr ? (size_t)(cr - (data + i)) : len - i;
                if (mp_emit(m, data + i, n))
                    return mp_fail(m, e, KZ_E_CANCELLED, "upload refused");
                i += n;
                if (!cr)
                    break;
            }
            char c = data[i];
            if (c == m->delim[m->match]) {
                m->match++;
                i++;
                if (m->match == m->delim_len) {
                    m->match = 0;
                    m->state = MP_AFTER_DELIM;
                    if (m->in_part) {
                        m->in_part = 0;
                        if (m->cb.part_end && m->cb.part_end(m->cb.ctx))
                            return mp_fail(m, e, KZ_E_CANCELLED, "upload refused");
                    }
                    m->seen_part = 1;
                }
            } else {
                /* The held bytes were data after all (in the preamble
                   mp_emit drops them, including the pretend CRLF). */
                if (mp_emit(m, m->delim, m->match))
                    return mp_fail(m, e, KZ_E_CANCELLED, "upload refused");
                m->match = 0; /* re-examine c: it may start a delimiter */
            }
            break;
        }
        case MP_AFTER_DELIM:
            if (data[i] == '-') {
                m->state = MP_AFTER_DASH;
            } else if (data[i] == '\r') {
                m->state = MP_AFTER_CR;
            } else if (data[i] != ' ' && data[i] != '\t') {
                return mp_fail(m, e, KZ_E_FORMAT, "garbage after multipart boundary");
            }
            i++;
            break;
        case MP_AFTER_DASH:
            if (data[i] != '-')
                return mp_fail(m, e, KZ_E_FORMAT, "garbage after multipart boundary");
            m->state = MP_END;
            i++;
            break;
        case MP_AFTER_CR:
            if (data[i] != '\n')
                return mp_fail(m, e, KZ_E_FORMAT, "boundary line not ended by CRLF");
            m->state = MP_HEADERS;
            m->hdr_len = 0;
            i++;
            break;
        case MP_HEADERS: {
            if (m->hdr_len >= MP_HEADER_MAX)
                return mp_fail(m, e, KZ_E_FORMAT, "part headers too large");
            m->hdr[m->hdr_len++] = data[i++];
            if (m->hdr_len == 2 && memcmp(m->hdr, "\r\n", 2) == 0)
                return mp_fail(m, e, KZ_E_FORMAT, "part without headers");
            if (m->hdr_len >= 4 && memcmp(m->hdr + m->hdr_len - 4, "\r\n\r\n", 4) == 0) {
                m->hdr_len -= 4;
                if ((rc = mp_headers_done(m, e)) != KZ_OK)
                    return rc;
                m->state = MP_BODY;
                m->match = 0;
            }
            break;
        }
        case MP_END:
            return KZ_OK; /* epilogue: ignored */
        case MP_ERROR:
            return err_set(e, KZ_E_FORMAT, "multipart parser already failed");
        }
    }
    return KZ_OK;
}

enum kz_err http_multipart_finish(struct http_multipart *m, struct err_ctx *e)
{
    if (m->state == MP_END)
        return KZ_OK;
    if (m->state == MP_ERROR)
        return err_set(e, KZ_E_FORMAT, "malformed multipart body");
    if (!m->seen_part)
        return mp_fail(m, e, KZ_E_FORMAT, "multipart body without any boundary");
    return mp_fail(m, e, KZ_E_FORMAT, "multipart body ended before its closing boundary");
}
