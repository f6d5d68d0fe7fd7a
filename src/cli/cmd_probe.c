/*
 * cmd_probe.c — `kinalyze probe VIDEO`: open a video the way uploads are
 * checked (media_probe) and print its media_info as one JSON object, or the
 * error as {"error": NAME, "message": ...} on stderr with exit status 1.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "media/media.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int cmd_probe(int argc, char **argv)
{
    struct err_ctx e = {0};
    struct media_info in;
    json_t *o;
    char *s;
    enum kz_err rc;

    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        fprintf(argc == 2 ? stdout : stderr,
                "usage: kinalyze probe VIDEO\n\nPrint the video's properties as JSON.\n");
        return argc == 2 ? 0 : 2;
    }
    rc = media_probe(argv[1], &in, &e);
    if (rc != KZ_OK) {
        o = json_pack("{s:s,s:s}", "error", err_name(rc), "message", err_msg(&e));
        s = o ? json_dumps(o, JSON_INDENT(2)) : NULL;
        fprintf(stderr, "%s\n", s ? s : err_msg(&e));
        free(s);
        json_decref(o);
        return 1;
    }
    o = json_pack("{s:s,s:s,s:s,s:i,s:i,s:i,s:i,s:i,s:f,s:I,s:f,s:b}", "path", argv[1], "codec",
                  in.codec, "container", in.container, "width", in.width, "height", in.height,
                  "coded_width", in.coded_width, "coded_height", in.coded_height, "rotation_deg",
                  in.rotation_deg, "fps", in.fps, "frame_count", (json_int_t)in.frame_count,
                  "duration_s", in.duration_s, "has_audio", in.has_audio);
    s = o ? json_dumps(o, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) : NULL;
    if (!s) {
        json_decref(o);
        fprintf(stderr, "kinalyze probe: out of memory\n");
        return 1;
    }
    printf("%s\n", s);
    free(s);
    json_decref(o);
    return 0;
}
