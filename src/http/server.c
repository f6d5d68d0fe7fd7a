/*
 * server.c — the libmicrohttpd side of the http module: daemon set-up
 * (thread pool, limits, listen address), the access-handler state machine
 * that turns MHD's "called again and again" model into the request life
 * described in http.h, and response objects.
 *
 * Memory per connection is bounded: MHD reads the body in chunks no larger
 * than its connection memory pool (HTTP_CONN_MEMORY), buffered bodies are
 * capped by max_body_bytes, and upload bodies go straight through the
 * multipart parser to the upload callbacks.
 */
#include "http/http_int.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#define HTTP_CONN_MEMORY (128 * 1024)
#define HTTP_TIMEOUT_S 300
#define HTTP_DISCARD_MAX (16 * 1024 * 1024) /* body bytes read past the limit before closing */

struct http_server {
    struct MHD_Daemon *d;
    struct http_server_opts o;
    int port;
    int quiesced;
};

struct http_request {
    struct http_server *srv;
    struct MHD_Connection *c;
    char method[16];
    char path[2048];
    struct http_match match;
    const struct http_route *route;
    int64_t limit;
    int64_t bytes;
    char *body;
    size_t body_len, body_cap;
    struct http_multipart *mp;
    struct MHD_Response *resp;
    int status;
    int queued;
    int began; /* upload->begin ran: cleanup is owed */
    void *data;
};

/* ---- responses ---- */
static void http_add_headers(struct MHD_Response *resp, const char *const *headers)
{
    for (size_t i = 0; headers && headers[i] && headers[i + 1]; i += 2)
        MHD_add_response_header(resp, headers[i], headers[i + 1]);
}

void http_respond(struct http_request *r, int status, const char *content_type, const char *body,
                  size_t len, const char *const *headers)
{
    struct MHD_Response *resp;
    if (r->resp || r->queued)
        return;
    resp = MHD_create_response_from_buffer(len, (void *)(body ? body : ""), MHD_RESPMEM_MUST_COPY);
    if (!resp)
        return;
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    http_add_headers(resp, headers);
    r->resp = resp;
    r->status = status;
}

void http_respond_error(struct http_request *r, int status, const char *msg)
{
    char buf[1024];
    size_t n = 0;
    const char *head = "{\"error\": \"";
    memcpy(buf, head, strlen(head));
    n = strlen(head);
    for (const char *p = msg ? msg : ""; *p && n + 8 < sizeof buf; p++) {
        unsigned char ch = (unsigned char)*p;
        if (ch == '"' || ch == '\\') {
            buf[n++] = '\\';
            buf[n++] = (char)ch;
        } else if (ch < 0x20) {
            str_printf(buf + n, sizeof buf - n, "\\u%04x", ch);
            n += 6;
        } else {
            buf[n++] = (char)ch;
        }
    }
    memcpy(buf + n, "\"}", 3);
    n += 2;
    http_respond(r, status, "application/json", buf, n, NULL);
}

enum kz_err http_respond_file(struct http_request *r, const char *path, const char *content_type,
                              const char *disposition, struct err_ctx *e)
{
    struct stat st;
    int64_t start = 0, len = 0;
    int fd, kind;
    char crange[96];
    struct MHD_Response *resp;
    if (r->resp || r->queued)
        return KZ_OK;
    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return err_set(e, errno == ENOENT ? KZ_E_NOT_FOUND : KZ_E_IO, "%s: %s", path,
                       strerror(errno));
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return err_set(e, KZ_E_IO, "%s: not a regular file", path);
    }
    kind = http_range_parse(http_request_header(r, "Range"), (int64_t)st.st_size, &start, &len);
    if (kind < 0) {
        close(fd);
        str_printf(crange, sizeof crange, "bytes */%lld", (long long)st.st_size);
        const char *hdrs[] = {"Content-Range", crange, "Accept-Ranges", "bytes", NULL};
        http_respond(r, 416, "application/json", "{\"error\": \"Requested range not satisfiable\"}",
                     44, hdrs);
        return KZ_OK;
    }
    if (kind == 0) {
        start = 0;
        len = (int64_t)st.st_size;
    }
    resp = MHD_create_response_from_fd_at_offset64((uint64_t)len, fd, (uint64_t)start);
    if (!resp) {
        close(fd);
        return err_set(e, KZ_E_NOMEM, "cannot create file response");
    }
    MHD_add_response_header(resp, "Accept-Ranges", "bytes");
    if (content_type)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    if (disposition)
        MHD_add_response_header(resp, "Content-Disposition", disposition);
    if (kind > 0) {
        str_printf(crange, sizeof crange, "bytes %lld-%lld/%lld", (long long)start,
                   (long long)(start + len - 1), (long long)st.st_size);
        MHD_add_response_header(resp, "Content-Range", crange);
    }
    r->resp = resp;
    r->status = kind > 0 ? 206 : 200;
    return KZ_OK;
}

/* ---- request accessors ---- */
const char *http_request_method(const struct http_request *r)
{
    return r->method;
}
const char *http_request_path(const struct http_request *r)
{
    return r->path;
}
const char *http_request_header(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->c, MHD_HEADER_KIND, name);
}
const char *http_request_query(const struct http_request *r, const char *name)
{
    return MHD_lookup_connection_value(r->c, MHD_GET_ARGUMENT_KIND, name);
}
const char *http_request_param(const struct http_request *r, const char *name)
{
    for (int i = 0; i < r->match.n_params; i++)
        if (strcmp(r->match.params[i].name, name) == 0)
            return r->match.params[i].value;
    return NULL;
}
const char *http_request_body(const struct http_request *r, size_t *len)
{
    if (len)
        *len = r->body_len;
    return r->body ? r->body : "";
}
int64_t http_request_body_bytes(const struct http_request *r)
{
    return r->bytes;
}
void *http_request_app(const struct http_request *r)
{
    return r->srv->o.app;
}
void http_request_set_data(struct http_request *r, void *data)
{
    r->data = data;
}
void *http_request_data(const struct http_request *r)
{
    return r->data;
}
int http_request_responded(const struct http_request *r)
{
    return r->resp != NULL || r->queued;
}

/* ---- multipart glue ---- */
static int mp_part_begin(void *ctx, const struct http_part *p)
{
    struct http_request *r = ctx;
    return r->route->upload->part_begin ? r->route->upload->part_begin(r, p) : 0;
}
static int mp_part_data(void *ctx, const char *d, size_t n)
{
    struct http_request *r = ctx;
    return r->route->upload->part_data ? r->route->upload->part_data(r, d, n) : 0;
}
static int mp_part_end(void *ctx)
{
    struct http_request *r = ctx;
    return r->route->upload->part_end ? r->route->upload->part_end(r) : 0;
}

/* ---- the access handler ---- */
static enum MHD_Result http_queue(struct http_request *r)
{
    enum MHD_Result ok;
    if (r->queued)
        return MHD_YES;
    if (!r->resp)
        http_respond_error(r, 500, "An unexpected error occurred: no response");
    if (!r->resp)
        return MHD_NO;
    ok = MHD_queue_response(r->c, (unsigned)r->status, r->resp);
    /* Access line at debug level: method, path (never the query: it may carry
       a media signature) and status. */
    log_debug("http: %s %s -> %d", r->method, r->path, r->status);
    if (ok == MHD_YES) {
        MHD_destroy_response(r->resp);
        r->resp = NULL;
        r->queued = 1;
    }
    return ok;
}

static void http_request_start(struct http_server *s, struct http_request *r, const char *url,
                               const char *method)
{
    int st;
    const char *cl;
    if (str_copy(r->method, sizeof r->method, method) != KZ_OK ||
        str_copy(r->path, sizeof r->path, url) != KZ_OK) {
        http_respond_error(r, 414, "Request line too long.");
        return;
    }
    st = http_route_match(s->o.routes, s->o.n_routes, r->method, r->path, &r->match);
    if (st == 404) {
        http_respond_error(r, 404, "Not found.");
        return;
    }
    if (st == 405) {
        http_respond_error(r, 405, "Method not allowed.");
        if (r->resp)
            MHD_add_response_header(r->resp, "Allow", r->match.allow);
        return;
    }
    r->route = r->match.route;
    r->limit = r->route->upload ? s->o.max_upload_bytes : s->o.max_body_bytes;
    cl = http_request_header(r, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (cl) {
        int64_t n;
        if (str_to_i64(cl, 0, INT64_MAX, &n) == KZ_OK && n > r->limit) {
            char msg[128];
            str_printf(msg, sizeof msg, "Request body too large (limit %lld bytes).",
                       (long long)r->limit);
            http_respond_error(r, 413, msg);
            return;
        }
    }
    if (r->route->upload) {
        char boundary[256];
        struct err_ctx e;
        r->began = 1;
        if (r->route->upload->begin && r->route->upload->begin(r) && !r->resp)
            http_respond_error(r, 400, "Upload refused.");
        if (r->resp)
            return;
        /* A body that is not multipart/form-data has no parts: the handler
           sees none (and answers that the video is missing). */
        if (http_multipart_boundary(http_request_header(r, MHD_HTTP_HEADER_CONTENT_TYPE), boundary,
                                    sizeof boundary, &e) == KZ_OK) {
            struct http_multipart_cb cb = {r, mp_part_begin, mp_part_data, mp_part_end};
            if (http_multipart_create(boundary, &cb, &r->mp, &e) != KZ_OK)
                http_respond_error(r, 400, err_msg(&e));
        } else if (e.code == KZ_E_FORMAT) {
            http_respond_error(r, 400, err_msg(&e));
        }
    }
}

static int http_body_chunk(struct http_request *r, const char *data, size_t n)
{
    struct err_ctx e;
    r->bytes += (int64_t)n;
    if (r->resp) {
        /* A response is already set (MHD cannot send it before the body is
           read): discard the rest, but drop the connection rather than
           swallow more than HTTP_DISCARD_MAX bytes past the limit. */
        if (r->bytes - (r->bytes > r->limit ? r->limit : r->bytes) > HTTP_DISCARD_MAX)
            return -1;
        return 0;
    }
    if (r->bytes > r->limit) {
        char msg[128];
        str_printf(msg, sizeof msg, "Request body too large (limit %lld bytes).",
                   (long long)r->limit);
        http_respond_error(r, 413, msg);
        return 0; /* nothing more is written; 413 is sent once the body ends */
    }
    if (r->route->upload) {
        if (r->mp && http_multipart_feed(r->mp, data, n, &e) != KZ_OK && !r->resp)
            http_respond_error(r, 400, err_msg(&e));
        return 0;
    }
    if (r->body_len + n + 1 > r->body_cap) {
        size_t cap = r->body_cap ? r->body_cap : 4096;
        char *nb;
        while (cap < r->body_len + n + 1)
            cap *= 2;
        nb = realloc(r->body, cap);
        if (!nb) {
            http_respond_error(r, 500, "An unexpected error occurred: out of memory");
            return 0;
        }
        r->body = nb;
        r->body_cap = cap;
    }
    memcpy(r->body + r->body_len, data, n);
    r->body_len += n;
    r->body[r->body_len] = '\0';
    return 0;
}

static enum MHD_Result http_on_access(void *cls, struct MHD_Connection *c, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    struct http_server *s = cls;
    struct http_request *r = *con_cls;
    (void)version;
    if (!r) {
        r = calloc(1, sizeof *r);
        if (!r)
            return MHD_NO;
        r->srv = s;
        r->c = c;
        *con_cls = r;
        http_request_start(s, r, url, method);
        return r->resp ? http_queue(r) : MHD_YES;
    }
    if (*upload_data_size) {
        size_t n = *upload_data_size;
        *upload_data_size = 0;
        if (r->queued)
            return MHD_YES;
        if (http_body_chunk(r, upload_data, n) < 0)
            return http_queue(r);
        return MHD_YES;
    }
    if (r->queued)
        return MHD_YES;
    if (!r->resp && r->mp) {
        struct err_ctx e;
        if (http_multipart_finish(r->mp, &e) != KZ_OK)
            http_respond_error(r, 400, err_msg(&e));
    }
    if (!r->resp && r->route)
        r->route->handle(r);
    return http_queue(r);
}

static void http_on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    struct http_request *r = *con_cls;
    (void)cls;
    (void)c;
    if (!r)
        return;
    if (r->began && r->route->upload->cleanup)
        r->route->upload->cleanup(r, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
    http_multipart_destroy(r->mp);
    if (r->resp)
        MHD_destroy_response(r->resp);
    free(r->body);
    free(r);
    *con_cls = NULL;
}

static void http_on_mhd_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    size_t n;
    (void)cls;
    vsnprintf(line, sizeof line, fmt, ap);
    n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    log_debug("http: %s", line);
}

/* ---- daemon ---- */
static enum kz_err http_parse_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *sl,
                                     int *v6, struct err_ctx *e)
{
    char host[256];
    const char *colon;
    const char *port;
    size_t hn;
    struct addrinfo hints, *res = NULL;
    int gai;
    if (!listen || !*listen)
        return err_set(e, KZ_E_INVALID, "empty listen address");
    if (listen[0] == '[') {
        const char *close = strchr(listen, ']');
        if (!close || close[1] != ':')
            return err_set(e, KZ_E_INVALID, "listen address '%s': expected [IPv6]:PORT", listen);
        hn = (size_t)(close - listen - 1);
        if (hn >= sizeof host)
            return err_set(e, KZ_E_INVALID, "listen host too long");
        memcpy(host, listen + 1, hn);
        port = close + 2;
    } else {
        colon = strrchr(listen, ':');
        if (!colon)
            return err_set(e, KZ_E_INVALID, "listen address '%s': expected HOST:PORT", listen);
        hn = (size_t)(colon - listen);
        if (hn >= sizeof host)
            return err_set(e, KZ_E_INVALID, "listen host too long");
        memcpy(host, listen, hn);
        port = colon + 1;
    }
    host[hn] = '\0';
    int64_t pn;
    if (str_to_i64(port, 0, 65535, &pn) != KZ_OK)
        return err_set(e, KZ_E_INVALID, "listen address '%s': bad port", listen);
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    gai = getaddrinfo(hn ? host : NULL, port, &hints, &res);
    if (gai != 0 || !res)
        return err_set(e, KZ_E_INVALID, "listen address '%s': %s", listen, gai_strerror(gai));
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *sl = res->ai_addrlen;
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return KZ_OK;
}

enum kz_err http_server_start(const struct http_server_opts *o, struct http_server **out,
                              struct err_ctx *e)
{
    struct http_server *s;
    struct sockaddr_storage ss;
    socklen_t sl = 0;
    int v6 = 0;
    const union MHD_DaemonInfo *info;
    enum kz_err rc;
    unsigned flags;

    *out = NULL;
    if ((rc = http_parse_listen(o->listen, &ss, &sl, &v6, e)) != KZ_OK)
        return rc;
    s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, KZ_E_NOMEM, NULL);
    s->o = *o;
    flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ITC | MHD_USE_ERROR_LOG |
            (v6 ? MHD_USE_IPv6 : 0);
    s->d = MHD_start_daemon(
        flags, 0, NULL, NULL, http_on_access, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_THREAD_POOL_SIZE, (unsigned)(o->threads > 0 ? o->threads : 1),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_TIMEOUT_S, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
        (size_t)HTTP_CONN_MEMORY, MHD_OPTION_CONNECTION_LIMIT, (unsigned)1024,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, (unsigned)1, MHD_OPTION_NOTIFY_COMPLETED,
        http_on_completed, s, MHD_OPTION_EXTERNAL_LOGGER, http_on_mhd_log, s, MHD_OPTION_END);
    if (!s->d) {
        free(s);
        return err_set(e, KZ_E_IO, "cannot listen on %s (address in use or not allowed?)",
                       o->listen);
    }
    info = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? (int)info->port : 0;
    *out = s;
    return KZ_OK;
}

int http_server_port(const struct http_server *s)
{
    return s->port;
}

void http_server_quiesce(struct http_server *s)
{
    if (!s || s->quiesced)
        return;
    MHD_socket fd = MHD_quiesce_daemon(s->d);
    if (fd != MHD_INVALID_SOCKET)
        close(fd);
    s->quiesced = 1;
}

unsigned http_server_connections(const struct http_server *s)
{
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
    return info ? info->num_connections : 0;
}

void http_server_stop(struct http_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->d);
    free(s);
}
