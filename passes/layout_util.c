/* Helpers of the layout pass: Transpose permutations, new Transpose nodes,
 * shape inference of rewired nodes, names. */
#include <stdlib.h>
#include <string.h>

#include "layout.h"
#include "ops/movement.h"
#include "ops/ops.h"

int layout_perm(const ir_node *n, int rank, int *perm)
{
    diag quiet;
    diag_init(&quiet);
    int rc = mv_transpose_perm(n, rank, perm, &quiet);
    diag_free(&quiet);
    return rc;
}

/* Output axis k of a Transpose is its input axis perm[k]: after a then b,
 * axis k is the original axis a[b[k]]. */
int layout_perms_undo(const int *a, const int *b, int rank)
{
    for (int k = 0; k < rank; k++)
        if (a[b[k]] != k)
            return 0;
    return 1;
}

int layout_infer(ir_graph *g, int i, diag *d)
{
    const op_handler *h = op_find(g->nodes[i].op);
    if (!h || !h->infer)
        return diag_node(d, g->nodes[i].name, g->nodes[i].op, "layout: no shape inference");
    return h->infer(g, &g->nodes[i], d);
}

static int add_perm_attr(ir_node *n, int rank)
{
    n->attrs = ir_alloc(sizeof(ir_attr));
    if (!n->attrs)
        return -1;
    n->n_attrs = 1;
    ir_attr *a = &n->attrs[0];
    a->name = ir_strdup("perm");
    a->type = IR_ATTR_INTS;
    a->ints = ir_alloc(sizeof(int64_t) * (size_t)rank);
    if (!a->name || !a->ints)
        return -1;
    a->count = rank;
    for (int k = 0; k < rank; k++)
        a->ints[k] = k;
    a->ints[rank - 2] = rank - 1;
    a->ints[rank - 1] = rank - 2;
    return 0;
}

int layout_add_swap(ir_graph *g, const char *name, int in, int out, diag *d)
{
    int rank = g->tensors[in].shape.rank;
    int i = ir_graph_add_node(g, name, "Transpose", "", 1, 1);
    if (i < 0 || add_perm_attr(&g->nodes[i], rank))
        return diag_error(d, "out of memory in the layout pass");
    g->nodes[i].inputs[0] = in;
    g->nodes[i].outputs[0] = out;
    g->tensors[out].producer = i;
    return layout_infer(g, i, d) ? -1 : i;
}

char *layout_name(const char *base, const char *suffix)
{
    size_t nb = strlen(base), ns = strlen(suffix);
    char *s = malloc(nb + ns + 1);
    if (s) {
        memcpy(s, base, nb);
        memcpy(s + nb, suffix, ns + 1);
    }
    return s;
}
