/* Pooling on constants: MaxPool (and its Indices), AveragePool and LpPool
 * over the windows of pool_geometry, and the Global* forms; any element
 * type the handlers accept, through double. */
#include <math.h>
#include <string.h>

#include "eval_ref.h"
#include "pool_reduce.h"

/* The geometry's axes behind leading axes of extent 1, so that every pool
 * loops over three. */
static void three_axes(const pool_geom *pg, pool_axis *ax)
{
    int lead = 3 - pg->nsp;
    for (int i = 0; i < 3; i++)
        ax[i] = i < lead ? (pool_axis){.in = 1, .out = 1, .k = 1, .s = 1, .d = 1}
                         : pg->ax[i - lead];
}

/* The element index MaxPool's Indices report for input position q of
 * plane `plane`: row-major, or with storage_order 1 the spatial axes
 * column-major (pool_geometry allows that for 1-D and 2-D only). */
static int64_t max_index(const pool_geom *pg, const pool_axis *ax, int64_t plane,
                         const int64_t *q)
{
    int64_t size = ax[0].in * ax[1].in * ax[2].in;
    if (pg->storage_order)
        return plane * size + q[2] * ax[1].in + q[1];
    return plane * size + (q[0] * ax[1].in + q[1]) * ax[2].in + q[2];
}

/* One output value of plane x (and, for MaxPool, the index of its maximum). */
static double pool_point(const pool_geom *pg, const pool_axis *ax, ir_dtype t, const void *x,
                         int64_t plane, const int64_t *pos, int64_t *arg)
{
    int64_t lo[3], hi[3], q[3], size = ax[0].in * ax[1].in * ax[2].in;
    for (int i = 0; i < 3; i++)
        pool_taps(&ax[i], pos[i], &lo[i], &hi[i]);
    double acc = 0.0;
    int64_t seen = 0;
    for (int64_t a = lo[0]; a < hi[0]; a++)
        for (int64_t b = lo[1]; b < hi[1]; b++)
            for (int64_t c = lo[2]; c < hi[2]; c++) {
                int64_t j[3] = {a, b, c};
                for (int i = 0; i < 3; i++)
                    q[i] = pos[i] * ax[i].s - ax[i].pb + j[i] * ax[i].d;
                double v = ir_data_get_double(
                    t, x, plane * size + (q[0] * ax[1].in + q[1]) * ax[2].in + q[2]);
                if (pg->kind == POOL_MAX) {
                    /* The first maximum in scan order wins, as in onnxruntime. */
                    if (!seen++ || v > acc) {
                        acc = v;
                        if (arg)
                            *arg = max_index(pg, ax, plane, q);
                    }
                } else {
                    acc += pg->kind == POOL_AVG ? v : pow(fabs(v), pg->p);
                }
            }
    if (pg->kind == POOL_AVG) {
        int64_t count = 1;
        for (int i = 0; i < 3; i++)
            count *= pool_count(&ax[i], pos[i], pg->count_include_pad);
        return acc / (double)count;
    }
    return pg->kind == POOL_LP ? pow(acc, 1.0 / pg->p) : acc;
}

int pool_window_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !x->data)
        return 0;
    pool_geom pg;
    if (pool_geometry(g, n, &pg, d))
        return -1;
    ir_tensor *yi = pg.indices ? ir_node_out(g, n, 1) : NULL;
    if (ir_tensor_set_const(y, y->dtype, &y->shape) ||
        (yi && ir_tensor_set_const(yi, IR_INT64, &yi->shape)))
        return diag_node(d, n->name, n->op, "out of memory");
    pool_axis ax[3];
    three_axes(&pg, ax);
    int64_t o = 0, pos[3];
    for (int64_t plane = 0; plane < pg.planes; plane++)
        for (pos[0] = 0; pos[0] < ax[0].out; pos[0]++)
            for (pos[1] = 0; pos[1] < ax[1].out; pos[1]++)
                for (pos[2] = 0; pos[2] < ax[2].out; pos[2]++, o++) {
                    int64_t arg = 0;
                    double v = pool_point(&pg, ax, x->dtype, x->data, plane, pos, yi ? &arg : NULL);
                    ir_data_set_double(y->dtype, y->data, o, v);
                    if (yi)
                        ((int64_t *)yi->data)[o] = arg;
                }
    return 1;
}

int pool_global_eval(ir_graph *g, ir_node *n, diag *d)
{
    const ir_tensor *x = ir_node_in(g, n, 0);
    ir_tensor *y = ir_node_out(g, n, 0);
    if (!y || !x->data)
        return 0;
    int is_max = strcmp(n->op, "GlobalMaxPool") == 0;
    int is_avg = strcmp(n->op, "GlobalAveragePool") == 0;
    int p = 1;
    if (!is_max && !is_avg && pool_lp_exponent(n, &p, d))
        return -1;
    if (ir_tensor_set_const(y, y->dtype, &y->shape))
        return diag_node(d, n->name, n->op, "out of memory");
    int64_t planes = x->shape.dims[0] * x->shape.dims[1];
    int64_t size = planes ? ir_tensor_numel(x) / planes : 0;
    for (int64_t c = 0; c < planes; c++) {
        double acc = is_max ? -HUGE_VAL : 0.0;
        for (int64_t i = 0; i < size; i++) {
            double v = ir_data_get_double(x->dtype, x->data, c * size + i);
            if (is_max)
                acc = v > acc ? v : acc;
            else
                acc += is_avg ? v : pow(fabs(v), p);
        }
        ir_data_set_double(y->dtype, y->data, c, is_max ? acc : is_avg ? acc / (double)size
                                                                      : pow(acc, 1.0 / p));
    }
    return 1;
}
