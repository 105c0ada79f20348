/* Resize/Upsample: the per-axis tables of passes/ops/misc_resize.c baked
 * as static arrays. Leading axes that only copy (N, C) become one loop over
 * planes; every other axis gets a loop over its output positions, whose
 * source offsets (index times the input stride, so no multiplication per
 * pixel) and weights come from its table. Nearest copies one element;
 * linear/cubic sum the taps' weighted elements, in the order eval uses. */
#include <stdio.h>
#include <stdlib.h>

#include "emit_misc.h"

static void weight_table(cg_buf *b, const char *name, const rs_axis *ax, ir_dtype t)
{
    int64_t n = ax->out * ax->taps;
    cg_printf(b, "    static const %s %s[%lld] = {", ir_dtype_ctype(t), name, (long long)n);
    for (int64_t i = 0; i < n; i++) {
        cg_printf(b, i % 8 ? " " : "\n        ");
        if (t == IR_FLOAT)
            cg_float(b, (float)ax->w[i]);
        else
            cg_double(b, ax->w[i]);
        cg_printf(b, ",");
    }
    cg_printf(b, "\n    };\n");
}

/* Tables of the axes from `lead` on: offsets o<a>, weights w<a>, outside
 * flags u<a>. Identity axes need none. */
static int write_tables(cg_buf *b, const rs_plan *p, int lead, const int64_t *stride,
                        ir_dtype t)
{
    char name[16];
    for (int a = lead; a < p->rank; a++) {
        const rs_axis *ax = &p->ax[a];
        if (ax->identity)
            continue;
        int64_t n = ax->out * ax->taps;
        int64_t *off = malloc(sizeof(int64_t) * (size_t)n);
        if (!off)
            return -1;
        for (int64_t i = 0; i < n; i++)
            off[i] = ax->idx[i] * stride[a];
        snprintf(name, sizeof name, "o%d", a);
        em_int_table(b, name, off, n);
        free(off);
        if (ax->w) {
            snprintf(name, sizeof name, "w%d", a);
            weight_table(b, name, ax, t);
        }
        if (ax->outside) {
            cg_printf(b, "    static const unsigned char u%d[%lld] = {", a, (long long)ax->out);
            for (int64_t i = 0; i < ax->out; i++)
                cg_printf(b, "%s%d,", i % 24 ? " " : "\n        ", ax->outside[i]);
            cg_printf(b, "\n    };\n");
        }
    }
    return 0;
}

/* "o2[i2 * 2 + t2]" (or "i2 * 5" for an identity axis) into buf. */
static void tap_ref(char *buf, size_t size, const char *table, const rs_axis *ax, int a,
                    int64_t stride)
{
    if (ax->identity)
        snprintf(buf, size, "i%d * %lld", a, (long long)stride);
    else if (ax->taps == 1)
        snprintf(buf, size, "%s%d[i%d]", table, a, a);
    else
        snprintf(buf, size, "%s%d[i%d * %d + t%d]", table, a, a, ax->taps, a);
}

static void write_body(cg_buf *b, const rs_plan *p, int lead, const int64_t *stride, ir_dtype t,
                       int ind)
{
    char ref[64];
    int any_outside = 0;
    for (int a = lead; a < p->rank; a++)
        any_outside |= p->ax[a].outside != NULL;
    if (any_outside) {
        cg_printf(b, "%*sif (", ind, "");
        int first = 1;
        for (int a = lead; a < p->rank; a++)
            if (p->ax[a].outside) {
                cg_printf(b, "%su%d[i%d]", first ? "" : " | ", a, a);
                first = 0;
            }
        cg_printf(b, ") {\n%*syp[e++] = ", ind + 4, "");
        /* Only float data reaches here (misc_infer_resize). */
        if (t == IR_FLOAT)
            cg_float(b, p->extrapolation);
        else
            cg_double(b, p->extrapolation);
        cg_printf(b, ";\n%*scontinue;\n%*s}\n", ind + 4, "", ind, "");
    }
    if (p->mode == RS_NEAREST) {
        cg_printf(b, "%*syp[e++] = xp[", ind, "");
        for (int a = lead; a < p->rank; a++) {
            tap_ref(ref, sizeof ref, "o", &p->ax[a], a, stride[a]);
            cg_printf(b, "%s%s", a > lead ? " + " : "", ref);
        }
        cg_printf(b, "];\n");
        return;
    }
    const char *T = ir_dtype_ctype(t);
    cg_printf(b, "%*s%s acc = 0;\n", ind, "", T);
    int depth = ind;
    for (int a = lead; a < p->rank; a++)
        if (!p->ax[a].identity && p->ax[a].taps > 1) {
            cg_printf(b, "%*sfor (int t%d = 0; t%d < %d; t%d++)\n", depth, "", a, a,
                      p->ax[a].taps, a);
            depth += 4;
        }
    cg_printf(b, "%*sacc += ", depth, "");
    for (int a = lead; a < p->rank; a++)
        if (p->ax[a].w) {
            tap_ref(ref, sizeof ref, "w", &p->ax[a], a, stride[a]);
            cg_printf(b, "%s * ", ref);
        }
    cg_printf(b, "xp[");
    for (int a = lead; a < p->rank; a++) {
        tap_ref(ref, sizeof ref, "o", &p->ax[a], a, stride[a]);
        cg_printf(b, "%s%s", a > lead ? " + " : "", ref);
    }
    cg_printf(b, "];\n%*syp[e++] = acc;\n", ind, "");
}

int emit_misc_resize(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    if (ir_tensor_numel(y) == 0)
        return 0;
    rs_plan p;
    if (rs_plan_build(c->g, n, &p, d))
        return -1;
    int r = p.rank, lead = 0;
    while (lead < r && p.ax[lead].identity)
        lead++;
    int64_t stride[IR_MAX_RANK], planes = misc_prod(&x->shape, 0, lead);
    int64_t in_plane = misc_prod(&x->shape, lead, r), out_plane = misc_prod(&y->shape, lead, r);
    for (int a = 0; a < r; a++)
        stride[a] = misc_prod(&x->shape, a + 1, r);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, ~1u);
    if (lead == r) { /* every axis copies */
        cg_printf(b, "    memcpy(y0, x0, %lld * sizeof *y0);\n", (long long)ir_tensor_numel(y));
        cg_kernel_end(c);
        rs_plan_free(&p);
        return 0;
    }
    if (write_tables(b, &p, lead, stride, x->dtype)) {
        rs_plan_free(&p);
        return diag_node(d, n->name, n->op, "out of memory");
    }
    cg_printf(b, "    for (ptrdiff_t p = 0; p < %lld; p++) {\n", (long long)planes);
    cg_printf(b, "        const %s *xp = x0 + p * %lld;\n", ir_dtype_ctype(x->dtype),
              (long long)in_plane);
    cg_printf(b, "        %s *yp = y0 + p * %lld;\n        ptrdiff_t e = 0;\n",
              ir_dtype_ctype(y->dtype), (long long)out_plane);
    int ind = 8;
    for (int a = lead; a < r; a++, ind += 4)
        cg_printf(b, "%*sfor (ptrdiff_t i%d = 0; i%d < %lld; i%d++)%s\n", ind, "", a, a,
                  (long long)p.ax[a].out, a, a == r - 1 ? " {" : "");
    write_body(b, &p, lead, stride, x->dtype, ind);
    cg_printf(b, "%*s}\n    }\n", ind - 4, "");
    cg_kernel_end(c);
    rs_plan_free(&p);
    return 0;
}
