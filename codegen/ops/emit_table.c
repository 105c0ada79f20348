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

const emit_handler *emit_find(const char *op)
{
    for (size_t f = 0; f < N_FAMILIES; f++)
        for (const emit_handler *h = families[f]; h->op; h++)
            if (strcmp(h->op, op) == 0)
                return h;
    return NULL;
}
