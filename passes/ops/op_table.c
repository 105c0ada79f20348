/* The operator table: every family's handlers, searched by op name. Each
 * family array ends with a {.op = NULL} entry. */
#include <string.h>

#include "ops.h"

static const op_handler *const families[] = {
    op_family_elementwise, op_family_conv,  op_family_gemm,     op_family_pool, op_family_reduce,
    op_family_norm,        op_family_shape, op_family_movement, op_family_rnn,  op_family_quant,
    op_family_misc,
};

#define N_FAMILIES (sizeof families / sizeof families[0])
#define MAX_OPS 256

static op_handler flat[MAX_OPS];
static int n_flat = -1;

/* Flattened once into a static array so that callers can list all handlers. */
static void flatten(void)
{
    if (n_flat >= 0)
        return;
    n_flat = 0;
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const op_handler *h = families[f]; h->op && n_flat < MAX_OPS; h++)
            flat[n_flat++] = *h;
}

const op_handler *op_all(int *count)
{
    flatten();
    *count = n_flat;
    return flat;
}

const op_handler *op_find(const char *op)
{
    flatten();
    for (int i = 0; i < n_flat; i++)
        if (strcmp(flat[i].op, op) == 0)
            return &flat[i];
    return NULL;
}
