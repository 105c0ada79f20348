/* The per-layer table printed by -v. */
#include "cli.h"
#include "layer_rows.h"

static const char *act_name(ir_act a)
{
    static const char *const names[] = {"", "+Relu", "+Clip"};
    return (unsigned)a < sizeof names / sizeof names[0] ? names[a] : "";
}

void cli_print_summary(const ir_graph *g, FILE *f)
{
    int64_t total_macs = 0, total_params = 0;
    fprintf(f, "%-4s %-28s %-20s %-18s %12s %10s %10s %10s\n", "#", "node", "op", "output", "MACs",
            "params", "arena@", "scratch");
    for (int i = 0; i < g->n_nodes; i++) {
        const ir_node *n = &g->nodes[i];
        layer_row row;
        layer_row_make(g, n, &row);
        int64_t macs = row.dense_macs, params = row.const_elems;
        char shape[64] = "-", op[40], where[24] = "-";
        const ir_tensor *out = n->n_outputs && n->outputs[0] >= 0 ? &g->tensors[n->outputs[0]] : NULL;
        if (out) {
            ir_shape_str(&out->shape, shape, sizeof shape);
            if (out->storage == IR_STORE_ARENA)
                snprintf(where, sizeof where, "%lld", (long long)out->offset);
            else if (out->storage == IR_STORE_OUTPUT)
                snprintf(where, sizeof where, "output %d", out->output_index);
        }
        snprintf(op, sizeof op, "%s%s", n->op, act_name(n->act));
        /* Scratch: bytes the kernel borrows from the arena while it runs. */
        fprintf(f, "%-4d %-28.28s %-20s %-18s %12lld %10lld %10s %10lld\n", i, n->name, op, shape,
                (long long)macs, (long long)params, where, (long long)n->scratch_bytes);
        total_macs += macs;
        total_params += params;
    }
    fprintf(f, "total: %d nodes, %lld MACs, %lld parameters, arena %lld bytes, weights %lld bytes\n",
            g->n_nodes, (long long)total_macs, (long long)total_params, (long long)g->arena_bytes,
            (long long)g->weights_bytes);
}
