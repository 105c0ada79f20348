#include "ops.h"

const op_handler op_family_shape[] = {
    {NULL},
};
