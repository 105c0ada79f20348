/* GatherND, ScatterND, ScatterElements and MaxUnpool kernels. Index tuples are read at
 * run time; every index is normalised (negative counts from the end) and,
 * unless the indices are constants checked at compile time, kept in range:
 * GatherND reads element 0 of the axis instead, the scatters skip the
 * update. The scatters first copy data to the output, unless the memory
 * plan made them share bytes. */
#include <stdio.h>

#include "emit_misc.h"

/* Normalises index k of x1 (element `src`) against dim and adds it times
 * stride to `off`. */
static void index_term(cg_buf *b, int ind, const char *src, int64_t dim, int64_t stride,
                       int check, const char *fail)
{
    em_index(b, ind, "k", src, dim, check, fail);
    cg_printf(b, "%*soff += (ptrdiff_t)k * %lld;\n", ind, "", (long long)stride);
}

int emit_misc_gather_nd(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *ind = em_in(c, n, 1), *y = em_out(c, n, 0);
    if (ir_tensor_numel(y) == 0)
        return 0;
    int b_dims = (int)ir_attr_int(n, "batch_dims", 0), q = ind->shape.rank, r = x->shape.rank;
    int m = (int)ind->shape.dims[q - 1];
    long long B = (long long)misc_prod(&x->shape, 0, b_dims);
    long long G = (long long)misc_prod(&ind->shape, b_dims, q - 1);
    long long S = (long long)misc_prod(&x->shape, b_dims + m, r);
    long long DB = (long long)misc_prod(&x->shape, b_dims, r);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t bb = 0; bb < %lld; bb++)\n"
                 "        for (ptrdiff_t j = 0; j < %lld; j++) {\n"
                 "            const ptrdiff_t t = (bb * %lld + j) * %d;\n"
                 "            ptrdiff_t off = bb * %lld;\n",
              B, G, G, m, DB);
    for (int k = 0; k < m; k++) {
        char src[32];
        snprintf(src, sizeof src, "x1[t + %d]", k);
        cg_printf(b, "            {\n");
        index_term(b, 16, src, x->shape.dims[b_dims + k],
                   misc_prod(&x->shape, b_dims + k + 1, r), !ind->data, "k = 0;");
        cg_printf(b, "            }\n");
    }
    if (S == 1)
        cg_printf(b, "            y0[bb * %lld + j] = x0[off];\n", G);
    else
        cg_printf(b, "            memcpy(y0 + (bb * %lld + j) * %lld, x0 + off, %lld * sizeof *y0);\n",
                  G, S, S);
    cg_printf(b, "        }\n");
    cg_kernel_end(c);
    return 0;
}

/* Starts a scatter's kernel, in which the output begins as a copy of data
 * (input 0) unless they share bytes. 1 when begun, 0 when the output is
 * empty (no kernel), -1 on error. */
static int scatter_begin(cg_ctx *c, const ir_node *n, misc_red *red, diag *d)
{
    if (misc_reduction(c->g, n, red, d))
        return -1;
    if (ir_tensor_numel(em_in(c, n, 0)) == 0)
        return 0;
    cg_kernel_begin(c, n);
    if (cg_same_storage(c->g, n->inputs[0], n->outputs[0]))
        cg_printf(c->kernels, "    (void)x0;\n");
    else
        cg_printf(c->kernels, "    memcpy(y0, x0, %lld * sizeof *y0);\n",
                  (long long)ir_tensor_numel(em_out(c, n, 0)));
    return 1;
}

int emit_misc_scatter_nd(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = em_in(c, n, 0), *ind = em_in(c, n, 1);
    misc_red red;
    int rc = scatter_begin(c, n, &red, d);
    if (rc != 1)
        return rc;
    int q = ind->shape.rank, r = x->shape.rank, m = (int)ind->shape.dims[q - 1];
    long long count = (long long)misc_prod(&ind->shape, 0, q - 1);
    long long S = (long long)misc_prod(&x->shape, m, r);
    cg_buf *b = c->kernels;
    if (count * S > 0) {
        cg_printf(b, "    for (ptrdiff_t j = 0; j < %lld; j++) {\n"
                     "        const ptrdiff_t t = j * %d;\n        ptrdiff_t off = 0;\n",
                  count, m);
        for (int k = 0; k < m; k++) {
            char src[32];
            snprintf(src, sizeof src, "x1[t + %d]", k);
            cg_printf(b, "        {\n");
            index_term(b, 12, src, x->shape.dims[k], misc_prod(&x->shape, k + 1, r), !ind->data,
                       "continue;");
            cg_printf(b, "        }\n");
        }
        char dst[48], src[48];
        snprintf(dst, sizeof dst, "y0[off + e]");
        snprintf(src, sizeof src, "x2[j * %lld + e]", S);
        cg_printf(b, "        for (ptrdiff_t e = 0; e < %lld; e++) {\n", S);
        em_combine(b, 12, x->dtype, red, dst, src);
        cg_printf(b, "        }\n    }\n");
    } else {
        em_void_inputs(b, n, 6u);
    }
    cg_kernel_end(c);
    return 0;
}

int emit_misc_scatter_elements(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = em_in(c, n, 0), *ind = em_in(c, n, 1);
    misc_red red;
    int rc = scatter_begin(c, n, &red, d);
    if (rc != 1)
        return rc;
    int r = x->shape.rank, axis = misc_scatter_axis(c->g, n);
    cg_buf *b = c->kernels;
    if (ir_tensor_numel(ind) == 0) {
        em_void_inputs(b, n, 6u);
        cg_kernel_end(c);
        return 0;
    }
    for (int l = 0; l < r; l++)
        cg_printf(b, "%*sfor (ptrdiff_t i%d = 0; i%d < %lld; i%d++)%s\n", 4 * (l + 1), "", l, l,
                  (long long)ind->shape.dims[l], l, l == r - 1 ? " {" : "");
    int sp = 4 * (r + 1);
    char var[16], term[48];
    cg_printf(b, "%*sconst ptrdiff_t e = ", sp, "");
    for (int l = 0; l < r; l++) {
        snprintf(var, sizeof var, "i%d", l);
        cg_printf(b, "%s%s", l ? " + " : "", em_mul(term, sizeof term, var,
                                                    misc_prod(&ind->shape, l + 1, r)));
    }
    cg_printf(b, ";\n%*sptrdiff_t off = 0", sp, "");
    for (int l = 0; l < r; l++)
        if (l != axis) {
            snprintf(var, sizeof var, "i%d", l);
            cg_printf(b, " + %s", em_mul(term, sizeof term, var, misc_prod(&x->shape, l + 1, r)));
        }
    cg_printf(b, ";\n");
    index_term(b, sp, "x1[e]", x->shape.dims[axis], misc_prod(&x->shape, axis + 1, r),
               !ind->data, "continue;");
    em_combine(b, sp, x->dtype, red, "y0[off]", "x2[e]");
    cg_printf(b, "%*s}\n", 4 * r, "");
    cg_kernel_end(c);
    return 0;
}

/* MaxUnpool: zeros, then each input element at its flat index into the
 * inferred shape; when output_shape is larger, that index is re-spread
 * into the output's leading corner, axis by axis. */
int emit_misc_max_unpool(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    long long total = (long long)ir_tensor_numel(y);
    if (total == 0)
        return 0;
    ir_shape s0;
    misc_unpool_inferred(c->g, n, &s0);
    long long total0 = (long long)ir_shape_numel(&s0);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, 4u);
    cg_printf(b, "    memset(y0, 0, %lld * sizeof *y0);\n"
                 "    for (ptrdiff_t e = 0; e < %lld; e++) {\n"
                 "        if (x1[e] < 0 || x1[e] >= %lld)\n            continue;\n",
              total, (long long)ir_tensor_numel(x), total0);
    if (ir_shape_equal(&s0, &y->shape)) {
        cg_printf(b, "        y0[x1[e]] = x0[e];\n    }\n");
    } else {
        int r = s0.rank;
        cg_printf(b, "        int64_t k = x1[e], q = 0;\n");
        /* Axis digits of k, last first; N and C keep their extents. */
        for (int a = r - 1; a >= 2; a--)
            cg_printf(b, "        const int64_t d%d = k %% %lld;\n        k /= %lld;\n", a,
                      (long long)s0.dims[a], (long long)s0.dims[a]);
        cg_printf(b, "        q = k;\n");
        for (int a = 2; a < r; a++)
            cg_printf(b, "        q = q * %lld + d%d;\n", (long long)y->shape.dims[a], a);
        cg_printf(b, "        y0[q] = x0[e];\n    }\n");
    }
    cg_kernel_end(c);
    return 0;
}
