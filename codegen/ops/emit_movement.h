/* Shared by the shape and movement families' emitters. */
#ifndef SCNNC_EMIT_MOVEMENT_H
#define SCNNC_EMIT_MOVEMENT_H

#include "../emit.h"

/* Emits a node whose semantics is a copy plan (passes/ops/movement.h):
 * nothing when every copy is empty or already in place, one memcpy in the
 * invoke body for a single contiguous block, else a kernel of loops. */
int emit_movement_plan(cg_ctx *c, const ir_node *n, diag *d);

#endif
