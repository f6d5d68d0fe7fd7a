/*
 * fuzz_tflite.c — libFuzzer target for the TFLite reader: any byte string
 * must load or fail with an error, never crash or read out of bounds. When
 * a mutated model loads, a reference graph is planned as well (planning
 * trusts the loader's shape checks). Built with -Dfuzz=true and clang:
 *   build-fuzz/tests/fuzz/fuzz_tflite -max_total_time=60 CORPUS_DIR
 * The same checks run without clang in tests/unit/nn/test_tflite.c.
 */
#include "nn/nn.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct nn_model *m = NULL;
    struct err_ctx e;
    if (nn_model_load_buffer(data, size, &m, &e) == KZ_OK) {
        struct nn_graph *g = NULL;
        struct nn_graph_opts o = {.backend = "ref"};
        if (nn_graph_create(m, &o, &g, &e) == KZ_OK && nn_graph_mac_count(g) < 50000000)
            nn_graph_run(g, &e);
        nn_graph_destroy(g);
        nn_model_destroy(m);
    }
    return 0;
}
