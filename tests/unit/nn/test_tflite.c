/*
 * test_tflite.c — the TFLite reader on real and hostile input: the four
 * BlazePose models load with the expected inputs/outputs; truncated,
 * corrupted and randomly mutated models are errors with a message, never a
 * crash (ASan/UBSan watch every read). This is the plain fuzz driver that
 * always runs in the suite: it replays every file in tests/fuzz/corpus, then
 * runs a few thousand deterministic random mutations of the tiny all-operator
 * model (tests/fuzz/corpus/tiny-model.bin) and a bounded number of mutations of
 * a real model, each for a bounded time (env KZ_FUZZ_ITERS and
 * KZ_FUZZ_SECONDS change the tiny-model count and both time budgets).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "nn/nn.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static const char *models_dir(void)
{
    const char *d = getenv("KZ_MODELS_DIR");
    struct stat st;
    if (!d || stat(d, &st) != 0)
        return NULL;
    return d;
}

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    unsigned char *b = malloc(n > 0 ? (size_t)n : 1);
    if (b && fread(b, 1, (size_t)n, f) != (size_t)n) {
        free(b);
        b = NULL;
    }
    fclose(f);
    *len = (size_t)n;
    return b;
}

static unsigned char *read_model(const char *name, size_t *len)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", models_dir(), name);
    unsigned char *b = read_all(path, len);
    assert_non_null(b);
    return b;
}

/* One input through the loader (and, when it loads and plan is set, graph
   planning, and a run when allow_run is set). */
static int try_load_plan(const unsigned char *b, size_t n, int plan, int allow_run)
{
    struct nn_model *m = NULL;
    struct err_ctx e;
    err_clear(&e);
    enum kz_err rc = nn_model_load_buffer(b, n, &m, &e);
    if (rc != KZ_OK) {
        assert_null(m);
        assert_true(strlen(err_msg(&e)) > 0);
        return 0;
    }
    struct nn_graph *g = NULL;
    if (plan && nn_graph_create(m, &(struct nn_graph_opts){.backend = "ref"}, &g, &e) == KZ_OK &&
        allow_run && nn_graph_mac_count(g) < 300000000)
        assert_int_equal(nn_graph_run(g, &e), KZ_OK);
    nn_graph_destroy(g);
    nn_model_destroy(m);
    return 1;
}

static int try_load(const unsigned char *b, size_t n, int allow_run)
{
    return try_load_plan(b, n, 1, allow_run);
}

static void test_real_models(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    const struct {
        const char *file;
        int size, n_out;
    } cases[] = {{"pose_detection.tflite", 224, 2},
                 {"pose_landmark_lite.tflite", 256, 5},
                 {"pose_landmark_full.tflite", 256, 5},
                 {"pose_landmark_heavy.tflite", 256, 5}};
    for (size_t i = 0; i < 4; i++) {
        char path[1024];
        struct nn_model *m = NULL;
        struct err_ctx e;
        struct nn_shape s;
        snprintf(path, sizeof path, "%s/%s", models_dir(), cases[i].file);
        if (nn_model_load(path, &m, &e))
            fail_msg("%s: %s", path, err_msg(&e));
        assert_int_equal(nn_model_n_inputs(m), 1);
        assert_string_equal(nn_model_input_name(m, 0, &s), "input_1");
        assert_int_equal(s.rank, 4);
        assert_int_equal(s.dims[1], cases[i].size);
        assert_int_equal(s.dims[3], 3);
        assert_int_equal(nn_model_n_outputs(m), cases[i].n_out);
        assert_string_equal(nn_model_output_name(m, 0, &s), "Identity");
        assert_null(nn_model_output_name(m, cases[i].n_out, NULL));
        nn_model_destroy(m);
    }
    struct nn_model *m = NULL;
    struct err_ctx e;
    assert_int_equal(nn_model_load("/nonexistent/model.tflite", &m, &e), KZ_E_IO);
    assert_null(m);
    nn_model_destroy(NULL);
    nn_graph_destroy(NULL);
}

static void test_garbage(void **state)
{
    (void)state;
    unsigned char buf[64] = {0};
    struct nn_model *m = NULL;
    struct err_ctx e;
    assert_int_equal(nn_model_load_buffer(buf, 0, &m, &e), KZ_E_FORMAT);
    memset(buf, 0, sizeof buf);
    assert_int_equal(nn_model_load_buffer(buf, sizeof buf, &m, &e), KZ_E_FORMAT);
    memcpy(buf + 4, "TFL3", 4);
    buf[0] = 0xff; /* root offset beyond the end */
    assert_int_equal(nn_model_load_buffer(buf, sizeof buf, &m, &e), KZ_E_FORMAT);
    buf[0] = 8; /* root table whose vtable offset points outside */
    buf[8] = 0x00, buf[9] = 0x00, buf[10] = 0x00, buf[11] = 0x80;
    assert_int_equal(nn_model_load_buffer(buf, sizeof buf, &m, &e), KZ_E_FORMAT);
    assert_null(m);
}

/* Every prefix length class of a real model is rejected cleanly. */
static void test_truncations(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    size_t n;
    unsigned char *b = read_model("pose_detection.tflite", &n);
    for (size_t cut = 0; cut < n; cut += cut < 4096 ? 1 + cut / 16 : n / 97) {
        unsigned char *p = malloc(cut ? cut : 1);
        memcpy(p, b, cut);
        assert_int_equal(try_load(p, cut, 0), 0);
        free(p);
    }
    free(b);
}

static void test_corpus(void **state)
{
    (void)state;
    DIR *d = opendir(KZ_FUZZ_CORPUS);
    int n = 0;
    if (!d)
        skip();
    struct dirent *de;
    while ((de = readdir(d))) {
        if (de->d_name[0] == '.')
            continue;
        char path[2048];
        size_t len;
        snprintf(path, sizeof path, "%s/%s", KZ_FUZZ_CORPUS, de->d_name);
        unsigned char *b = read_all(path, &len);
        if (!b)
            continue;
        try_load(b, len, 1);
        free(b);
        n++;
    }
    closedir(d);
    printf("# replayed %d corpus files\n", n);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t rnd(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)(rng >> 16);
}

/* Deterministic mutations of `orig`: bit flips, byte and 32-bit field
   overwrites with boundary values, chunk copies, truncation. For a large model
   3/4 of the positions fall in its first/last 64 KiB, where the tables and
   vectors are (the weight buffers sit in between). Stops after `iters`
   mutations or `budget_s` seconds of CPU time (not wall time: the CI machine
   may be loaded); graphs of models that still load are
   planned (every `plan_every`-th) and run (at most `max_runs`). */
static long mutate_and_load(const unsigned char *orig, size_t n, long iters, double budget_s,
                            int plan_every, long max_runs, long *loaded_out)
{
    unsigned char *b = malloc(n);
    static const uint32_t special[] = {0,           1,           2,           3,      4,
                                       0x7f,        0x80,        0xff,        0xffff, 0x7fffffff,
                                       0x80000000u, 0xffffffffu, 0xfffffffcu, 1000000};
    const size_t win = n < 65536 ? n : 65536;
    struct timespec t0, t1;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    long done = 0, loaded = 0, runs = 0;
    assert_non_null(b);
    for (long it = 0; it < iters; it++) {
        memcpy(b, orig, n);
        size_t len = n;
        int nmut = 1 + (int)(rnd() % 4);
        for (int k = 0; k < nmut && len > 0; k++) {
            size_t pos;
            uint32_t r = rnd();
            if (r % 4 == 0)
                pos = (size_t)rnd() % len;
            else if (r % 4 == 1)
                pos = (size_t)rnd() % (win < len ? win : len);
            else
                pos = len - 1 - (size_t)rnd() % (win < len ? win : len);
            switch (rnd() % 5) {
            case 0:
                b[pos] ^= (unsigned char)(1u << (rnd() % 8));
                break;
            case 1:
                b[pos] = (unsigned char)rnd();
                break;
            case 2:
                if (pos + 4 <= len) {
                    uint32_t v = special[rnd() % (sizeof special / sizeof special[0])];
                    memcpy(b + pos, &v, 4);
                }
                break;
            case 3: {
                size_t src = (size_t)rnd() % len, cnt = 1 + rnd() % 64;
                if (src + cnt <= len && pos + cnt <= len)
                    memmove(b + pos, b + src, cnt);
                break;
            }
            default:
                if (rnd() % 8 == 0)
                    len = pos;
                break;
            }
        }
        int plan = it % plan_every == 0;
        int ok = try_load_plan(b, len, plan, plan && runs < max_runs);
        loaded += ok;
        runs += ok && plan;
        done++;
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
        if ((double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) * 1e-9 > budget_s)
            break;
    }
    free(b);
    *loaded_out = loaded;
    return done;
}

/* The tiny all-operator model (always available): every mutation that still
   loads is planned and run. */
static void test_mutations_tiny(void **state)
{
    (void)state;
    char path[2048];
    size_t n;
    snprintf(path, sizeof path, "%s/tiny-model.bin", KZ_FUZZ_CORPUS);
    unsigned char *orig = read_all(path, &n);
    assert_non_null(orig);
    const char *it_env = getenv("KZ_FUZZ_ITERS"), *sec_env = getenv("KZ_FUZZ_SECONDS");
    long loaded;
    long done = mutate_and_load(orig, n, it_env ? strtol(it_env, NULL, 10) : 5000,
                                sec_env ? strtod(sec_env, NULL) : 10.0, 1, 1000000, &loaded);
    printf("# tiny model: %ld mutations, %ld still loaded (planned and run)\n", done, loaded);
    assert_true(done >= 100);
    free(orig);
}

/* A real landmark model: mostly loader coverage (weights are decoded for every
   mutation), a share planned, a few run. */
static void test_mutations_real(void **state)
{
    (void)state;
    if (!models_dir())
        skip();
    size_t n;
    unsigned char *orig = read_model("pose_landmark_lite.tflite", &n);
    const char *sec_env = getenv("KZ_FUZZ_SECONDS");
    long loaded;
    long done = mutate_and_load(orig, n, 300, sec_env ? strtod(sec_env, NULL) : 8.0, 8, 3, &loaded);
    printf("# lite model: %ld mutations, %ld still loaded\n", done, loaded);
    assert_true(done >= 20);
    free(orig);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_real_models),    cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_truncations),    cmocka_unit_test(test_corpus),
        cmocka_unit_test(test_mutations_tiny), cmocka_unit_test(test_mutations_real),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
