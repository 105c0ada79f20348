#include "ops.h"

const op_handler op_family_misc[] = {
    {.op = NULL},
};
