/*
 * http_int.h — internals of the http module shared between its files and its
 * unit tests: the router (pure: patterns in, match out).
 */
#ifndef KZ_HTTP_INT_H
#define KZ_HTTP_INT_H

#include "http/http.h"

#define HTTP_MAX_PARAMS 4
#define HTTP_PARAM_MAX 256

struct http_match {
    const struct http_route *route; /* NULL unless status 200 */
    int n_params;
    struct {
        char name[32];
        char value[HTTP_PARAM_MAX];
    } params[HTTP_MAX_PARAMS];
    char allow[96]; /* 405: methods the path does accept, comma separated */
};

/*
 * Match `method` + `path` (query string already removed) against `routes` in
 * table order; segments are compared exactly, "{name}" captures one non-empty
 * segment, empty segments (trailing or doubled slashes) are ignored.
 * Returns 200 with m->route set, 405 (path known, method not; m->allow set)
 * or 404.
 */
int http_route_match(const struct http_route *routes, size_t n, const char *method,
                     const char *path, struct http_match *m);

#endif
