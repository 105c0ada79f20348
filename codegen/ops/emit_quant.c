#include "../emit.h"

const emit_handler emit_family_quant[] = {
    {.op = NULL},
};
