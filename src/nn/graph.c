/*
 * graph.c — turns a loaded model into an executable plan: picks the backend
 * from the registry, prunes the operators to those the requested outputs
 * need, applies the fusions every backend shares, plans all activation
 * memory once by tensor lifetime into one pre-faulted arena, then lets the
 * backend prepare (pack/reorder weights, build primitives).
 *
 * Fusions (done here so the memory plan knows about them):
 *  - PAD with zeros on H/W only, whose single consumer is a VALID conv or
 *    depthwise conv, becomes that conv's explicit padding.
 *  - conv/depthwise (no activation) whose output only feeds an ADD becomes a
 *    conv that accumulates into the ADD's other operand in place ("sum"),
 *    followed by the ADD's activation, when that operand's buffer is dead
 *    after the ADD (no later reader).
 * RESHAPE is a copy (the models only flatten small head tensors).
 */
#include "nn/nn_int.h"

#include <stdlib.h>
#include <string.h>

#define NN_ALIGN 64
#define NN_MAX_ARENA ((size_t)1 << 30)

static const struct nn_backend_ops *const backends[] = {
#ifdef KZ_HAVE_ONEDNN
    &nn_backend_onednn,
#endif
    &nn_backend_ref,
};

const char *nn_backend_name(int index)
{
    if (index < 0 || (size_t)index >= KZ_ARRAY_LEN(backends))
        return NULL;
    return backends[index]->name;
}

static int find_output(const struct nn_model *m, const char *name)
{
    for (int i = 0; i < m->n_outputs; i++)
        if (strcmp(m->tensors[m->outputs[i]].name, name) == 0)
            return m->outputs[i];
    return -1;
}

static int is_graph_input(const struct nn_model *m, int t)
{
    for (int i = 0; i < m->n_inputs; i++)
        if (m->inputs[i] == t)
            return 1;
    return 0;
}

static int gop_reads(const struct nn_gop *g, int t)
{
    for (int i = 0; i < g->op.n_in; i++)
        if (g->op.in[i] == t)
            return 1;
    return g->sum_in == t;
}

/* Prune to the requested outputs and copy the needed ops into g->gops. */
static enum kz_err plan_ops(struct nn_graph *g, struct err_ctx *e)
{
    const struct nn_model *m = g->m;
    unsigned char *need = calloc((size_t)m->n_tensors, 1);
    if (!need)
        return err_set(e, KZ_E_NOMEM, NULL);
    for (int i = 0; i < g->n_outputs; i++)
        need[g->outputs[i]] = 1;
    int n = 0;
    unsigned char *keep = calloc((size_t)m->n_ops + 1, 1);
    if (!keep) {
        free(need);
        return err_set(e, KZ_E_NOMEM, NULL);
    }
    for (int i = m->n_ops - 1; i >= 0; i--) {
        const struct nn_op *op = &m->ops[i];
        if (!need[op->out])
            continue;
        keep[i] = 1;
        n++;
        for (int k = 0; k < op->n_in; k++)
            if (op->in[k] >= 0)
                need[op->in[k]] = 1;
    }
    g->gops = calloc((size_t)n + 1, sizeof *g->gops);
    if (!g->gops) {
        free(need);
        free(keep);
        return err_set(e, KZ_E_NOMEM, NULL);
    }
    for (int i = 0; i < m->n_ops; i++)
        if (keep[i]) {
            struct nn_gop *go = &g->gops[g->n_gops++];
            go->op = m->ops[i];
            go->sum_in = -1;
            go->post_act = NN_ACT_NONE;
        }
    free(need);
    free(keep);
    return KZ_OK;
}

static int is_requested(const struct nn_graph *g, int t)
{
    for (int i = 0; i < g->n_outputs; i++)
        if (g->outputs[i] == t)
            return 1;
    return 0;
}

/* Number of gops reading tensor t, and the index of the last reader found. */
static int consumers(const struct nn_graph *g, int t, int *which)
{
    int c = 0;
    for (int i = 0; i < g->n_gops; i++)
        if (g->gops[i].op.out >= 0 && gop_reads(&g->gops[i], t)) {
            c++;
            *which = i;
        }
    return c;
}

static void remove_gop(struct nn_graph *g, int i)
{
    memmove(&g->gops[i], &g->gops[i + 1], (size_t)(g->n_gops - i - 1) * sizeof *g->gops);
    g->n_gops--;
}

static void fuse_pads(struct nn_graph *g)
{
    for (int i = 0; i < g->n_gops; i++) {
        struct nn_op *p = &g->gops[i].op;
        int c = -1;
        if (p->kind != NN_OP_PAD || p->pad_c0 || p->pad_c1 || is_requested(g, p->out))
            continue;
        if (consumers(g, p->out, &c) != 1)
            continue;
        struct nn_op *cv = &g->gops[c].op;
        if ((cv->kind != NN_OP_CONV && cv->kind != NN_OP_DWCONV) || cv->in[0] != p->out ||
            cv->pad_t || cv->pad_l || cv->pad_b || cv->pad_r)
            continue;
        cv->in[0] = p->in[0];
        cv->pad_t = p->pad_t;
        cv->pad_b = p->pad_b;
        cv->pad_l = p->pad_l;
        cv->pad_r = p->pad_r;
        remove_gop(g, i);
        i--;
    }
}

static int producer_of(const struct nn_graph *g, int t)
{
    for (int i = 0; i < g->n_gops; i++)
        if (g->gops[i].op.out == t)
            return i;
    return -1;
}

/* conv/dw -> ADD becomes a conv accumulating in place into the ADD's other operand. */
static void fuse_residuals(struct nn_graph *g)
{
    const struct nn_model *m = g->m;
    for (int i = 0; i < g->n_gops; i++) {
        struct nn_gop *go = &g->gops[i];
        struct nn_op *op = &go->op;
        int c = -1;
        if ((op->kind != NN_OP_CONV && op->kind != NN_OP_DWCONV) || op->act != NN_ACT_NONE ||
            go->sum_in >= 0 || is_requested(g, op->out))
            continue;
        if (consumers(g, op->out, &c) != 1 || g->gops[c].op.kind != NN_OP_ADD ||
            g->gops[c].op.in[0] == g->gops[c].op.in[1])
            continue;
        const struct nn_op *add = &g->gops[c].op;
        int skip = add->in[0] == op->out ? add->in[1] : add->in[0];
        if (m->tensors[skip].data || is_graph_input(m, skip) || is_requested(g, skip) ||
            skip == op->in[0])
            continue;
        int ps = producer_of(g, skip);
        if (ps < 0 || ps >= i)
            continue;
        int ok = 1;
        for (int j = i; j < g->n_gops && ok; j++)
            if (j != c && gop_reads(&g->gops[j], skip))
                ok = 0;
        if (!ok)
            continue;
        go->sum_in = skip;
        go->post_act = add->act;
        op->out = add->out;
        remove_gop(g, c);
    }
}

/* Buffer bookkeeping for the memory plan. */
struct buf {
    size_t bytes;
    int first, last; /* gop index range of its lifetime */
    size_t offset;
};

static enum kz_err plan_memory(struct nn_graph *g, struct err_ctx *e)
{
    const struct nn_model *m = g->m;
    enum kz_err rc = KZ_OK;
    int nt = m->n_tensors;
    int *bufof = malloc((size_t)nt * sizeof *bufof);
    struct buf *bufs = calloc((size_t)nt + 1, sizeof *bufs);
    int *last_use = malloc((size_t)nt * sizeof *last_use);
    int *order = NULL, *live = NULL;
    int nb = 0;
    if (!bufof || !bufs || !last_use) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    const int END = g->n_gops + 1;
    for (int t = 0; t < nt; t++) {
        bufof[t] = -1;
        last_use[t] = -1;
    }
    for (int i = 0; i < g->n_gops; i++) {
        const struct nn_gop *go = &g->gops[i];
        for (int k = 0; k < go->op.n_in; k++)
            if (go->op.in[k] >= 0)
                last_use[go->op.in[k]] = i;
        if (go->sum_in >= 0)
            last_use[go->sum_in] = i;
    }
    for (int i = 0; i < g->n_outputs; i++)
        last_use[g->outputs[i]] = END;
    /* graph inputs: own buffers alive for the whole run */
    for (int i = 0; i < m->n_inputs; i++) {
        int t = m->inputs[i];
        bufof[t] = nb;
        bufs[nb].bytes = m->tensors[t].count * sizeof(float);
        bufs[nb].first = -1;
        bufs[nb].last = END;
        nb++;
    }
    for (int i = 0; i < g->n_gops; i++) {
        const struct nn_gop *go = &g->gops[i];
        int t = go->op.out;
        if (bufof[t] >= 0) {
            rc = err_set(e, KZ_E_INTERNAL, "nn: tensor planned twice");
            goto fail;
        }
        if (go->sum_in >= 0 && bufof[go->sum_in] >= 0) {
            bufof[t] = bufof[go->sum_in]; /* in place */
            continue;
        }
        bufof[t] = nb;
        bufs[nb].bytes = m->tensors[t].count * sizeof(float);
        bufs[nb].first = i;
        bufs[nb].last = i;
        nb++;
    }
    /* extend buffer lifetimes over every aliasing tensor */
    for (int t = 0; t < nt; t++)
        if (bufof[t] >= 0 && last_use[t] > bufs[bufof[t]].last)
            bufs[bufof[t]].last = last_use[t];
    /* greedy placement, largest first, lowest non-conflicting offset */
    order = malloc(((size_t)nb + 1) * sizeof *order);
    live = malloc(((size_t)nb + 1) * sizeof *live);
    if (!order || !live) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    for (int b = 0; b < nb; b++) {
        order[b] = b;
        bufs[b].bytes = (bufs[b].bytes + NN_ALIGN - 1) / NN_ALIGN * NN_ALIGN;
    }
    for (int a = 1; a < nb; a++) { /* insertion sort by size desc */
        int v = order[a], k = a - 1;
        while (k >= 0 && bufs[order[k]].bytes < bufs[v].bytes) {
            order[k + 1] = order[k];
            k--;
        }
        order[k + 1] = v;
    }
    /* first fit: walk the time-overlapping placed buffers in offset order */
    size_t total = 0;
    for (int a = 0; a < nb; a++) {
        struct buf *b = &bufs[order[a]];
        int nl = 0;
        for (int p = 0; p < a; p++) {
            const struct buf *q = &bufs[order[p]];
            if (!(q->last < b->first || b->last < q->first))
                live[nl++] = order[p];
        }
        for (int x = 1; x < nl; x++) { /* insertion sort by offset */
            int v = live[x], k = x - 1;
            while (k >= 0 && bufs[live[k]].offset > bufs[v].offset) {
                live[k + 1] = live[k];
                k--;
            }
            live[k + 1] = v;
        }
        size_t off = 0;
        for (int x = 0; x < nl; x++) {
            const struct buf *q = &bufs[live[x]];
            if (off + b->bytes <= q->offset)
                break;
            if (q->offset + q->bytes > off)
                off = q->offset + q->bytes;
        }
        b->offset = off;
        if (off + b->bytes > total)
            total = off + b->bytes;
    }
    if (total > NN_MAX_ARENA) {
        rc = err_set(e, KZ_E_TOO_LARGE, "nn: activations need %zu MiB (limit %zu)", total >> 20,
                     (size_t)NN_MAX_ARENA >> 20);
        goto fail;
    }
    g->arena_bytes = total ? total : NN_ALIGN;
    g->arena = aligned_alloc(NN_ALIGN, g->arena_bytes);
    if (!g->arena) {
        rc = err_set(e, KZ_E_NOMEM, "nn: arena of %zu bytes", g->arena_bytes);
        goto fail;
    }
    memset(g->arena, 0, g->arena_bytes); /* pre-fault every page once */
    for (int t = 0; t < nt; t++) {
        if (m->tensors[t].data)
            g->tptr[t] = m->tensors[t].data;
        else if (bufof[t] >= 0)
            g->tptr[t] = (float *)(void *)(g->arena + bufs[bufof[t]].offset);
    }
fail:
    free(bufof);
    free(bufs);
    free(last_use);
    free(order);
    free(live);
    return rc;
}

static void count_macs(struct nn_graph *g)
{
    g->macs = 0;
    for (int i = 0; i < g->n_gops; i++) {
        const struct nn_op *op = &g->gops[i].op;
        const struct nn_shape *o = nn_tshape(g, op->out);
        if (op->kind == NN_OP_CONV)
            g->macs += (int64_t)o->dims[1] * o->dims[2] * o->dims[3] * op->kh * op->kw *
                       nn_tshape(g, op->in[0])->dims[3];
        else if (op->kind == NN_OP_DWCONV)
            g->macs += (int64_t)o->dims[1] * o->dims[2] * o->dims[3] * op->kh * op->kw;
    }
}

enum kz_err nn_graph_create(const struct nn_model *m, const struct nn_graph_opts *o,
                            struct nn_graph **out, struct err_ctx *e)
{
    struct nn_graph *g = NULL;
    enum kz_err rc;
    *out = NULL;
    if (!m)
        return err_set(e, KZ_E_INVALID, "nn: NULL model");
    if (o && (o->threads < 0 || o->threads > 256 || o->n_outputs < 0 ||
              (o->n_outputs > 0 && !o->outputs)))
        return err_set(e, KZ_E_INVALID, "nn: bad graph options");
    g = calloc(1, sizeof *g);
    if (!g)
        return err_set(e, KZ_E_NOMEM, NULL);
    g->m = m;
    g->threads = o ? o->threads : 0;
    const char *bname = o ? o->backend : NULL;
    g->be = backends[0];
    if (bname) {
        g->be = NULL;
        for (size_t i = 0; i < KZ_ARRAY_LEN(backends); i++)
            if (strcmp(backends[i]->name, bname) == 0)
                g->be = backends[i];
        if (!g->be) {
            rc = err_set(e, KZ_E_NOT_FOUND, "nn: backend '%s' is not built in", bname);
            goto fail;
        }
    }
    int want = (o && o->outputs) ? o->n_outputs : m->n_outputs;
    g->outputs = calloc((size_t)want + 1, sizeof *g->outputs);
    g->tptr = calloc((size_t)m->n_tensors, sizeof *g->tptr);
    if (!g->outputs || !g->tptr) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    for (int i = 0; i < want; i++) {
        int t =
            (o && o->outputs) ? find_output(m, o->outputs[i] ? o->outputs[i] : "") : m->outputs[i];
        if (t < 0) {
            rc = err_set(e, KZ_E_NOT_FOUND, "nn: model has no output '%s'",
                         o->outputs[i] ? o->outputs[i] : "(null)");
            goto fail;
        }
        g->outputs[g->n_outputs++] = t;
    }
    rc = plan_ops(g, e);
    if (rc)
        goto fail;
    fuse_pads(g);
    fuse_residuals(g);
    rc = plan_memory(g, e);
    if (rc)
        goto fail;
    count_macs(g);
    rc = g->be->prepare(g, e);
    if (rc)
        goto fail;
    *out = g;
    return KZ_OK;
fail:
    nn_graph_destroy(g);
    return rc;
}

void nn_graph_destroy(struct nn_graph *g)
{
    if (!g)
        return;
    if (g->be)
        g->be->release(g);
    free(g->gops);
    free(g->tptr);
    free(g->arena);
    free(g->outputs);
    free(g);
}

float *nn_graph_input(struct nn_graph *g, int index, struct nn_shape *shape)
{
    if (!g || index < 0 || index >= g->m->n_inputs)
        return NULL;
    int t = g->m->inputs[index];
    if (shape)
        *shape = g->m->tensors[t].shape;
    return g->tptr[t];
}

enum kz_err nn_graph_run(struct nn_graph *g, struct err_ctx *e)
{
    if (!g)
        return err_set(e, KZ_E_INVALID, "nn: NULL graph");
    return g->be->run(g, e);
}

const float *nn_graph_output(const struct nn_graph *g, const char *name, struct nn_shape *shape)
{
    if (!g || !name)
        return NULL;
    for (int i = 0; i < g->n_outputs; i++) {
        int t = g->outputs[i];
        if (strcmp(g->m->tensors[t].name, name) == 0) {
            if (shape)
                *shape = g->m->tensors[t].shape;
            return g->tptr[t];
        }
    }
    return NULL;
}

const char *nn_graph_backend(const struct nn_graph *g)
{
    return g && g->be ? g->be->name : "none";
}

int64_t nn_graph_mac_count(const struct nn_graph *g)
{
    return g ? g->macs : 0;
}
