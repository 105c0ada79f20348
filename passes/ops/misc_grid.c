/* GridSample (opsets 16+, 4-D): X [N, C, H, W] sampled at Grid [N, Ho, Wo,
 * 2] (x then y, normalised to [-1, 1]) into [N, C, Ho, Wo]. The grid is
 * read at run time; modes bilinear/nearest/bicubic (linear/cubic since
 * opset 20), padding zeros/border/reflection, align_corners, with PyTorch's
 * grid_sample semantics that the ONNX reference follows. */
#include <string.h>

#include "misc.h"

int misc_grid_params(const ir_graph *g, const ir_node *n, misc_grid *p, diag *d)
{
    static const char *const modes[][2] = {{"bilinear", "linear"}, {"nearest", "nearest"},
                                           {"bicubic", "cubic"}};
    static const char *const pads[] = {"zeros", "border", "reflection"};
    const char *m = ir_attr_string(n, "mode", g->opset < 20 ? "bilinear" : "linear");
    const char *pm = ir_attr_string(n, "padding_mode", "zeros");
    p->mode = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(m, modes[i][g->opset < 20 ? 0 : 1]) == 0)
            p->mode = i;
    p->padding = -1;
    for (int i = 0; i < 3; i++)
        if (strcmp(pm, pads[i]) == 0)
            p->padding = i;
    if (p->mode < 0)
        return diag_node(d, n->name, n->op, "mode '%s' is not supported in opset %lld", m,
                         (long long)g->opset);
    if (p->padding < 0)
        return diag_node(d, n->name, n->op, "padding_mode '%s' is not supported", pm);
    return misc_flag(n, "align_corners", 0, &p->align_corners, d);
}

int misc_infer_grid_sample(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"mode", "padding_mode", "align_corners", NULL};
    misc_grid p;
    if (g->opset < 16)
        return diag_node(d, n->name, n->op, "needs opset 16 or later");
    if (misc_need_io(g, n, 2, 2, d) || op_known_attrs(n, attrs, d) ||
        misc_grid_params(g, n, &p, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *grid = ir_node_in(g, n, 1);
    if (misc_check_arith(n, x, 1, d) || misc_check_arith(n, grid, 1, d))
        return -1;
    if (x->shape.rank != 4)
        return diag_node(d, n->name, n->op, "only 4-D inputs [N, C, H, W] are supported");
    if (grid->shape.rank != 4 || grid->shape.dims[0] != x->shape.dims[0] ||
        grid->shape.dims[3] != 2)
        return diag_node(d, n->name, n->op, "the grid must be [N, H_out, W_out, 2]");
    ir_shape s = {.rank = 4, .dims = {x->shape.dims[0], x->shape.dims[1], grid->shape.dims[1],
                                      grid->shape.dims[2]}};
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}
