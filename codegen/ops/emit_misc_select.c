/* Compress (positions kept by the constant condition, baked as a table) and
 * Det (Gaussian elimination with partial pivoting, in double, on a copy of
 * each matrix in scratch). */
#include <stdlib.h>

#include "emit_misc.h"

int emit_misc_compress(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *y = em_out(c, n, 0);
    if (ir_tensor_numel(y) == 0)
        return 0;
    misc_axis3 a;
    int64_t *kept, count = misc_compress_plan(c->g, n, &a, &kept);
    if (count < 0) {
        free(kept);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, 2u);
    em_int_table(b, "kept", kept, count);
    free(kept);
    long long I = (long long)a.inner;
    cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t j = 0; j < %lld; j++)\n",
              (long long)a.outer, (long long)count);
    if (I == 1)
        cg_printf(b, "            y0[o * %lld + j] = x0[o * %lld + kept[j]];\n", (long long)count,
                  (long long)a.dim);
    else
        cg_printf(b, "            memcpy(y0 + (o * %lld + j) * %lld, x0 + (o * %lld + kept[j]) * "
                     "%lld, %lld * sizeof *y0);\n",
                  (long long)count, I, (long long)a.dim, I, I);
    cg_kernel_end(c);
    return 0;
}

int emit_misc_det(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    long long batch = (long long)ir_tensor_numel(y);
    long long M = (long long)x->shape.dims[x->shape.rank - 1];
    if (batch == 0)
        return 0;
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    if (M == 0) { /* the empty product */
        cg_printf(b, "    (void)x0;\n    for (ptrdiff_t m = 0; m < %lld; m++)\n"
                     "        y0[m] = 1;\n", batch);
        cg_kernel_end(c);
        return 0;
    }
    /* n is a compile-time constant to the C compiler as much as a literal. */
    cg_printf(b,
              "    const ptrdiff_t n = %lld;\n"
              "    double *a = (double *)(void *)scratch;\n"
              "    for (ptrdiff_t m = 0; m < %lld; m++) {\n"
              "        for (ptrdiff_t e = 0; e < n * n; e++)\n"
              "            a[e] = (double)x0[m * n * n + e];\n"
              "        double det = 1.0;\n"
              "        for (ptrdiff_t c = 0; c < n; c++) {\n"
              "            ptrdiff_t piv = c;\n"
              "            double best = fabs(a[c * n + c]);\n"
              "            for (ptrdiff_t r = c + 1; r < n; r++)\n"
              "                if (fabs(a[r * n + c]) > best) {\n"
              "                    best = fabs(a[r * n + c]);\n"
              "                    piv = r;\n"
              "                }\n"
              "            if (best == 0.0) {\n"
              "                det = 0.0;\n"
              "                break;\n"
              "            }\n"
              "            if (piv != c) {\n"
              "                for (ptrdiff_t k = c; k < n; k++) {\n"
              "                    const double t = a[c * n + k];\n"
              "                    a[c * n + k] = a[piv * n + k];\n"
              "                    a[piv * n + k] = t;\n"
              "                }\n"
              "                det = -det;\n"
              "            }\n"
              "            det *= a[c * n + c];\n"
              "            for (ptrdiff_t r = c + 1; r < n; r++) {\n"
              "                const double f = a[r * n + c] / a[c * n + c];\n"
              "                for (ptrdiff_t k = c + 1; k < n; k++)\n"
              "                    a[r * n + k] -= f * a[c * n + k];\n"
              "            }\n"
              "        }\n"
              "        y0[m] = (%s)det;\n"
              "    }\n",
              M, batch, ir_dtype_ctype(y->dtype));
    cg_kernel_end(c);
    return 0;
}
