/* Fresh tensor names for what the exporter adds (pre-activation values,
 * Clip bounds) and for tensors whose names are taken or empty. */
#include "internal.h"

const char *ox_fresh_name(ox_ctx *c, const char *base)
{
    const char *name = base;
    for (unsigned k = 1; name && name_map_get(c->taken, name) >= 0; k++)
        name = ox_printf(c->arena, "%s_%u", base, k);
    /* The value is never read: only whether a name is taken. */
    if (!name || name_map_put(c->taken, name, 0)) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    return name;
}
