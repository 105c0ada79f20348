/* The emitter table: every family's emitters, searched by op name. Each
 * family array ends with a {.op = NULL} entry. */
#include <string.h>

#include "../emit.h"

static const emit_handler *const families[] = {
    emit_family_elementwise, emit_family_conv,  emit_family_gemm,
    emit_family_pool,        emit_family_reduce, emit_family_norm,
    emit_family_shape,       emit_family_movement, emit_family_rnn,
    emit_family_quant,       emit_family_misc,
};

#define N_FAMILIES (sizeof families / sizeof families[0])
#define MAX_OPS 256

static emit_handler flat[MAX_OPS];
static int n_flat = -1;

static void flatten(void)
{
    if (n_flat >= 0)
        return;
    n_flat = 0;
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const emit_handler *h = families[f]; h->op && n_flat < MAX_OPS; h++)
            flat[n_flat++] = *h;
}

const emit_handler *emit_all(int *count)
{
    flatten();
    *count = n_flat;
    return flat;
}

const emit_handler *emit_find(const char *op)
{
    flatten();
    for (int i = 0; i < n_flat; i++)
        if (strcmp(flat[i].op, op) == 0)
            return &flat[i];
    return NULL;
}
