/* Unit tests of the element-wise family's compile-time side: shape and type
 * inference (broadcasting, refusals with their messages) and constant
 * folding (int64/int32 shape arithmetic, float math, conversions). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "codegen/emit.h"
#include "ir_build.h"
#include "passes/ops/ops.h"

/* Graphs are of a recent opset (0 would mean legacy semantics). */
#define RECENT_OPSET 17

/* Adds node op(ins) -> one fresh output tensor; returns the output's index. */
static int add_node(ir_graph *g, const char *op, const int *ins, int n_in, int *node)
{
    int y = ir_graph_add_tensor(g, "y");
    assert_true(y >= 0);
    *node = ib_node(g, op, op, ins, n_in, &y, 1);
    return y;
}

/* Runs infer then eval; returns infer's result, eval's in *evaluated. */
static int run(ir_graph *g, int node, diag *d, int *evaluated)
{
    ir_node *n = &g->nodes[node];
    const op_handler *h = op_find(n->op);
    assert_non_null(h);
    int rc = h->infer(g, n, d);
    if (rc == 0 && evaluated)
        *evaluated = h->eval ? h->eval(g, n, d) : 0;
    return rc;
}

static void test_broadcast_shapes(void **state)
{
    (void)state;
    static const int64_t da[] = {2, 1, 4}, db[] = {3, 1};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int ins[] = {ib_tensor(g, "a", IR_FLOAT, 3, da), ib_tensor(g, "b", IR_FLOAT, 2, db)}, node;
    int y = add_node(g, "Add", ins, 2, &node), ev = -1;
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(ev, 0); /* inputs are not constant */
    assert_int_equal(g->tensors[y].shape.rank, 3);
    assert_int_equal(g->tensors[y].shape.dims[0], 2);
    assert_int_equal(g->tensors[y].shape.dims[1], 3);
    assert_int_equal(g->tensors[y].shape.dims[2], 4);
    assert_int_equal(g->tensors[y].dtype, IR_FLOAT);

    /* Comparisons give bool. */
    y = add_node(g, "Less", ins, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), 0);
    assert_int_equal(g->tensors[y].dtype, IR_BOOL);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_refusals(void **state)
{
    (void)state;
    static const int64_t d3[] = {2, 3}, d4[] = {4}, d2[] = {2};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int node;
    int bad[] = {ib_tensor(g, "p", IR_FLOAT, 2, d3), ib_tensor(g, "q", IR_FLOAT, 1, d4)};
    add_node(g, "Mul", bad, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "do not broadcast"));

    int i64 = ib_tensor(g, "i", IR_INT64, 1, d4);
    add_node(g, "Sigmoid", &i64, 1, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "element type int64, which is not supported"));

    int mixed[] = {bad[1], i64};
    add_node(g, "Add", mixed, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "must have the same element type"));

    int mod_in[] = {bad[1], bad[1]};
    add_node(g, "Mod", mod_in, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "need fmod=1"));

    add_node(g, "Cast", &bad[1], 1, &node);
    ib_attr_int(g, node, "to", IR_STRING);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "casting to string is not supported"));

    int clip_in[] = {bad[1], ib_tensor(g, "lo", IR_FLOAT, 1, d2)};
    add_node(g, "Clip", clip_in, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "must be a scalar"));

    add_node(g, "Relu", &bad[1], 1, &node);
    ib_attr_float(g, node, "alpha", 1.0f);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "attribute 'alpha' is not supported"));
    diag_free(&d);
    ir_graph_free(g);
}

/* Folds op(a, b) over int64 constants of 4 elements into out. */
static void fold_i64(const char *op, const int64_t *a, const int64_t *b, int64_t *out)
{
    static const int64_t d4[] = {4};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int ins[] = {ib_const(g, "a", IR_INT64, 1, d4, a), ib_const(g, "b", IR_INT64, 1, d4, b)};
    int node, ev = 0, y = add_node(g, op, ins, 2, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(ev, 1);
    assert_int_equal(g->tensors[y].dtype, IR_INT64);
    assert_non_null(g->tensors[y].data);
    memcpy(out, g->tensors[y].data, 4 * sizeof(int64_t));
    diag_free(&d);
    ir_graph_free(g);
}

static void test_fold_int64(void **state)
{
    (void)state;
    static const int64_t a[] = {-7, 7, 9, INT64_MAX}, b[] = {2, -2, 0, 1};
    int64_t r[4];
    fold_i64("Add", a, b, r);
    assert_int_equal(r[0], -5);
    assert_int_equal(r[2], 9);
    assert_true(r[3] == INT64_MIN); /* wraps */
    fold_i64("Mul", a, b, r);
    assert_int_equal(r[0], -14);
    assert_int_equal(r[1], -14);
    fold_i64("Div", a, b, r);
    assert_int_equal(r[0], -3); /* truncated toward zero */
    assert_int_equal(r[1], -3);
    assert_int_equal(r[2], 0); /* division by zero gives 0 */
    fold_i64("Sub", a, b, r);
    assert_int_equal(r[1], 9);
    fold_i64("Mod", a, b, r); /* fmod=0: the divisor's sign */
    assert_int_equal(r[0], 1);
    assert_int_equal(r[1], -1);
    fold_i64("Max", a, b, r);
    assert_int_equal(r[0], 2);
    assert_true(r[3] == INT64_MAX);
}

static void test_fold_int32_broadcast(void **state)
{
    (void)state;
    static const int64_t d2[] = {2}, d1[] = {1};
    static const int32_t a[] = {INT32_MAX, -5}, b[] = {1};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int ins[] = {ib_const(g, "a", IR_INT32, 1, d2, a), ib_const(g, "b", IR_INT32, 1, d1, b)};
    int node, ev = 0, y = add_node(g, "Add", ins, 2, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(ev, 1);
    const int32_t *r = g->tensors[y].data;
    assert_true(r[0] == INT32_MIN);
    assert_int_equal(r[1], -4);

    y = add_node(g, "Equal", ins, 2, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(g->tensors[y].dtype, IR_BOOL);
    assert_memory_equal(g->tensors[y].data, "\0\0", 2);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_fold_float(void **state)
{
    (void)state;
    static const int64_t d3[] = {3}, d0[] = {0};
    static const float x[] = {-1.0f, 0.0f, NAN}, s[] = {2.0f};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int xi = ib_const(g, "x", IR_FLOAT, 1, d3, x), si = ib_const(g, "s", IR_FLOAT, 0, d0, s);
    int ins[] = {xi, si}, node, ev = 0;
    int y = add_node(g, "Mul", ins, 2, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    const float *r = g->tensors[y].data;
    assert_true(r[0] == -2.0f && r[1] == 0.0f && isnan(r[2]));

    y = add_node(g, "Sigmoid", &xi, 1, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    r = g->tensors[y].data;
    assert_true(fabsf(r[1] - 0.5f) < 1e-7f);

    y = add_node(g, "Max", ins, 2, &node); /* NaN propagates */
    assert_int_equal(run(g, node, &d, &ev), 0);
    r = g->tensors[y].data;
    assert_true(r[0] == 2.0f && isnan(r[2]));
    diag_free(&d);
    ir_graph_free(g);
}

/* Float to integer saturates (NaN gives 0); float16 rounds to nearest even;
 * bfloat16 keeps float32's upper half. */
static void test_fold_cast(void **state)
{
    (void)state;
    static const int64_t d4[] = {4};
    static const float x[] = {3e9f, NAN, -1.5f, 1.00048828125f};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int xi = ib_const(g, "x", IR_FLOAT, 1, d4, x), node, ev = 0;
    int y = add_node(g, "Cast", &xi, 1, &node);
    ib_attr_int(g, node, "to", IR_INT32);
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(ev, 1);
    const int32_t *r = g->tensors[y].data;
    assert_true(r[0] == INT32_MAX);
    assert_int_equal(r[1], 0);
    assert_int_equal(r[2], -1);

    y = add_node(g, "Cast", &xi, 1, &node);
    ib_attr_int(g, node, "to", IR_FLOAT16);
    assert_int_equal(run(g, node, &d, &ev), 0);
    const uint16_t *h = g->tensors[y].data;
    assert_int_equal(h[0], 0x7c00); /* overflow: infinity */
    assert_int_equal(h[3], 0x3c00); /* 1 + 2^-11 is a tie: to even */

    y = add_node(g, "Cast", &xi, 1, &node);
    ib_attr_int(g, node, "to", IR_BFLOAT16);
    assert_int_equal(run(g, node, &d, &ev), 0);
    h = g->tensors[y].data;
    assert_int_equal(h[2], 0xbfc0);
    assert_int_equal(h[1] & 0x7fc0, 0x7fc0); /* a quiet NaN */
    diag_free(&d);
    ir_graph_free(g);
}

static void test_where_and_clip_fold(void **state)
{
    (void)state;
    static const int64_t d2[] = {2}, d0[] = {0};
    static const uint8_t c[] = {1, 0};
    static const int64_t x[] = {10, 20}, yv[] = {-1}, lo[] = {0}, hi[] = {15};
    ir_graph *g = ib_graph(RECENT_OPSET);
    diag d;
    diag_init(&d);
    int ins[] = {ib_const(g, "c", IR_BOOL, 1, d2, c), ib_const(g, "x", IR_INT64, 1, d2, x),
                 ib_const(g, "y", IR_INT64, 0, d0, yv)};
    int node, ev = 0, y = add_node(g, "Where", ins, 3, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    const int64_t *r = g->tensors[y].data;
    assert_int_equal(r[0], 10);
    assert_int_equal(r[1], -1);

    int clip_in[] = {ins[1], ib_const(g, "lo", IR_INT64, 0, d0, lo),
                     ib_const(g, "hi", IR_INT64, 0, d0, hi)};
    y = add_node(g, "Clip", clip_in, 3, &node);
    assert_int_equal(run(g, node, &d, &ev), 0);
    r = g->tensors[y].data;
    assert_int_equal(r[0], 10);
    assert_int_equal(r[1], 15);
    diag_free(&d);
    ir_graph_free(g);
}

/* Before opset 7, broadcast=1 with axis aligns the second input at that axis. */
static void test_legacy_axis_broadcast(void **state)
{
    (void)state;
    static const int64_t da[] = {2, 3}, db[] = {2}, dc[] = {3};
    static const float a[] = {0, 1, 2, 3, 4, 5}, b[] = {10, 20};
    ir_graph *g = ib_graph(RECENT_OPSET);
    g->opset = 6;
    diag d;
    diag_init(&d);
    int ins[] = {ib_const(g, "a", IR_FLOAT, 2, da, a), ib_const(g, "b", IR_FLOAT, 1, db, b)};
    int node, ev = 0, y = add_node(g, "Add", ins, 2, &node);
    ib_attr_int(g, node, "broadcast", 1);
    ib_attr_int(g, node, "axis", 0);
    assert_int_equal(run(g, node, &d, &ev), 0);
    assert_int_equal(ev, 1);
    assert_int_equal(g->tensors[y].shape.rank, 2);
    const float *r = g->tensors[y].data;
    assert_true(r[0] == 10 && r[2] == 12 && r[3] == 23 && r[5] == 25);

    /* Without broadcast=1 the shapes must match. */
    int ins2[] = {ins[0], ib_const(g, "c", IR_FLOAT, 1, dc, a)};
    add_node(g, "Add", ins2, 2, &node);
    assert_int_equal(run(g, node, &d, NULL), -1);
    assert_true(ib_mentions(&d, "need broadcast=1"));
    diag_free(&d);
    ir_graph_free(g);
}

/* Every operator the family accepts has a code generator. */
static void test_every_op_has_emitter(void **state)
{
    (void)state;
    static const char *const some[] = {"Add", "Cast", "Where", "Clip", "Sum", "PRelu", NULL};
    for (const char *const *op = some; *op; op++)
        assert_non_null(op_find(*op));
    for (const op_handler *h = op_family_elementwise; h->op; h++)
        if (!emit_find(h->op))
            fail_msg("no emitter for %s", h->op);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_broadcast_shapes),     cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_fold_int64),           cmocka_unit_test(test_fold_int32_broadcast),
        cmocka_unit_test(test_fold_float),           cmocka_unit_test(test_fold_cast),
        cmocka_unit_test(test_where_and_clip_fold),  cmocka_unit_test(test_legacy_axis_broadcast),
        cmocka_unit_test(test_every_op_has_emitter),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
