/*
 * route.c — the router: a linear scan over the route table comparing path
 * segments. Tables are short (tens of routes) and matching is a few string
 * compares per route, so no trie is needed. Trailing and doubled slashes
 * are ignored, which makes every route answer with and without its final
 * slash, as the AiKYNETIX API's clients expect.
 */
#include "http/http_int.h"

#include <string.h>

/* Next non-empty segment of *p: start in *seg, length returned; 0 at end. */
static size_t route_next_seg(const char **p, const char **seg)
{
    const char *s = *p;
    size_t n = 0;
    while (*s == '/')
        s++;
    *seg = s;
    while (s[n] && s[n] != '/')
        n++;
    *p = s + n;
    return n;
}

/* 1 when `path` matches `pattern`, filling params (if m not NULL). */
static int route_path_match(const char *pattern, const char *path, struct http_match *m)
{
    const char *pp = pattern, *sp = path;
    int np = 0;
    for (;;) {
        const char *pseg, *sseg;
        size_t pn = route_next_seg(&pp, &pseg);
        size_t sn = route_next_seg(&sp, &sseg);
        if (pn == 0 || sn == 0)
            return pn == 0 && sn == 0 ? (m ? (m->n_params = np, 1) : 1) : 0;
        if (pn >= 2 && pseg[0] == '{' && pseg[pn - 1] == '}') {
            if (sn >= HTTP_PARAM_MAX || np >= HTTP_MAX_PARAMS || pn - 2 >= 32)
                return 0;
            if (m) {
                memcpy(m->params[np].name, pseg + 1, pn - 2);
                m->params[np].name[pn - 2] = '\0';
                memcpy(m->params[np].value, sseg, sn);
                m->params[np].value[sn] = '\0';
            }
            np++;
            continue;
        }
        if (pn != sn || memcmp(pseg, sseg, pn) != 0)
            return 0;
    }
}

int http_route_match(const struct http_route *routes, size_t n, const char *method,
                     const char *path, struct http_match *m)
{
    int path_known = 0;
    const char *want = strcmp(method, "HEAD") == 0 ? "GET" : method;
    memset(m, 0, sizeof *m);
    for (size_t i = 0; i < n; i++) {
        if (!route_path_match(routes[i].pattern, path, NULL))
            continue;
        if (strcmp(routes[i].method, want) == 0) {
            route_path_match(routes[i].pattern, path, m);
            m->route = &routes[i];
            return 200;
        }
        path_known = 1;
        if (!strstr(m->allow, routes[i].method)) {
            size_t used = strlen(m->allow);
            str_printf(m->allow + used, sizeof m->allow - used, "%s%s", used ? ", " : "",
                       routes[i].method);
        }
    }
    return path_known ? 405 : 404;
}
