/* NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss kernels: one pass
 * over the [N, D] positions (D the product of the trailing axes), classes
 * at stride D. SCE's log_softmax over the classes subtracts the maximum
 * before exp and works in double; sums for 'sum'/'mean' accumulate in
 * double too. */
#include <stdio.h>

#include "emit_misc.h"

int emit_misc_loss(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *w = em_in(c, n, 2), *y = em_out(c, n, 0);
    const ir_tensor *lp = em_out(c, n, 1);
    int sce = lp != NULL || n->op[0] == 'S', red = misc_loss_reduction(n);
    if (ir_tensor_numel(y) == 0)
        return 0;
    long long N = (long long)x->shape.dims[0], C = (long long)x->shape.dims[1];
    long long D = (long long)misc_prod(&x->shape, 2, x->shape.rank);
    const char *T = ir_dtype_ctype(x->dtype);
    const ir_attr *ii = ir_node_attr(n, "ignore_index");
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    if (red)
        cg_printf(b, "    double sum = 0.0%s;\n", red == 2 ? ", wsum = 0.0" : "");
    cg_printf(b, "    for (ptrdiff_t m = 0; m < %lld; m++)\n"
                 "        for (ptrdiff_t e = 0; e < %lld; e++) {\n"
                 "            const %s *xs = x0 + m * %lld + e;\n",
              N, D, T, C * D);
    if (sce) {
        cg_printf(b, "            double mx = (double)xs[0], s = 0.0;\n"
                     "            for (ptrdiff_t k = 1; k < %lld; k++)\n"
                     "                if ((double)xs[k * %lld] > mx)\n"
                     "                    mx = (double)xs[k * %lld];\n"
                     "            for (ptrdiff_t k = 0; k < %lld; k++)\n"
                     "                s += exp((double)xs[k * %lld] - mx);\n"
                     "            const double lse = mx + log(s);\n",
                  C, D, D, C, D);
        if (lp)
            cg_printf(b, "            for (ptrdiff_t k = 0; k < %lld; k++)\n"
                         "                y1[m * %lld + e + k * %lld] = (%s)((double)xs[k * %lld] - lse);\n",
                      C, C * D, D, T, D);
    }
    cg_printf(b, "            const int64_t t = (int64_t)x1[m * %lld + e];\n"
                 "            double l = 0.0, w = 0.0;\n"
                 "            if (",
              D);
    if (ii)
        cg_printf(b, "t != INT64_C(%lld) && ", (long long)ii->i);
    cg_printf(b, "t >= 0 && t < %lld) {\n                w = %s;\n"
                 "                l = -((double)xs[t * %lld]%s) * w;\n            }\n",
              C, w ? "(double)x2[t]" : "1.0", D, sce ? " - lse" : "");
    if (red)
        cg_printf(b, "            sum += l;\n            %s;\n        }\n    y0[0] = (%s)(sum%s);\n",
                  red == 2 ? "wsum += w" : "(void)w", T, red == 2 ? " / wsum" : "");
    else
        cg_printf(b, "            y0[m * %lld + e] = (%s)l;\n            (void)w;\n        }\n", D, T);
    cg_kernel_end(c);
    return 0;
}
