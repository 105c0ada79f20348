/* CumSum, Trilu, ReverseSequence and OneHot kernels. Their data-dependent
 * inputs are read at run time and kept in range there: a CumSum axis
 * known only at run time selects one of the loop nests written for every
 * axis (an invalid one gives zeros), the Trilu diagonal is clamped, sequence
 * lengths are clamped to [0, time steps], out-of-range OneHot indices set
 * nothing. */
#include <stdio.h>

#include "emit_misc.h"

/* ---- CumSum ------------------------------------------------------------------- */

/* Running sums along `axis`, row by row: each step adds a whole contiguous
 * row of the inner axes, which vectorizes. Same order as misc_eval_cumsum. */
static void cumsum_nest(cg_buf *b, const ir_tensor *x, int axis, int excl, int rev, int ind)
{
    long long D = (long long)x->shape.dims[axis];
    long long I = (long long)misc_prod(&x->shape, axis + 1, x->shape.rank);
    long long O = (long long)misc_prod(&x->shape, 0, axis);
    long long first = rev ? D - 1 : 0;
    const char *T = ir_dtype_ctype(x->dtype);
    char row[48], prev[48], src[64];
    cg_printf(b, "%*sfor (ptrdiff_t o = 0; o < %lld; o++) {\n", ind, "", O);
    cg_printf(b, "%*sconst %s *xo = x0 + o * %lld;\n%*s%s *yo = y0 + o * %lld;\n", ind + 4, "", T,
              D * I, ind + 4, "", T, D * I);
    cg_printf(b, "%*sfor (ptrdiff_t i = 0; i < %lld; i++)\n", ind + 4, "", I);
    if (excl)
        cg_printf(b, "%*syo[%lld + i] = 0;\n", ind + 8, "", first * I);
    else
        cg_printf(b, "%*syo[%lld + i] = xo[%lld + i];\n", ind + 8, "", first * I, first * I);
    if (D > 1) {
        cg_printf(b, "%*sfor (ptrdiff_t s = 1; s < %lld; s++) {\n", ind + 4, "", D);
        if (rev)
            cg_printf(b, "%*sconst ptrdiff_t j = %lld - s, p = j + 1;\n", ind + 8, "", D - 1);
        else
            cg_printf(b, "%*sconst ptrdiff_t j = s, p = s - 1;\n", ind + 8, "");
        cg_printf(b, "%*sfor (ptrdiff_t i = 0; i < %lld; i++) {\n", ind + 8, "", I);
        em_mul(row, sizeof row, "j", I);
        em_mul(prev, sizeof prev, "p", I);
        snprintf(src, sizeof src, "xo[%s + i]", excl ? prev : row);
        cg_printf(b, "%*s%s v = yo[%s + i];\n", ind + 12, "", T, prev);
        em_combine(b, ind + 12, x->dtype, MISC_ADD, "v", src);
        cg_printf(b, "%*syo[%s + i] = v;\n%*s}\n%*s}\n", ind + 12, "", row, ind + 8, "",
                  ind + 4, "");
    }
    cg_printf(b, "%*s}\n", ind, "");
}

int emit_misc_cumsum(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0);
    int64_t count = ir_tensor_numel(x);
    if (count == 0)
        return 0;
    int excl = (int)ir_attr_int(n, "exclusive", 0), rev = (int)ir_attr_int(n, "reverse", 0);
    int axis = misc_cumsum_axis(c->g, n), r = x->shape.rank;
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    if (axis >= 0) {
        em_void_inputs(b, n, 2u);
        cumsum_nest(b, x, axis, excl, rev, 4);
    } else {
        cg_printf(b, "    int64_t a = (int64_t)x1[0];\n    if (a < 0)\n        a += %d;\n", r);
        for (int k = 0; k < r; k++) {
            cg_printf(b, "    %sif (a == %d) {\n", k ? "} else " : "", k);
            cumsum_nest(b, x, k, excl, rev, 8);
        }
        cg_printf(b, "    } else {\n        memset(y0, 0, %lld * sizeof *y0);\n    }\n",
                  (long long)count);
    }
    cg_kernel_end(c);
    return 0;
}

/* ---- Trilu ---------------------------------------------------------------------- */

int emit_misc_trilu(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *kt = em_in(c, n, 1);
    int64_t count = ir_tensor_numel(x);
    if (count == 0)
        return 0;
    int r = x->shape.rank, upper = (int)ir_attr_int(n, "upper", 1);
    long long R = (long long)x->shape.dims[r - 2], C = (long long)x->shape.dims[r - 1];
    int same = cg_same_storage(c->g, n->inputs[0], n->outputs[0]);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    if (kt && kt->data) {
        em_void_inputs(b, n, 2u);
        int64_t k = ir_data_get_int(kt->dtype, kt->data, 0);
        /* Beyond +-(R + C) every k selects the same elements. */
        k = k < -(R + C) ? -(R + C) : (k > R + C ? R + C : k);
        cg_printf(b, "    const int64_t k = %lld;\n", (long long)k);
    } else if (kt) {
        cg_printf(b, "    int64_t k = (int64_t)x1[0];\n    if (k < %lld)\n        k = %lld;\n"
                     "    if (k > %lld)\n        k = %lld;\n",
                  -(R + C), -(R + C), R + C, R + C);
    } else {
        cg_printf(b, "    const int64_t k = 0;\n");
    }
    /* Row i keeps columns [c0, C) (upper) or [0, c0) (lower). */
    cg_printf(b, "    const int64_t C = %lld;\n", C);
    if (same)
        cg_printf(b, "    (void)x0;\n");
    cg_printf(b, "    for (ptrdiff_t m = 0; m < %lld; m++)\n"
                 "        for (ptrdiff_t i = 0; i < %lld; i++) {\n"
                 "            const ptrdiff_t row = (m * %lld + i) * %lld;\n"
                 "            int64_t c0 = (int64_t)i + k%s;\n"
                 "            if (c0 < 0)\n                c0 = 0;\n"
                 "            if (c0 > C)\n                c0 = C;\n",
              (long long)(count / (R * C)), R, R, C, upper ? "" : " + 1");
    const char *zeros = upper ? "0; j < c0" : "c0; j < C";
    const char *keep = upper ? "c0; j < C" : "0; j < c0";
    cg_printf(b, "            for (ptrdiff_t j = %s; j++)\n                y0[row + j] = 0;\n", zeros);
    if (!same) /* in place the kept elements are already there */
        cg_printf(b, "            for (ptrdiff_t j = %s; j++)\n"
                     "                y0[row + j] = x0[row + j];\n", keep);
    cg_printf(b, "        }\n");
    cg_kernel_end(c);
    return 0;
}

/* ---- ReverseSequence ------------------------------------------------------------- */

int emit_misc_reverse_sequence(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0);
    if (ir_tensor_numel(x) == 0)
        return 0;
    int batch0 = ir_attr_int(n, "batch_axis", 1) == 0;
    long long D0 = (long long)x->shape.dims[0], D1 = (long long)x->shape.dims[1];
    long long T = batch0 ? D1 : D0;
    long long I = (long long)misc_prod(&x->shape, 2, x->shape.rank);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t i0 = 0; i0 < %lld; i0++)\n"
                 "        for (ptrdiff_t i1 = 0; i1 < %lld; i1++) {\n"
                 "            const ptrdiff_t t = %s;\n"
                 "            int64_t l = x1[%s];\n"
                 "            if (l < 0)\n                l = 0;\n"
                 "            if (l > %lld)\n                l = %lld;\n"
                 "            const ptrdiff_t st = t < l ? (ptrdiff_t)l - 1 - t : t;\n"
                 "            const ptrdiff_t src = %s * %lld + %s, dst = i0 * %lld + i1;\n",
              D0, D1, batch0 ? "i1" : "i0", batch0 ? "i0" : "i1", T, T,
              batch0 ? "i0" : "st", D1, batch0 ? "st" : "i1", D1);
    if (I == 1)
        cg_printf(b, "            y0[dst] = x0[src];\n");
    else
        cg_printf(b, "            memcpy(y0 + dst * %lld, x0 + src * %lld, %lld * sizeof *y0);\n",
                  I, I, I);
    cg_printf(b, "        }\n");
    cg_kernel_end(c);
    return 0;
}

/* ---- OneHot ------------------------------------------------------------------------ */

int emit_misc_onehot(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *ind = em_in(c, n, 0), *y = em_out(c, n, 0);
    int64_t total = ir_tensor_numel(y);
    if (total == 0)
        return 0;
    int axis;
    int64_t depth;
    misc_onehot_geometry(c->g, n, &axis, &depth);
    long long D = (long long)depth, I = (long long)misc_prod(&ind->shape, axis, ind->shape.rank);
    long long O = (long long)misc_prod(&ind->shape, 0, axis);
    const char *T = ir_dtype_ctype(y->dtype);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, 2u);
    cg_printf(b, "    const %s off = x2[0], on = x2[1];\n"
                 "    for (ptrdiff_t e = 0; e < %lld; e++)\n        y0[e] = off;\n"
                 "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t i = 0; i < %lld; i++) {\n",
              T, (long long)total, O, I);
    if (ir_dtype_is_float(ind->dtype)) {
        /* Truncated towards zero; NaN and far values (whose conversion
         * would be undefined) select nothing. */
        cg_printf(b, "            const double v = (double)x0[o * %lld + i];\n"
                     "            if (!(v > %lld.0 && v < %lld.0))\n                continue;\n",
                  I, -D - 1, D);
        em_index(b, 12, "k", "v", D, 1, "continue;");
    } else if (ind->dtype == IR_UINT64 || ind->dtype == IR_UINT32) {
        cg_printf(b, "            if (x0[o * %lld + i] >= %lldu)\n                continue;\n"
                     "            const int64_t k = (int64_t)x0[o * %lld + i];\n",
                  I, D, I);
    } else {
        char src[48];
        snprintf(src, sizeof src, "x0[o * %lld + i]", I);
        em_index(b, 12, "k", src, D, 1, "continue;");
    }
    cg_printf(b, "            y0[(o * %lld + k) * %lld + i] = on;\n        }\n", D, I);
    cg_kernel_end(c);
    return 0;
}
