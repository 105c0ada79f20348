/* Pooling operators: C emitters.
 *
 * Windowed pools (MaxPool, AveragePool, LpPool) work one output row at a
 * time: the row is initialised, then every tap (j0, j1, jw) of the window
 * adds its contribution to the whole row in one loop over the output
 * columns q. For a fixed tap, the columns whose input lies inside the image
 * are a contiguous range known at compile time, so padding costs no test in
 * the inner loop, which reads x at a constant stride and vectorizes. Tables
 * of such ranges are emitted only where padding makes them vary.
 *
 * MaxPool with its Indices output scans each window in row-major tap order
 * instead (first maximum wins, as in onnxruntime). Global pools reduce each
 * contiguous plane with eight partial accumulators. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../passes/ops/pool_reduce.h"
#include "../emit.h"

static void indent(cg_buf *b, int depth)
{
    for (int i = 0; i < depth; i++)
        cg_printf(b, "    ");
}

/* libm name for the element type: sqrtf for float, sqrt for double. */
static const char *mfn(ir_dtype t, const char *base, char *buf, size_t size)
{
    snprintf(buf, size, "%s%s", base, t == IR_FLOAT ? "f" : "");
    return buf;
}

/* A whole number as a literal of float type t ("9.0f", "9.0"). */
static const char *num(ir_dtype t, int64_t v, char *buf, size_t size)
{
    snprintf(buf, size, "%lld.0%s", (long long)v, t == IR_FLOAT ? "f" : "");
    return buf;
}

/* The value every maximum starts from. */
static const char *lowest(ir_dtype t)
{
    switch (t) {
    case IR_FLOAT: return "(-HUGE_VALF)";
    case IR_DOUBLE: return "(-HUGE_VAL)";
    case IR_INT8: return "INT8_MIN";
    default: return "0";
    }
}

static void int_table(cg_buf *b, int depth, const char *name, const int64_t *v, int64_t count)
{
    indent(b, depth);
    cg_printf(b, "static const int %s[%lld] = {", name, (long long)count);
    for (int64_t i = 0; i < count; i++)
        cg_printf(b, "%s%lld", i ? (i % 16 ? ", " : ",\n        ") : "", (long long)v[i]);
    cg_printf(b, "};\n");
}

/* 1 when every output position of axis a sees all k taps. */
static int taps_uniform(const pool_axis *a)
{
    for (int64_t o = 0; o < a->out; o++) {
        int64_t lo, hi;
        pool_taps(a, o, &lo, &hi);
        if (lo != 0 || hi != a->k)
            return 0;
    }
    return 1;
}

/* Emits tables tl<axis>/th<axis> of each output position's tap range. */
static int tap_tables(cg_buf *b, const pool_axis *a, int axis)
{
    int64_t *lo = ir_alloc(sizeof(int64_t) * (size_t)a->out);
    int64_t *hi = ir_alloc(sizeof(int64_t) * (size_t)a->out);
    if (!lo || !hi) {
        free(lo);
        free(hi);
        return -1;
    }
    for (int64_t o = 0; o < a->out; o++)
        pool_taps(a, o, &lo[o], &hi[o]);
    char name[16];
    snprintf(name, sizeof name, "tl%d", axis);
    int_table(b, 1, name, lo, a->out);
    snprintf(name, sizeof name, "th%d", axis);
    int_table(b, 1, name, hi, a->out);
    free(lo);
    free(hi);
    return 0;
}

/* Opens the loop over the valid taps j<axis> of output o<axis> and defines
 * i<axis>, the input position it reads. */
static void open_tap_loop(cg_buf *b, int depth, const pool_axis *a, int axis, int uniform)
{
    indent(b, depth);
    if (uniform)
        cg_printf(b, "for (ptrdiff_t j%d = 0; j%d < %lld; j%d++) {\n", axis, axis, (long long)a->k,
                  axis);
    else
        cg_printf(b, "for (ptrdiff_t j%d = tl%d[o%d]; j%d < th%d[o%d]; j%d++) {\n", axis, axis, axis,
                  axis, axis, axis, axis);
    indent(b, depth + 1);
    cg_printf(b, "const ptrdiff_t i%d = o%d * %lld - %lld + j%d * %lld;\n", axis, axis,
              (long long)a->s, (long long)a->pb, axis, (long long)a->d);
}

static void close_braces(cg_buf *b, int depth, int count)
{
    for (int i = count - 1; i >= 0; i--) {
        indent(b, depth + i);
        cg_printf(b, "}\n");
    }
}

/* "(i0 * 5 + i1) * 7 + i2": row-major offset over axes [0, upto) of the
 * input (use_in) or output extents. */
static void linear(cg_buf *b, const char *var, const pool_geom *pg, int upto, int use_in)
{
    for (int a = 0; a + 2 < upto; a++)
        cg_printf(b, "(");
    for (int a = 0; a < upto; a++) {
        if (a == 0)
            cg_printf(b, "%s0", var);
        else
            cg_printf(b, " * %lld + %s%d%s", (long long)(use_in ? pg->ax[a].in : pg->ax[a].out),
                      var, a, a + 1 < upto ? ")" : "");
    }
}

/* The offset of a row: linear(var) over the axes before `last` times the
 * row length, "0" when there are none; ends the statement. */
static void row_offset(cg_buf *b, const pool_geom *pg, int last, int use_in, int64_t row)
{
    if (last)
        cg_printf(b, "(");
    linear(b, use_in ? "i" : "o", pg, last, use_in);
    cg_printf(b, last ? ") * %lld;\n" : "0;\n", (long long)row);
}

/* The per-column contribution of tap value v for the pool kind. */
static void accumulate(cg_buf *b, const pool_geom *pg, ir_dtype t)
{
    char f[16];
    if (pg->kind == POOL_MAX)
        cg_printf(b, "yr[q] = v > yr[q] ? v : yr[q];\n");
    else if (pg->kind == POOL_AVG)
        cg_printf(b, "yr[q] += v;\n");
    else if (pg->p == 1)
        cg_printf(b, "yr[q] += %s(v);\n", mfn(t, "fabs", f, sizeof f));
    else if (pg->p == 2)
        cg_printf(b, "yr[q] += v * v;\n");
    else {
        char e[32], f2[16];
        cg_printf(b, "yr[q] += %s(%s(v), %s);\n", mfn(t, "pow", f, sizeof f),
                  mfn(t, "fabs", f2, sizeof f2), num(t, pg->p, e, sizeof e));
    }
}

/* AveragePool divisor parts: per axis either one constant count for all
 * positions (*uniform = 1, returned) or a table. */
static int64_t axis_count(const pool_axis *a, int include_pad, int *uniform)
{
    int64_t first = pool_count(a, 0, include_pad);
    *uniform = 1;
    for (int64_t o = 1; o < a->out; o++)
        if (pool_count(a, o, include_pad) != first)
            *uniform = 0;
    return first;
}

static int count_table(cg_buf *b, const pool_axis *a, int include_pad, const char *name,
                       ir_dtype t, int as_float)
{
    int64_t *v = ir_alloc(sizeof(int64_t) * (size_t)a->out);
    if (!v)
        return -1;
    for (int64_t o = 0; o < a->out; o++)
        v[o] = pool_count(a, o, include_pad);
    if (!as_float) {
        int_table(b, 1, name, v, a->out);
    } else {
        char lit[32];
        cg_printf(b, "    static const %s %s[%lld] = {", ir_dtype_ctype(t), name, (long long)a->out);
        for (int64_t o = 0; o < a->out; o++)
            cg_printf(b, "%s%s", o ? (o % 12 ? ", " : ",\n        ") : "",
                      num(t, v[o], lit, sizeof lit));
        cg_printf(b, "};\n");
    }
    free(v);
    return 0;
}

/* Row finalisation: divide (AveragePool) or take the p-th root (LpPool). */
static int finalize_row(cg_buf *b, int depth, const pool_geom *pg, ir_dtype t)
{
    char f[16], lit[32], lit2[32];
    if (pg->kind == POOL_MAX || (pg->kind == POOL_LP && pg->p == 1))
        return 0;
    indent(b, depth);
    cg_printf(b, "for (ptrdiff_t q = 0; q < %lld; q++)\n", (long long)pg->ax[pg->nsp - 1].out);
    indent(b, depth + 1);
    if (pg->kind == POOL_LP) {
        if (pg->p == 2)
            cg_printf(b, "yr[q] = %s(yr[q]);\n", mfn(t, "sqrt", f, sizeof f));
        else
            cg_printf(b, "yr[q] = %s(yr[q], %s / %s);\n", mfn(t, "pow", f, sizeof f),
                      num(t, 1, lit, sizeof lit), num(t, pg->p, lit2, sizeof lit2));
        return 0;
    }
    int64_t constant = 1;
    cg_buf parts = {0};
    for (int a = 0; a < pg->nsp; a++) {
        int uniform;
        int64_t cnt = axis_count(&pg->ax[a], pg->count_include_pad, &uniform);
        if (uniform)
            constant *= cnt;
        else if (a == pg->nsp - 1)
            cg_printf(&parts, " * cw[q]");
        else
            cg_printf(&parts, " * (%s)cn%d[o%d]", ir_dtype_ctype(t), a, a);
    }
    /* parts begins with " * "; a constant 1 in front of it is left out. */
    if (constant == 1 && parts.s)
        cg_printf(b, "yr[q] = yr[q] / (%s);\n", parts.s + 3);
    else
        cg_printf(b, "yr[q] = yr[q] / (%s%s);\n", num(t, constant, lit, sizeof lit),
                  parts.s ? parts.s : "");
    int oom = parts.oom;
    cg_buf_free(&parts);
    return oom ? -1 : 0;
}

static int emit_rows(cg_ctx *c, const ir_node *n, const pool_geom *pg)
{
    const ir_tensor *x = &c->g->tensors[n->inputs[0]];
    ir_dtype t = x->dtype;
    const char *T = ir_dtype_ctype(t);
    cg_buf *b = c->kernels;
    int last = pg->nsp - 1, uni[POOL_MAX_SPATIAL];
    const pool_axis *w = &pg->ax[last];
    int64_t in_plane = 1, out_plane = 1;
    for (int a = 0; a < pg->nsp; a++) {
        in_plane *= pg->ax[a].in;
        out_plane *= pg->ax[a].out;
    }
    cg_kernel_begin(c, n);
    for (int a = 0; a < last; a++) {
        uni[a] = taps_uniform(&pg->ax[a]);
        if (!uni[a] && tap_tables(b, &pg->ax[a], a))
            return -1;
    }
    /* Output columns each last-axis tap contributes to. */
    int64_t *ql = ir_alloc(sizeof(int64_t) * (size_t)w->k);
    int64_t *qh = ir_alloc(sizeof(int64_t) * (size_t)w->k);
    if (!ql || !qh) {
        free(ql);
        free(qh);
        return -1;
    }
    int cols_uniform = 1;
    for (int64_t j = 0; j < w->k; j++) {
        pool_outputs_of_tap(w, j, &ql[j], &qh[j]);
        cols_uniform &= ql[j] == 0 && qh[j] == w->out;
    }
    if (!cols_uniform) {
        int_table(b, 1, "ql", ql, w->k);
        int_table(b, 1, "qh", qh, w->k);
    }
    free(ql);
    free(qh);
    if (pg->kind == POOL_AVG) {
        for (int a = 0; a < pg->nsp; a++) {
            int uniform;
            char name[16];
            axis_count(&pg->ax[a], pg->count_include_pad, &uniform);
            snprintf(name, sizeof name, a == last ? "cw" : "cn%d", a);
            if (!uniform && count_table(b, &pg->ax[a], pg->count_include_pad, name, t, a == last))
                return -1;
        }
    }
    cg_printf(b, "    for (ptrdiff_t p = 0; p < %lld; p++) {\n", (long long)pg->planes);
    cg_printf(b, "        const %s *x = x0 + p * %lld;\n", T, (long long)in_plane);
    cg_printf(b, "        %s *y = y0 + p * %lld;\n", T, (long long)out_plane);
    int depth = 2;
    for (int a = 0; a < last; a++) {
        indent(b, depth++);
        cg_printf(b, "for (ptrdiff_t o%d = 0; o%d < %lld; o%d++) {\n", a, a,
                  (long long)pg->ax[a].out, a);
    }
    indent(b, depth);
    cg_printf(b, "%s *yr = y + ", T);
    row_offset(b, pg, last, 0, w->out);
    indent(b, depth);
    cg_printf(b, "for (ptrdiff_t q = 0; q < %lld; q++)\n", (long long)w->out);
    indent(b, depth + 1);
    cg_printf(b, "yr[q] = %s;\n", pg->kind == POOL_MAX ? lowest(t) : "0");
    int tap_depth = depth;
    for (int a = 0; a < last; a++) {
        open_tap_loop(b, depth, &pg->ax[a], a, uni[a]);
        depth++;
    }
    indent(b, depth);
    cg_printf(b, "const %s *xr = x + ", T);
    row_offset(b, pg, last, 1, w->in);
    indent(b, depth);
    cg_printf(b, "for (ptrdiff_t jw = 0; jw < %lld; jw++) {\n", (long long)w->k);
    indent(b, depth + 1);
    cg_printf(b, "const ptrdiff_t off = jw * %lld - %lld;\n", (long long)w->d, (long long)w->pb);
    indent(b, depth + 1);
    if (cols_uniform)
        cg_printf(b, "for (ptrdiff_t q = 0; q < %lld; q++) {\n", (long long)w->out);
    else
        cg_printf(b, "for (ptrdiff_t q = ql[jw]; q < qh[jw]; q++) {\n");
    indent(b, depth + 2);
    cg_printf(b, "const %s v = xr[q * %lld + off];\n", T, (long long)w->s);
    indent(b, depth + 2);
    accumulate(b, pg, t);
    close_braces(b, depth, 2);
    close_braces(b, tap_depth, last);
    if (finalize_row(b, tap_depth, pg, t))
        return -1;
    close_braces(b, 1, tap_depth - 1);
    cg_kernel_end(c);
    return 0;
}

/* MaxPool with Indices: one window scan per output. */
static int emit_indices(cg_ctx *c, const ir_node *n, const pool_geom *pg)
{
    const ir_tensor *x = &c->g->tensors[n->inputs[0]];
    ir_dtype t = x->dtype;
    const char *T = ir_dtype_ctype(t);
    cg_buf *b = c->kernels;
    int nsp = pg->nsp, uni[POOL_MAX_SPATIAL];
    int64_t in_plane = 1, out_plane = 1;
    for (int a = 0; a < nsp; a++) {
        in_plane *= pg->ax[a].in;
        out_plane *= pg->ax[a].out;
    }
    cg_kernel_begin(c, n);
    for (int a = 0; a < nsp; a++) {
        uni[a] = taps_uniform(&pg->ax[a]);
        if (!uni[a] && tap_tables(b, &pg->ax[a], a))
            return -1;
    }
    cg_printf(b, "    for (ptrdiff_t p = 0; p < %lld; p++) {\n", (long long)pg->planes);
    cg_printf(b, "        const %s *x = x0 + p * %lld;\n", T, (long long)in_plane);
    cg_printf(b, "        %s *y = y0 + p * %lld;\n", T, (long long)out_plane);
    cg_printf(b, "        int64_t *yi = y1 + p * %lld;\n", (long long)out_plane);
    int depth = 2;
    for (int a = 0; a < nsp; a++) {
        indent(b, depth++);
        cg_printf(b, "for (ptrdiff_t o%d = 0; o%d < %lld; o%d++) {\n", a, a,
                  (long long)pg->ax[a].out, a);
    }
    int body = depth;
    indent(b, depth);
    cg_printf(b, "%s m = %s;\n", T, lowest(t));
    indent(b, depth);
    cg_printf(b, "int64_t mi = -1;\n");
    for (int a = 0; a < nsp; a++)
        open_tap_loop(b, depth++, &pg->ax[a], a, uni[a]);
    indent(b, depth);
    cg_printf(b, "const %s v = x[", T);
    linear(b, "i", pg, nsp, 1);
    cg_printf(b, "];\n");
    /* The first valid tap is taken even when it is the lowest value; NaN is
     * skipped like in the plain kernel. */
    indent(b, depth);
    if (ir_dtype_is_float(t))
        cg_printf(b, "if (v > m || (mi < 0 && v == v)) {\n");
    else
        cg_printf(b, "if (v > m || mi < 0) {\n");
    indent(b, depth + 1);
    cg_printf(b, "m = v;\n");
    indent(b, depth + 1);
    cg_printf(b, "mi = (int64_t)p * %lld + ", (long long)in_plane);
    if (pg->storage_order && nsp == 2)
        cg_printf(b, "i0 + i1 * %lld;\n", (long long)pg->ax[0].in);
    else {
        linear(b, "i", pg, nsp, 1);
        cg_printf(b, ";\n");
    }
    close_braces(b, depth, 1);
    close_braces(b, body, nsp);
    indent(b, body);
    cg_printf(b, "y[");
    linear(b, "o", pg, nsp, 0);
    cg_printf(b, "] = m;\n");
    indent(b, body);
    cg_printf(b, "yi[");
    linear(b, "o", pg, nsp, 0);
    cg_printf(b, "] = mi;\n");
    close_braces(b, 1, body - 1);
    cg_kernel_end(c);
    return 0;
}

static int emit_window_pool(cg_ctx *c, const ir_node *n, diag *d)
{
    pool_geom pg;
    if (pool_geometry(c->g, n, &pg, d))
        return -1;
    if (pg.indices ? emit_indices(c, n, &pg) : emit_rows(c, n, &pg))
        return diag_node(d, n->name, n->op, "out of memory");
    return 0;
}

/* The update of accumulator `a` by element v in a global pool. */
static void global_update(cg_buf *b, ir_dtype t, int is_max, int lp, const char *a)
{
    char f[16], f2[16], lit[32];
    if (is_max)
        cg_printf(b, "%s = v > %s ? v : %s;\n", a, a, a);
    else if (lp == 0)
        cg_printf(b, "%s += v;\n", a);
    else if (lp == 1)
        cg_printf(b, "%s += %s(v);\n", a, mfn(t, "fabs", f, sizeof f));
    else if (lp == 2)
        cg_printf(b, "%s += v * v;\n", a);
    else
        cg_printf(b, "%s += %s(%s(v), %s);\n", a, mfn(t, "pow", f, sizeof f),
                  mfn(t, "fabs", f2, sizeof f2), num(t, lp, lit, sizeof lit));
}

/* Global pools: each contiguous plane reduced with eight partial
 * accumulators (a reduction gcc vectorizes without reassociating). */
static int emit_global_pool(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = &c->g->tensors[n->inputs[0]];
    ir_dtype t = x->dtype;
    const char *T = ir_dtype_ctype(t);
    cg_buf *b = c->kernels;
    int is_max = strcmp(n->op, "GlobalMaxPool") == 0, lp = 0;
    if (strcmp(n->op, "GlobalLpPool") == 0 && pool_lp_exponent(n, &lp, d))
        return -1;
    int64_t planes = x->shape.dims[0] * x->shape.dims[1];
    int64_t hw = ir_tensor_numel(x) / (planes ? planes : 1);
    char f[16], lit[32], lit2[32];
    const char *init = is_max ? lowest(t) : "0";
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t p = 0; p < %lld; p++) {\n", (long long)planes);
    cg_printf(b, "        const %s *x = x0 + p * %lld;\n", T, (long long)hw);
    if (hw >= 16) {
        int64_t h8 = hw / 8 * 8;
        cg_printf(b, "        %s a[8];\n        for (int l = 0; l < 8; l++)\n"
                     "            a[l] = %s;\n", T, init);
        cg_printf(b, "        for (ptrdiff_t i = 0; i < %lld; i += 8)\n"
                     "            for (int l = 0; l < 8; l++) {\n"
                     "                const %s v = x[i + l];\n                ",
                  (long long)h8, T);
        global_update(b, t, is_max, lp, "a[l]");
        cg_printf(b, "            }\n");
        if (h8 < hw) {
            cg_printf(b, "        for (ptrdiff_t i = %lld; i < %lld; i++) {\n"
                         "            const %s v = x[i];\n            ",
                      (long long)h8, (long long)hw, T);
            global_update(b, t, is_max, lp, "a[0]");
            cg_printf(b, "        }\n");
        }
        /* The partial results are plain sums or maxima. */
        cg_printf(b, "        %s s = a[0];\n        for (int l = 1; l < 8; l++) {\n"
                     "            const %s v = a[l];\n            ", T, T);
        global_update(b, t, is_max, 0, "s");
        cg_printf(b, "        }\n");
    } else {
        cg_printf(b, "        %s s = %s;\n        for (ptrdiff_t i = 0; i < %lld; i++) {\n"
                     "            const %s v = x[i];\n            ",
                  T, init, (long long)hw, T);
        global_update(b, t, is_max, lp, "s");
        cg_printf(b, "        }\n");
    }
    if (is_max || lp == 1)
        cg_printf(b, "        y0[p] = s;\n");
    else if (lp == 0)
        cg_printf(b, "        y0[p] = s / %s;\n", num(t, hw, lit, sizeof lit));
    else if (lp == 2)
        cg_printf(b, "        y0[p] = %s(s);\n", mfn(t, "sqrt", f, sizeof f));
    else
        cg_printf(b, "        y0[p] = %s(s, %s / %s);\n", mfn(t, "pow", f, sizeof f),
                  num(t, 1, lit, sizeof lit), num(t, lp, lit2, sizeof lit2));
    cg_printf(b, "    }\n");
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_pool[] = {
    {"MaxPool", emit_window_pool},
    {"AveragePool", emit_window_pool},
    {"LpPool", emit_window_pool},
    {"GlobalMaxPool", emit_global_pool},
    {"GlobalAveragePool", emit_global_pool},
    {"GlobalLpPool", emit_global_pool},
    {.op = NULL},
};
