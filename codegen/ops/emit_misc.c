#include "../emit.h"

const emit_handler emit_family_misc[] = {
    {.op = NULL},
};
