/*
 * http.h — kinalyze's HTTP server: the only code that knows libmicrohttpd.
 * It owns the socket, a thread pool, routing (with and without trailing
 * slash, 404/405 as JSON), request bodies (buffered for JSON, streamed
 * through a bounded-memory multipart/form-data parser for uploads), the
 * request size limit (413) and responses (buffers, and files with HTTP
 * Range). What a route *means* lives in the api layer.
 *
 * Life of a request: route match → (upload routes) `upload->begin` right
 * after the headers, so a handler can refuse before any body is read →
 * body → `handle` once the body is complete → the response the handler set
 * with http_respond*() is sent → (upload routes) `upload->cleanup` always,
 * also when the client disconnects mid-body. A response set before the body
 * is complete wins: the rest of the body is discarded and `handle` is not
 * called.
 *
 * Thread-safety: callbacks for one request run on one pool thread at a time;
 * different requests run concurrently. Everything a callback receives is
 * valid only during that request.
 */
#ifndef KZ_HTTP_H
#define KZ_HTTP_H

#include "core/core.h"

#include <stddef.h>
#include <stdint.h>

struct http_server;
struct http_request;

/* One part of a multipart/form-data body, as its headers describe it. */
struct http_part {
    char name[128];
    char filename[256];
    int has_filename; /* a file field (filename= present, possibly empty) */
    char content_type[128];
};

/*
 * Streaming callbacks for a multipart upload route. A callback returns 0 to
 * go on; non-zero stops reading parts (the handler should have set an error
 * response with http_respond*, else 400 is sent).
 */
struct http_upload_ops {
    int (*begin)(struct http_request *req);
    int (*part_begin)(struct http_request *req, const struct http_part *part);
    int (*part_data)(struct http_request *req, const char *data, size_t len);
    int (*part_end)(struct http_request *req);
    /* Always called exactly once at the end; `completed` is 1 when the
       response was fully sent, 0 on a disconnect, timeout or error. */
    void (*cleanup)(struct http_request *req, int completed);
};

typedef void (*http_handler_fn)(struct http_request *req);

struct http_route {
    const char *method;  /* "GET", "POST", ...; GET also serves HEAD */
    const char *pattern; /* "/jumping/sessions/{session_id}/" — slashes at the end don't matter */
    http_handler_fn handle;
    const struct http_upload_ops *upload; /* NULL: the body is buffered (max_body_bytes) */
};

struct http_server_opts {
    const char *listen;       /* "HOST:PORT"; port 0 picks a free one (see http_server_port) */
    int threads;              /* pool size, >= 1 */
    int64_t max_body_bytes;   /* buffered bodies; larger → 413 */
    int64_t max_upload_bytes; /* streamed upload bodies; larger → 413 */
    const struct http_route *routes; /* borrowed; must outlive the server */
    size_t n_routes;
    void *app; /* handed to handlers through http_request_app() */
};

/*
 * Bind and start serving. Errors: KZ_E_INVALID bad listen address,
 * KZ_E_IO cannot bind/start. *out: stop with http_server_stop().
 */
enum kz_err http_server_start(const struct http_server_opts *o, struct http_server **out,
                              struct err_ctx *e);
/* The TCP port actually bound. */
int http_server_port(const struct http_server *s);
/* Stop accepting new connections; requests in flight continue. Idempotent. */
void http_server_quiesce(struct http_server *s);
/* Number of open client connections. */
unsigned http_server_connections(const struct http_server *s);
/* Close everything and free; NULL-safe. */
void http_server_stop(struct http_server *s);

/* ---- request accessors (borrowed strings, valid during the request) ---- */
const char *http_request_method(const struct http_request *r);
const char *http_request_path(const struct http_request *r);
/* Header value (case-insensitive name) or NULL. */
const char *http_request_header(const struct http_request *r, const char *name);
/* Decoded query-string argument or NULL. */
const char *http_request_query(const struct http_request *r, const char *name);
/* Path parameter named in the route pattern ("session_id") or NULL. */
const char *http_request_param(const struct http_request *r, const char *name);
/* Buffered body (NUL-terminated for convenience) and its length; "" for upload routes. */
const char *http_request_body(const struct http_request *r, size_t *len);
/* Upload routes: bytes of body received so far. */
int64_t http_request_body_bytes(const struct http_request *r);
void *http_request_app(const struct http_request *r);
/* A per-request slot for the handler's own state (not freed by http). */
void http_request_set_data(struct http_request *r, void *data);
void *http_request_data(const struct http_request *r);
/* 1 once a response has been set. */
int http_request_responded(const struct http_request *r);

/* ---- responses: the first one set wins; later calls are ignored ---- */
/*
 * Respond with `status` and a copy of `body` (`len` bytes). `headers` is NULL
 * or a NULL-terminated list of name, value pairs added to the response.
 */
void http_respond(struct http_request *r, int status, const char *content_type, const char *body,
                  size_t len, const char *const *headers);
/* Respond {"error": msg} with `status` (msg JSON-escaped here). */
void http_respond_error(struct http_request *r, int status, const char *msg);
/*
 * Respond with the file at `path`, honouring a single `Range: bytes=` request
 * (206 + Content-Range, 416 when unsatisfiable, 200 otherwise) and sending
 * Accept-Ranges. `disposition` is NULL or a Content-Disposition value.
 * Errors (nothing was sent; the caller responds): KZ_E_NOT_FOUND, KZ_E_IO.
 */
enum kz_err http_respond_file(struct http_request *r, const char *path, const char *content_type,
                              const char *disposition, struct err_ctx *e);

/* ---- pure helpers, exposed for their unit tests ---- */
/*
 * Parse a Range header against a resource of `size` bytes. Returns 0 when
 * there is no usable single range (serve 200 in full), 1 with *start and *len set
 * for a satisfiable range (206), -1 when unsatisfiable (416).
 */
int http_range_parse(const char *header, int64_t size, int64_t *start, int64_t *len);

/* Streaming multipart/form-data parser with bounded memory (headers <= 8 KiB per part). */
struct http_multipart;
struct http_multipart_cb {
    void *ctx;
    int (*part_begin)(void *ctx, const struct http_part *part);
    int (*part_data)(void *ctx, const char *data, size_t len);
    int (*part_end)(void *ctx);
};
/*
 * Extract the boundary parameter of a multipart/form-data Content-Type
 * (quoted or not) into `out`. Errors: KZ_E_UNSUPPORTED not multipart/form-data,
 * KZ_E_FORMAT missing or invalid boundary.
 */
enum kz_err http_multipart_boundary(const char *content_type, char *out, size_t cap,
                                    struct err_ctx *e);
/* Errors: KZ_E_INVALID boundary empty or longer than 200 bytes, KZ_E_NOMEM. */
enum kz_err http_multipart_create(const char *boundary, const struct http_multipart_cb *cb,
                                  struct http_multipart **out, struct err_ctx *e);
/*
 * Feed the next `len` bytes (any split is fine). Errors: KZ_E_FORMAT
 * malformed body (message says why), KZ_E_CANCELLED a callback returned
 * non-zero. After an error the parser refuses further input.
 */
enum kz_err http_multipart_feed(struct http_multipart *m, const char *data, size_t len,
                                struct err_ctx *e);
/* End of input: KZ_E_FORMAT unless the closing boundary was seen. */
enum kz_err http_multipart_finish(struct http_multipart *m, struct err_ctx *e);
void http_multipart_destroy(struct http_multipart *m); /* NULL-safe */

#endif
