/* HannWindow, HammingWindow and BlackmanWindow (opset 17): a function of
 * the window size alone. The size is the output's extent, so it must be a
 * constant, and then the whole output is: these nodes are always folded. */
#include <math.h>
#include <string.h>

#include "misc.h"

#define MISC_WINDOW_MAX (1 << 24)

static int64_t window_size(const ir_graph *g, const ir_node *n)
{
    const ir_tensor *t = &g->tensors[n->inputs[0]];
    return ir_data_get_int(t->dtype, t->data, 0);
}

int misc_infer_window(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"output_datatype", "periodic", NULL};
    int periodic;
    int64_t size;
    if (g->opset < 17)
        return diag_node(d, n->name, n->op, "needs opset 17 or later");
    if (misc_need_io(g, n, 1, 1, d) || op_known_attrs(n, attrs, d) ||
        misc_flag(n, "periodic", 1, &periodic, d))
        return -1;
    int rc = misc_scalar_int(g, n, 0, "size", &size, d);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return diag_node(d, n->name, n->op, "the size must be known at compile time: it is the "
                         "output's extent (it is computed at run time)");
    if (size < 0 || size > MISC_WINDOW_MAX)
        return diag_node(d, n->name, n->op, "size %lld is out of range", (long long)size);
    int64_t dt = ir_attr_int(n, "output_datatype", IR_FLOAT);
    if (dt < 0 || dt > 16 || !(ir_dtype_is_float((ir_dtype)dt) || ir_dtype_is_int((ir_dtype)dt)))
        return diag_node(d, n->name, n->op, "output_datatype %lld is not supported",
                         (long long)dt);
    ir_shape s = {.rank = 1, .dims = {size}};
    op_set_output(g, n, 0, (ir_dtype)dt, &s);
    return 0;
}

/* w[k] = a0 - a1 cos(2 pi k / N) + a2 cos(4 pi k / N), N = size (periodic)
 * or size - 1 (symmetric; a one-point symmetric window is 1). */
int misc_eval_window(ir_graph *g, ir_node *n, diag *d)
{
    static const struct {
        const char *op;
        double a0, a1, a2;
    } kinds[] = {{"HannWindow", 0.5, 0.5, 0},
                 {"HammingWindow", 25.0 / 46.0, 21.0 / 46.0, 0},
                 {"BlackmanWindow", 0.42, 0.5, 0.08}};
    if (misc_alloc_outputs(g, n, d))
        return -1;
    ir_tensor *y = ir_node_out(g, n, 0);
    int64_t size = window_size(g, n);
    double N = (double)(ir_attr_int(n, "periodic", 1) ? size : size - 1);
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        if (strcmp(kinds[i].op, n->op) != 0)
            continue;
        for (int64_t k = 0; k < size; k++) {
            double a = 2 * 3.14159265358979323846 * (double)k / N;
            double v = N > 0 ? kinds[i].a0 - kinds[i].a1 * cos(a) + kinds[i].a2 * cos(2 * a) : 1;
            ir_data_set_double(y->dtype, y->data, k, v);
        }
    }
    return 1;
}
