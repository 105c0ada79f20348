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

const op_handler *op_find(const char *op)
{
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const op_handler *h = families[f]; h->op; h++)
            if (strcmp(h->op, op) == 0)
                return h;
    return NULL;
}
