/* TopK and Hardmax kernels. TopK keeps each slice's best k in the output
 * itself, sorted: a new element enters only if strictly better than the
 * k-th and moves up past strictly worse ones, so equal values stay in index
 * order. That is O(n k) per slice at worst, with no scratch. */
#include <stdio.h>

#include "emit_misc.h"

int emit_misc_topk(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0);
    misc_axis3 a;
    int64_t k;
    int largest;
    misc_topk_geometry(c->g, n, &a, &k, &largest);
    if (k == 0 || a.outer * a.inner == 0)
        return 0;
    const char *T = ir_dtype_ctype(x->dtype), *cmp = largest ? ">" : "<";
    long long D = (long long)a.dim, I = (long long)a.inner, K = (long long)k;
    char j[32], p[32], q[32], last[32];
    em_mul(j, sizeof j, "j", I);
    em_mul(p, sizeof p, "p", I);
    em_mul(q, sizeof q, "p - 1", I);
    snprintf(last, sizeof last, "%lld", (K - 1) * I);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, ~1u);
    cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t i = 0; i < %lld; i++) {\n"
                 "            const %s *xs = x0 + o * %lld + i;\n"
                 "            %s *vs = y0 + o * %lld + i;\n"
                 "            int64_t *is = y1 + o * %lld + i;\n"
                 "            ptrdiff_t m = 0;\n"
                 "            for (ptrdiff_t j = 0; j < %lld; j++) {\n"
                 "                const %s v = xs[%s];\n"
                 "                ptrdiff_t p;\n"
                 "                if (m == %lld) {\n"
                 "                    if (!(v %s vs[%s]))\n"
                 "                        continue;\n"
                 "                    p = %lld;\n"
                 "                } else {\n"
                 "                    p = m++;\n"
                 "                }\n"
                 "                for (; p > 0 && v %s vs[%s]; p--) {\n"
                 "                    vs[%s] = vs[%s];\n"
                 "                    is[%s] = is[%s];\n"
                 "                }\n"
                 "                vs[%s] = v;\n"
                 "                is[%s] = (int64_t)j;\n"
                 "            }\n"
                 "        }\n",
              (long long)a.outer, I, T, D * I, T, K * I, K * I, D, T, j, K, cmp, last, K - 1, cmp,
              q, p, q, p, q, p, p);
    cg_kernel_end(c);
    return 0;
}

int emit_misc_hardmax(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *y = em_out(c, n, 0);
    misc_axis3 a;
    misc_hardmax_geometry(c->g, n, &a);
    if (ir_tensor_numel(y) == 0)
        return 0;
    long long D = (long long)a.dim, I = (long long)a.inner;
    char j[32], best[32];
    em_mul(j, sizeof j, "j", I);
    em_mul(best, sizeof best, "best", I);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    memset(y0, 0, %lld * sizeof *y0);\n"
                 "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t i = 0; i < %lld; i++) {\n"
                 "            const %s *xs = x0 + o * %lld + i;\n"
                 "            ptrdiff_t best = 0;\n"
                 "            for (ptrdiff_t j = 1; j < %lld; j++)\n"
                 "                if (xs[%s] > xs[%s])\n"
                 "                    best = j;\n"
                 "            y0[o * %lld + i + %s] = 1;\n"
                 "        }\n",
              (long long)ir_tensor_numel(y), (long long)a.outer, I, ir_dtype_ctype(y->dtype),
              D * I, D, j, best, D * I, best);
    cg_kernel_end(c);
    return 0;
}
