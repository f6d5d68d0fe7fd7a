#!/usr/bin/env python3
"""make-tiny-tflite.py — write a tiny TFLite model (a few hundred bytes of
weights) that uses every operator and constant encoding the nn engine
supports: fp16 constants behind DEQUANTIZE, a sparse CSR (uint8 index
vectors) fp16 kernel behind DENSIFY + DEQUANTIZE, PAD, CONV_2D (VALID and
SAME, ReLU6), DEPTHWISE_CONV_2D, ADD (plain and residual), MAX_POOL_2D,
RESIZE_BILINEAR (half-pixel), DEPTH_TO_SPACE, CONCATENATION, RESHAPE and
LOGISTIC. Input "input" [1,6,6,3]; outputs "prob" [1,576] and "up"
[1,6,6,8].

It seeds the fuzz corpus (tests/fuzz/corpus/tiny-model.bin: small inputs make
mutation fuzzing effective) and the tiny-model conformance test, whose
golden comes from scripts/nn-tflite-tfjs.js. Deterministic weights; stdlib
only. The FlatBuffers encoding is written front to back: every table's
vtable precedes it, and children are appended after their parent so all
uoffsets are positive.

usage: make-tiny-tflite.py OUT.tflite
"""
import random
import struct
import sys


class Writer:
    def __init__(self):
        self.b = bytearray()

    def align(self, n=4):
        while len(self.b) % n:
            self.b.append(0)

    def pos(self):
        return len(self.b)

    def patch_uoffset(self, at, target):
        struct.pack_into('<I', self.b, at, target - at)

    # A node is ('table', [field or None...]) | ('vec_i32', [...]) | ('vec_u8', bytes)
    # | ('vec_tables', [node...]) | ('str', text). A field is (kind, value) with
    # kind in i8 u8 i32 u32 or 'ref' (value = node).
    def write(self, node):
        kind, val = node
        self.align()
        if kind == 'str':
            data = val.encode()
            start = self.pos()
            self.b += struct.pack('<I', len(data)) + data + b'\0'
            return start
        if kind == 'vec_i32':
            start = self.pos()
            self.b += struct.pack('<I', len(val)) + b''.join(struct.pack('<i', v) for v in val)
            return start
        if kind == 'vec_u8':
            start = self.pos()
            self.b += struct.pack('<I', len(val)) + bytes(val)
            return start
        if kind == 'vec_tables':
            start = self.pos()
            self.b += struct.pack('<I', len(val))
            slots = []
            for _ in val:
                slots.append(self.pos())
                self.b += b'\0\0\0\0'
            for slot, child in zip(slots, val):
                self.patch_uoffset(slot, self.write(child))
            return start
        assert kind == 'table'
        # layout: every field in a 4-byte slot after the soffset
        n = len(val)
        vt = self.pos()
        vsize = 4 + 2 * n
        tsize = 4 + 4 * n
        self.b += struct.pack('<HH', vsize, tsize)
        for i, fld in enumerate(val):
            self.b += struct.pack('<H', 0 if fld is None else 4 + 4 * i)
        self.align()
        table = self.pos()
        self.b += struct.pack('<i', table - vt)
        refs = []
        for fld in val:
            slot = self.pos()
            if fld is None:
                self.b += b'\0\0\0\0'
                continue
            k, v = fld
            fmt = {'i8': '<b', 'u8': '<B', 'i32': '<i', 'u32': '<I', 'ref': '<I'}[k]
            self.b += struct.pack(fmt, 0 if k == 'ref' else v) + b'\0' * (4 - struct.calcsize(fmt))
            if k == 'ref':
                refs.append((slot, v))
        for slot, child in refs:
            self.patch_uoffset(slot, self.write(child))
        return table


def ref(node):
    return ('ref', node)


def main():
    rnd = random.Random(20261128)
    buffers = [b'']  # buffer 0: the empty sentinel
    tensors = []

    def buf(data):
        buffers.append(data)
        return len(buffers) - 1

    def tensor(name, shape, ttype=0, data=None, sparsity=None):
        tensors.append((name, shape, ttype, 0 if data is None else buf(data), sparsity))
        return len(tensors) - 1

    def f16(vals):
        return b''.join(struct.pack('<e', v) for v in vals)

    def f32(vals):
        return b''.join(struct.pack('<f', v) for v in vals)

    def i32(vals):
        return b''.join(struct.pack('<i', v) for v in vals)

    def randn(n, s=0.5):
        return [round(rnd.uniform(-s, s), 3) for _ in range(n)]

    FLOAT32, FLOAT16, INT32 = 0, 1, 2
    ops = []  # (opcode, inputs, outputs, options fields)
    t_in = tensor('input', [1, 6, 6, 3])
    t_wc16 = tensor('conv_w_fp16', [8, 3, 3, 3], FLOAT16, f16(randn(8 * 27)))
    t_wc = tensor('conv_w', [8, 3, 3, 3])
    ops.append((6, [t_wc16], [t_wc], None))  # DEQUANTIZE
    t_bc = tensor('conv_b', [8], FLOAT32, f32(randn(8)))
    t_pads = tensor('pads', [4, 2], INT32, i32([0, 0, 1, 1, 1, 1, 0, 0]))
    t_pad = tensor('padded', [1, 8, 8, 3])
    ops.append((34, [t_in, t_pads], [t_pad], None))  # PAD
    t_c1 = tensor('conv1', [1, 6, 6, 8])
    ops.append((3, [t_pad, t_wc, t_bc], [t_c1], [('i8', 1), ('i32', 1), ('i32', 1), ('i8', 3)]))
    t_wd = tensor('dw_w', [1, 3, 3, 8], FLOAT32, f32(randn(72)))
    t_bd = tensor('dw_b', [8], FLOAT32, f32(randn(8)))
    t_dw = tensor('dw', [1, 6, 6, 8])
    ops.append((4, [t_c1, t_wd, t_bd], [t_dw],
                [('i8', 0), ('i32', 1), ('i32', 1), ('i32', 1), ('i8', 0)]))
    t_a1 = tensor('add1', [1, 6, 6, 8])
    ops.append((0, [t_dw, t_c1], [t_a1], [('i8', 3)]))  # ADD relu6
    # sparse 1x1 kernel [8,1,1,8]: CSR over the last dimension, uint8 indices
    seg, idx, vals = [0], [], []
    for r in range(8):
        for c in range(8):
            if (r * 3 + c) % 4 == 0:
                idx.append(c)
                vals.append(round(rnd.uniform(-0.5, 0.5), 3))
        seg.append(len(idx))
    dims = [('table', [('i8', 0), ('i32', d), None, None, None, None]) for d in (8, 1, 1)]
    dims.append(('table', [('i8', 1), ('i32', 0), ('u8', 3), ref(('table', [ref(('vec_u8', seg))])),
                           ('u8', 3), ref(('table', [ref(('vec_u8', idx))]))]))
    sparsity = ('table', [ref(('vec_i32', [0, 1, 2, 3])), None, ref(('vec_tables', dims))])
    t_ws = tensor('sparse_w', [8, 1, 1, 8], FLOAT16, f16(vals), sparsity)
    t_wsd = tensor('dense_w_fp16', [8, 1, 1, 8], FLOAT16)
    ops.append((124, [t_ws], [t_wsd], None))  # DENSIFY
    t_wsf = tensor('dense_w', [8, 1, 1, 8])
    ops.append((6, [t_wsd], [t_wsf], None))  # DEQUANTIZE
    t_bs = tensor('pw_b', [8], FLOAT32, f32(randn(8)))
    t_pw = tensor('pw', [1, 6, 6, 8])
    ops.append((3, [t_a1, t_wsf, t_bs], [t_pw], [('i8', 0), ('i32', 1), ('i32', 1), ('i8', 0)]))
    t_res = tensor('res', [1, 6, 6, 8])
    ops.append((0, [t_pw, t_a1], [t_res], [('i8', 0)]))  # residual ADD
    t_mp = tensor('pool', [1, 3, 3, 8])
    ops.append((17, [t_res], [t_mp],
                [('i8', 1), ('i32', 2), ('i32', 2), ('i32', 2), ('i32', 2), ('i8', 0)]))
    t_sz = tensor('size', [2], INT32, i32([6, 6]))
    t_up = tensor('up', [1, 6, 6, 8])
    ops.append((23, [t_mp, t_sz], [t_up], [None, None, ('u8', 0), ('u8', 1)]))
    t_d2s = tensor('d2s', [1, 12, 12, 2])
    ops.append((5, [t_up], [t_d2s], [('i32', 2)]))
    t_cat = tensor('cat', [1, 12, 12, 4])
    ops.append((2, [t_d2s, t_d2s], [t_cat], [('i32', 3), ('i8', 0)]))
    t_shape = tensor('shape', [2], INT32, i32([1, 576]))
    t_flat = tensor('flat', [1, 576])
    ops.append((22, [t_cat, t_shape], [t_flat], None))
    t_prob = tensor('prob', [1, 576])
    ops.append((14, [t_flat], [t_prob], None))

    codes = sorted({op[0] for op in ops})
    opcode_tables = [('table', [('i8', min(c, 127)), None, ('i32', 1), ('i32', c)]) for c in codes]
    tensor_tables = []
    for name, shape, ttype, b, sp in tensors:
        tensor_tables.append(('table', [ref(('vec_i32', shape)), ('i8', ttype), ('u32', b),
                                        ref(('str', name)), None, None,
                                        ref(sp) if sp else None]))
    op_tables = []
    for code, ins, outs, opts in ops:
        op_tables.append(('table', [('u32', codes.index(code)), ref(('vec_i32', ins)),
                                    ref(('vec_i32', outs)), ('u8', 0),
                                    ref(('table', opts)) if opts else None]))
    subgraph = ('table', [ref(('vec_tables', tensor_tables)), ref(('vec_i32', [t_in])),
                          ref(('vec_i32', [t_prob, t_up])), ref(('vec_tables', op_tables)),
                          ref(('str', 'main'))])
    buffer_tables = [('table', [ref(('vec_u8', d))] if d else []) for d in buffers]
    model = ('table', [('u32', 3), ref(('vec_tables', opcode_tables)),
                       ref(('vec_tables', [subgraph])), ref(('str', 'kinalyze tiny test model')),
                       ref(('vec_tables', buffer_tables))])
    w = Writer()
    w.b += b'\0\0\0\0TFL3'
    root = w.write(model)
    struct.pack_into('<I', w.b, 0, root)
    with open(sys.argv[1], 'wb') as f:
        f.write(w.b)


if __name__ == '__main__':
    main()
