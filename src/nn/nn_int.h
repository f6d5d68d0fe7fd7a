/*
 * nn_int.h — internals shared by the nn module's files: the in-memory model
 * (what tflite.c produces), the executable graph plan (graph.c) and the
 * backend ops table every backend implements (backend_ref.c,
 * backend_onednn.c). Not for use outside src/nn.
 */
#ifndef KZ_NN_INT_H
#define KZ_NN_INT_H

#include "nn/nn.h"

enum nn_op_kind {
    NN_OP_CONV,     /* CONV_2D: in, filter [O,KH,KW,I], bias [O] */
    NN_OP_DWCONV,   /* DEPTHWISE_CONV_2D: in, filter [1,KH,KW,C], bias [C] */
    NN_OP_ADD,      /* ADD: two same-shape inputs */
    NN_OP_PAD,      /* PAD: zero padding, pads in pad_* and pad_c_* */
    NN_OP_MAXPOOL,  /* MAX_POOL_2D */
    NN_OP_RESIZE,   /* RESIZE_BILINEAR */
    NN_OP_D2S,      /* DEPTH_TO_SPACE (DCR order, as TFLite) */
    NN_OP_CONCAT,   /* CONCATENATION on `axis` */
    NN_OP_RESHAPE,  /* RESHAPE (same element count) */
    NN_OP_LOGISTIC, /* 1 / (1 + exp(-x)) */
    NN_OP_RELU,     /* standalone RELU */
    NN_OP_RELU6,    /* standalone RELU6 */
    NN_OP__COUNT
};

enum nn_act { NN_ACT_NONE = 0, NN_ACT_RELU, NN_ACT_RELU6 };

#define NN_OP_MAX_IN 8

/* One tensor of the model; constants hold fp32 (or int32) data owned by the model. */
struct nn_tensor {
    char *name;
    struct nn_shape shape;
    size_t count;   /* elements */
    float *data;    /* fp32 constant data (dequantized/densified), or NULL */
    int32_t *idata; /* int32 constant data, or NULL */
    int is_float;   /* 1: FLOAT32/FLOAT16 tensor; 0: INT32 */
};

/* One runtime operator (DEQUANTIZE/DENSIFY already folded away). */
struct nn_op {
    enum nn_op_kind kind;
    int n_in;
    int in[NN_OP_MAX_IN]; /* tensor indices; -1 = absent optional input */
    int out;
    enum nn_act act;
    int stride_h, stride_w;
    int kh, kw;                     /* kernel / pool window */
    int pad_t, pad_l, pad_b, pad_r; /* explicit spatial padding (conv/dw/pool/pad) */
    int pad_c0, pad_c1;             /* PAD: channel padding before/after */
    int block;                      /* DEPTH_TO_SPACE */
    int axis;                       /* CONCATENATION, normalised to >= 0 */
    int align_corners, half_pixel;  /* RESIZE_BILINEAR */
};

struct nn_model {
    int n_tensors;
    struct nn_tensor *tensors;
    int n_ops;
    struct nn_op *ops; /* in execution order */
    int n_inputs, n_outputs;
    int *inputs, *outputs; /* tensor indices */
};

/* ---- graph plan (graph.c), read by backends ---- */

/* One op of the plan after pruning and fusion. */
struct nn_gop {
    struct nn_op op;      /* copy, possibly rewritten (PAD folded into conv pads) */
    int sum_in;           /* conv/dw fused residual: tensor accumulated in place, else -1 */
    enum nn_act post_act; /* activation applied after the fused sum */
};

struct nn_backend_ops;

struct nn_graph {
    const struct nn_model *m;
    const struct nn_backend_ops *be;
    void *be_state;
    int threads;
    int n_gops;
    struct nn_gop *gops;
    float **tptr; /* per tensor: data pointer (constant or into the arena), NULL if unused */
    unsigned char *arena;
    size_t arena_bytes;
    int n_outputs;
    int *outputs; /* requested output tensor indices */
    int64_t macs;
};

/*
 * A backend. prepare() builds per-graph state after planning (weights
 * packed/reordered, primitives created); run() executes every gop in order;
 * release() frees the state (must accept a graph whose prepare failed).
 */
struct nn_backend_ops {
    const char *name;
    enum kz_err (*prepare)(struct nn_graph *g, struct err_ctx *e);
    enum kz_err (*run)(struct nn_graph *g, struct err_ctx *e);
    void (*release)(struct nn_graph *g);
};

extern const struct nn_backend_ops nn_backend_ref;
#ifdef KZ_HAVE_ONEDNN
extern const struct nn_backend_ops nn_backend_onednn;
#endif

/* Plain-C kernels for the data-movement ops, usable by any backend:
   PAD, RESIZE, D2S, CONCAT, RESHAPE, LOGISTIC, RELU, RELU6, MAXPOOL, ADD. */
void nn_ref_run_simple(const struct nn_graph *g, const struct nn_gop *gop);

static inline const struct nn_shape *nn_tshape(const struct nn_graph *g, int t)
{
    return &g->m->tensors[t].shape;
}

#endif
