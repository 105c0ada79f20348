/* Unit tests of the graph IR: construction, topological sort, compaction,
 * element types and the 16-bit float conversions, diagnostics. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "ir/ir.h"
#include "ir_build.h"

static const int64_t d4[] = {4};

/* a -> n0 -> b -> n1 -> c, built with the nodes in the given order. */
static ir_graph *chain(int reversed)
{
    ir_graph *g = ir_graph_new();
    int a = ib_tensor(g, "a", IR_FLOAT, 1, d4), b = ib_tensor(g, "b", IR_FLOAT, 1, d4),
        c = ib_tensor(g, "c", IR_FLOAT, 1, d4);
    ib_mark_input(g, a);
    ib_mark_output(g, c);
    if (reversed) {
        ib_node(g, "Relu", "second", &b, 1, &c, 1);
        ib_node(g, "Relu", "first", &a, 1, &b, 1);
    } else {
        ib_node(g, "Relu", "first", &a, 1, &b, 1);
        ib_node(g, "Relu", "second", &b, 1, &c, 1);
    }
    return g;
}

static void test_add_and_find(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    assert_non_null(g);
    int a = ir_graph_add_tensor(g, "alpha");
    int b = ir_graph_add_tensor(g, "beta");
    assert_int_equal(a, 0);
    assert_int_equal(b, 1);
    assert_int_equal(ir_graph_find_tensor(g, "beta"), 1);
    assert_int_equal(ir_graph_find_tensor(g, "gamma"), -1);
    assert_int_equal(g->tensors[a].producer, -1);
    assert_int_equal(g->tensors[a].input_index, -1);
    assert_int_equal(g->tensors[a].output_index, -1);
    /* Many tensors: growth keeps earlier entries. */
    for (int i = 0; i < 1000; i++) {
        char name[32];
        snprintf(name, sizeof name, "t%d", i);
        assert_int_equal(ir_graph_add_tensor(g, name), i + 2);
    }
    assert_string_equal(g->tensors[0].name, "alpha");
    assert_int_equal(ir_graph_find_tensor(g, "t999"), 1001);
    int n = ir_graph_add_node(g, "n", "Foo", "", 3, 2);
    assert_int_equal(n, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(g->nodes[n].inputs[i], -1);
    for (int i = 0; i < 2; i++)
        assert_int_equal(g->nodes[n].outputs[i], -1);
    assert_null(ir_node_in(g, &g->nodes[n], 0));
    assert_null(ir_node_in(g, &g->nodes[n], 7));
    ir_graph_free(g);
}

static void test_toposort_keeps_sorted_order(void **state)
{
    (void)state;
    ir_graph *g = chain(0);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), 0);
    assert_string_equal(g->nodes[0].name, "first");
    assert_string_equal(g->nodes[1].name, "second");
    assert_int_equal(g->tensors[1].producer, 0);
    assert_int_equal(g->tensors[2].producer, 1);
    diag_free(&d);
    ir_graph_free(g);
}

static void test_toposort_reorders(void **state)
{
    (void)state;
    ir_graph *g = chain(1);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), 0);
    assert_string_equal(g->nodes[0].name, "first");
    assert_string_equal(g->nodes[1].name, "second");
    assert_int_equal(g->tensors[ir_graph_find_tensor(g, "b")].producer, 0);
    assert_int_equal(g->tensors[ir_graph_find_tensor(g, "c")].producer, 1);
    assert_int_equal(d.n_errors, 0);
    diag_free(&d);
    ir_graph_free(g);
}

/* A wide random DAG given in a shuffled order sorts into a valid order, and
 * independent nodes keep their relative order (deterministic output). */
static void test_toposort_random_dag(void **state)
{
    (void)state;
    unsigned seed = 12345;
    for (int round = 0; round < 20; round++) {
        ir_graph *g = ir_graph_new();
        int n = 40;
        int x = ib_tensor(g, "x", IR_FLOAT, 1, d4);
        ib_mark_input(g, x);
        int tensors[64];
        for (int i = 0; i < n; i++) {
            char name[16];
            snprintf(name, sizeof name, "t%d", i);
            tensors[i] = ib_tensor(g, name, IR_FLOAT, 1, d4);
        }
        /* node i reads x or up to two earlier tensors; added in shuffled order */
        int perm[64];
        for (int i = 0; i < n; i++)
            perm[i] = i;
        for (int i = n - 1; i > 0; i--) {
            seed = seed * 1103515245u + 12345u;
            int j = (int)((seed >> 8) % (unsigned)(i + 1));
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int deps[64][2];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < 2; k++) {
                seed = seed * 1103515245u + 12345u;
                deps[i][k] = i == 0 ? x : tensors[(seed >> 8) % (unsigned)i];
            }
        }
        for (int k = 0; k < n; k++) {
            int i = perm[k];
            char name[16];
            snprintf(name, sizeof name, "n%d", i);
            ib_node(g, "Add", name, deps[i], 2, &tensors[i], 1);
        }
        ib_mark_output(g, tensors[n - 1]);
        diag d;
        diag_init(&d);
        assert_int_equal(ir_graph_toposort(g, &d), 0);
        char *done = calloc((size_t)g->n_tensors, 1);
        done[x] = 1;
        for (int i = 0; i < g->n_nodes; i++) {
            for (int k = 0; k < g->nodes[i].n_inputs; k++)
                assert_true(done[g->nodes[i].inputs[k]]);
            done[g->nodes[i].outputs[0]] = 1;
            assert_int_equal(g->tensors[g->nodes[i].outputs[0]].producer, i);
        }
        free(done);
        diag_free(&d);
        ir_graph_free(g);
    }
}

static void test_toposort_cycle(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int a = ib_tensor(g, "a", IR_FLOAT, 1, d4), b = ib_tensor(g, "b", IR_FLOAT, 1, d4),
        x = ib_tensor(g, "x", IR_FLOAT, 1, d4), y = ib_tensor(g, "y", IR_FLOAT, 1, d4);
    ib_mark_input(g, x);
    int in0[] = {x, b}, in1[] = {a};
    ib_node(g, "Add", "loop_a", in0, 2, &a, 1);
    ib_node(g, "Relu", "loop_b", in1, 1, &b, 1);
    ib_node(g, "Relu", "tail", &b, 1, &y, 1);
    ib_mark_output(g, y);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), -1);
    assert_int_equal(d.n_errors, 1);
    assert_non_null(strstr(d.errors[0], "cycle"));
    diag_free(&d);
    ir_graph_free(g);
}

static void test_toposort_self_loop(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int a = ib_tensor(g, "a", IR_FLOAT, 1, d4);
    ib_node(g, "Relu", "self", &a, 1, &a, 1);
    ib_mark_output(g, a);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), -1);
    assert_non_null(strstr(d.errors[0], "cycle"));
    diag_free(&d);
    ir_graph_free(g);
}

static void test_toposort_unproduced_input(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int a = ib_tensor(g, "nobody_makes_me", IR_FLOAT, 1, d4), b = ib_tensor(g, "b", IR_FLOAT, 1, d4);
    ib_node(g, "Relu", "r", &a, 1, &b, 1);
    ib_mark_output(g, b);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), -1);
    assert_non_null(strstr(d.errors[0], "nobody_makes_me"));
    assert_non_null(strstr(d.errors[0], "not produced"));
    diag_free(&d);
    ir_graph_free(g);
}

static void test_toposort_two_producers(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d4), y = ib_tensor(g, "y", IR_FLOAT, 1, d4);
    ib_mark_input(g, x);
    ib_node(g, "Relu", "p1", &x, 1, &y, 1);
    ib_node(g, "Relu", "p2", &x, 1, &y, 1);
    ib_mark_output(g, y);
    diag d;
    diag_init(&d);
    assert_int_equal(ir_graph_toposort(g, &d), -1);
    assert_non_null(strstr(d.errors[0], "produced by two nodes"));
    diag_free(&d);
    ir_graph_free(g);
}

static void test_compact(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int t[6];
    for (int i = 0; i < 6; i++) {
        char name[8];
        snprintf(name, sizeof name, "t%d", i);
        t[i] = ib_tensor(g, name, IR_FLOAT, 1, d4);
    }
    ib_mark_input(g, t[0]);
    for (int i = 0; i < 5; i++) {
        char name[8];
        snprintf(name, sizeof name, "n%d", i);
        ib_node(g, "Relu", name, &t[i], 1, &t[i + 1], 1);
    }
    ib_mark_output(g, t[5]);
    int *uses = ir_graph_use_counts(g);
    assert_non_null(uses);
    assert_int_equal(uses[t[2]], 1);
    free(uses);
    g->nodes[1].dead = 1;
    g->nodes[3].dead = 1;
    uses = ir_graph_use_counts(g);
    assert_non_null(uses);
    assert_int_equal(uses[t[1]], 0); /* its reader is dead */
    free(uses);
    ir_graph_compact(g);
    assert_int_equal(g->n_nodes, 3);
    assert_string_equal(g->nodes[0].name, "n0");
    assert_string_equal(g->nodes[1].name, "n2");
    assert_string_equal(g->nodes[2].name, "n4");
    assert_int_equal(g->tensors[t[2]].producer, -1); /* n1 is gone */
    assert_int_equal(g->tensors[t[3]].producer, 1);
    assert_int_equal(g->tensors[t[5]].producer, 2);
    /* Compacting again changes nothing. */
    ir_graph_compact(g);
    assert_int_equal(g->n_nodes, 3);
    ir_graph_free(g);
}

static void test_shapes(void **state)
{
    (void)state;
    ir_shape s = {.rank = 4, .dims = {1, 3, 224, 224}}, t = s, scalar = {0};
    char buf[64];
    assert_int_equal(ir_shape_numel(&s), 3 * 224 * 224);
    assert_int_equal(ir_shape_numel(&scalar), 1);
    assert_true(ir_shape_equal(&s, &t));
    t.dims[3] = 223;
    assert_false(ir_shape_equal(&s, &t));
    assert_false(ir_shape_equal(&s, &scalar));
    assert_string_equal(ir_shape_str(&s, buf, sizeof buf), "1x3x224x224");
    assert_string_equal(ir_shape_str(&scalar, buf, sizeof buf), "scalar");
    /* A small buffer truncates without overflowing. */
    char small[6];
    ir_shape_str(&s, small, sizeof small);
    assert_true(strlen(small) < sizeof small);
    ir_shape z = {.rank = 2, .dims = {0, 5}};
    assert_int_equal(ir_shape_numel(&z), 0);
}

static void test_shape_fits(void **state)
{
    (void)state;
    ir_shape ok = {.rank = 2, .dims = {1 << 16, 1 << 16}};
    assert_true(ir_shape_fits(&ok, IR_FLOAT));          /* 16 GiB exactly */
    ok.dims[1]++;
    assert_false(ir_shape_fits(&ok, IR_FLOAT));
    assert_true(ir_shape_fits(&ok, IR_UINT8));
    ir_shape neg = {.rank = 1, .dims = {-1}};
    assert_false(ir_shape_fits(&neg, IR_FLOAT));
    ir_shape huge = {.rank = 3, .dims = {INT64_MAX, INT64_MAX, 0}};
    assert_false(ir_shape_fits(&huge, IR_FLOAT));
    ir_shape zero = {.rank = 3, .dims = {0, INT64_MAX, INT64_MAX}};
    assert_false(ir_shape_fits(&zero, IR_FLOAT)); /* empty, but strides would overflow */
    ir_shape empty = {.rank = 3, .dims = {0, 1000, 1000}};
    assert_true(ir_shape_fits(&empty, IR_FLOAT));
    ir_shape scalar = {0};
    assert_true(ir_shape_fits(&scalar, IR_DOUBLE));
    ir_shape many = {.rank = 8, .dims = {256, 256, 256, 256, 256, 256, 256, 256}};
    assert_false(ir_shape_fits(&many, IR_BOOL));       /* 2^64 elements */
}

static void test_dtype_table(void **state)
{
    (void)state;
    static const struct {
        ir_dtype t;
        size_t size;
        const char *name, *ctype;
    } rows[] = {
        {IR_FLOAT, 4, "float32", "float"},     {IR_UINT8, 1, "uint8", "uint8_t"},
        {IR_INT8, 1, "int8", "int8_t"},        {IR_UINT16, 2, "uint16", "uint16_t"},
        {IR_INT16, 2, "int16", "int16_t"},     {IR_INT32, 4, "int32", "int32_t"},
        {IR_INT64, 8, "int64", "int64_t"},     {IR_BOOL, 1, "bool", "uint8_t"},
        {IR_FLOAT16, 2, "float16", "uint16_t"}, {IR_DOUBLE, 8, "float64", "double"},
        {IR_UINT32, 4, "uint32", "uint32_t"},  {IR_UINT64, 8, "uint64", "uint64_t"},
        {IR_BFLOAT16, 2, "bfloat16", "uint16_t"},
    };
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
        assert_true(ir_dtype_supported(rows[i].t));
        assert_int_equal(ir_dtype_size(rows[i].t), rows[i].size);
        assert_string_equal(ir_dtype_name(rows[i].t), rows[i].name);
        assert_string_equal(ir_dtype_ctype(rows[i].t), rows[i].ctype);
    }
    assert_false(ir_dtype_supported(IR_STRING));
    assert_false(ir_dtype_supported(0));
    assert_false(ir_dtype_supported(14)); /* complex64 */
    assert_false(ir_dtype_supported(-3));
    assert_false(ir_dtype_supported(1000));
    assert_int_equal(ir_dtype_size(IR_STRING), 0);
    assert_string_equal(ir_dtype_name(IR_STRING), "string");
    assert_string_equal(ir_dtype_name(14), "complex64");
    assert_string_equal(ir_dtype_name(99), "unknown type");
    assert_true(ir_dtype_is_float(IR_FLOAT));
    assert_true(ir_dtype_is_float(IR_DOUBLE));
    assert_false(ir_dtype_is_float(IR_FLOAT16));
    assert_false(ir_dtype_is_float(IR_INT32));
    assert_true(ir_dtype_is_int(IR_UINT64));
    assert_true(ir_dtype_is_int(IR_INT8));
    assert_false(ir_dtype_is_int(IR_BOOL));
    assert_false(ir_dtype_is_int(IR_FLOAT));
}

static uint16_t to_half(float f)
{
    uint16_t h;
    ir_data_set_double(IR_FLOAT16, &h, 0, f);
    return h;
}

static float from_half(uint16_t h) { return (float)ir_data_get_double(IR_FLOAT16, &h, 0); }

static uint16_t to_bf16(float f)
{
    uint16_t h;
    ir_data_set_double(IR_BFLOAT16, &h, 0, f);
    return h;
}

static float from_bf16(uint16_t h) { return (float)ir_data_get_double(IR_BFLOAT16, &h, 0); }

/* Every float16 pattern survives half -> float -> half (NaNs stay NaNs). */
static void test_float16_round_trip_all(void **state)
{
    (void)state;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = from_half((uint16_t)h);
        int exp = (h >> 10) & 0x1f, man = h & 0x3ff;
        if (exp == 0x1f && man) {
            assert_true(isnan(f));
            uint16_t back = to_half(f);
            assert_int_equal(back & 0x7c00, 0x7c00);
            assert_true(back & 0x3ff);
            continue;
        }
        assert_int_equal(to_half(f), h);
    }
}

static void test_float16_values(void **state)
{
    (void)state;
    assert_int_equal(to_half(1.0f), 0x3c00);
    assert_int_equal(to_half(-2.0f), 0xc000);
    assert_int_equal(to_half(0.0f), 0x0000);
    assert_int_equal(to_half(-0.0f), 0x8000);
    assert_int_equal(to_half(65504.0f), 0x7bff);        /* largest finite */
    assert_int_equal(to_half(65519.0f), 0x7bff);        /* rounds down */
    assert_int_equal(to_half(65520.0f), 0x7c00);        /* ties to even: overflows to inf */
    assert_int_equal(to_half(1e10f), 0x7c00);
    assert_int_equal(to_half(-1e10f), 0xfc00);
    assert_int_equal(to_half(INFINITY), 0x7c00);
    assert_int_equal(to_half(0.1f), 0x2e66);
    assert_int_equal(to_half(ldexpf(1.0f, -14)), 0x0400); /* smallest normal */
    assert_int_equal(to_half(ldexpf(1.0f, -24)), 0x0001); /* smallest subnormal */
    assert_int_equal(to_half(ldexpf(1.0f, -25)), 0x0000); /* tie rounds to even (0) */
    assert_int_equal(to_half(ldexpf(3.0f, -26)), 0x0001); /* 0.75 ulp rounds up */
    assert_int_equal(to_half(ldexpf(3.0f, -25)), 0x0002); /* 1.5 ulp ties to even */
    assert_int_equal(to_half(ldexpf(1.0f, -30)), 0x0000);
    /* 1 + 2^-11 is a tie between 1 and 1 + 2^-10: even is 1. */
    assert_int_equal(to_half(1.0f + ldexpf(1.0f, -11)), 0x3c00);
    assert_int_equal(to_half(1.0f + ldexpf(3.0f, -11)), 0x3c02);
    assert_true(isnan(from_half(to_half(NAN))));
    assert_true(from_half(0x0001) == ldexpf(1.0f, -24));
    assert_true(from_half(0x03ff) == ldexpf(1023.0f, -24));
    assert_true(from_half(0xfc00) == -INFINITY);
}

static void test_bfloat16(void **state)
{
    (void)state;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = from_bf16((uint16_t)h);
        if (isnan(f)) {
            assert_true(isnan(from_bf16(to_bf16(f))));
            continue;
        }
        assert_int_equal(to_bf16(f), h);
    }
    assert_int_equal(to_bf16(1.0f), 0x3f80);
    assert_int_equal(to_bf16(-1.0f), 0xbf80);
    /* Truncation, as ONNX 1.12's Cast and its test data define it. */
    float f;
    uint32_t bits = 0x3f80ffffu;
    memcpy(&f, &bits, 4);
    assert_int_equal(to_bf16(f), 0x3f80);
    bits = 0xbf81ffffu;
    memcpy(&f, &bits, 4);
    assert_int_equal(to_bf16(f), 0xbf81);
    bits = 0x7f7fffffu;         /* FLT_MAX stays finite */
    memcpy(&f, &bits, 4);
    assert_int_equal(to_bf16(f), 0x7f7f);
    assert_int_equal(to_bf16(INFINITY), 0x7f80);
    bits = 0x7f800001u;         /* a NaN whose payload would truncate to inf */
    memcpy(&f, &bits, 4);
    assert_true(isnan(from_bf16(to_bf16(f))));
}

static void test_int_conversions(void **state)
{
    (void)state;
    uint8_t u8[2];
    int8_t i8[2];
    int32_t i32[1];
    uint64_t u64[1];
    int64_t i64[1];
    ir_data_set_int(IR_UINT8, u8, 0, 300);
    assert_int_equal(u8[0], 300 & 0xff);
    ir_data_set_int(IR_INT8, i8, 1, -5);
    assert_int_equal(ir_data_get_int(IR_INT8, i8, 1), -5);
    ir_data_set_int(IR_BOOL, u8, 1, 42);
    assert_int_equal(u8[1], 1);
    ir_data_set_double(IR_BOOL, u8, 0, 0.5);
    assert_int_equal(u8[0], 1);
    ir_data_set_double(IR_INT32, i32, 0, -7.9);
    assert_int_equal(i32[0], -7); /* truncation toward zero, like a C cast */
    ir_data_set_int(IR_UINT64, u64, 0, -1);
    assert_true(u64[0] == UINT64_MAX);
    assert_true(ir_data_get_double(IR_UINT64, u64, 0) > 1.8e19);
    /* Out-of-range and NaN floats convert to int64 without undefined behaviour. */
    float fv[4] = {NAN, 1e30f, -1e30f, 3.75f};
    assert_int_equal(ir_data_get_int(IR_FLOAT, fv, 0), 0);
    assert_true(ir_data_get_int(IR_FLOAT, fv, 1) == INT64_MAX);
    assert_true(ir_data_get_int(IR_FLOAT, fv, 2) == INT64_MIN);
    assert_int_equal(ir_data_get_int(IR_FLOAT, fv, 3), 3);
    ir_data_set_double(IR_INT64, i64, 0, 1e300);
    assert_true(i64[0] == INT64_MAX);
    ir_data_set_double(IR_INT64, i64, 0, NAN);
    assert_true(i64[0] == 0);
    double dv[1];
    ir_data_set_int(IR_DOUBLE, dv, 0, 1234567);
    assert_true(dv[0] == 1234567.0);
    uint16_t h[1];
    ir_data_set_int(IR_FLOAT16, h, 0, 3);
    assert_int_equal(h[0], 0x4200);
}

static void test_tensor_const(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int t = ir_graph_add_tensor(g, "w");
    ir_shape s = {.rank = 2, .dims = {3, 5}};
    assert_int_equal(ir_tensor_set_const(&g->tensors[t], IR_INT16, &s), 0);
    assert_non_null(g->tensors[t].data);
    assert_int_equal(ir_tensor_bytes(&g->tensors[t]), 30);
    for (int i = 0; i < 15; i++)
        assert_int_equal(((int16_t *)g->tensors[t].data)[i], 0);
    /* Setting it again replaces the storage (ASan checks the old one is freed). */
    ir_shape s2 = {.rank = 1, .dims = {7}};
    assert_int_equal(ir_tensor_set_const(&g->tensors[t], IR_DOUBLE, &s2), 0);
    assert_int_equal(ir_tensor_bytes(&g->tensors[t]), 56);
    assert_true(g->tensors[t].has_shape);
    ir_graph_free(g);
}

static void test_attrs(void **state)
{
    (void)state;
    ir_graph *g = ir_graph_new();
    int x = ib_tensor(g, "x", IR_FLOAT, 1, d4), y = ib_tensor(g, "y", IR_FLOAT, 1, d4);
    int n = ib_node(g, "LeakyRelu", "lr", &x, 1, &y, 1);
    ib_attr_float(g, n, "alpha", 0.25f);
    ib_attr_int(g, n, "axis", -2);
    assert_true(ir_attr_float(&g->nodes[n], "alpha", 1.0f) == 0.25f);
    assert_true(ir_attr_float(&g->nodes[n], "beta", 1.5f) == 1.5f);
    assert_int_equal(ir_attr_int(&g->nodes[n], "axis", 0), -2);
    /* Type mismatch gives the default rather than a reinterpretation. */
    assert_int_equal(ir_attr_int(&g->nodes[n], "alpha", 9), 9);
    assert_string_equal(ir_attr_string(&g->nodes[n], "mode", "dflt"), "dflt");
    assert_null(ir_node_attr(&g->nodes[n], "nothing"));
    assert_false(ir_node_inputs_const(g, &g->nodes[n]));
    ir_graph_free(g);
}

static void test_diag(void **state)
{
    (void)state;
    diag d;
    diag_init(&d);
    assert_false(diag_has_errors(&d));
    diag_warning(&d, "careful %d", 1);
    assert_int_equal(diag_error(&d, "first %s", "problem"), -1);
    assert_int_equal(diag_node(&d, "conv1", "Conv", "group %d is not supported", 3), -1);
    assert_int_equal(diag_node(&d, "", NULL, "no name"), -1);
    assert_true(diag_has_errors(&d));
    assert_int_equal(d.n_errors, 3);
    assert_string_equal(d.errors[1], "node 'conv1' (Conv): group 3 is not supported");
    assert_string_equal(d.errors[2], "node '<unnamed>' (?): no name");
    /* A very long message is cut, not overflowed. */
    char big[4000];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = 0;
    diag_error(&d, "%s", big);
    assert_true(strlen(d.errors[3]) < 1024);
    for (int i = 0; i < 100; i++)
        diag_error(&d, "many %d", i);
    assert_int_equal(d.n_errors, 104);
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    diag_print(&d, f, "m.onnx");
    fclose(f);
    assert_non_null(strstr(text, "scnnc: warning: careful 1\n"));
    assert_non_null(strstr(text, "scnnc: error: m.onnx: 104 problems:\n"));
    assert_non_null(strstr(text, "  many 99\n"));
    free(text);
    diag_free(&d);
    assert_int_equal(d.n_errors, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_add_and_find),
        cmocka_unit_test(test_toposort_keeps_sorted_order),
        cmocka_unit_test(test_toposort_reorders),
        cmocka_unit_test(test_toposort_random_dag),
        cmocka_unit_test(test_toposort_cycle),
        cmocka_unit_test(test_toposort_self_loop),
        cmocka_unit_test(test_toposort_unproduced_input),
        cmocka_unit_test(test_toposort_two_producers),
        cmocka_unit_test(test_compact),
        cmocka_unit_test(test_shapes),
        cmocka_unit_test(test_shape_fits),
        cmocka_unit_test(test_dtype_table),
        cmocka_unit_test(test_float16_round_trip_all),
        cmocka_unit_test(test_float16_values),
        cmocka_unit_test(test_bfloat16),
        cmocka_unit_test(test_int_conversions),
        cmocka_unit_test(test_tensor_const),
        cmocka_unit_test(test_attrs),
        cmocka_unit_test(test_diag),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
