/*
 * tflite.c — reads a TFLite flatbuffer into a struct nn_model, with no
 * flatbuffers library and with every read bounds-checked, so any byte string
 * yields a model or an error, never a crash.
 *
 * Format (tensorflow/lite/schema/schema.fbs, FlatBuffers encoding):
 *  - byte 0: u32 offset to the root table (Model); bytes 4..7: "TFL3".
 *  - A table starts with an i32 soffset; its vtable is at (table - soffset):
 *    u16 vtable bytes, u16 table bytes, then one u16 per field giving the
 *    field's offset inside the table (0 = absent, use the default).
 *  - Reference fields (tables, vectors, strings) hold a u32 offset relative
 *    to the field's own position. A vector is a u32 element count followed by
 *    the elements; a vector of tables holds u32 offsets relative to each slot.
 *  - A union takes two fields: the u8 type, then the reference.
 * Fields used (index in declaration order):
 *  Model: 1 operator_codes, 2 subgraphs, 4 buffers.
 *  OperatorCode: 0 deprecated_builtin_code (i8), 3 builtin_code (i32);
 *    opcode = max of the two.
 *  SubGraph: 0 tensors, 1 inputs, 2 outputs, 3 operators.
 *  Tensor: 0 shape, 1 type (i8), 2 buffer (u32), 3 name, 6 sparsity.
 *  Buffer: 0 data (u8 vector), 1 offset (u64, from file start), 2 size (u64).
 *  Operator: 0 opcode_index, 1 inputs, 2 outputs, 4 builtin_options.
 *  SparsityParameters: 0 traversal_order, 1 block_map, 2 dim_metadata.
 *  DimensionMetadata: 0 format (DENSE 0, SPARSE_CSR 1), 1 dense_size,
 *    2/3 array_segments (union), 4/5 array_indices (union); union members
 *    Int32Vector 1, Uint16Vector 2, Uint8Vector 3, each a table {0 values}.
 *  Options tables as listed next to each op below.
 *
 * DEQUANTIZE (fp16 -> fp32) and DENSIFY (sparse CSR -> dense) of constants
 * are evaluated here once; the model keeps only runtime ops, all fp32.
 */
#include "nn/nn_int.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TFL_MAX_FILE_BYTES ((size_t)256 << 20)
#define TFL_MAX_TENSORS 20000 /* the heavy landmark model has ~1100 */
#define TFL_MAX_OPS 5000      /* ... and ~700 operators; keeps planning O(n^2) cheap */
#define TFL_MAX_DIM (1 << 24)
#define TFL_MAX_ELEMS ((size_t)1 << 28)
#define TFL_MAX_NAME 1024

/* TFLite BuiltinOperator codes used here. */
enum {
    TFL_ADD = 0,
    TFL_CONCATENATION = 2,
    TFL_CONV_2D = 3,
    TFL_DEPTHWISE_CONV_2D = 4,
    TFL_DEPTH_TO_SPACE = 5,
    TFL_DEQUANTIZE = 6,
    TFL_LOGISTIC = 14,
    TFL_MAX_POOL_2D = 17,
    TFL_RELU = 19,
    TFL_RELU6 = 21,
    TFL_RESHAPE = 22,
    TFL_RESIZE_BILINEAR = 23,
    TFL_PAD = 34,
    TFL_DENSIFY = 124,
};
/* TensorType */
enum { TFL_FLOAT32 = 0, TFL_FLOAT16 = 1, TFL_INT32 = 2 };

/* ---- bounds-checked flatbuffer access ---- */

struct fb {
    const uint8_t *b;
    size_t n;
};

struct fbt {
    size_t pos;   /* table start */
    size_t tsize; /* inline bytes of the table */
    size_t vt;    /* vtable position */
    size_t vsize; /* vtable bytes */
};

static int fb_get(const struct fb *f, size_t pos, size_t len, void *out)
{
    if (pos > f->n || len > f->n - pos)
        return -1;
    memcpy(out, f->b + pos, len);
    return 0;
}

static int fb_u32(const struct fb *f, size_t pos, uint32_t *out)
{
    return fb_get(f, pos, 4, out);
}

static int fb_table(const struct fb *f, size_t pos, struct fbt *t)
{
    int32_t soff;
    uint16_t vs, ts;
    if (fb_get(f, pos, 4, &soff))
        return -1;
    int64_t vt = (int64_t)pos - (int64_t)soff;
    if (vt < 0 || (uint64_t)vt > f->n)
        return -1;
    if (fb_get(f, (size_t)vt, 2, &vs) || fb_get(f, (size_t)vt + 2, 2, &ts))
        return -1;
    if (vs < 4 || (vs & 1) || vs > f->n - (size_t)vt)
        return -1;
    if (ts < 4 || ts > f->n - pos)
        return -1;
    t->pos = pos;
    t->tsize = ts;
    t->vt = (size_t)vt;
    t->vsize = vs;
    return 0;
}

/* Position of field `idx` of `size` bytes, 0 when absent, (size_t)-1 when out of bounds. */
static size_t fbt_field(const struct fb *f, const struct fbt *t, int idx, size_t size)
{
    size_t o = 4 + 2 * (size_t)idx;
    uint16_t off;
    if (o + 2 > t->vsize)
        return 0;
    if (fb_get(f, t->vt + o, 2, &off))
        return (size_t)-1;
    if (off == 0)
        return 0;
    if (off < 4 || (size_t)off + size > t->tsize)
        return (size_t)-1;
    return t->pos + off;
}

static int fbt_int(const struct fb *f, const struct fbt *t, int idx, int size, int is_signed,
                   int64_t def, int64_t *out)
{
    size_t p = fbt_field(f, t, idx, (size_t)size);
    if (p == (size_t)-1)
        return -1;
    if (p == 0) {
        *out = def;
        return 0;
    }
    uint8_t raw[8];
    if (fb_get(f, p, (size_t)size, raw))
        return -1;
    switch (size) {
    case 1:
        *out = is_signed ? (int64_t)(int8_t)raw[0] : (int64_t)raw[0];
        break;
    case 2: {
        uint16_t v;
        memcpy(&v, raw, 2);
        *out = is_signed ? (int64_t)(int16_t)v : (int64_t)v;
        break;
    }
    case 4: {
        uint32_t v;
        memcpy(&v, raw, 4);
        *out = is_signed ? (int64_t)(int32_t)v : (int64_t)v;
        break;
    }
    default: {
        uint64_t v;
        memcpy(&v, raw, 8);
        if (v > (uint64_t)INT64_MAX)
            return -1;
        *out = (int64_t)v;
        break;
    }
    }
    return 0;
}

/* Target of a reference field; *present = 0 when absent. */
static int fbt_ref(const struct fb *f, const struct fbt *t, int idx, size_t *target, int *present)
{
    size_t p = fbt_field(f, t, idx, 4);
    uint32_t off;
    *present = 0;
    if (p == (size_t)-1)
        return -1;
    if (p == 0)
        return 0;
    if (fb_u32(f, p, &off) || off == 0 || off > f->n - p)
        return -1;
    *target = p + off;
    *present = 1;
    return 0;
}

/* Vector field: element start and count, checked for count*esize bytes. */
static int fbt_vec(const struct fb *f, const struct fbt *t, int idx, size_t esize, size_t *elems,
                   uint32_t *count, int *present)
{
    size_t v;
    if (fbt_ref(f, t, idx, &v, present))
        return -1;
    if (!*present) {
        *count = 0;
        *elems = 0;
        return 0;
    }
    if (fb_u32(f, v, count))
        return -1;
    size_t bytes;
    if (size_mul(*count, esize, &bytes) || v + 4 > f->n || bytes > f->n - (v + 4))
        return -1;
    *elems = v + 4;
    return 0;
}

/* Element k of a vector of tables. */
static int fb_vec_table(const struct fb *f, size_t elems, uint32_t k, struct fbt *t)
{
    size_t slot = elems + 4 * (size_t)k;
    uint32_t off;
    if (fb_u32(f, slot, &off) || off == 0 || off > f->n - slot)
        return -1;
    return fb_table(f, slot + off, t);
}

/* Table field (sub-table); *present = 0 when absent. */
static int fbt_subtable(const struct fb *f, const struct fbt *t, int idx, struct fbt *sub,
                        int *present)
{
    size_t target;
    if (fbt_ref(f, t, idx, &target, present))
        return -1;
    if (!*present)
        return 0;
    return fb_table(f, target, sub);
}

/* Vector of int32 into a newly allocated array (NULL when empty). */
static int fbt_ints(const struct fb *f, const struct fbt *t, int idx, uint32_t max_count,
                    int32_t **out, uint32_t *count)
{
    size_t el;
    int present;
    *out = NULL;
    if (fbt_vec(f, t, idx, 4, &el, count, &present))
        return -1;
    if (*count > max_count)
        return -1;
    if (*count == 0)
        return 0;
    *out = malloc((size_t)*count * 4);
    if (!*out)
        return -2;
    memcpy(*out, f->b + el, (size_t)*count * 4);
    return 0;
}

/* ---- fp16 ---- */

static float half_to_float(uint16_t h)
{
    uint32_t sign = (uint32_t)(h >> 15) << 31;
    uint32_t exp = (h >> 10) & 0x1f;
    uint32_t man = h & 0x3ff;
    uint32_t bits;
    if (exp == 0) {
        if (man == 0) {
            bits = sign;
        } else { /* subnormal: value = man * 2^-24 */
            float v = (float)man * 5.9604644775390625e-8f;
            return sign ? -v : v;
        }
    } else if (exp == 31) {
        bits = sign | 0x7f800000u | (man << 13);
    } else {
        bits = sign | ((exp + 112) << 23) | (man << 13);
    }
    float out;
    memcpy(&out, &bits, 4);
    return out;
}

/* ---- loader state ---- */

struct loader {
    struct fb f;
    struct err_ctx *e;
    struct nn_model *m;
    uint32_t n_buffers;
    size_t buffers_el;
    int32_t *opcodes; /* builtin code per operator_codes entry */
    uint32_t n_opcodes;
    int *producer; /* per tensor: producing op (in the file's op list), -1 */
};

#define FMT(...) err_set(L->e, KZ_E_FORMAT, __VA_ARGS__)

/* Raw bytes of buffer `bi`: *data NULL/len 0 when empty. */
static enum kz_err buffer_bytes(struct loader *L, uint32_t bi, const uint8_t **data, size_t *len)
{
    struct fbt bt;
    size_t el;
    uint32_t cnt;
    int present;
    int64_t off = 0, size = 0;
    *data = NULL;
    *len = 0;
    if (bi >= L->n_buffers)
        return FMT("tflite: buffer index %u out of range (%u buffers)", bi, L->n_buffers);
    if (fb_vec_table(&L->f, L->buffers_el, bi, &bt))
        return FMT("tflite: buffer %u: bad table", bi);
    if (fbt_vec(&L->f, &bt, 0, 1, &el, &cnt, &present))
        return FMT("tflite: buffer %u: bad data vector", bi);
    if (cnt > 0) {
        *data = L->f.b + el;
        *len = cnt;
        return KZ_OK;
    }
    if (fbt_int(&L->f, &bt, 1, 8, 0, 0, &off) || fbt_int(&L->f, &bt, 2, 8, 0, 0, &size))
        return FMT("tflite: buffer %u: bad offset/size", bi);
    if (off > 1 && size > 0) {
        if ((uint64_t)off > L->f.n || (uint64_t)size > L->f.n - (uint64_t)off)
            return FMT("tflite: buffer %u: offset/size beyond the file", bi);
        *data = L->f.b + off;
        *len = (size_t)size;
    }
    return KZ_OK;
}

static enum kz_err read_index_vector(struct loader *L, const struct fbt *dm, int type_field,
                                     uint32_t **out, uint32_t *count)
{
    int64_t type;
    struct fbt vt;
    int present;
    size_t el;
    *out = NULL;
    *count = 0;
    if (fbt_int(&L->f, dm, type_field, 1, 0, 0, &type))
        return FMT("tflite: sparsity: bad index type");
    if (type < 1 || type > 3)
        return FMT("tflite: sparsity: unknown index vector type %d", (int)type);
    if (fbt_subtable(&L->f, dm, type_field + 1, &vt, &present) || !present)
        return FMT("tflite: sparsity: missing index vector");
    size_t esize = type == 1 ? 4 : type == 2 ? 2 : 1;
    if (fbt_vec(&L->f, &vt, 0, esize, &el, count, &present))
        return FMT("tflite: sparsity: bad index values");
    if (*count == 0)
        return KZ_OK;
    *out = malloc((size_t)*count * sizeof **out);
    if (!*out)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    for (uint32_t i = 0; i < *count; i++) {
        const uint8_t *p = L->f.b + el + (size_t)i * esize;
        if (esize == 4) {
            int32_t v;
            memcpy(&v, p, 4);
            if (v < 0) {
                free(*out);
                *out = NULL;
                return FMT("tflite: sparsity: negative index");
            }
            (*out)[i] = (uint32_t)v;
        } else if (esize == 2) {
            uint16_t v;
            memcpy(&v, p, 2);
            (*out)[i] = v;
        } else {
            (*out)[i] = p[0];
        }
    }
    return KZ_OK;
}

struct sparse_level {
    int dense; /* 1 dense, 0 CSR */
    uint32_t *seg, *idx;
    uint32_t n_seg, n_idx;
};

/* Recursive CSR walk; `parent` indexes the previous level's entries. */
static int densify_walk(const struct sparse_level *lv, int level, int rank, const int *dims,
                        size_t parent, size_t lin, const float *vals, size_t nvals, float *dst)
{
    if (level == rank) {
        if (parent >= nvals)
            return -1;
        dst[lin] = vals[parent];
        return 0;
    }
    const struct sparse_level *l = &lv[level];
    if (l->dense) {
        for (int k = 0; k < dims[level]; k++) {
            size_t child = parent * (size_t)dims[level] + (size_t)k;
            if (densify_walk(lv, level + 1, rank, dims, child, lin * (size_t)dims[level] + k, vals,
                             nvals, dst))
                return -1;
        }
        return 0;
    }
    if (parent + 1 >= l->n_seg)
        return -1;
    uint32_t a = l->seg[parent], b = l->seg[parent + 1];
    if (a > b || b > l->n_idx)
        return -1;
    for (uint32_t j = a; j < b; j++) {
        if (l->idx[j] >= (uint32_t)dims[level])
            return -1;
        if (densify_walk(lv, level + 1, rank, dims, j, lin * (size_t)dims[level] + l->idx[j], vals,
                         nvals, dst))
            return -1;
    }
    return 0;
}

/* Decode raw constant elements (fp32 or fp16) into floats. */
static void decode_floats(const uint8_t *raw, size_t n, int type, float *dst)
{
    for (size_t i = 0; i < n; i++) {
        if (type == TFL_FLOAT16) {
            uint16_t h;
            memcpy(&h, raw + 2 * i, 2);
            dst[i] = half_to_float(h);
        } else {
            memcpy(&dst[i], raw + 4 * i, 4);
        }
    }
}

static enum kz_err load_sparse(struct loader *L, const struct fbt *sp, struct nn_tensor *t,
                               int type, const uint8_t *raw, size_t raw_len, int ti)
{
    enum kz_err rc = KZ_OK;
    int32_t *order = NULL, *bmap = NULL;
    uint32_t n_order = 0, n_bmap = 0, n_dm = 0;
    struct sparse_level lv[NN_MAX_RANK];
    float *vals = NULL;
    size_t el;
    int present;
    memset(lv, 0, sizeof lv);
    if (type != TFL_FLOAT16 && type != TFL_FLOAT32) {
        rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d: sparse non-float tensor", ti);
        goto fail;
    }
    if (fbt_ints(&L->f, sp, 0, 8, &order, &n_order) || fbt_ints(&L->f, sp, 1, 8, &bmap, &n_bmap)) {
        rc = FMT("tflite: tensor %d: bad sparsity parameters", ti);
        goto fail;
    }
    if (n_bmap != 0 || n_order != (uint32_t)t->shape.rank) {
        rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d: block-sparse tensors", ti);
        goto fail;
    }
    for (uint32_t i = 0; i < n_order; i++)
        if (order[i] != (int32_t)i) {
            rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d: sparse traversal order", ti);
            goto fail;
        }
    if (fbt_vec(&L->f, sp, 2, 4, &el, &n_dm, &present) || n_dm != n_order) {
        rc = FMT("tflite: tensor %d: bad dim_metadata", ti);
        goto fail;
    }
    for (uint32_t d = 0; d < n_dm; d++) {
        struct fbt dm;
        int64_t fmt, dsize;
        if (fb_vec_table(&L->f, el, d, &dm) || fbt_int(&L->f, &dm, 0, 1, 0, 0, &fmt) ||
            fbt_int(&L->f, &dm, 1, 4, 1, 0, &dsize)) {
            rc = FMT("tflite: tensor %d: bad dimension metadata", ti);
            goto fail;
        }
        if (fmt == 0) {
            if (dsize != t->shape.dims[d]) {
                rc = FMT("tflite: tensor %d: dense_size %lld != dim %d", ti, (long long)dsize,
                         t->shape.dims[d]);
                goto fail;
            }
            lv[d].dense = 1;
        } else if (fmt == 1) {
            rc = read_index_vector(L, &dm, 2, &lv[d].seg, &lv[d].n_seg);
            if (rc)
                goto fail;
            rc = read_index_vector(L, &dm, 4, &lv[d].idx, &lv[d].n_idx);
            if (rc)
                goto fail;
        } else {
            rc = FMT("tflite: tensor %d: unknown dimension format", ti);
            goto fail;
        }
    }
    size_t esize = type == TFL_FLOAT16 ? 2 : 4;
    size_t nvals = raw_len / esize;
    /* a hostile file must not turn a few bytes into a huge dense tensor */
    if (t->count > ((size_t)1 << 20) && t->count / 64 > nvals) {
        rc = err_set(L->e, KZ_E_TOO_LARGE, "tflite: tensor %d: sparse tensor too sparse", ti);
        goto fail;
    }
    if (raw_len % esize) {
        rc = FMT("tflite: tensor %d: sparse values not a whole number of elements", ti);
        goto fail;
    }
    vals = malloc((nvals ? nvals : 1) * sizeof *vals);
    t->data = calloc(t->count ? t->count : 1, sizeof *t->data);
    if (!vals || !t->data) {
        rc = err_set(L->e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    decode_floats(raw, nvals, type, vals);
    if (densify_walk(lv, 0, t->shape.rank, t->shape.dims, 0, 0, vals, nvals, t->data)) {
        rc = FMT("tflite: tensor %d: inconsistent sparse (CSR) structure", ti);
        goto fail;
    }
fail:
    free(order);
    free(bmap);
    free(vals);
    for (int d = 0; d < NN_MAX_RANK; d++) {
        free(lv[d].seg);
        free(lv[d].idx);
    }
    return rc;
}

static enum kz_err load_tensor(struct loader *L, size_t el, uint32_t k)
{
    struct nn_tensor *t = &L->m->tensors[k];
    struct fbt tt, sp;
    int32_t *shape = NULL;
    uint32_t rank = 0;
    int64_t type, bi;
    int present, has_sparse;
    enum kz_err rc = KZ_OK;
    const uint8_t *raw;
    size_t raw_len;
    int ti = (int)k;

    if (fb_vec_table(&L->f, el, k, &tt))
        return FMT("tflite: tensor %d: bad table", ti);
    int r = fbt_ints(&L->f, &tt, 0, 64, &shape, &rank);
    if (r == -2)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    if (r)
        return FMT("tflite: tensor %d: bad shape", ti);
    if (rank > NN_MAX_RANK) {
        rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d: rank %u > 4", ti, rank);
        goto fail;
    }
    t->shape.rank = (int)rank;
    t->count = 1;
    for (uint32_t d = 0; d < rank; d++) {
        if (shape[d] <= 0 || shape[d] > TFL_MAX_DIM) {
            rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d: dimension %d not static", ti,
                         shape[d]);
            goto fail;
        }
        t->shape.dims[d] = shape[d];
        if (size_mul(t->count, (size_t)shape[d], &t->count) || t->count > TFL_MAX_ELEMS) {
            rc = err_set(L->e, KZ_E_TOO_LARGE, "tflite: tensor %d too large", ti);
            goto fail;
        }
    }
    /* name */
    {
        size_t sel;
        uint32_t slen;
        if (fbt_vec(&L->f, &tt, 3, 1, &sel, &slen, &present)) {
            rc = FMT("tflite: tensor %d: bad name", ti);
            goto fail;
        }
        if (slen > TFL_MAX_NAME)
            slen = TFL_MAX_NAME;
        t->name = malloc((size_t)slen + 1);
        if (!t->name) {
            rc = err_set(L->e, KZ_E_NOMEM, NULL);
            goto fail;
        }
        if (slen)
            memcpy(t->name, L->f.b + sel, slen);
        t->name[slen] = 0;
    }
    if (fbt_int(&L->f, &tt, 1, 1, 1, 0, &type) || fbt_int(&L->f, &tt, 2, 4, 0, 0, &bi)) {
        rc = FMT("tflite: tensor %d: bad type/buffer", ti);
        goto fail;
    }
    if (type != TFL_FLOAT32 && type != TFL_FLOAT16 && type != TFL_INT32) {
        rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: tensor %d (%s): type %d unsupported", ti,
                     t->name, (int)type);
        goto fail;
    }
    t->is_float = type != TFL_INT32;
    rc = buffer_bytes(L, (uint32_t)bi, &raw, &raw_len);
    if (rc)
        goto fail;
    if (fbt_subtable(&L->f, &tt, 6, &sp, &has_sparse)) {
        rc = FMT("tflite: tensor %d: bad sparsity table", ti);
        goto fail;
    }
    if (raw_len == 0) {
        if (has_sparse) {
            rc = FMT("tflite: tensor %d: sparse tensor without data", ti);
            goto fail;
        }
        goto fail; /* an activation: rc == KZ_OK */
    }
    if (has_sparse) {
        rc = load_sparse(L, &sp, t, (int)type, raw, raw_len, ti);
        goto fail;
    }
    if (type == TFL_INT32) {
        size_t need;
        if (size_mul(t->count, 4, &need) || need != raw_len) {
            rc = FMT("tflite: tensor %d: buffer has %zu bytes, shape needs %zu", ti, raw_len, need);
            goto fail;
        }
        t->idata = malloc(need);
        if (!t->idata) {
            rc = err_set(L->e, KZ_E_NOMEM, NULL);
            goto fail;
        }
        memcpy(t->idata, raw, need);
    } else {
        size_t esize = type == TFL_FLOAT16 ? 2 : 4, need;
        if (size_mul(t->count, esize, &need) || need != raw_len) {
            rc = FMT("tflite: tensor %d: buffer has %zu bytes, shape needs %zu", ti, raw_len, need);
            goto fail;
        }
        t->data = malloc(t->count * sizeof *t->data);
        if (!t->data) {
            rc = err_set(L->e, KZ_E_NOMEM, NULL);
            goto fail;
        }
        decode_floats(raw, t->count, (int)type, t->data);
    }
fail:
    free(shape);
    return rc;
}

/* ---- operators ---- */

static int same_shape(const struct nn_shape *a, const struct nn_shape *b)
{
    if (a->rank != b->rank)
        return 0;
    for (int i = 0; i < a->rank; i++)
        if (a->dims[i] != b->dims[i])
            return 0;
    return 1;
}

static enum kz_err act_from(struct loader *L, int64_t a, enum nn_act *out, int opi)
{
    switch (a) {
    case 0:
        *out = NN_ACT_NONE;
        return KZ_OK;
    case 1:
        *out = NN_ACT_RELU;
        return KZ_OK;
    case 3:
        *out = NN_ACT_RELU6;
        return KZ_OK;
    default:
        return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: fused activation %d unsupported",
                       opi, (int)a);
    }
}

/* Spatial output size and leading pad for SAME/VALID padding. */
static int conv_out(int in, int k, int s, int same, int *out, int *pad_lo, int *pad_hi)
{
    if (s < 1 || s > 64 || k < 1 || k > 64)
        return -1;
    if (same) {
        int o = (in + s - 1) / s;
        int total = (o - 1) * s + k - in;
        if (total < 0)
            total = 0;
        *out = o;
        *pad_lo = total / 2;
        *pad_hi = total - total / 2;
    } else {
        if (in < k)
            return -1;
        *out = (in - k) / s + 1;
        *pad_lo = *pad_hi = 0;
    }
    return 0;
}

static int is_act4(const struct nn_model *m, int t)
{
    const struct nn_tensor *x = &m->tensors[t];
    return x->is_float && x->shape.rank == 4 && x->shape.dims[0] == 1;
}

/* Check one runtime op's operands and attributes against the tensor shapes. */
static enum kz_err check_op(struct loader *L, struct nn_op *op, int opi)
{
    struct nn_model *m = L->m;
    const struct nn_tensor *o = &m->tensors[op->out];
    const struct nn_tensor *x = &m->tensors[op->in[0]];
    if (!o->is_float || o->data || o->idata)
        return FMT("tflite: op %d: output must be a float activation", opi);
    switch (op->kind) {
    case NN_OP_CONV:
    case NN_OP_DWCONV: {
        if (op->n_in < 2 || !is_act4(m, op->in[0]) || !is_act4(m, op->out))
            return FMT("tflite: op %d: conv needs NHWC batch-1 input and output", opi);
        const struct nn_tensor *w = &m->tensors[op->in[1]];
        if (!w->data || w->shape.rank != 4)
            return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: conv filter not constant", opi);
        int C = x->shape.dims[3], O = o->shape.dims[3];
        if (op->kind == NN_OP_CONV) {
            if (w->shape.dims[0] != O || w->shape.dims[3] != C)
                return FMT("tflite: op %d: conv filter shape mismatch", opi);
        } else {
            if (w->shape.dims[0] != 1 || w->shape.dims[3] != C || O != C)
                return err_set(L->e, KZ_E_UNSUPPORTED,
                               "tflite: op %d: depthwise filter/multiplier unsupported", opi);
        }
        op->kh = w->shape.dims[1];
        op->kw = w->shape.dims[2];
        if (op->n_in >= 3 && op->in[2] >= 0) {
            const struct nn_tensor *b = &m->tensors[op->in[2]];
            if (!b->data || b->count != (size_t)O)
                return FMT("tflite: op %d: bias must be a constant of %d floats", opi, O);
        }
        break;
    }
    case NN_OP_MAXPOOL:
        if (!is_act4(m, op->in[0]) || !is_act4(m, op->out) || x->shape.dims[3] != o->shape.dims[3])
            return FMT("tflite: op %d: pool shape mismatch", opi);
        break;
    case NN_OP_ADD:
        if (op->n_in != 2 || !same_shape(&x->shape, &o->shape) ||
            !same_shape(&m->tensors[op->in[1]].shape, &o->shape) ||
            !m->tensors[op->in[1]].is_float || !x->is_float)
            return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: ADD needs equal shapes", opi);
        return KZ_OK;
    case NN_OP_PAD: {
        const struct nn_tensor *p = op->n_in >= 2 ? &m->tensors[op->in[1]] : NULL;
        if (!p || !p->idata || p->shape.rank != 2 || p->shape.dims[0] != 4 ||
            p->shape.dims[1] != 2 || !is_act4(m, op->in[0]) || !is_act4(m, op->out))
            return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: PAD needs 4-D constant pads",
                           opi);
        const int32_t *pv = p->idata;
        for (int i = 0; i < 8; i++)
            if (pv[i] < 0 || pv[i] > 1024)
                return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: PAD amount", opi);
        if (pv[0] || pv[1])
            return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: PAD on batch", opi);
        op->pad_t = pv[2];
        op->pad_b = pv[3];
        op->pad_l = pv[4];
        op->pad_r = pv[5];
        op->pad_c0 = pv[6];
        op->pad_c1 = pv[7];
        if (o->shape.dims[1] != x->shape.dims[1] + pv[2] + pv[3] ||
            o->shape.dims[2] != x->shape.dims[2] + pv[4] + pv[5] ||
            o->shape.dims[3] != x->shape.dims[3] + pv[6] + pv[7])
            return FMT("tflite: op %d: PAD output shape mismatch", opi);
        op->n_in = 1;
        return KZ_OK;
    }
    case NN_OP_RESIZE:
        if (!is_act4(m, op->in[0]) || !is_act4(m, op->out) || x->shape.dims[3] != o->shape.dims[3])
            return FMT("tflite: op %d: resize shape mismatch", opi);
        if (op->n_in >= 2) {
            const struct nn_tensor *s = &m->tensors[op->in[1]];
            if (s->idata && (s->count != 2 || s->idata[0] != o->shape.dims[1] ||
                             s->idata[1] != o->shape.dims[2]))
                return FMT("tflite: op %d: resize size mismatch", opi);
        }
        if (op->align_corners && op->half_pixel)
            return FMT("tflite: op %d: align_corners with half_pixel_centers", opi);
        op->n_in = 1;
        return KZ_OK;
    case NN_OP_D2S: {
        int b = op->block;
        if (b < 1 || b > 16 || !is_act4(m, op->in[0]) || !is_act4(m, op->out) ||
            o->shape.dims[1] != x->shape.dims[1] * b || o->shape.dims[2] != x->shape.dims[2] * b ||
            (long)o->shape.dims[3] * b * b != x->shape.dims[3])
            return FMT("tflite: op %d: DEPTH_TO_SPACE shape mismatch", opi);
        return KZ_OK;
    }
    case NN_OP_CONCAT: {
        int r = o->shape.rank;
        if (op->axis < 0)
            op->axis += r;
        if (op->axis < 0 || op->axis >= r || op->n_in < 1)
            return FMT("tflite: op %d: concat axis", opi);
        long sum = 0;
        for (int i = 0; i < op->n_in; i++) {
            const struct nn_tensor *a = &m->tensors[op->in[i]];
            if (a->shape.rank != r || !a->is_float)
                return FMT("tflite: op %d: concat rank mismatch", opi);
            for (int d = 0; d < r; d++)
                if (d != op->axis && a->shape.dims[d] != o->shape.dims[d])
                    return FMT("tflite: op %d: concat shape mismatch", opi);
            sum += a->shape.dims[op->axis];
        }
        if (sum != o->shape.dims[op->axis])
            return FMT("tflite: op %d: concat size mismatch", opi);
        return KZ_OK;
    }
    case NN_OP_RESHAPE:
        if (x->count != o->count || !x->is_float)
            return FMT("tflite: op %d: reshape changes the element count", opi);
        op->n_in = 1;
        return KZ_OK;
    case NN_OP_LOGISTIC:
    case NN_OP_RELU:
    case NN_OP_RELU6:
        if (!same_shape(&x->shape, &o->shape) || !x->is_float)
            return FMT("tflite: op %d: elementwise shape mismatch", opi);
        return KZ_OK;
    default:
        return FMT("tflite: op %d: unknown kind", opi);
    }
    /* conv/dw/pool: output spatial size from padding rule */
    {
        int oh, ow, pt, pb, pl, pr;
        int same = op->pad_t; /* temporarily holds the SAME flag, see parse */
        if (conv_out(x->shape.dims[1], op->kh, op->stride_h, same, &oh, &pt, &pb) ||
            conv_out(x->shape.dims[2], op->kw, op->stride_w, same, &ow, &pl, &pr))
            return err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: kernel/stride/padding", opi);
        if (oh != o->shape.dims[1] || ow != o->shape.dims[2])
            return FMT("tflite: op %d: output %dx%d, expected %dx%d", opi, o->shape.dims[1],
                       o->shape.dims[2], oh, ow);
        op->pad_t = pt;
        op->pad_b = pb;
        op->pad_l = pl;
        op->pad_r = pr;
    }
    return KZ_OK;
}

static enum kz_err fold_const(struct loader *L, int in, int out, int opi)
{
    struct nn_tensor *a = &L->m->tensors[in], *b = &L->m->tensors[out];
    if (!a->data)
        return err_set(L->e, KZ_E_UNSUPPORTED,
                       "tflite: op %d: DEQUANTIZE/DENSIFY of a non-constant tensor", opi);
    if (b->data || b->idata || a->count != b->count || !b->is_float)
        return FMT("tflite: op %d: DEQUANTIZE/DENSIFY shape mismatch", opi);
    b->data = malloc(a->count * sizeof *b->data);
    if (!b->data)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    memcpy(b->data, a->data, a->count * sizeof *b->data);
    return KZ_OK;
}

static enum kz_err load_op(struct loader *L, const struct fbt *ot, int opi)
{
    struct nn_model *m = L->m;
    int64_t oci;
    int32_t *ins = NULL, *outs = NULL;
    uint32_t n_ins = 0, n_outs = 0;
    enum kz_err rc = KZ_OK;
    struct fbt opt;
    int has_opt;
    int64_t v0 = 0, v1 = 0, v2 = 0, v3 = 0, v4 = 0, v5 = 0, v6 = 0;

    if (fbt_int(&L->f, ot, 0, 4, 0, 0, &oci) || oci >= L->n_opcodes)
        return FMT("tflite: op %d: bad opcode index", opi);
    int r1 = fbt_ints(&L->f, ot, 1, NN_OP_MAX_IN, &ins, &n_ins);
    int r2 = fbt_ints(&L->f, ot, 2, 1, &outs, &n_outs);
    if (r1 == -2 || r2 == -2) {
        rc = err_set(L->e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    if (r1 || r2 || n_ins < 1 || n_outs != 1) {
        rc = FMT("tflite: op %d: bad inputs/outputs (need 1..%d inputs, 1 output)", opi,
                 NN_OP_MAX_IN);
        goto fail;
    }
    for (uint32_t i = 0; i < n_ins; i++)
        if (ins[i] < -1 || ins[i] >= m->n_tensors || (i == 0 && ins[i] < 0)) {
            rc = FMT("tflite: op %d: input tensor index %d out of range", opi, ins[i]);
            goto fail;
        }
    if (outs[0] < 0 || outs[0] >= m->n_tensors) {
        rc = FMT("tflite: op %d: output tensor index out of range", opi);
        goto fail;
    }
    for (uint32_t i = 0; i < n_ins; i++)
        if (ins[i] >= 0) {
            struct nn_tensor *t = &m->tensors[ins[i]];
            if (!t->data && !t->idata && L->producer[ins[i]] < 0) {
                int is_input = 0;
                for (int k = 0; k < m->n_inputs; k++)
                    is_input |= m->inputs[k] == ins[i];
                if (!is_input) {
                    rc = FMT("tflite: op %d: input tensor %d is used before it is computed", opi,
                             ins[i]);
                    goto fail;
                }
            }
        }
    if (L->producer[outs[0]] >= 0 || m->tensors[outs[0]].data || m->tensors[outs[0]].idata) {
        rc = FMT("tflite: op %d: output tensor %d written twice or constant", opi, outs[0]);
        goto fail;
    }
    for (int k = 0; k < m->n_inputs; k++)
        if (m->inputs[k] == outs[0]) {
            rc = FMT("tflite: op %d: writes a graph input", opi);
            goto fail;
        }
    for (uint32_t i = 0; i < n_ins; i++)
        if (ins[i] == outs[0]) {
            rc = FMT("tflite: op %d: reads its own output", opi);
            goto fail;
        }
    int32_t code = L->opcodes[oci];
    if (code == TFL_DEQUANTIZE || code == TFL_DENSIFY) {
        rc = fold_const(L, ins[0], outs[0], opi);
        goto fail;
    }
    if (fbt_subtable(&L->f, ot, 4, &opt, &has_opt)) {
        rc = FMT("tflite: op %d: bad options table", opi);
        goto fail;
    }
#define OPT(idx, size, sgn, def, dst)                                                              \
    do {                                                                                           \
        if (has_opt ? fbt_int(&L->f, &opt, idx, size, sgn, def, &dst) : ((dst = def), 0)) {        \
            rc = FMT("tflite: op %d: bad option field", opi);                                      \
            goto fail;                                                                             \
        }                                                                                          \
    } while (0)
    struct nn_op op;
    memset(&op, 0, sizeof op);
    op.n_in = (int)n_ins;
    for (uint32_t i = 0; i < n_ins; i++)
        op.in[i] = ins[i];
    op.out = outs[0];
    op.stride_h = op.stride_w = 1;
    switch (code) {
    case TFL_CONV_2D:
    case TFL_DEPTHWISE_CONV_2D: {
        /* Conv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 act, 4 dil_w, 5 dil_h.
           DepthwiseConv2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 depth_multiplier,
           4 act, 5 dil_w, 6 dil_h. */
        int dw = code == TFL_DEPTHWISE_CONV_2D;
        OPT(0, 1, 1, 0, v0);
        OPT(1, 4, 1, 1, v1);
        OPT(2, 4, 1, 1, v2);
        OPT(dw ? 4 : 3, 1, 1, 0, v3);
        OPT(dw ? 5 : 4, 4, 1, 1, v4);
        OPT(dw ? 6 : 5, 4, 1, 1, v5);
        if (dw)
            OPT(3, 4, 1, 1, v6);
        if (v4 != 1 || v5 != 1 || (dw && v6 != 1 && v6 != 0)) {
            rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: dilation/multiplier", opi);
            goto fail;
        }
        if (v0 != 0 && v0 != 1) {
            rc = FMT("tflite: op %d: unknown padding", opi);
            goto fail;
        }
        op.kind = dw ? NN_OP_DWCONV : NN_OP_CONV;
        op.pad_t = v0 == 0; /* SAME flag, resolved in check_op */
        op.stride_w = (int)(v1 > 0 && v1 <= 64 ? v1 : 0);
        op.stride_h = (int)(v2 > 0 && v2 <= 64 ? v2 : 0);
        rc = act_from(L, v3, &op.act, opi);
        break;
    }
    case TFL_MAX_POOL_2D:
        /* Pool2DOptions: 0 padding, 1 stride_w, 2 stride_h, 3 filter_w, 4 filter_h, 5 act */
        OPT(0, 1, 1, 0, v0);
        OPT(1, 4, 1, 1, v1);
        OPT(2, 4, 1, 1, v2);
        OPT(3, 4, 1, 1, v3);
        OPT(4, 4, 1, 1, v4);
        OPT(5, 1, 1, 0, v5);
        if (v0 != 0 && v0 != 1) {
            rc = FMT("tflite: op %d: unknown padding", opi);
            goto fail;
        }
        op.kind = NN_OP_MAXPOOL;
        op.pad_t = v0 == 0;
        op.stride_w = (int)(v1 > 0 && v1 <= 64 ? v1 : 0);
        op.stride_h = (int)(v2 > 0 && v2 <= 64 ? v2 : 0);
        op.kw = (int)(v3 > 0 && v3 <= 64 ? v3 : 0);
        op.kh = (int)(v4 > 0 && v4 <= 64 ? v4 : 0);
        rc = act_from(L, v5, &op.act, opi);
        break;
    case TFL_ADD: /* AddOptions: 0 act */
        OPT(0, 1, 1, 0, v0);
        op.kind = NN_OP_ADD;
        rc = act_from(L, v0, &op.act, opi);
        break;
    case TFL_PAD:
        op.kind = NN_OP_PAD;
        break;
    case TFL_RESIZE_BILINEAR: /* 2 align_corners, 3 half_pixel_centers */
        OPT(2, 1, 0, 0, v0);
        OPT(3, 1, 0, 0, v1);
        op.kind = NN_OP_RESIZE;
        op.align_corners = v0 != 0;
        op.half_pixel = v1 != 0;
        break;
    case TFL_DEPTH_TO_SPACE: /* 0 block_size */
        OPT(0, 4, 1, 0, v0);
        op.kind = NN_OP_D2S;
        op.block = (int)(v0 > 0 && v0 <= 16 ? v0 : 0);
        break;
    case TFL_CONCATENATION: /* 0 axis, 1 act */
        OPT(0, 4, 1, 0, v0);
        OPT(1, 1, 1, 0, v1);
        op.kind = NN_OP_CONCAT;
        op.axis = (int)(v0 >= -4 && v0 < 4 ? v0 : 99);
        rc = act_from(L, v1, &op.act, opi);
        if (!rc && op.act != NN_ACT_NONE)
            rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: activated concat", opi);
        break;
    case TFL_RESHAPE:
        op.kind = NN_OP_RESHAPE;
        break;
    case TFL_LOGISTIC:
        op.kind = NN_OP_LOGISTIC;
        break;
    case TFL_RELU:
        op.kind = NN_OP_RELU;
        break;
    case TFL_RELU6:
        op.kind = NN_OP_RELU6;
        break;
    default:
        rc = err_set(L->e, KZ_E_UNSUPPORTED, "tflite: op %d: builtin operator %d unsupported", opi,
                     (int)code);
        goto fail;
    }
#undef OPT
    if (rc)
        goto fail;
    for (int i = 0; i < op.n_in; i++)
        if (op.in[i] < 0 && !((op.kind == NN_OP_CONV || op.kind == NN_OP_DWCONV) && i == 2)) {
            rc = FMT("tflite: op %d: missing required input", opi);
            goto fail;
        }
    rc = check_op(L, &op, opi);
    if (rc)
        goto fail;
    L->producer[op.out] = m->n_ops;
    m->ops[m->n_ops++] = op;
fail:
    free(ins);
    free(outs);
    return rc;
}

static enum kz_err load_model(struct loader *L)
{
    struct fb *f = &L->f;
    struct nn_model *m = L->m;
    uint32_t root;
    struct fbt mt, sg;
    size_t el;
    uint32_t cnt;
    int present;
    enum kz_err rc;

    if (f->n < 8 || fb_u32(f, 0, &root))
        return FMT("tflite: file too short (%zu bytes)", f->n);
    if (memcmp(f->b + 4, "TFL3", 4) != 0)
        return FMT("tflite: missing TFL3 identifier");
    if (fb_table(f, root, &mt))
        return FMT("tflite: bad root table");
    /* operator codes */
    if (fbt_vec(f, &mt, 1, 4, &el, &L->n_opcodes, &present) || L->n_opcodes > 1000)
        return FMT("tflite: bad operator_codes");
    L->opcodes = calloc(L->n_opcodes ? L->n_opcodes : 1, sizeof *L->opcodes);
    if (!L->opcodes)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    for (uint32_t i = 0; i < L->n_opcodes; i++) {
        struct fbt oc;
        int64_t dep, bc;
        if (fb_vec_table(f, el, i, &oc) || fbt_int(f, &oc, 0, 1, 1, 0, &dep) ||
            fbt_int(f, &oc, 3, 4, 1, 0, &bc))
            return FMT("tflite: bad operator code %u", i);
        L->opcodes[i] = (int32_t)(dep > bc ? dep : bc);
    }
    /* buffers */
    if (fbt_vec(f, &mt, 4, 4, &L->buffers_el, &L->n_buffers, &present))
        return FMT("tflite: bad buffers vector");
    /* first subgraph */
    if (fbt_vec(f, &mt, 2, 4, &el, &cnt, &present) || cnt < 1)
        return FMT("tflite: no subgraph");
    if (fb_vec_table(f, el, 0, &sg))
        return FMT("tflite: bad subgraph table");
    /* tensors */
    if (fbt_vec(f, &sg, 0, 4, &el, &cnt, &present) || cnt < 1 || cnt > TFL_MAX_TENSORS)
        return FMT("tflite: bad tensors vector");
    m->tensors = calloc(cnt, sizeof *m->tensors);
    L->producer = malloc(cnt * sizeof *L->producer);
    if (!m->tensors || !L->producer)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    m->n_tensors = (int)cnt;
    for (uint32_t k = 0; k < cnt; k++) {
        L->producer[k] = -1;
        rc = load_tensor(L, el, k);
        if (rc)
            return rc;
    }
    /* inputs / outputs */
    int32_t *io = NULL;
    uint32_t nio;
    for (int which = 0; which < 2; which++) {
        int r = fbt_ints(f, &sg, 1 + which, 64, &io, &nio);
        if (r == -2)
            return err_set(L->e, KZ_E_NOMEM, NULL);
        if (r || nio < 1) {
            free(io);
            return FMT("tflite: bad subgraph %s", which ? "outputs" : "inputs");
        }
        int *dst = malloc(nio * sizeof *dst);
        if (!dst) {
            free(io);
            return err_set(L->e, KZ_E_NOMEM, NULL);
        }
        for (uint32_t i = 0; i < nio; i++) {
            if (io[i] < 0 || io[i] >= m->n_tensors || !m->tensors[io[i]].is_float ||
                m->tensors[io[i]].data || m->tensors[io[i]].idata) {
                free(io);
                free(dst);
                return FMT("tflite: subgraph %s %u is not a float activation",
                           which ? "output" : "input", i);
            }
            dst[i] = io[i];
        }
        free(io);
        io = NULL;
        if (which) {
            m->outputs = dst;
            m->n_outputs = (int)nio;
        } else {
            m->inputs = dst;
            m->n_inputs = (int)nio;
        }
    }
    /* operators */
    if (fbt_vec(f, &sg, 3, 4, &el, &cnt, &present) || cnt > TFL_MAX_OPS)
        return FMT("tflite: bad operators vector");
    m->ops = calloc(cnt ? cnt : 1, sizeof *m->ops);
    if (!m->ops)
        return err_set(L->e, KZ_E_NOMEM, NULL);
    for (uint32_t i = 0; i < cnt; i++) {
        struct fbt ot;
        if (fb_vec_table(f, el, i, &ot))
            return FMT("tflite: op %u: bad table", i);
        rc = load_op(L, &ot, (int)i);
        if (rc)
            return rc;
    }
    for (int i = 0; i < m->n_outputs; i++) {
        int t = m->outputs[i], is_in = 0;
        for (int k = 0; k < m->n_inputs; k++)
            is_in |= m->inputs[k] == t;
        if (L->producer[t] < 0 && !is_in)
            return FMT("tflite: output %s is never computed", m->tensors[t].name);
    }
    return KZ_OK;
}

enum kz_err nn_model_load_buffer(const void *buf, size_t len, struct nn_model **out,
                                 struct err_ctx *e)
{
    struct loader L;
    enum kz_err rc;
    *out = NULL;
    if (!buf && len)
        return err_set(e, KZ_E_INVALID, "nn: NULL buffer");
    if (len > TFL_MAX_FILE_BYTES)
        return err_set(e, KZ_E_TOO_LARGE, "tflite: model of %zu bytes exceeds the limit", len);
    memset(&L, 0, sizeof L);
    L.f.b = buf;
    L.f.n = len;
    L.e = e;
    L.m = calloc(1, sizeof *L.m);
    if (!L.m)
        return err_set(e, KZ_E_NOMEM, NULL);
    rc = load_model(&L);
    free(L.opcodes);
    free(L.producer);
    if (rc) {
        nn_model_destroy(L.m);
        return rc;
    }
    *out = L.m;
    return KZ_OK;
}

enum kz_err nn_model_load(const char *path, struct nn_model **out, struct err_ctx *e)
{
    FILE *fp = NULL;
    unsigned char *buf = NULL;
    enum kz_err rc;
    long sz;
    *out = NULL;
    fp = fopen(path, "rb");
    if (!fp)
        return err_set(e, KZ_E_IO, "nn: cannot open %s: %s", path, strerror(errno));
    if (fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET) != 0) {
        rc = err_set(e, KZ_E_IO, "nn: cannot size %s", path);
        goto fail;
    }
    if ((size_t)sz > TFL_MAX_FILE_BYTES) {
        rc = err_set(e, KZ_E_TOO_LARGE, "nn: %s is %ld bytes, over the limit", path, sz);
        goto fail;
    }
    buf = malloc(sz ? (size_t)sz : 1);
    if (!buf) {
        rc = err_set(e, KZ_E_NOMEM, NULL);
        goto fail;
    }
    if (fread(buf, 1, (size_t)sz, fp) != (size_t)sz) {
        rc = err_set(e, KZ_E_IO, "nn: short read on %s", path);
        goto fail;
    }
    rc = nn_model_load_buffer(buf, (size_t)sz, out, e);
    if (rc && e) {
        char tmp[ERR_MSG_MAX];
        str_copy(tmp, sizeof tmp, err_msg(e));
        err_set(e, rc, "%s: %s", path, tmp);
    }
fail:
    free(buf);
    if (fp)
        fclose(fp);
    return rc;
}

void nn_model_destroy(struct nn_model *m)
{
    if (!m)
        return;
    for (int i = 0; i < m->n_tensors; i++) {
        free(m->tensors[i].name);
        free(m->tensors[i].data);
        free(m->tensors[i].idata);
    }
    free(m->tensors);
    free(m->ops);
    free(m->inputs);
    free(m->outputs);
    free(m);
}

int nn_model_n_inputs(const struct nn_model *m)
{
    return m ? m->n_inputs : 0;
}

int nn_model_n_outputs(const struct nn_model *m)
{
    return m ? m->n_outputs : 0;
}

static const char *io_name(const struct nn_model *m, const int *v, int n, int index,
                           struct nn_shape *shape)
{
    if (!m || index < 0 || index >= n)
        return NULL;
    if (shape)
        *shape = m->tensors[v[index]].shape;
    return m->tensors[v[index]].name;
}

const char *nn_model_input_name(const struct nn_model *m, int index, struct nn_shape *shape)
{
    return m ? io_name(m, m->inputs, m->n_inputs, index, shape) : NULL;
}

const char *nn_model_output_name(const struct nn_model *m, int index, struct nn_shape *shape)
{
    return m ? io_name(m, m->outputs, m->n_outputs, index, shape) : NULL;
}

size_t nn_shape_count(const struct nn_shape *s)
{
    size_t n = 1;
    for (int i = 0; i < s->rank && i < NN_MAX_RANK; i++)
        n *= (size_t)(s->dims[i] > 0 ? s->dims[i] : 0);
    return n;
}
