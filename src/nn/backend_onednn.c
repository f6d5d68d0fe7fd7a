/*
 * backend_onednn.c — the fast backend, on oneDNN 2.6's primitive C API
 * (Debian libdnnl-dev). The only file that sees dnnl_* types.
 *
 * Following ../shared/research/INFERENCE-ENGINE.md (measured on this
 * machine): activations stay plain NHWC in the graph's own planned arena
 * (oneDNN memories wrap arena pointers, so no activation reorders and no
 * allocation per run); convolution weights are given as format_tag_any and
 * reordered once here; the residual ADD fused by the planner becomes a "sum"
 * post-op accumulating in place into the skip buffer, followed by the
 * ReLU/ReLU6 (eltwise relu / clip 0..6) post-op; bias is the primitive's
 * bias. Every primitive's implementation string is checked: a convolution
 * whose implementation is a "ref" fallback makes graph creation fail
 * (KZ_E_UNSUPPORTED); a cheap op (add, pool, resize) whose only
 * implementation is "ref" runs on the C kernels instead. Data-movement ops
 * (pad, concat, depth-to-space, reshape, logistic) always use the C kernels
 * from backend_ref.c.
 *
 * Threads: the Debian build uses the OpenMP runtime, whose thread count is
 * process-global; it is set before primitives are built and again before
 * each run (0 = all online CPUs).
 */
#include "nn/nn_int.h"

#include <dnnl.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define DNN_MAX_ARGS 6

struct dnn_step {
    dnnl_primitive_t prim; /* NULL: run the C kernel */
    int n_args;
    dnnl_exec_arg_t args[DNN_MAX_ARGS];
};

struct dnn_state {
    dnnl_engine_t eng;
    dnnl_stream_t stream;
    struct dnn_step *steps;
    dnnl_memory_t *mems; /* every memory object created, for release */
    int n_mems, cap_mems;
    int threads;
};

#define DNN_CHECK(call, what)                                                                      \
    do {                                                                                           \
        dnnl_status_t st_ = (call);                                                                \
        if (st_ != dnnl_success) {                                                                 \
            rc = err_set(e, KZ_E_INTERNAL, "onednn: %s failed (status %d)", what, (int)st_);       \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)

static enum kz_err keep_mem(struct dnn_state *s, dnnl_memory_t m, struct err_ctx *e)
{
    if (s->n_mems == s->cap_mems) {
        int cap = s->cap_mems ? 2 * s->cap_mems : 64;
        dnnl_memory_t *p = realloc(s->mems, (size_t)cap * sizeof *p);
        if (!p) {
            dnnl_memory_destroy(m);
            return err_set(e, KZ_E_NOMEM, NULL);
        }
        s->mems = p;
        s->cap_mems = cap;
    }
    s->mems[s->n_mems++] = m;
    return KZ_OK;
}

/* A memory object over an existing buffer (arena or model constant). */
static enum kz_err wrap(struct dnn_state *s, const dnnl_memory_desc_t *md, const void *ptr,
                        dnnl_memory_t *out, struct err_ctx *e)
{
    if (dnnl_memory_create(out, md, s->eng, (void *)(uintptr_t)ptr) != dnnl_success)
        return err_set(e, KZ_E_INTERNAL, "onednn: memory_create failed");
    return keep_mem(s, *out, e);
}

/* NHWC descriptor of a rank-4 batch-1 tensor. */
static void md_nhwc(const struct nn_shape *sh, dnnl_memory_desc_t *md)
{
    dnnl_dims_t d = {sh->dims[0], sh->dims[3], sh->dims[1], sh->dims[2]};
    dnnl_memory_desc_init_by_tag(md, 4, d, dnnl_f32, dnnl_nhwc);
}

static const char *impl_of(const_dnnl_primitive_desc_t pd)
{
    const char *impl = NULL;
    if (dnnl_primitive_desc_query(pd, dnnl_query_impl_info_str, 0, &impl) != dnnl_success || !impl)
        return "?";
    return impl;
}

static dnnl_status_t append_act(dnnl_post_ops_t po, enum nn_act a)
{
    if (a == NN_ACT_RELU)
        return dnnl_post_ops_append_eltwise(po, 1.f, dnnl_eltwise_relu, 0.f, 0.f);
    if (a == NN_ACT_RELU6)
        return dnnl_post_ops_append_eltwise(po, 1.f, dnnl_eltwise_clip, 0.f, 6.f);
    return dnnl_success;
}

static enum kz_err build_conv(struct nn_graph *g, struct dnn_state *s, int i, struct err_ctx *e)
{
    const struct nn_gop *go = &g->gops[i];
    const struct nn_op *op = &go->op;
    struct dnn_step *st = &s->steps[i];
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const int dw = op->kind == NN_OP_DWCONV;
    const int C = is->dims[3], O = os->dims[3];
    enum kz_err rc = KZ_OK;
    dnnl_memory_desc_t src_md, dst_md, w_any, b_md, w_user;
    dnnl_convolution_desc_t cd;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_primitive_desc_t pd = NULL, rpd = NULL;
    dnnl_primitive_t reorder = NULL;
    dnnl_memory_t m_src, m_dst, m_wu, m_w, m_b = NULL;

    md_nhwc(is, &src_md);
    md_nhwc(os, &dst_md);
    if (dw) {
        dnnl_dims_t wd = {C, 1, 1, op->kh, op->kw};
        /* TFLite [1][KH][KW][C]: g fastest, then w, then h */
        dnnl_dims_t ws = {1, (dnnl_dim_t)op->kh * op->kw * C, (dnnl_dim_t)op->kh * op->kw * C,
                          (dnnl_dim_t)op->kw * C, C};
        dnnl_memory_desc_init_by_tag(&w_any, 5, wd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_strides(&w_user, 5, wd, dnnl_f32, ws);
    } else {
        dnnl_dims_t wd = {O, C, op->kh, op->kw};
        dnnl_memory_desc_init_by_tag(&w_any, 4, wd, dnnl_f32, dnnl_format_tag_any);
        dnnl_memory_desc_init_by_tag(&w_user, 4, wd, dnnl_f32, dnnl_ohwi); /* TFLite OHWI */
    }
    const int has_bias = op->n_in >= 3 && op->in[2] >= 0;
    dnnl_dims_t bd = {O};
    dnnl_memory_desc_init_by_tag(&b_md, 1, bd, dnnl_f32, dnnl_a);
    dnnl_dims_t strides = {op->stride_h, op->stride_w};
    dnnl_dims_t pl = {op->pad_t, op->pad_l}, pr = {op->pad_b, op->pad_r};
    DNN_CHECK(dnnl_convolution_forward_desc_init(&cd, dnnl_forward_inference,
                                                 dnnl_convolution_direct, &src_md, &w_any,
                                                 has_bias ? &b_md : NULL, &dst_md, strides, pl, pr),
              "convolution_forward_desc_init");
    DNN_CHECK(dnnl_primitive_attr_create(&attr), "primitive_attr_create");
    DNN_CHECK(dnnl_post_ops_create(&po), "post_ops_create");
    if (go->sum_in >= 0) {
        DNN_CHECK(dnnl_post_ops_append_sum(po, 1.f), "post_ops_append_sum");
        DNN_CHECK(append_act(po, go->post_act), "post_ops_append_eltwise");
    } else {
        DNN_CHECK(append_act(po, op->act), "post_ops_append_eltwise");
    }
    DNN_CHECK(dnnl_primitive_attr_set_post_ops(attr, po), "attr_set_post_ops");
    DNN_CHECK(dnnl_primitive_desc_create(&pd, &cd, attr, s->eng, NULL), "convolution pd");
    const char *impl = impl_of(pd);
    if (strstr(impl, "ref")) {
        rc = err_set(e, KZ_E_UNSUPPORTED,
                     "onednn: %s %dx%d/%d %d->%d would run on the slow '%s' implementation",
                     dw ? "depthwise" : "conv", op->kh, op->kw, op->stride_h, C, O, impl);
        goto fail;
    }
    log_debug("onednn: op %d %s %dx%d/%d %d->%d: %s", i, dw ? "dw" : "conv", op->kh, op->kw,
              op->stride_h, C, O, impl);
    /* weights: reorder once from the TFLite layout into the primitive's layout */
    const dnnl_memory_desc_t *w_md = dnnl_primitive_desc_query_md(pd, dnnl_query_weights_md, 0);
    if (!w_md) {
        rc = err_set(e, KZ_E_INTERNAL, "onednn: no weights descriptor");
        goto fail;
    }
    rc = wrap(s, &w_user, g->tptr[op->in[1]], &m_wu, e);
    if (rc)
        goto fail;
    rc = wrap(s, w_md, DNNL_MEMORY_ALLOCATE, &m_w, e);
    if (rc)
        goto fail;
    DNN_CHECK(dnnl_reorder_primitive_desc_create(&rpd, &w_user, s->eng, w_md, s->eng, NULL),
              "weights reorder pd");
    DNN_CHECK(dnnl_primitive_create(&reorder, rpd), "weights reorder");
    dnnl_exec_arg_t rargs[2] = {{DNNL_ARG_SRC, m_wu}, {DNNL_ARG_DST, m_w}};
    DNN_CHECK(dnnl_primitive_execute(reorder, s->stream, 2, rargs), "weights reorder execute");
    DNN_CHECK(dnnl_stream_wait(s->stream), "stream_wait");
    rc = wrap(s, &src_md, g->tptr[op->in[0]], &m_src, e);
    if (!rc)
        rc = wrap(s, &dst_md, g->tptr[op->out], &m_dst, e);
    if (!rc && has_bias)
        rc = wrap(s, &b_md, g->tptr[op->in[2]], &m_b, e);
    if (rc)
        goto fail;
    DNN_CHECK(dnnl_primitive_create(&st->prim, pd), "convolution primitive");
    st->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, m_src};
    st->args[1] = (dnnl_exec_arg_t){DNNL_ARG_WEIGHTS, m_w};
    st->args[2] = (dnnl_exec_arg_t){DNNL_ARG_DST, m_dst};
    st->n_args = 3;
    if (has_bias)
        st->args[st->n_args++] = (dnnl_exec_arg_t){DNNL_ARG_BIAS, m_b};
fail:
    if (reorder)
        dnnl_primitive_destroy(reorder);
    if (rpd)
        dnnl_primitive_desc_destroy(rpd);
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (po)
        dnnl_post_ops_destroy(po);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

/* Binary add / max-pool / linear resampling; falls back to C on "ref". */
static enum kz_err build_simple(struct nn_graph *g, struct dnn_state *s, int i, struct err_ctx *e)
{
    const struct nn_op *op = &g->gops[i].op;
    struct dnn_step *st = &s->steps[i];
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    enum kz_err rc = KZ_OK;
    dnnl_primitive_desc_t pd = NULL;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    dnnl_memory_desc_t a_md, b_md, o_md;
    dnnl_memory_t m_a, m_b, m_o;
    const char *what = "?";

    if (op->kind == NN_OP_ADD) {
        dnnl_binary_desc_t bd;
        dnnl_dims_t d = {(dnnl_dim_t)g->m->tensors[op->out].count};
        dnnl_memory_desc_init_by_tag(&a_md, 1, d, dnnl_f32, dnnl_a);
        b_md = o_md = a_md;
        what = "binary add";
        DNN_CHECK(dnnl_binary_desc_init(&bd, dnnl_binary_add, &a_md, &b_md, &o_md), what);
        DNN_CHECK(dnnl_primitive_attr_create(&attr), "primitive_attr_create");
        DNN_CHECK(dnnl_post_ops_create(&po), "post_ops_create");
        DNN_CHECK(append_act(po, op->act), "post_ops_append_eltwise");
        DNN_CHECK(dnnl_primitive_attr_set_post_ops(attr, po), "attr_set_post_ops");
        DNN_CHECK(dnnl_primitive_desc_create(&pd, &bd, attr, s->eng, NULL), what);
    } else if (op->kind == NN_OP_MAXPOOL && op->act == NN_ACT_NONE) {
        dnnl_pooling_v2_desc_t pdsc;
        md_nhwc(is, &a_md);
        md_nhwc(os, &o_md);
        dnnl_dims_t strides = {op->stride_h, op->stride_w}, k = {op->kh, op->kw}, dil = {0, 0};
        dnnl_dims_t pl = {op->pad_t, op->pad_l}, pr = {op->pad_b, op->pad_r};
        what = "max pooling";
        DNN_CHECK(dnnl_pooling_v2_forward_desc_init(&pdsc, dnnl_forward_inference, dnnl_pooling_max,
                                                    &a_md, &o_md, strides, k, dil, pl, pr),
                  what);
        DNN_CHECK(dnnl_primitive_desc_create(&pd, &pdsc, NULL, s->eng, NULL), what);
    } else if (op->kind == NN_OP_RESIZE && op->half_pixel && !op->align_corners) {
        dnnl_resampling_desc_t rd;
        md_nhwc(is, &a_md);
        md_nhwc(os, &o_md);
        what = "linear resampling";
        DNN_CHECK(dnnl_resampling_forward_desc_init(&rd, dnnl_forward_inference,
                                                    dnnl_resampling_linear, NULL, &a_md, &o_md),
                  what);
        DNN_CHECK(dnnl_primitive_desc_create(&pd, &rd, NULL, s->eng, NULL), what);
    } else {
        goto fail; /* C kernel */
    }
    const char *impl = impl_of(pd);
    log_debug("onednn: op %d %s: %s", i, what, impl);
    if (strstr(impl, "ref"))
        goto fail; /* C kernel instead of oneDNN's reference code */
    rc = wrap(s, &a_md, g->tptr[op->in[0]], &m_a, e);
    if (!rc)
        rc = wrap(s, &o_md, g->tptr[op->out], &m_o, e);
    if (!rc && op->kind == NN_OP_ADD)
        rc = wrap(s, &b_md, g->tptr[op->in[1]], &m_b, e);
    if (rc)
        goto fail;
    DNN_CHECK(dnnl_primitive_create(&st->prim, pd), what);
    if (op->kind == NN_OP_ADD) {
        st->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC_0, m_a};
        st->args[1] = (dnnl_exec_arg_t){DNNL_ARG_SRC_1, m_b};
        st->args[2] = (dnnl_exec_arg_t){DNNL_ARG_DST, m_o};
        st->n_args = 3;
    } else {
        st->args[0] = (dnnl_exec_arg_t){DNNL_ARG_SRC, m_a};
        st->args[1] = (dnnl_exec_arg_t){DNNL_ARG_DST, m_o};
        st->n_args = 2;
    }
fail:
    if (pd)
        dnnl_primitive_desc_destroy(pd);
    if (po)
        dnnl_post_ops_destroy(po);
    if (attr)
        dnnl_primitive_attr_destroy(attr);
    return rc;
}

static int default_threads(int t)
{
    return t > 0 ? t : omp_get_num_procs();
}

static void dnn_release(struct nn_graph *g)
{
    struct dnn_state *s = g->be_state;
    if (!s)
        return;
    if (s->steps)
        for (int i = 0; i < g->n_gops; i++)
            if (s->steps[i].prim)
                dnnl_primitive_destroy(s->steps[i].prim);
    for (int i = 0; i < s->n_mems; i++)
        dnnl_memory_destroy(s->mems[i]);
    if (s->stream)
        dnnl_stream_destroy(s->stream);
    if (s->eng)
        dnnl_engine_destroy(s->eng);
    free(s->mems);
    free(s->steps);
    free(s);
    g->be_state = NULL;
}

static enum kz_err dnn_prepare(struct nn_graph *g, struct err_ctx *e)
{
    enum kz_err rc = KZ_OK;
    struct dnn_state *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, KZ_E_NOMEM, NULL);
    g->be_state = s;
    s->threads = default_threads(g->threads);
    omp_set_num_threads(s->threads);
    s->steps = calloc((size_t)g->n_gops + 1, sizeof *s->steps);
    if (!s->steps)
        return err_set(e, KZ_E_NOMEM, NULL);
    DNN_CHECK(dnnl_engine_create(&s->eng, dnnl_cpu, 0), "engine_create");
    DNN_CHECK(dnnl_stream_create(&s->stream, s->eng, dnnl_stream_default_flags), "stream_create");
    for (int i = 0; i < g->n_gops; i++) {
        enum nn_op_kind k = g->gops[i].op.kind;
        if (k == NN_OP_CONV || k == NN_OP_DWCONV)
            rc = build_conv(g, s, i, e);
        else
            rc = build_simple(g, s, i, e);
        if (rc)
            return rc;
    }
fail:
    return rc;
}

static enum kz_err dnn_run(struct nn_graph *g, struct err_ctx *e)
{
    struct dnn_state *s = g->be_state;
    enum kz_err rc = KZ_OK;
    if (omp_get_max_threads() != s->threads)
        omp_set_num_threads(s->threads);
    for (int i = 0; i < g->n_gops; i++) {
        struct dnn_step *st = &s->steps[i];
        if (st->prim) {
            DNN_CHECK(dnnl_primitive_execute(st->prim, s->stream, st->n_args, st->args),
                      "primitive_execute");
        } else {
            DNN_CHECK(dnnl_stream_wait(s->stream), "stream_wait");
            nn_ref_run_simple(g, &g->gops[i]);
        }
    }
    DNN_CHECK(dnnl_stream_wait(s->stream), "stream_wait");
fail:
    return rc;
}

const struct nn_backend_ops nn_backend_onednn = {
    .name = "onednn",
    .prepare = dnn_prepare,
    .run = dnn_run,
    .release = dnn_release,
};
