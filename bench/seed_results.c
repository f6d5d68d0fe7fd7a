/*
 * seed_results.c — benchmark fixture: give one session a results
 * document of realistic size (the shape analysis stages will write: 10 s at
 * 30 fps of timestamps, 7 joint-angle series, 6 report series, metrics), so
 * `wrk` can measure GET /jumping/sessions/{id}/ answering 200 with a full
 * vendor document. The numbers are synthetic and used only for load; never
 * run this against a real deployment.
 *
 *   seed_results <store-url> <session-id>
 */
#include "store/store.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *series(int n, double phase)
{
    json_t *a = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(a, json_real(90.0 + 40.0 * sin(phase + i * 0.1)));
    return a;
}

int main(int argc, char **argv)
{
    static const char *const angles[] = {"hip_intersection_angle",
                                         "ank_angle",
                                         "rkne_angle",
                                         "lkne_angle",
                                         "kne_angle",
                                         "rank_angle",
                                         "lank_angle"};
    static const char *const wrm[] = {"hipy", "grf", "vhipy", "toey", "ahipy", "vtoey"};
    const int n = 300;
    struct store *s = NULL;
    struct err_ctx e;
    json_t *doc, *a, *w, *ts;
    char *text;
    int rc = 1;
    if (argc != 3) {
        fprintf(stderr, "usage: seed_results <store-url> <session-id>\n");
        return 2;
    }
    doc = json_object();
    a = json_object();
    w = json_object();
    ts = json_array();
    for (int i = 0; i < n; i++)
        json_array_append_new(ts, json_real(i / 30.0));
    for (size_t i = 0; i < sizeof angles / sizeof *angles; i++)
        json_object_set_new(a, angles[i], series(n, (double)i));
    for (size_t i = 0; i < sizeof wrm / sizeof *wrm; i++)
        json_object_set_new(w, wrm[i], series(n, (double)i + 0.5));
    json_object_set_new(doc, "angles", a);
    json_object_set_new(doc, "whole_report_metrics", w);
    json_object_set_new(doc, "all_timestamps", ts);
    json_object_set_new(doc, "end_frames", json_pack("[i,i]", 120, 260));
    json_object_set_new(
        doc, "metrics",
        json_pack("{s:[f,f],s:[f,f]}", "jump_height", 0.31, 0.29, "flight_time", 0.50, 0.49));
    text = json_dumps(doc, JSON_COMPACT);
    if (store_open(argv[1], &s, &e) != KZ_OK ||
        store_session_set_results(s, argv[2], text, &e) != KZ_OK)
        fprintf(stderr, "seed_results: %s\n", err_msg(&e));
    else
        rc = 0, printf("seeded %zu bytes of results into %s\n", strlen(text), argv[2]);
    free(text);
    json_decref(doc);
    store_close(s);
    return rc;
}
