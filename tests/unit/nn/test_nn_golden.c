/*
 * test_nn_golden.c — conformance of every built backend against golden
 * outputs of independent implementations (fixtures made by
 * scripts/make-nn-golden.sh from crops of real clips): for the landmark
 * models the TFJS BlazePose twins run by tfjs-backend-cpu; for the detector
 * (whose TFJS twin is a different network) the TFLite file itself executed
 * by scripts/nn-tflite-tfjs.js on the same TFJS kernels. Also every other
 * backend against the reference backend on random inputs.
 *
 * Tolerance (golden): relative to each output tensor's scale: for every
 * element |ours - golden| <= 1e-3 * max(1, max_i |golden_i|), i.e. absolute
 * 1e-3 for tensors within [-1, 1] (pose flag, world landmarks in metres) and
 * 1e-3 of the largest magnitude otherwise (landmarks in 256-px crop units:
 * 0.26 px; detector box/keypoint offsets and score logits). The worst
 * element-wise relative error is printed too.
 * Skips when the models directory (KZ_MODELS_DIR) is absent.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nn/nn.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define TOL 1e-3

static const char *models_dir(void)
{
    const char *d = getenv("KZ_MODELS_DIR");
    struct stat st;
    if (!d || stat(d, &st) != 0)
        return NULL;
    return d;
}

static void *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    void *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static struct nn_model *load_model(const char *name)
{
    char path[1024];
    struct err_ctx e;
    struct nn_model *m = NULL;
    snprintf(path, sizeof path, "%s/%s", models_dir(), name);
    enum kz_err rc = nn_model_load(path, &m, &e);
    if (rc)
        fail_msg("load %s: %s", path, err_msg(&e));
    return m;
}

/* Fill the graph's input from a uint8 RGB file with the model's normalisation. */
static void fill_input(struct nn_graph *g, const char *rgb_path, int size, int pm1)
{
    struct nn_shape s;
    size_t len;
    float *in = nn_graph_input(g, 0, &s);
    assert_non_null(in);
    assert_int_equal(s.dims[1], size);
    unsigned char *rgb = read_all(rgb_path, &len);
    assert_non_null(rgb);
    assert_int_equal(len, (size_t)size * size * 3);
    for (size_t i = 0; i < len; i++)
        in[i] = pm1 ? (float)rgb[i] / 127.5f - 1.f : (float)rgb[i] / 255.f;
    free(rgb);
}

struct gline {
    char model[128], input[128], norm[8], output[32], file[128];
    int size;
};

#define MAX_LINES 128
#define MAX_GROUP 8

/* Compare one output with its golden file; returns the worst error / tolerance. */
static double check_output(const struct nn_graph *g, const struct gline *L, const char *backend)
{
    char path[1024];
    size_t glen;
    snprintf(path, sizeof path, "%s/%s", KZ_GOLDEN_DIR, L->file);
    float *gold = read_all(path, &glen);
    assert_non_null(gold);
    struct nn_shape s;
    const float *y = nn_graph_output(g, L->output, &s);
    assert_non_null(y);
    assert_int_equal(nn_shape_count(&s) * 4, glen);
    double maxerr = 0, scale = 1, maxrel = 0;
    size_t bad = 0;
    for (size_t i = 0; i < glen / 4; i++)
        scale = fmax(scale, fabs(gold[i]));
    for (size_t i = 0; i < glen / 4; i++) {
        double d = fabs((double)y[i] - gold[i]);
        double lim = TOL * scale;
        maxerr = fmax(maxerr, d / lim);
        maxrel = fmax(maxrel, d / fmax(1.0, fabs(gold[i])));
        bad += !(d <= lim);
    }
    printf("# %-26s %-15s %-10s %-6s worst %.3f of tolerance (scale %.1f), "
           "max |d|/max(1,|g|) %.2g\n",
           L->model, L->input, L->output, backend, maxerr, scale, maxrel);
    if (bad)
        fail_msg("%s %s %s on %s: %zu elements beyond tolerance (worst %.2fx)", L->model, L->input,
                 L->output, backend, bad, maxerr);
    free(gold);
    return maxerr;
}

static void test_golden(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    char path[1024];
    snprintf(path, sizeof path, "%s/golden.txt", KZ_GOLDEN_DIR);
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    static struct gline L[MAX_LINES];
    int n = 0, n_checked = 0;
    char line[1024];
    while (n < MAX_LINES && fgets(line, sizeof line, f))
        if (sscanf(line, "%127s %127s %d %7s %31s %127s", L[n].model, L[n].input, &L[n].size,
                   L[n].norm, L[n].output, L[n].file) == 6)
            n++;
    fclose(f);
    /* one graph per (model, input) group of consecutive lines, all its outputs at once */
    for (int a = 0; a < n;) {
        int z = a;
        while (z < n && z - a < MAX_GROUP && strcmp(L[z].model, L[a].model) == 0 &&
               strcmp(L[z].input, L[a].input) == 0)
            z++;
        const char *outs[MAX_GROUP];
        for (int k = a; k < z; k++)
            outs[k - a] = L[k].output;
        struct nn_model *m = load_model(L[a].model);
        for (int b = 0; nn_backend_name(b); b++) {
            struct nn_graph_opts o = {
                .backend = nn_backend_name(b), .threads = 2, .outputs = outs, .n_outputs = z - a};
            struct nn_graph *g = NULL;
            struct err_ctx e;
            if (nn_graph_create(m, &o, &g, &e))
                fail_msg("graph %s/%s: %s", L[a].model, o.backend, err_msg(&e));
            snprintf(path, sizeof path, "%s/%s", KZ_GOLDEN_DIR, L[a].input);
            fill_input(g, path, L[a].size, strcmp(L[a].norm, "pm1") == 0);
            assert_int_equal(nn_graph_run(g, &e), KZ_OK);
            for (int k = a; k < z; k++) {
                check_output(g, &L[k], o.backend);
                n_checked++;
            }
            nn_graph_destroy(g);
        }
        nn_model_destroy(m);
        a = z;
    }
    assert_true(n_checked >= 21);
}

/* The landmark model's pose flag says a person is in the treadmill crop, and the
   pruned graph (3 outputs) gives the same numbers as the full graph. */
static void test_pruning_and_sanity(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    struct nn_model *m = load_model("pose_landmark_lite.tflite");
    struct err_ctx e;
    struct nn_graph *full = NULL, *pruned = NULL;
    const char *outs[] = {"Identity", "Identity_1", "Identity_4"};
    struct nn_graph_opts po = {.backend = "ref", .outputs = outs, .n_outputs = 3};
    struct nn_graph_opts fo = {.backend = "ref"};
    assert_int_equal(nn_graph_create(m, &fo, &full, &e), KZ_OK);
    assert_int_equal(nn_graph_create(m, &po, &pruned, &e), KZ_OK);
    assert_true(nn_graph_mac_count(pruned) < nn_graph_mac_count(full));
    assert_null(nn_graph_output(pruned, "Identity_2", NULL)); /* segmentation not computed */
    char path[1024];
    snprintf(path, sizeof path, "%s/treadmill.256.rgb", KZ_GOLDEN_DIR);
    fill_input(full, path, 256, 0);
    fill_input(pruned, path, 256, 0);
    assert_int_equal(nn_graph_run(full, &e), KZ_OK);
    assert_int_equal(nn_graph_run(pruned, &e), KZ_OK);
    for (int k = 0; k < 3; k++) {
        struct nn_shape a, b;
        const float *x = nn_graph_output(full, outs[k], &a);
        const float *y = nn_graph_output(pruned, outs[k], &b);
        assert_non_null(x);
        assert_non_null(y);
        assert_int_equal(nn_shape_count(&a), nn_shape_count(&b));
        assert_memory_equal(x, y, nn_shape_count(&a) * sizeof *x);
    }
    const float *flag = nn_graph_output(pruned, "Identity_1", NULL);
    assert_true(flag[0] > 0.5f && flag[0] <= 1.f);
    /* second run on the same input is bit-identical (no state leaks between runs) */
    float first[195];
    memcpy(first, nn_graph_output(pruned, "Identity", NULL), sizeof first);
    assert_int_equal(nn_graph_run(pruned, &e), KZ_OK);
    assert_memory_equal(first, nn_graph_output(pruned, "Identity", NULL), sizeof first);
    nn_graph_destroy(full);
    nn_graph_destroy(pruned);
    const char *bad[] = {"no_such_output"};
    struct nn_graph *g = NULL;
    assert_int_equal(nn_graph_create(m, &(struct nn_graph_opts){.backend = "nope"}, &g, &e),
                     KZ_E_NOT_FOUND);
    assert_null(g);
    assert_int_equal(
        nn_graph_create(m, &(struct nn_graph_opts){.outputs = bad, .n_outputs = 1}, &g, &e),
        KZ_E_NOT_FOUND);
    assert_null(g);
    nn_model_destroy(m);
}

/* The tiny all-operator model (scripts/make-tiny-tflite.py: fp16 + sparse CSR
   constants, PAD folded into a VALID conv, residual ADD, pool, resize, depth-to-
   space, concat, reshape, logistic) on every backend and thread count against
   the JS/TFJS executor's output: |diff| <= 1e-5 absolute (values within [0, 3]).
   Needs no model download, so it always runs. */
static void test_tiny_model(void **state)
{
    (void)state;
    char path[1024];
    struct nn_model *m = NULL;
    struct err_ctx e;
    snprintf(path, sizeof path, "%s/tiny-model.bin", KZ_FUZZ_CORPUS);
    if (nn_model_load(path, &m, &e))
        fail_msg("%s: %s", path, err_msg(&e));
    const char *names[] = {"prob", "up"};
    for (int b = 0; nn_backend_name(b); b++)
        for (int threads = 1; threads <= 2; threads++) {
            struct nn_graph *g = NULL;
            struct nn_graph_opts o = {.backend = nn_backend_name(b), .threads = threads};
            if (nn_graph_create(m, &o, &g, &e))
                fail_msg("tiny on %s: %s", o.backend, err_msg(&e));
            assert_string_equal(nn_graph_backend(g), o.backend);
            /* conv 3x3x3->8 on 6x6, depthwise 3x3x8, pointwise 8->8 */
            assert_int_equal(nn_graph_mac_count(g), 6 * 6 * 8 * 27 + 6 * 6 * 8 * 9 + 6 * 6 * 8 * 8);
            snprintf(path, sizeof path, "%s/tiny.6.rgb", KZ_GOLDEN_DIR);
            fill_input(g, path, 6, 0);
            assert_int_equal(nn_graph_run(g, &e), KZ_OK);
            for (int k = 0; k < 2; k++) {
                size_t glen;
                snprintf(path, sizeof path, "%s/tiny.%s.f32", KZ_GOLDEN_DIR, names[k]);
                float *gold = read_all(path, &glen);
                assert_non_null(gold);
                struct nn_shape s;
                const float *y = nn_graph_output(g, names[k], &s);
                assert_non_null(y);
                assert_int_equal(nn_shape_count(&s) * 4, glen);
                for (size_t i = 0; i < glen / 4; i++)
                    if (!(fabs((double)y[i] - gold[i]) <= 1e-5))
                        fail_msg("tiny %s[%zu] on %s/%dT: %g, golden %g", names[k], i, o.backend,
                                 threads, (double)y[i], (double)gold[i]);
                free(gold);
            }
            nn_graph_destroy(g);
        }
    nn_model_destroy(m);
}

static uint32_t rng_state = 12345;
static float frand(void)
{
    rng_state = rng_state * 1664525u + 1013904223u;
    return (float)(rng_state >> 8) / 16777216.f;
}

/* Every other backend against ref on random inputs in the model's input range, all
   outputs (segmentation and heatmaps included): max |diff| <= 1e-3 * max |ref| per tensor. */
static void test_backends_match_ref(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    if (!nn_backend_name(1))
        skip(); /* only ref built */
    const char *models[] = {"pose_detection.tflite", "pose_landmark_lite.tflite",
                            "pose_landmark_full.tflite"};
    for (size_t k = 0; k < 3; k++) {
        struct nn_model *m = load_model(models[k]);
        struct err_ctx e;
        struct nn_graph *ref = NULL;
        assert_int_equal(nn_graph_create(m, &(struct nn_graph_opts){.backend = "ref"}, &ref, &e),
                         KZ_OK);
        struct nn_shape s;
        float *in = nn_graph_input(ref, 0, &s);
        const int pm1 = k == 0; /* detector: [-1,1]; landmark models: [0,1] */
        for (size_t i = 0; i < nn_shape_count(&s); i++)
            in[i] = pm1 ? frand() * 2.f - 1.f : frand();
        assert_int_equal(nn_graph_run(ref, &e), KZ_OK);
        for (int b = 0; nn_backend_name(b); b++) {
            if (strcmp(nn_backend_name(b), "ref") == 0)
                continue;
            for (int threads = 1; threads <= 2; threads++) {
                struct nn_graph *g = NULL;
                struct nn_graph_opts o = {.backend = nn_backend_name(b), .threads = threads};
                if (nn_graph_create(m, &o, &g, &e))
                    fail_msg("%s on %s: %s", models[k], o.backend, err_msg(&e));
                float *gin = nn_graph_input(g, 0, NULL);
                memcpy(gin, in, nn_shape_count(&s) * sizeof *in);
                assert_int_equal(nn_graph_run(g, &e), KZ_OK);
                for (int oi = 0; oi < nn_model_n_outputs(m); oi++) {
                    const char *name = nn_model_output_name(m, oi, NULL);
                    struct nn_shape os;
                    const float *x = nn_graph_output(ref, name, &os);
                    const float *y = nn_graph_output(g, name, NULL);
                    size_t n = nn_shape_count(&os);
                    double scale = 1e-6, maxd = 0;
                    for (size_t i = 0; i < n; i++)
                        scale = fmax(scale, fabs(x[i]));
                    for (size_t i = 0; i < n; i++)
                        maxd = fmax(maxd, fabs((double)x[i] - y[i]));
                    printf("# %-26s %-10s %s/%dT max|diff| %.3g (scale %.3g)\n", models[k], name,
                           o.backend, threads, maxd, scale);
                    if (!(maxd <= 1e-3 * scale))
                        fail_msg("%s %s: %s differs from ref by %g (scale %g)", models[k], name,
                                 o.backend, maxd, scale);
                }
                nn_graph_destroy(g);
            }
        }
        nn_graph_destroy(ref);
        nn_model_destroy(m);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tiny_model),
        cmocka_unit_test(test_pruning_and_sanity),
        cmocka_unit_test(test_golden),
        cmocka_unit_test(test_backends_match_ref),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
