/*
 * nn.h — kinalyze's own inference engine for the BlazePose TFLite models.
 *
 * A model is a TFLite flatbuffer parsed and validated in C (every offset and
 * length bounds-checked); fp16 constants are dequantized and sparse (CSR)
 * constants densified once at load, so DEQUANTIZE/DENSIFY never run. A graph
 * is an executable plan of that model on one backend ("ref": plain C, always
 * built; "onednn": oneDNN 2.6 when available), pruned to the outputs asked
 * for, with all activation memory planned once at creation: nn_graph_run
 * never allocates.
 *
 * Tensors are float32, batch 1, NHWC, in the TFLite layout and with the
 * TFLite tensor names (e.g. landmark model outputs "Identity", "Identity_1",
 * "Identity_4"; detector outputs "Identity", "Identity_1").
 *
 * Thread-safety: a model is immutable after loading and may be shared
 * read-only by any number of graphs and threads. A graph is not thread-safe;
 * use one per thread. The oneDNN backend's thread count is OpenMP's global
 * setting, so graphs of different thread counts in one process share it (the
 * last created wins).
 */
#ifndef KZ_NN_H
#define KZ_NN_H

#include "core/core.h"

#include <stddef.h>
#include <stdint.h>

struct nn_model; /* a parsed, validated TFLite model with fp32 constants */
struct nn_graph; /* an executable plan for one model on one backend: memory planned once */

#define NN_MAX_RANK 4

/* Shape of a tensor; dims[rank..3] are unused (0). */
struct nn_shape {
    int rank;
    int dims[NN_MAX_RANK];
};

/*
 * Load and validate the TFLite model at `path` (at most 256 MiB).
 * On success *out owns the model (free with nn_model_destroy).
 * Errors: KZ_E_IO cannot read the file; KZ_E_TOO_LARGE file too big;
 * KZ_E_FORMAT not a valid TFLite flatbuffer (truncated, corrupt, bad
 * offsets, inconsistent shapes); KZ_E_UNSUPPORTED an op, type or attribute
 * outside the supported set; KZ_E_NOMEM.
 */
enum kz_err nn_model_load(const char *path, struct nn_model **out, struct err_ctx *e);

/*
 * Same as nn_model_load from a memory buffer of `len` bytes. `buf` is
 * borrowed: everything needed is copied, so it may be freed on return.
 * Safe on hostile input: any byte sequence gives KZ_OK or an error, never a
 * crash or an out-of-bounds read. Errors as nn_model_load (except KZ_E_IO).
 */
enum kz_err nn_model_load_buffer(const void *buf, size_t len, struct nn_model **out,
                                 struct err_ctx *e);

/* Free a model; NULL is a no-op. All graphs made from it must be destroyed first. */
void nn_model_destroy(struct nn_model *m);

/* Number of graph inputs / outputs of the model (its main subgraph). */
int nn_model_n_inputs(const struct nn_model *m);
int nn_model_n_outputs(const struct nn_model *m);
/* Name and shape of input/output `index`; NULL name when out of range. Borrowed from m. */
const char *nn_model_input_name(const struct nn_model *m, int index, struct nn_shape *shape);
const char *nn_model_output_name(const struct nn_model *m, int index, struct nn_shape *shape);

struct nn_graph_opts {
    const char *backend;        /* "ref", "onednn", or NULL = fastest available */
    int threads;                /* 0 = default (1 for ref, all cores for onednn) */
    const char *const *outputs; /* TFLite output tensor names to compute; NULL = all */
    int n_outputs;
};

/*
 * Build an executable graph of `m` (borrowed; must outlive the graph).
 * `o` may be NULL (all outputs, fastest backend, default threads).
 * Only the operators the requested outputs depend on are kept; the
 * activation arena is allocated and pre-faulted here.
 * Errors: KZ_E_NOT_FOUND unknown backend name or output name, or backend not
 * built; KZ_E_UNSUPPORTED the backend cannot run an op efficiently (oneDNN
 * refuses its "ref" fallbacks); KZ_E_INVALID bad options; KZ_E_NOMEM.
 * On success *out must be freed with nn_graph_destroy.
 */
enum kz_err nn_graph_create(const struct nn_model *m, const struct nn_graph_opts *o,
                            struct nn_graph **out, struct err_ctx *e);

/* Free a graph; NULL is a no-op. */
void nn_graph_destroy(struct nn_graph *g);

/*
 * Input tensor `index` (0-based), NHWC float32, to be written before
 * nn_graph_run; fills *shape when non-NULL. Returns NULL when out of range.
 * The pointer is owned by the graph and stays valid until it is destroyed.
 */
float *nn_graph_input(struct nn_graph *g, int index, struct nn_shape *shape);

/*
 * Run the graph on the current input contents. Never allocates.
 * Errors: KZ_E_INTERNAL if a backend primitive fails (message says which op).
 */
enum kz_err nn_graph_run(struct nn_graph *g, struct err_ctx *e);

/*
 * Output tensor named `name` (a requested TFLite output name), valid after
 * nn_graph_run until the next run or destroy; owned by the graph. Fills
 * *shape when non-NULL. Returns NULL for an unknown or not-requested name.
 */
const float *nn_graph_output(const struct nn_graph *g, const char *name, struct nn_shape *shape);

/* Name of the backend the graph runs on ("ref", "onednn"); never NULL. */
const char *nn_graph_backend(const struct nn_graph *g);

/*
 * Multiply-accumulates one run of the graph performs (conv and depthwise
 * kernels only), for GFLOP/s figures (FLOP = 2 * MAC).
 */
int64_t nn_graph_mac_count(const struct nn_graph *g);

/* Number of elements of a shape (product of dims; 1 for rank 0). */
size_t nn_shape_count(const struct nn_shape *s);

/*
 * Backend names compiled into this build, in order of preference (fastest
 * first); index out of range returns NULL.
 */
const char *nn_backend_name(int index);

#endif
