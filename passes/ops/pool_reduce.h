/* What the pooling and reduction handlers (pool.c, reduce.c) decide and
 * their emitters (codegen/ops/emit_pool.c, emit_reduce.c) need again: the
 * window geometry of a pooling node and the axes a reduction folds. One
 * implementation, so that the shapes inferred and the loops emitted can
 * never disagree. */
#ifndef SCNNC_POOL_REDUCE_H
#define SCNNC_POOL_REDUCE_H

#include "ops.h"
#include "window.h"

#define POOL_MAX_SPATIAL 3

typedef enum pool_kind { POOL_MAX, POOL_AVG, POOL_LP } pool_kind;

/* One spatial axis of the window (window.h). */
typedef op_window pool_axis;

typedef struct pool_geom {
    pool_kind kind;
    int nsp;        /* spatial axes, 1..POOL_MAX_SPATIAL */
    int64_t planes; /* N * C: the windows never cross them */
    pool_axis ax[POOL_MAX_SPATIAL];
    int count_include_pad; /* AveragePool */
    int p;                 /* LpPool exponent */
    int storage_order;     /* MaxPool Indices: 0 row-major, 1 column-major */
    int indices;           /* MaxPool's optional Indices output is wanted */
} pool_geom;

/* Reads and checks the attributes of MaxPool/AveragePool/LpPool node n
 * (input shape known) and computes the geometry. Every problem goes to d. */
int pool_geometry(const ir_graph *g, const ir_node *n, pool_geom *pg, diag *d);
/* Taps [*lo, *hi) of output position o that read inside the input. */
void pool_taps(const pool_axis *a, int64_t o, int64_t *lo, int64_t *hi);
/* Output positions [*lo, *hi) whose tap j reads inside the input. */
void pool_outputs_of_tap(const pool_axis *a, int64_t j, int64_t *lo, int64_t *hi);
/* How many of output o's taps AveragePool divides by along this axis: the
 * taps inside the input, or with include_pad also those in the padding
 * (never those past it, which ceil_mode can create). */
int64_t pool_count(const pool_axis *a, int64_t o, int include_pad);
/* The exponent of LpPool/GlobalLpPool (int p, or float p before opset 2). */
int pool_lp_exponent(const ir_node *n, int *p, diag *d);

typedef enum reduce_kind {
    RED_SUM,
    RED_MEAN,
    RED_MAX,
    RED_MIN,
    RED_PROD,
    RED_L1,
    RED_L2,
    RED_SUMSQ,
    RED_LOGSUM,
    RED_LOGSUMEXP,
    RED_ARGMAX,
    RED_ARGMIN
} reduce_kind;

/* The reduction to perform: which input axes are folded (bit i = axis i;
 * 0 when the node reduces nothing and copies its input) and, for ArgMax/
 * ArgMin, the tie-break. */
typedef struct reduce_spec {
    reduce_kind kind;
    unsigned mask;
    int keepdims;
    int select_last_index;
} reduce_spec;

/* Reads and checks the attributes/axes of a Reduce*, ArgMax or ArgMin node
 * (input shape known) into s. Every problem goes to d. */
int reduce_spec_get(const ir_graph *g, const ir_node *n, reduce_spec *s, diag *d);

#endif
