/*
 * api_media.c — media delivery. Session documents carry `video_url` and
 * `analyzed_video_url` that a browser's <video> element can play without an
 * Authorization header:
 *
 *   <base>/media/<session_id>/<file>?expires=<unix s>&signature=<hex>[&download=1]
 *
 * The signature (blob_signer, HMAC-SHA256 with the server secret) binds the
 * file's blob key `sessions/<session_id>/<file>`, the expiry and the
 * disposition; a tampered, foreign or expired URL gets 403 JSON. Files are
 * served with HTTP Range support (206/416) and their real Content-Type.
 *
 * <base> is --public-url when set (for a proxy in front), else
 * "http://" + the request's Host header (when well formed).
 */
#include "api/api_int.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A Host header made only of host/port characters, else NULL. */
static const char *media_host(struct http_request *r)
{
    const char *h = http_request_header(r, "Host");
    size_t n = h ? strlen(h) : 0;
    if (n == 0 || n > 255)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        char ch = h[i];
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '.' || ch == '-' || ch == ':' || ch == '[' || ch == ']'))
            return NULL;
    }
    return h;
}

void api_media_url(struct api *a, struct http_request *r, const char *session_id, const char *file,
                   int attachment, char *out, size_t cap)
{
    char key[256], sig[BLOB_SIG_HEX], base[600];
    int64_t expires_s = time_wall_ms() / 1000 + a->media_url_ttl_s;
    const char *host = media_host(r);
    if (a->public_url[0]) {
        size_t n = strlen(a->public_url);
        str_copy(base, sizeof base, a->public_url);
        if (n > 0 && base[n - 1] == '/')
            base[n - 1] = '\0';
    } else {
        str_printf(base, sizeof base, "http://%s", host ? host : "localhost");
    }
    if (str_printf(key, sizeof key, "sessions/%s/%s", session_id, file) != KZ_OK) {
        out[0] = '\0';
        return;
    }
    blob_signer_sign(a->signer, key, expires_s, attachment, sig);
    if (str_printf(out, cap, "%s/media/%s/%s?expires=%lld&signature=%s%s", base, session_id, file,
                   (long long)expires_s, sig, attachment ? "&download=1" : "") != KZ_OK)
        out[0] = '\0';
}

/* File name part of a blob key ("sessions/<id>/original.mp4" → "original.mp4"). */
static const char *media_file_of(const char *key)
{
    const char *slash = strrchr(key, '/');
    return slash ? slash + 1 : key;
}

void api_session_urls(struct api *a, struct http_request *r, const struct store_session *s,
                      struct api_urls *u)
{
    char key[STORE_ID_MAX + 32];
    int64_t size;
    memset(u, 0, sizeof *u);
    if (s->video_key[0] && blob_size(a->blob, s->video_key, &size, NULL) == KZ_OK)
        api_media_url(a, r, s->id, media_file_of(s->video_key), 0, u->video, sizeof u->video);
    blob_session_key(s->id, BLOB_FILE_ANALYZED, key, sizeof key, NULL);
    if (blob_size(a->blob, key, &size, NULL) == KZ_OK)
        api_media_url(a, r, s->id, BLOB_FILE_ANALYZED, 0, u->analyzed, sizeof u->analyzed);
    if (s->thumbnail_key[0] && blob_size(a->blob, s->thumbnail_key, &size, NULL) == KZ_OK)
        api_media_url(a, r, s->id, media_file_of(s->thumbnail_key), 0, u->thumbnail,
                      sizeof u->thumbnail);
}

static const char *media_content_type(const char *file)
{
    static const struct {
        const char *ext, *type;
    } types[] = {
        {".mp4", "video/mp4"},   {".m4v", "video/mp4"},        {".mov", "video/quicktime"},
        {".webm", "video/webm"}, {".mkv", "video/x-matroska"}, {".avi", "video/x-msvideo"},
        {".jpg", "image/jpeg"},  {".jpeg", "image/jpeg"},      {".png", "image/png"},
    };
    const char *dot = strrchr(file, '.');
    for (size_t i = 0; dot && i < KZ_ARRAY_LEN(types); i++)
        if (strcasecmp(dot, types[i].ext) == 0)
            return types[i].type;
    return "application/octet-stream";
}

void api_media_handle(struct http_request *r)
{
    struct api *a = http_request_app(r);
    const char *sid = http_request_param(r, "session_id");
    const char *file = http_request_param(r, "file");
    const char *expires = http_request_query(r, "expires");
    const char *sig = http_request_query(r, "signature");
    const char *download = http_request_query(r, "download");
    int attachment = download && strcmp(download, "1") == 0;
    char key[256], path[BLOB_PATH_MAX], disposition[128];
    int64_t expires_s = 0;
    struct err_ctx e;
    err_clear(&e);
    if (str_printf(key, sizeof key, "sessions/%s/%s", sid, file) != KZ_OK || !blob_key_valid(key) ||
        !expires || str_to_i64(expires, 0, INT64_C(1) << 40, &expires_s) != KZ_OK ||
        blob_signer_verify(a->signer, key, expires_s, attachment, sig, time_wall_ms() / 1000, &e) !=
            KZ_OK) {
        http_respond_error(r, 403, "Invalid or expired media signature.");
        return;
    }
    if (blob_path(a->blob, key, path, &e) != KZ_OK) {
        http_respond_error(r, 404, "Media file not found");
        return;
    }
    str_printf(disposition, sizeof disposition, "%s; filename=\"%s\"",
               attachment ? "attachment" : "inline", file);
    if (http_respond_file(r, path, media_content_type(file), disposition, &e) != KZ_OK) {
        if (e.code == KZ_E_NOT_FOUND)
            http_respond_error(r, 404, "Media file not found");
        else
            http_respond_error(r, 500, "An unexpected error occurred: cannot read media file");
    }
}
