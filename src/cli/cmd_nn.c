/*
 * cmd_nn.c — `kinalyze nn run`: runs one TFLite model on a raw RGB image with
 * our own inference engine and prints every output tensor as JSON
 * {name: {"shape": [...], "data": [...]}} under its TFLite name. Used to
 * inspect models and to compare against the TFJS oracle by hand.
 */
#include "cli/cli.h"
#include "core/core.h"
#include "nn/nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NN_CLI_MAX_OUTPUTS 16

static void nn_usage(FILE *f)
{
    fprintf(f, "usage: kinalyze nn run --model FILE.tflite --input FILE.rgb --size N\n"
               "                      [--norm 01|pm1] [--backend ref|onednn] [--threads T]\n"
               "                      [--outputs NAME,NAME...]\n"
               "  FILE.rgb is N*N*3 bytes of RGB24; --norm 01 maps to [0,1] (landmark models,\n"
               "  default), pm1 to [-1,1] (detector). Backends built in:");
    for (int i = 0; nn_backend_name(i); i++)
        fprintf(f, " %s", nn_backend_name(i));
    fprintf(f, "\n");
}

static enum kz_err read_file_exact(const char *path, unsigned char *buf, size_t len,
                                   struct err_ctx *e)
{
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, KZ_E_IO, "cannot open %s", path);
    size_t got = fread(buf, 1, len, fp);
    int extra = fgetc(fp) != EOF;
    fclose(fp);
    if (got != len || extra)
        return err_set(e, KZ_E_INVALID, "%s: expected exactly %zu bytes of RGB24", path, len);
    return KZ_OK;
}

static void print_tensor(const char *name, const float *d, const struct nn_shape *s, int first)
{
    printf("%s\"%s\": {\"shape\": [", first ? "" : ",\n", name);
    for (int i = 0; i < s->rank; i++)
        printf("%s%d", i ? ", " : "", s->dims[i]);
    printf("], \"data\": [");
    size_t n = nn_shape_count(s);
    for (size_t i = 0; i < n; i++) {
        if (isfinite(d[i]))
            printf("%s%.9g", i ? ", " : "", (double)d[i]);
        else
            printf("%snull", i ? ", " : "");
    }
    printf("]}");
}

static int nn_run(int argc, char **argv)
{
    const char *model_path = NULL, *input_path = NULL, *norm = "01", *backend = NULL;
    char *outputs_arg = NULL;
    const char *outs[NN_CLI_MAX_OUTPUTS];
    int n_outs = 0;
    int64_t size = 0, threads = 0;
    struct err_ctx e;
    struct nn_model *m = NULL;
    struct nn_graph *g = NULL;
    unsigned char *rgb = NULL;
    int rc = 1;
    err_clear(&e);
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
            nn_usage(stdout);
            return 0;
        }
        if (!v) {
            fprintf(stderr, "kinalyze nn run: %s needs a value\n", a);
            nn_usage(stderr);
            return 2;
        }
        if (strcmp(a, "--model") == 0)
            model_path = v;
        else if (strcmp(a, "--input") == 0)
            input_path = v;
        else if (strcmp(a, "--norm") == 0)
            norm = v;
        else if (strcmp(a, "--backend") == 0)
            backend = v;
        else if (strcmp(a, "--outputs") == 0)
            outputs_arg = (char *)v;
        else if (strcmp(a, "--size") == 0) {
            if (str_to_i64(v, 1, 4096, &size)) {
                fprintf(stderr, "kinalyze nn run: bad --size '%s'\n", v);
                return 2;
            }
        } else if (strcmp(a, "--threads") == 0) {
            if (str_to_i64(v, 0, 256, &threads)) {
                fprintf(stderr, "kinalyze nn run: bad --threads '%s'\n", v);
                return 2;
            }
        } else {
            fprintf(stderr, "kinalyze nn run: unknown option '%s'\n", a);
            nn_usage(stderr);
            return 2;
        }
        i++;
    }
    if (!model_path || !input_path || !size ||
        (strcmp(norm, "01") != 0 && strcmp(norm, "pm1") != 0)) {
        nn_usage(stderr);
        return 2;
    }
    if (outputs_arg) {
        char *p = outputs_arg;
        while (p && *p && n_outs < NN_CLI_MAX_OUTPUTS) {
            outs[n_outs++] = p;
            char *comma = strchr(p, ',');
            if (comma)
                *comma++ = 0;
            p = comma;
        }
    }
    if (nn_model_load(model_path, &m, &e))
        goto fail;
    struct nn_graph_opts o = {.backend = backend,
                              .threads = (int)threads,
                              .outputs = n_outs ? outs : NULL,
                              .n_outputs = n_outs};
    if (nn_graph_create(m, &o, &g, &e))
        goto fail;
    struct nn_shape is;
    float *in = nn_graph_input(g, 0, &is);
    if (!in || is.rank != 4 || is.dims[1] != size || is.dims[2] != size || is.dims[3] != 3) {
        err_set(&e, KZ_E_INVALID, "model input is not [1,%d,%d,3]", (int)size, (int)size);
        goto fail;
    }
    size_t n = (size_t)size * (size_t)size * 3;
    rgb = malloc(n);
    if (!rgb) {
        err_set(&e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    if (read_file_exact(input_path, rgb, n, &e))
        goto fail;
    int pm1 = strcmp(norm, "pm1") == 0;
    for (size_t i = 0; i < n; i++)
        in[i] = pm1 ? (float)rgb[i] / 127.5f - 1.f : (float)rgb[i] / 255.f;
    if (nn_graph_run(g, &e))
        goto fail;
    printf("{");
    int first = 1;
    for (int i = 0; i < nn_model_n_outputs(m); i++) {
        struct nn_shape s;
        const char *name = nn_model_output_name(m, i, NULL);
        const float *d = nn_graph_output(g, name, &s);
        if (!d)
            continue;
        print_tensor(name, d, &s, first);
        first = 0;
    }
    printf("}\n");
    rc = 0;
fail:
    if (rc)
        fprintf(stderr, "kinalyze nn run: %s\n", err_msg(&e));
    free(rgb);
    nn_graph_destroy(g);
    nn_model_destroy(m);
    return rc;
}

int cmd_nn(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "run") == 0)
        return nn_run(argc - 1, argv + 1);
    if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        nn_usage(stdout);
        return 0;
    }
    nn_usage(stderr);
    return 2;
}
