/* Runs a graph on given input values with the op handlers' reference
 * evaluation (plain loops, double sums): the unpruned model's outputs and
 * the pruned one's, for pass_prune_auto, and a check of the evals. */
#ifndef SCNNC_INTERPRET_H
#define SCNNC_INTERPRET_H

#include "../ir/ir.h"

/* g: shapes inferred, nodes in topological order. inputs: one value per
 * graph input (g->inputs order), of exactly that input's element type and
 * shape (checked); the values are read, not kept. outputs: room for
 * g->n_outputs values, each set to a fresh copy of one graph output (free
 * them with ir_interpret_free). Every tensor the run makes constant is
 * made non-constant again, so g is left as it was. Returns 0, or -1 with
 * the reason in d, e.g. a node whose operator has no evaluation (outputs
 * then hold nothing to free). */
int ir_interpret(ir_graph *g, const ir_value *inputs, ir_value *outputs, diag *d);

/* Frees the data of count values and clears them. */
void ir_interpret_free(ir_value *values, int count);

#endif
