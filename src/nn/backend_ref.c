/*
 * backend_ref.c — the plain-C reference backend: always built, correct
 * first, and reasonably cache-aware (convolution weights repacked once to
 * [KH][KW][Cin][Cout] so the innermost loop runs over contiguous output
 * channels; 1x1 convolutions processed as a GEMM over blocks of pixels so
 * each weight row is reused across the block). Single-threaded.
 *
 * Its simple kernels (pad, pool, resize, depth-to-space, concat, reshape,
 * elementwise) are also used by the oneDNN backend through
 * nn_ref_run_simple().
 */
#include "nn/nn_int.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PIX_BLOCK 8

struct ref_state {
    float **wpk; /* per gop: packed conv weights, or NULL */
    float *acc;  /* scratch: PIX_BLOCK * max Cout */
    size_t acc_n;
};

static inline float act_apply(float v, enum nn_act a)
{
    if (a == NN_ACT_RELU)
        return v > 0.f ? v : 0.f;
    if (a == NN_ACT_RELU6)
        return v < 0.f ? 0.f : (v > 6.f ? 6.f : v);
    return v;
}

/* The activation the op ends with: its own, or the one after the fused sum. */
static inline enum nn_act final_act(const struct nn_gop *go)
{
    return go->sum_in >= 0 ? go->post_act : go->op.act;
}

static void run_conv(const struct nn_graph *g, const struct nn_gop *go, const float *wpk,
                     float *acc)
{
    const struct nn_op *op = &go->op;
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    float *out = g->tptr[op->out];
    const float *bias = op->n_in >= 3 && op->in[2] >= 0 ? g->tptr[op->in[2]] : NULL;
    const int H = is->dims[1], W = is->dims[2], C = is->dims[3];
    const int OH = os->dims[1], OW = os->dims[2], O = os->dims[3];
    const int sum = go->sum_in >= 0, KH = op->kh, KW = op->kw;
    const enum nn_act act = final_act(go);
    const int pointwise = KH == 1 && KW == 1 && op->stride_h == 1 && op->stride_w == 1 &&
                          !op->pad_t && !op->pad_l && !op->pad_b && !op->pad_r;

    if (pointwise) { /* GEMM: [P x C] * [C x O] */
        const int P = OH * OW;
        for (int p0 = 0; p0 < P; p0 += PIX_BLOCK) {
            const int np = P - p0 < PIX_BLOCK ? P - p0 : PIX_BLOCK;
            for (int p = 0; p < np; p++) {
                float *a = acc + (size_t)p * O;
                const float *prev = out + (size_t)(p0 + p) * O;
                for (int o = 0; o < O; o++)
                    a[o] = (bias ? bias[o] : 0.f) + (sum ? prev[o] : 0.f);
            }
            for (int c = 0; c < C; c++) {
                const float *wr = wpk + (size_t)c * O;
                for (int p = 0; p < np; p++) {
                    const float xv = in[(size_t)(p0 + p) * C + c];
                    float *a = acc + (size_t)p * O;
                    for (int o = 0; o < O; o++)
                        a[o] += xv * wr[o];
                }
            }
            for (int p = 0; p < np; p++) {
                const float *a = acc + (size_t)p * O;
                float *dst = out + (size_t)(p0 + p) * O;
                for (int o = 0; o < O; o++)
                    dst[o] = act_apply(a[o], act);
            }
        }
        return;
    }
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *dst = out + ((size_t)oy * OW + ox) * O;
            for (int o = 0; o < O; o++)
                acc[o] = (bias ? bias[o] : 0.f) + (sum ? dst[o] : 0.f);
            for (int ky = 0; ky < KH; ky++) {
                const int iy = oy * op->stride_h - op->pad_t + ky;
                if (iy < 0 || iy >= H)
                    continue;
                for (int kx = 0; kx < KW; kx++) {
                    const int ix = ox * op->stride_w - op->pad_l + kx;
                    if (ix < 0 || ix >= W)
                        continue;
                    const float *x = in + ((size_t)iy * W + ix) * C;
                    const float *wk = wpk + ((size_t)ky * KW + kx) * C * O;
                    for (int c = 0; c < C; c++) {
                        const float xv = x[c];
                        const float *wr = wk + (size_t)c * O;
                        for (int o = 0; o < O; o++)
                            acc[o] += xv * wr[o];
                    }
                }
            }
            for (int o = 0; o < O; o++)
                dst[o] = act_apply(acc[o], act);
        }
}

static void run_dwconv(const struct nn_graph *g, const struct nn_gop *go, float *acc)
{
    const struct nn_op *op = &go->op;
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    const float *filt = g->tptr[op->in[1]]; /* [1][KH][KW][C] */
    const float *bias = op->n_in >= 3 && op->in[2] >= 0 ? g->tptr[op->in[2]] : NULL;
    float *out = g->tptr[op->out];
    const int H = is->dims[1], W = is->dims[2], C = is->dims[3];
    const int OH = os->dims[1], OW = os->dims[2];
    const int sum = go->sum_in >= 0, KH = op->kh, KW = op->kw;
    const enum nn_act act = final_act(go);
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *dst = out + ((size_t)oy * OW + ox) * C;
            for (int c = 0; c < C; c++)
                acc[c] = (bias ? bias[c] : 0.f) + (sum ? dst[c] : 0.f);
            for (int ky = 0; ky < KH; ky++) {
                const int iy = oy * op->stride_h - op->pad_t + ky;
                if (iy < 0 || iy >= H)
                    continue;
                for (int kx = 0; kx < KW; kx++) {
                    const int ix = ox * op->stride_w - op->pad_l + kx;
                    if (ix < 0 || ix >= W)
                        continue;
                    const float *x = in + ((size_t)iy * W + ix) * C;
                    const float *w = filt + ((size_t)ky * KW + kx) * C;
                    for (int c = 0; c < C; c++)
                        acc[c] += x[c] * w[c];
                }
            }
            for (int c = 0; c < C; c++)
                dst[c] = act_apply(acc[c], act);
        }
}

static void run_maxpool(const struct nn_graph *g, const struct nn_op *op)
{
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    float *out = g->tptr[op->out];
    const int H = is->dims[1], W = is->dims[2], C = is->dims[3];
    const int OH = os->dims[1], OW = os->dims[2];
    for (int oy = 0; oy < OH; oy++)
        for (int ox = 0; ox < OW; ox++) {
            float *dst = out + ((size_t)oy * OW + ox) * C;
            for (int c = 0; c < C; c++)
                dst[c] = -INFINITY;
            for (int ky = 0; ky < op->kh; ky++) {
                const int iy = oy * op->stride_h - op->pad_t + ky;
                if (iy < 0 || iy >= H)
                    continue;
                for (int kx = 0; kx < op->kw; kx++) {
                    const int ix = ox * op->stride_w - op->pad_l + kx;
                    if (ix < 0 || ix >= W)
                        continue;
                    const float *x = in + ((size_t)iy * W + ix) * C;
                    for (int c = 0; c < C; c++)
                        dst[c] = x[c] > dst[c] ? x[c] : dst[c];
                }
            }
            for (int c = 0; c < C; c++)
                dst[c] = act_apply(dst[c], op->act);
        }
}

static void run_pad(const struct nn_graph *g, const struct nn_op *op)
{
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    float *out = g->tptr[op->out];
    const int H = is->dims[1], W = is->dims[2], C = is->dims[3];
    const int OW = os->dims[2], OC = os->dims[3];
    memset(out, 0, nn_shape_count(os) * sizeof *out);
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            memcpy(out + (((size_t)(y + op->pad_t) * OW) + x + op->pad_l) * OC + op->pad_c0,
                   in + ((size_t)y * W + x) * C, (size_t)C * sizeof *in);
}

/* Source coordinate and neighbours as TFLite's resize_bilinear computes them. */
static void resize_coord(int d, float scale, int half_pixel, int in_size, float *frac, int *lo,
                         int *hi)
{
    float v = half_pixel ? ((float)d + 0.5f) * scale - 0.5f : (float)d * scale;
    float fl = floorf(v);
    int l = (int)fl, h = (int)ceilf(v);
    *frac = v - fl;
    *lo = l < 0 ? 0 : (l > in_size - 1 ? in_size - 1 : l);
    *hi = h > in_size - 1 ? in_size - 1 : (h < 0 ? 0 : h);
}

static void run_resize(const struct nn_graph *g, const struct nn_op *op)
{
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    float *out = g->tptr[op->out];
    const int H = is->dims[1], W = is->dims[2], C = is->dims[3];
    const int OH = os->dims[1], OW = os->dims[2];
    float sy = (float)H / (float)OH, sx = (float)W / (float)OW;
    if (op->align_corners) {
        sy = OH > 1 ? (float)(H - 1) / (float)(OH - 1) : 0.f;
        sx = OW > 1 ? (float)(W - 1) / (float)(OW - 1) : 0.f;
    }
    for (int y = 0; y < OH; y++) {
        float fy;
        int y0, y1;
        resize_coord(y, sy, op->half_pixel, H, &fy, &y0, &y1);
        for (int x = 0; x < OW; x++) {
            float fx;
            int x0, x1;
            resize_coord(x, sx, op->half_pixel, W, &fx, &x0, &x1);
            const float *a = in + ((size_t)y0 * W + x0) * C, *b = in + ((size_t)y0 * W + x1) * C;
            const float *c = in + ((size_t)y1 * W + x0) * C, *d = in + ((size_t)y1 * W + x1) * C;
            float *dst = out + ((size_t)y * OW + x) * C;
            for (int k = 0; k < C; k++) {
                float top = a[k] + (b[k] - a[k]) * fx;
                float bot = c[k] + (d[k] - c[k]) * fx;
                dst[k] = top + (bot - top) * fy;
            }
        }
    }
}

static void run_d2s(const struct nn_graph *g, const struct nn_op *op)
{
    const struct nn_shape *is = nn_tshape(g, op->in[0]), *os = nn_tshape(g, op->out);
    const float *in = g->tptr[op->in[0]];
    float *out = g->tptr[op->out];
    const int W = is->dims[2], C = is->dims[3], b = op->block;
    const int OH = os->dims[1], OW = os->dims[2], OC = os->dims[3];
    for (int y = 0; y < OH; y++)
        for (int x = 0; x < OW; x++)
            memcpy(out + ((size_t)y * OW + x) * OC,
                   in + ((size_t)(y / b) * W + x / b) * C + (size_t)((y % b) * b + x % b) * OC,
                   (size_t)OC * sizeof *out);
}

static void run_concat(const struct nn_graph *g, const struct nn_op *op)
{
    const struct nn_shape *os = nn_tshape(g, op->out);
    float *out = g->tptr[op->out];
    size_t outer = 1, inner = 1;
    for (int d = 0; d < op->axis; d++)
        outer *= (size_t)os->dims[d];
    for (int d = op->axis + 1; d < os->rank; d++)
        inner *= (size_t)os->dims[d];
    const size_t orow = (size_t)os->dims[op->axis] * inner;
    size_t col = 0;
    for (int i = 0; i < op->n_in; i++) {
        const float *in = g->tptr[op->in[i]];
        const size_t irow = (size_t)nn_tshape(g, op->in[i])->dims[op->axis] * inner;
        for (size_t r = 0; r < outer; r++)
            memcpy(out + r * orow + col, in + r * irow, irow * sizeof *out);
        col += irow;
    }
}

void nn_ref_run_simple(const struct nn_graph *g, const struct nn_gop *go)
{
    const struct nn_op *op = &go->op;
    const size_t n = g->m->tensors[op->out].count;
    float *out = g->tptr[op->out];
    const float *a = g->tptr[op->in[0]];
    switch (op->kind) {
    case NN_OP_ADD: {
        const float *b = g->tptr[op->in[1]];
        for (size_t i = 0; i < n; i++)
            out[i] = act_apply(a[i] + b[i], op->act);
        break;
    }
    case NN_OP_PAD:
        run_pad(g, op);
        break;
    case NN_OP_MAXPOOL:
        run_maxpool(g, op);
        break;
    case NN_OP_RESIZE:
        run_resize(g, op);
        break;
    case NN_OP_D2S:
        run_d2s(g, op);
        break;
    case NN_OP_CONCAT:
        run_concat(g, op);
        break;
    case NN_OP_RESHAPE:
        memmove(out, a, n * sizeof *out);
        break;
    case NN_OP_LOGISTIC:
        for (size_t i = 0; i < n; i++)
            out[i] = 1.f / (1.f + expf(-a[i]));
        break;
    case NN_OP_RELU:
        for (size_t i = 0; i < n; i++)
            out[i] = act_apply(a[i], NN_ACT_RELU);
        break;
    case NN_OP_RELU6:
        for (size_t i = 0; i < n; i++)
            out[i] = act_apply(a[i], NN_ACT_RELU6);
        break;
    default:
        break;
    }
}

static void ref_release(struct nn_graph *g)
{
    struct ref_state *s = g->be_state;
    if (!s)
        return;
    if (s->wpk)
        for (int i = 0; i < g->n_gops; i++)
            free(s->wpk[i]);
    free(s->wpk);
    free(s->acc);
    free(s);
    g->be_state = NULL;
}

static enum kz_err ref_prepare(struct nn_graph *g, struct err_ctx *e)
{
    struct ref_state *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, KZ_E_NOMEM, NULL);
    g->be_state = s;
    s->wpk = calloc((size_t)g->n_gops + 1, sizeof *s->wpk);
    if (!s->wpk)
        return err_set(e, KZ_E_NOMEM, NULL);
    size_t max_c = 1;
    for (int i = 0; i < g->n_gops; i++) {
        const struct nn_op *op = &g->gops[i].op;
        if (op->kind != NN_OP_CONV && op->kind != NN_OP_DWCONV)
            continue;
        const struct nn_shape *ws = nn_tshape(g, op->in[1]);
        const size_t O = (size_t)ws->dims[0], KH = (size_t)ws->dims[1], KW = (size_t)ws->dims[2],
                     C = (size_t)ws->dims[3];
        size_t oc = (size_t)nn_tshape(g, op->out)->dims[3];
        if (oc > max_c)
            max_c = oc;
        if (op->kind == NN_OP_DWCONV)
            continue;
        const float *w = g->tptr[op->in[1]];
        float *p = malloc(O * KH * KW * C * sizeof *p);
        if (!p)
            return err_set(e, KZ_E_NOMEM, NULL);
        /* [O][KH][KW][C] -> [KH][KW][C][O] */
        for (size_t o = 0; o < O; o++)
            for (size_t k = 0; k < KH * KW; k++)
                for (size_t c = 0; c < C; c++)
                    p[(k * C + c) * O + o] = w[(o * KH * KW + k) * C + c];
        s->wpk[i] = p;
    }
    s->acc_n = max_c * PIX_BLOCK;
    s->acc = malloc(s->acc_n * sizeof *s->acc);
    if (!s->acc)
        return err_set(e, KZ_E_NOMEM, NULL);
    return KZ_OK;
}

static enum kz_err ref_run(struct nn_graph *g, struct err_ctx *e)
{
    struct ref_state *s = g->be_state;
    (void)e;
    for (int i = 0; i < g->n_gops; i++) {
        const struct nn_gop *go = &g->gops[i];
        if (go->op.kind == NN_OP_CONV)
            run_conv(g, go, s->wpk[i], s->acc);
        else if (go->op.kind == NN_OP_DWCONV)
            run_dwconv(g, go, s->acc);
        else
            nn_ref_run_simple(g, go);
    }
    return KZ_OK;
}

const struct nn_backend_ops nn_backend_ref = {
    .name = "ref",
    .prepare = ref_prepare,
    .run = ref_run,
    .release = ref_release,
};
