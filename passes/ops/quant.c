#include "ops.h"

const op_handler op_family_quant[] = {
    {.op = NULL},
};
