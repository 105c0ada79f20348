/* Invariants of the static memory plan, checked on hand-made and random
 * graphs: buffers alive at the same time never share bytes (except an
 * in-place output taking the bytes of an input that dies at that node),
 * offsets are aligned, scratch never overlaps what its node can see, the
 * arena is no larger than the sum of its buffers, constants are laid out
 * without overlap, and the plan is deterministic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir_build.h"
#include "passes/ops/ops.h"
#include "passes/passes.h"

#define ALIGN 16

static int64_t align_up(int64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

static int uf_find(int *p, int x)
{
    while (p[x] != x)
        x = p[x] = p[p[x]];
    return x;
}

static int overlap(int64_t a0, int64_t an, int64_t b0, int64_t bn)
{
    return an > 0 && bn > 0 && a0 < b0 + bn && b0 < a0 + an;
}

/* Checks every invariant of a planned graph. */
static void check_plan(const ir_graph *g)
{
    int nt = g->n_tensors, nn = g->n_nodes;
    int *first = malloc(sizeof(int) * (size_t)nt), *last = malloc(sizeof(int) * (size_t)nt);
    int *uf = malloc(sizeof(int) * (size_t)nt);
    assert_non_null(first);
    assert_non_null(last);
    assert_non_null(uf);
    for (int i = 0; i < nt; i++) {
        first[i] = last[i] = -1;
        uf[i] = i;
    }
    for (int i = 0; i < nn; i++) {
        const ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++)
            if (n->inputs[k] >= 0)
                last[n->inputs[k]] = i;
        for (int k = 0; k < n->n_outputs; k++)
            if (n->outputs[k] >= 0) {
                first[n->outputs[k]] = i;
                if (last[n->outputs[k]] < i)
                    last[n->outputs[k]] = i;
            }
    }
    /* Pairs allowed to share: in-place op, input 0 dies here, same size. */
    for (int i = 0; i < nn; i++) {
        const ir_node *n = &g->nodes[i];
        const op_handler *h = op_find(n->op);
        if (!h || !h->in_place || n->n_inputs < 1 || n->n_outputs < 1 || n->inputs[0] < 0 ||
            n->outputs[0] < 0)
            continue;
        int in = n->inputs[0], out = n->outputs[0];
        if (last[in] == i && ir_tensor_bytes(&g->tensors[in]) == ir_tensor_bytes(&g->tensors[out]))
            uf[uf_find(uf, out)] = uf_find(uf, in);
    }
    int64_t sum = 0;
    for (int a = 0; a < nt; a++) {
        const ir_tensor *ta = &g->tensors[a];
        /* Storage classes */
        if (ta->input_index >= 0 && !ta->data)
            assert_int_equal(ta->storage, IR_STORE_INPUT);
        if (first[a] >= 0)
            assert_int_equal(ta->storage,
                             ta->output_index >= 0 ? IR_STORE_OUTPUT : IR_STORE_ARENA);
        if (ta->data && first[a] < 0 && last[a] >= 0)
            assert_int_equal(ta->storage, IR_STORE_CONST);
        if (ta->storage == IR_STORE_CONST) {
            assert_int_equal(ta->offset % ALIGN, 0);
            assert_true(ta->offset + (int64_t)ir_tensor_bytes(ta) <= g->weights_bytes);
            for (int b = a + 1; b < nt; b++) {
                const ir_tensor *tb = &g->tensors[b];
                if (tb->storage == IR_STORE_CONST &&
                    overlap(ta->offset, (int64_t)ir_tensor_bytes(ta), tb->offset,
                            (int64_t)ir_tensor_bytes(tb)))
                    fail_msg("constants '%s' and '%s' overlap", ta->name, tb->name);
            }
        }
        if (ta->storage != IR_STORE_ARENA)
            continue;
        int64_t abytes = (int64_t)ir_tensor_bytes(ta);
        sum += align_up(abytes);
        assert_int_equal(ta->offset % ALIGN, 0);
        assert_true(ta->offset >= 0);
        assert_true(ta->offset + abytes <= g->arena_bytes);
        for (int b = a + 1; b < nt; b++) {
            const ir_tensor *tb = &g->tensors[b];
            if (tb->storage != IR_STORE_ARENA)
                continue;
            int alive_together = first[a] <= last[b] && first[b] <= last[a];
            if (!alive_together ||
                !overlap(ta->offset, abytes, tb->offset, (int64_t)ir_tensor_bytes(tb)))
                continue;
            if (uf_find(uf, a) != uf_find(uf, b))
                fail_msg("'%s' [%d,%d] and '%s' [%d,%d] are alive together and overlap", ta->name,
                         first[a], last[a], tb->name, first[b], last[b]);
        }
    }
    for (int i = 0; i < nn; i++) {
        const ir_node *n = &g->nodes[i];
        if (n->scratch_bytes <= 0)
            continue;
        sum += align_up(n->scratch_bytes);
        assert_int_equal(n->scratch_offset % ALIGN, 0);
        assert_true(n->scratch_offset + n->scratch_bytes <= g->arena_bytes);
        for (int t = 0; t < nt; t++)
            if (g->tensors[t].storage == IR_STORE_ARENA && first[t] <= i && i <= last[t] &&
                overlap(n->scratch_offset, n->scratch_bytes, g->tensors[t].offset,
                        (int64_t)ir_tensor_bytes(&g->tensors[t])))
                fail_msg("scratch of node %d overlaps '%s'", i, g->tensors[t].name);
    }
    assert_true(g->arena_bytes <= sum);
    assert_int_equal(g->arena_bytes % ALIGN, 0);
    free(first);
    free(last);
    free(uf);
}

static int plan(ir_graph *g)
{
    diag d;
    diag_init(&d);
    int rc = pass_plan_memory(g, &d);
    diag_free(&d);
    return rc;
}

/* x -> Relu -> a -> Relu -> b -> Relu -> y: in place all the way. */
static void test_inplace_chain(void **state)
{
    (void)state;
    static const int64_t d[] = {100};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), a = ib_tensor(g, "a", IR_FLOAT, 1, d),
        b = ib_tensor(g, "b", IR_FLOAT, 1, d), c = ib_tensor(g, "c", IR_FLOAT, 1, d),
        y = ib_tensor(g, "y", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    int two[] = {x, x};
    ib_node(g, "NotInPlace", "n0", two, 2, &a, 1);
    ib_node(g, "Relu", "r1", &a, 1, &b, 1);
    ib_node(g, "Relu", "r2", &b, 1, &c, 1);
    ib_node(g, "NotInPlace", "n3", &c, 1, &y, 1);
    ib_mark_output(g, y);
    assert_int_equal(plan(g), 0);
    check_plan(g);
    assert_int_equal(g->tensors[a].offset, g->tensors[b].offset);
    assert_int_equal(g->tensors[b].offset, g->tensors[c].offset);
    assert_int_equal(g->arena_bytes, 400);
    assert_int_equal(g->tensors[x].storage, IR_STORE_INPUT);
    assert_int_equal(g->tensors[y].storage, IR_STORE_OUTPUT);
    ir_graph_free(g);
}

/* An input that is read again later must not be overwritten in place. */
static void test_no_inplace_when_input_lives(void **state)
{
    (void)state;
    static const int64_t d[] = {64};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), a = ib_tensor(g, "a", IR_FLOAT, 1, d),
        b = ib_tensor(g, "b", IR_FLOAT, 1, d), y = ib_tensor(g, "y", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    ib_node(g, "NotInPlace", "n0", &x, 1, &a, 1);
    ib_node(g, "Relu", "r1", &a, 1, &b, 1);
    int ab[] = {a, b};
    ib_node(g, "NotInPlace", "n2", ab, 2, &y, 1);
    ib_mark_output(g, y);
    assert_int_equal(plan(g), 0);
    check_plan(g);
    assert_true(g->tensors[a].offset != g->tensors[b].offset);
    ir_graph_free(g);
}

/* Scratch goes where nothing alive at its node is. */
static void test_scratch(void **state)
{
    (void)state;
    static const int64_t d[] = {10};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d), a = ib_tensor(g, "a", IR_FLOAT, 1, d),
        b = ib_tensor(g, "b", IR_FLOAT, 1, d), y = ib_tensor(g, "y", IR_FLOAT, 1, d);
    ib_mark_input(g, x);
    ib_node(g, "NotInPlace", "n0", &x, 1, &a, 1);
    int n1 = ib_node(g, "NotInPlace", "n1", &a, 1, &b, 1);
    ib_node(g, "NotInPlace", "n2", &b, 1, &y, 1);
    ib_mark_output(g, y);
    g->nodes[n1].scratch_bytes = 1000;
    g->nodes[0].scratch_bytes = 5;
    assert_int_equal(plan(g), 0);
    check_plan(g);
    ir_graph_free(g);
}

static void test_constants(void **state)
{
    (void)state;
    int64_t d3[] = {3}, d5[] = {5};
    float v3[3] = {1, 2, 3};
    double v5[5] = {1, 2, 3, 4, 5};
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d3), c1 = ib_const(g, "c1", IR_FLOAT, 1, d3, v3),
        c2 = ib_const(g, "c2", IR_DOUBLE, 1, d5, v5), y = ib_tensor(g, "y", IR_FLOAT, 1, d3),
        unused = ib_const(g, "unused", IR_FLOAT, 1, d3, v3),
        c_out = ib_const(g, "c_out", IR_DOUBLE, 1, d5, v5);
    ib_mark_input(g, x);
    int ins[] = {x, c1, c2, c1};
    ib_node(g, "NotInPlace", "n", ins, 4, &y, 1);
    ib_mark_output(g, y);
    ib_mark_output(g, c_out); /* a constant graph output is copied from the blob */
    assert_int_equal(plan(g), 0);
    check_plan(g);
    assert_int_equal(g->tensors[c1].storage, IR_STORE_CONST);
    assert_int_equal(g->tensors[c2].storage, IR_STORE_CONST);
    assert_int_equal(g->tensors[c_out].storage, IR_STORE_CONST);
    assert_int_equal(g->tensors[unused].storage, IR_STORE_NONE);
    assert_int_equal(g->weights_bytes, 16 + 48 + 48);
    ir_graph_free(g);
}

static unsigned rng = 7;

static unsigned next(unsigned n)
{
    rng = rng * 1103515245u + 12345u;
    return (rng >> 8) % n;
}

/* A random DAG mixing in-place ops, ops without a handler, several outputs,
 * constants, graph outputs in the middle and scratch. */
static ir_graph *random_graph(int n_nodes)
{
    static const char *const ops[] = {"Relu", "Relu", "NotInPlace", "Add", "Mul", "Sigmoid"};
    ir_graph *g = ir_graph_new();
    int pool[512], n_pool = 0;
    int64_t d0[] = {1 + next(64)};
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d0);
    ib_mark_input(g, x);
    pool[n_pool++] = x;
    float cv[64] = {0};
    int64_t dc[] = {1 + next(64)};
    pool[n_pool++] = ib_const(g, "k", IR_FLOAT, 1, dc, cv);
    for (int i = 0; i < n_nodes; i++) {
        const char *op = ops[next(sizeof ops / sizeof ops[0])];
        int n_in = 1 + (int)next(3), n_out = 1 + (next(4) == 0);
        int ins[3], outs[2];
        /* Prefer recent tensors so that lifetimes are short and varied. */
        for (int k = 0; k < n_in; k++)
            ins[k] = pool[n_pool - 1 - (int)next((unsigned)(n_pool < 6 ? n_pool : 6))];
        /* Copied: adding tensors moves the array. */
        int64_t dim0 = g->tensors[ins[0]].shape.dims[0];
        ir_dtype dt0 = g->tensors[ins[0]].dtype;
        for (int k = 0; k < n_out; k++) {
            char name[32];
            snprintf(name, sizeof name, "t%d_%d", i, k);
            int64_t dims[1] = {next(3) == 0 ? 1 + next(200) : dim0};
            ir_dtype dt = next(5) == 0 ? IR_INT8 : IR_FLOAT;
            outs[k] = ib_tensor(g, name, k == 0 && next(2) ? dt0 : dt, 1, dims);
            pool[n_pool++] = outs[k];
        }
        char name[32];
        snprintf(name, sizeof name, "n%d", i);
        int n = ib_node(g, op, name, ins, n_in, outs, n_out);
        if (next(5) == 0)
            g->nodes[n].scratch_bytes = 1 + next(300);
        if (next(8) == 0)
            ib_mark_output(g, outs[0]);
    }
    ib_mark_output(g, pool[n_pool - 1]);
    return g;
}

static void test_random_graphs(void **state)
{
    (void)state;
    for (int round = 0; round < 300; round++) {
        ir_graph *g = random_graph(5 + (int)next(60));
        assert_int_equal(plan(g), 0);
        check_plan(g);
        /* Planning again gives the same plan. */
        int64_t arena = g->arena_bytes;
        int64_t *offsets = malloc(sizeof(int64_t) * (size_t)g->n_tensors);
        for (int i = 0; i < g->n_tensors; i++)
            offsets[i] = g->tensors[i].offset;
        assert_int_equal(plan(g), 0);
        assert_int_equal(g->arena_bytes, arena);
        for (int i = 0; i < g->n_tensors; i++)
            assert_int_equal(g->tensors[i].offset, offsets[i]);
        free(offsets);
        ir_graph_free(g);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_inplace_chain),
        cmocka_unit_test(test_no_inplace_when_input_lives),
        cmocka_unit_test(test_scratch),
        cmocka_unit_test(test_constants),
        cmocka_unit_test(test_random_graphs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
