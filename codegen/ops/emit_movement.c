/* Movement operators: C emitters. Most print their copy plan (one loop nest
 * per copy, strides and trip counts baked in, the innermost contiguous run
 * as a memcpy); Gather and GatherElements read their indices at run time. */
#include <stdio.h>
#include <string.h>

#include "../../passes/ops/movement.h"
#include "emit_movement.h"

/* A copy that the memory plan already made a no-op: in place, same offsets. */
static int in_place(const ir_graph *g, const ir_node *n, const mv_copy *k)
{
    if (k->src < 0 || k->sbase != k->dbase ||
        !cg_same_storage(g, n->inputs[k->src], n->outputs[k->dst]))
        return 0;
    for (int i = 0; i < k->rank; i++)
        if (k->sstride[i] != k->dstride[i])
            return 0;
    return 1;
}

/* "prev + i3 * (stride)" with the trivial parts left out. */
static void offset_expr(char *buf, size_t size, const char *prev, int level, int64_t stride)
{
    char term[48];
    if (stride == 0) {
        snprintf(buf, size, "%s", prev);
        return;
    }
    if (stride == 1)
        snprintf(term, sizeof term, "i%d", level);
    else
        snprintf(term, sizeof term, stride < 0 ? "i%d * (%lld)" : "i%d * %lld", level,
                 (long long)stride);
    if (strcmp(prev, "0") == 0)
        snprintf(buf, size, "%s", term);
    else
        snprintf(buf, size, "%s + %s", prev, term);
}

static int all_zero(const unsigned char *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (v[i])
            return 0;
    return 1;
}

/* One copy as a loop nest. Offsets are ptrdiff_t: strides may be negative. */
static void emit_copy(cg_buf *b, const ir_tensor *y, const mv_copy *k, int id)
{
    size_t es = ir_dtype_size(y->dtype);
    char dst[16], src[16], sprev[48], dprev[48], se[96], de[96];
    snprintf(dst, sizeof dst, "y%d", k->dst);
    int value = k->src == MV_SRC_VALUE;
    int unit_dst = k->rank == 1 && k->dstride[0] == 1;
    if (value && unit_dst && (all_zero(k->value, es) || es == 1)) {
        cg_printf(b, "    memset(%s + %lld, %d, %lld);\n", dst, (long long)k->dbase, k->value[0],
                  (long long)(k->dims[0] * (int64_t)es));
        return;
    }
    if (value) {
        ir_tensor v = {.dtype = y->dtype, .shape = {.rank = 1, .dims = {1}}, .data = (void *)k->value};
        snprintf(src, sizeof src, "fill%d", id);
        cg_const_array(b, src, &v);
    } else {
        snprintf(src, sizeof src, "%c%d", k->src == MV_SRC_SELF ? 'y' : 'x',
                 k->src == MV_SRC_SELF ? k->dst : k->src);
    }
    snprintf(sprev, sizeof sprev, "%lld", value ? 0LL : (long long)k->sbase);
    snprintf(dprev, sizeof dprev, "%lld", (long long)k->dbase);
    if (k->rank == 0) {
        cg_printf(b, "    %s[%s] = %s[%s];\n", dst, dprev, src, sprev);
        return;
    }
    int last = k->rank - 1;
    for (int l = 0; l < last; l++) {
        cg_printf(b, "%*sfor (ptrdiff_t i%d = 0; i%d < %lld; i%d++) {\n", 4 * (l + 1), "", l, l,
                  (long long)k->dims[l], l);
        offset_expr(de, sizeof de, dprev, l, k->dstride[l]);
        if (value) {
            cg_printf(b, "%*sconst ptrdiff_t d%d = %s;\n", 4 * (l + 2), "", l, de);
        } else {
            offset_expr(se, sizeof se, sprev, l, k->sstride[l]);
            cg_printf(b, "%*sconst ptrdiff_t s%d = %s, d%d = %s;\n", 4 * (l + 2), "", l, se, l, de);
            snprintf(sprev, sizeof sprev, "s%d", l);
        }
        snprintf(dprev, sizeof dprev, "d%d", l);
    }
    int ind = 4 * (last + 1);
    if (!value && k->sstride[last] == 1 && k->dstride[last] == 1) {
        cg_printf(b, "%*smemcpy(%s + %s, %s + %s, %lld * sizeof *%s);\n", ind, "", dst, dprev, src,
                  sprev, (long long)k->dims[last], dst);
    } else {
        offset_expr(de, sizeof de, dprev, last, k->dstride[last]);
        if (value)
            snprintf(se, sizeof se, "0");
        else
            offset_expr(se, sizeof se, sprev, last, k->sstride[last]);
        cg_printf(b, "%*sfor (ptrdiff_t i%d = 0; i%d < %lld; i%d++)\n%*s%s[%s] = %s[%s];\n", ind,
                  "", last, last, (long long)k->dims[last], last, ind + 4, "", dst, de, src, se);
    }
    for (int l = last - 1; l >= 0; l--)
        cg_printf(b, "%*s}\n", 4 * (l + 1), "");
}

/* Every parameter of the kernel that no copy touches. */
static void void_unused(cg_ctx *c, const ir_node *n, const mv_plan *p)
{
    for (int i = 0; i < n->n_inputs; i++) {
        int used = 0;
        for (int j = 0; j < p->n_copies; j++)
            used |= p->copies[j].src == i;
        if (n->inputs[i] >= 0 && !used)
            cg_printf(c->kernels, "    (void)x%d;\n", i);
    }
    for (int i = 0; i < n->n_outputs; i++) {
        int used = 0;
        for (int j = 0; j < p->n_copies; j++)
            used |= p->copies[j].dst == i;
        if (n->outputs[i] >= 0 && !used)
            cg_printf(c->kernels, "    (void)y%d;\n", i);
    }
}

int emit_movement_plan(cg_ctx *c, const ir_node *n, diag *d)
{
    mv_plan p;
    if (mv_plan_build(c->g, n, &p, d))
        return -1;
    int w = 0;
    for (int i = 0; i < p.n_copies; i++) {
        mv_copy *k = &p.copies[i];
        mv_copy_simplify(k);
        if (mv_copy_count(k) > 0 && !in_place(c->g, n, k))
            p.copies[w++] = *k;
    }
    p.n_copies = w;
    const mv_copy *k = w == 1 ? &p.copies[0] : NULL;
    if (k && k->src >= 0 && k->rank <= 1 &&
        (k->rank == 0 || (k->sstride[0] == 1 && k->dstride[0] == 1))) {
        /* One contiguous block (Reshape, Identity, a Slice of whole rows). */
        const ir_tensor *y = &c->g->tensors[n->outputs[k->dst]];
        char dref[160], sref[160], dof[32] = "", sof[32] = "";
        if (k->dbase)
            snprintf(dof, sizeof dof, " + %lld", (long long)k->dbase);
        if (k->sbase)
            snprintf(sof, sizeof sof, " + %lld", (long long)k->sbase);
        cg_printf(c->body, "    memcpy(%s%s, %s%s, %lld);\n",
                  cg_ref(c, n->outputs[k->dst], dref, sizeof dref), dof,
                  cg_ref(c, n->inputs[k->src], sref, sizeof sref), sof,
                  (long long)(mv_copy_count(k) * (int64_t)ir_dtype_size(y->dtype)));
    } else if (w > 0) {
        cg_kernel_begin(c, n);
        void_unused(c, n, &p);
        for (int i = 0; i < w; i++)
            emit_copy(c->kernels, &c->g->tensors[n->outputs[p.copies[i].dst]], &p.copies[i], i);
        cg_kernel_end(c);
    }
    mv_plan_free(&p);
    return 0;
}

/* Index k of an axis of `dim` read from indices[e]: negative counts from the
 * end. Constant indices were checked at compile time; run-time ones that are
 * out of range (invalid input) are kept inside the tensor. */
static void emit_index(cg_buf *b, const ir_tensor *ind, const char *e, int64_t dim, int ind_sp)
{
    cg_printf(b, "%*sptrdiff_t k = (ptrdiff_t)x1[%s];\n%*sif (k < 0)\n%*sk += %lld;\n", ind_sp, "",
              e, ind_sp, "", ind_sp + 4, "", (long long)dim);
    if (!ind->data)
        cg_printf(b, "%*sif (k < 0 || k >= %lld)\n%*sk = 0;\n", ind_sp, "", (long long)dim,
                  ind_sp + 4, "");
}

/* out[o, j, :] = data[o, indices[j], :] over [outer, count, inner] views. */
static int emit_gather(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = &c->g->tensors[n->inputs[0]], *ind = &c->g->tensors[n->inputs[1]];
    const ir_tensor *y = &c->g->tensors[n->outputs[0]];
    if (ir_tensor_numel(y) == 0)
        return 0;
    int axis = mv_gather_axis(c->g, n);
    int64_t outer = 1, inner = 1, dim = x->shape.dims[axis], count = ir_tensor_numel(ind);
    for (int k = 0; k < axis; k++)
        outer *= x->shape.dims[k];
    for (int k = axis + 1; k < x->shape.rank; k++)
        inner *= x->shape.dims[k];
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t j = 0; j < %lld; j++) {\n",
              (long long)outer, (long long)count);
    emit_index(b, ind, "j", dim, 12);
    if (inner == 1)
        cg_printf(b, "            y0[o * %lld + j] = x0[o * %lld + k];\n", (long long)count,
                  (long long)dim);
    else
        cg_printf(b, "            memcpy(y0 + (o * %lld + j) * %lld, x0 + (o * %lld + k) * %lld, "
                     "%lld * sizeof *y0);\n",
                  (long long)count, (long long)inner, (long long)dim, (long long)inner,
                  (long long)inner);
    cg_printf(b, "        }\n");
    cg_kernel_end(c);
    return 0;
}

/* Loops over the output (= indices) shape; the data offset sums every
 * axis's index times its stride, the gathered axis taking the index value. */
static int emit_gather_elements(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = &c->g->tensors[n->inputs[0]], *ind = &c->g->tensors[n->inputs[1]];
    int64_t count = ir_tensor_numel(ind), xs[IR_MAX_RANK];
    if (count == 0)
        return 0;
    int axis = mv_gather_axis(c->g, n), r = ind->shape.rank;
    mv_strides(&x->shape, xs);
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    cg_printf(b, "    ptrdiff_t e = 0;\n");
    for (int l = 0; l < r; l++)
        cg_printf(b, "%*sfor (ptrdiff_t i%d = 0; i%d < %lld; i%d++)%s\n", 4 * (l + 1), "", l, l,
                  (long long)ind->shape.dims[l], l, l == r - 1 ? " {" : "");
    int sp = 4 * (r + 1);
    emit_index(b, ind, "e", x->shape.dims[axis], sp);
    cg_printf(b, "%*sy0[e++] = x0[", sp, "");
    for (int l = 0; l < r; l++) {
        if (l == axis)
            cg_printf(b, "%sk * %lld", l ? " + " : "", (long long)xs[l]);
        else
            cg_printf(b, "%si%d * %lld", l ? " + " : "", l, (long long)xs[l]);
    }
    cg_printf(b, "];\n%*s}\n", 4 * r, "");
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_movement[] = {
    {"Transpose", emit_movement_plan},
    {"Concat", emit_movement_plan},
    {"Split", emit_movement_plan},
    {"Slice", emit_movement_plan},
    {"Pad", emit_movement_plan},
    {"Tile", emit_movement_plan},
    {"DepthToSpace", emit_movement_plan},
    {"SpaceToDepth", emit_movement_plan},
    {"Gather", emit_gather},
    {"GatherElements", emit_gather_elements},
    {.op = NULL},
};
