/* Einsum: the loop plan of passes/ops/misc_einsum.c printed as one loop per
 * label; the output is zeroed, then every point of the nest adds the
 * product of the inputs' elements. With the output's last label innermost,
 * a matrix product becomes y[i, k] += a[i, j] * b[j, k] along k. */
#include <stdio.h>

#include "emit_misc.h"

/* "l0 * 12 + l3" for the labels with a nonzero stride; "0" for none. */
static void offset(cg_buf *b, const es_plan *p, const int64_t *stride)
{
    int terms = 0;
    char var[16], term[48];
    for (int l = 0; l < p->n_labels; l++)
        if (stride[l]) {
            snprintf(var, sizeof var, "l%d", l);
            cg_printf(b, "%s%s", terms++ ? " + " : "", em_mul(term, sizeof term, var, stride[l]));
        }
    if (!terms)
        cg_printf(b, "0");
}

int emit_misc_einsum(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *y = em_out(c, n, 0);
    int64_t count = ir_tensor_numel(y);
    if (count == 0)
        return 0;
    es_plan p;
    if (es_plan_build(c->g, n, &p, d))
        return -1;
    int empty = 0;
    for (int l = 0; l < p.n_labels; l++)
        empty |= p.dim[l] == 0;
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    memset(y0, 0, %lld * sizeof *y0);\n", (long long)count);
    if (empty) { /* a sum over nothing */
        em_void_inputs(b, n, ~0u);
        cg_kernel_end(c);
        return 0;
    }
    for (int i = 0; i < p.n_labels; i++) {
        int l = p.order[i];
        cg_printf(b, "%*sfor (ptrdiff_t l%d = 0; l%d < %lld; l%d++)\n", 4 * (i + 1), "", l, l,
                  (long long)p.dim[l], l);
    }
    int ind = 4 * (p.n_labels + 1);
    ir_dtype t = y->dtype;
    int fl = ir_dtype_is_float(t);
    const char *U = ir_dtype_size(t) == 8 ? "uint64_t" : "uint32_t";
    cg_printf(b, "%*s{\n%*sconst ptrdiff_t o = ", ind - 4, "", ind, "");
    offset(b, &p, p.ostride);
    cg_printf(b, ";\n%*sy0[o] = ", ind, "");
    /* Integers wrap: the sum and products are computed unsigned. */
    char cast[24] = "";
    if (fl)
        cg_printf(b, "y0[o] + ");
    else {
        snprintf(cast, sizeof cast, "(%s)", U);
        cg_printf(b, "(%s)(%sy0[o] + ", ir_dtype_ctype(t), cast);
    }
    for (int k = 0; k < p.n_in; k++) {
        cg_printf(b, "%s%sx%d[", k ? " * " : "", cast, k);
        offset(b, &p, p.stride[k]);
        cg_printf(b, "]");
    }
    cg_printf(b, "%s;\n%*s}\n", fl ? "" : ")", ind - 4, "");
    cg_kernel_end(c);
    return 0;
}
