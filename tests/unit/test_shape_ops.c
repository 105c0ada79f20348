/* Unit tests of the shape and movement operator families: the shape
 * subgraph torch.onnx.export writes for flatten/view folds away entirely;
 * each operator's eval gives numpy's values; bad attributes and run-time
 * shapes are refused with a reason; and the generated kernels compute
 * exactly what eval computes (one graph, compiled once with gcc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "codegen/codegen.h"
#include "ir_build.h"
#include "passes/passes.h"

/* A tensor whose type and shape inference must find. */
static int t_new(ir_graph *g, const char *name)
{
    int t = ir_graph_add_tensor(g, name);
    assert_true(t >= 0);
    return t;
}

static int t_i64(ir_graph *g, const char *name, int count, const int64_t *v)
{
    int64_t d[1] = {count};
    return ib_const(g, name, IR_INT64, 1, d, v);
}

static int t_scalar64(ir_graph *g, const char *name, int64_t v)
{
    return ib_const(g, name, IR_INT64, 0, NULL, &v);
}

/* A float constant holding 0, 1, 2, ... */
static int t_iota(ir_graph *g, const char *name, int rank, const int64_t *dims)
{
    int64_t n = 1;
    for (int k = 0; k < rank; k++)
        n *= dims[k];
    float *v = malloc(sizeof(float) * (size_t)(n ? n : 1));
    assert_non_null(v);
    for (int64_t i = 0; i < n; i++)
        v[i] = (float)i;
    int t = ib_const(g, name, IR_FLOAT, rank, dims, v);
    free(v);
    return t;
}

/* One node from inputs to a fresh output tensor that is a graph output. */
static int op1(ir_graph *g, const char *op, const int *ins, int n_in, int *node)
{
    char name[64];
    snprintf(name, sizeof name, "%s_out%d", op, g->n_tensors);
    int y = t_new(g, name);
    int n = ib_node(g, op, name, ins, n_in, &y, 1);
    if (node)
        *node = n;
    ib_mark_output(g, y);
    return y;
}

static void infer_and_fold(ir_graph *g)
{
    diag d;
    diag_init(&d);
    int rc = pass_infer_shapes(g, &d);
    if (rc == 0)
        rc = pass_fold_constants(g, &d);
    if (rc)
        diag_print(&d, stderr, "test graph");
    assert_int_equal(rc, 0);
    diag_free(&d);
}

/* Tensor t is a folded constant with this shape and these values. */
static void expect(const ir_graph *g, int t, int rank, const int64_t *dims, const double *vals)
{
    const ir_tensor *x = &g->tensors[t];
    assert_true(x->has_shape);
    assert_non_null(x->data);
    assert_int_equal(x->shape.rank, rank);
    for (int k = 0; k < rank; k++)
        assert_int_equal(x->shape.dims[k], dims[k]);
    for (int64_t i = 0; i < ir_tensor_numel(x); i++)
        if (ir_data_get_double(x->dtype, x->data, i) != vals[i])
            fail_msg("'%s' element %lld is %g, expected %g", x->name, (long long)i,
                     ir_data_get_double(x->dtype, x->data, i), vals[i]);
}

/* Inference fails with a message containing `needle`. */
static void expect_refused(ir_graph *g, const char *needle)
{
    assert_true(ib_refuses(g, needle));
    ir_graph_free(g);
}

/* --- the torch flatten subgraph ------------------------------------------------ */

/* Shape -> Gather -> Unsqueeze -> Concat(-1) -> Reshape: only the Reshape
 * survives, with a constant target shape. */
static void test_torch_flatten_folds(void **state)
{
    (void)state;
    static const int64_t xd[] = {2, 3, 4, 5}, minus1[] = {-1}, zero[] = {0};
    ir_graph *g = ib_graph(13);
    int x = ib_tensor(g, "x", IR_FLOAT, 4, xd);
    ib_mark_input(g, x);
    int shape = t_new(g, "shape"), batch = t_new(g, "batch"), batch1 = t_new(g, "batch1"),
        target = t_new(g, "target"), y = t_new(g, "y");
    int idx = t_scalar64(g, "idx", 0), axes = t_i64(g, "axes", 1, zero),
        rest = t_i64(g, "rest", 1, minus1);
    ib_node(g, "Shape", "shape", &x, 1, &shape, 1);
    int gather_in[] = {shape, idx}, unsq_in[] = {batch, axes}, cat_in[] = {batch1, rest},
        reshape_in[] = {x, target};
    ib_node(g, "Gather", "gather", gather_in, 2, &batch, 1);
    ib_node(g, "Unsqueeze", "unsqueeze", unsq_in, 2, &batch1, 1);
    int cat = ib_node(g, "Concat", "concat", cat_in, 2, &target, 1);
    ib_attr_int(g, cat, "axis", 0);
    ib_node(g, "Reshape", "reshape", reshape_in, 2, &y, 1);
    ib_mark_output(g, y);

    infer_and_fold(g);
    assert_int_equal(g->n_nodes, 1);
    assert_string_equal(g->nodes[0].op, "Reshape");
    static const int64_t yd[] = {2, 60}, td[] = {2};
    static const double tv[] = {2, -1};
    expect(g, g->nodes[0].inputs[1], 1, td, tv);
    assert_int_equal(g->tensors[y].shape.rank, 2);
    assert_int_equal(g->tensors[y].shape.dims[0], yd[0]);
    assert_int_equal(g->tensors[y].shape.dims[1], yd[1]);
    assert_null(g->tensors[y].data);
    ir_graph_free(g);
}

/* --- eval: each operator against numpy's answer -------------------------------- */

static void test_fold_shape_ops(void **state)
{
    (void)state;
    static const int64_t d234[] = {2, 3, 4}, d1x3[] = {1, 3, 1, 1}, ax13[] = {1, -1};
    ir_graph *g = ib_graph(11);
    int x = ib_tensor(g, "x", IR_FLOAT, 3, d234);
    ib_mark_input(g, x);
    int n;
    int shape = op1(g, "Shape", &x, 1, &n);
    ib_attr_int(g, n, "start", -2);
    int size = op1(g, "Size", &x, 1, NULL);
    int c = t_iota(g, "c", 4, d1x3);
    int sq = op1(g, "Squeeze", &c, 1, NULL); /* every dim of 1 */
    int unsq = op1(g, "Unsqueeze", &sq, 1, &n);
    ib_attr_ints(g, n, "axes", 2, ax13); /* opset 11: attribute */
    int flat = op1(g, "Flatten", &c, 1, &n);
    ib_attr_int(g, n, "axis", -1);
    int outs[2] = {t_new(g, "drop"), t_new(g, "mask")};
    ib_node(g, "Dropout", "dropout", &c, 1, outs, 2);
    ib_mark_output(g, outs[0]);
    ib_mark_output(g, outs[1]);
    infer_and_fold(g);
    assert_int_equal(g->n_nodes, 0);
    static const int64_t two[] = {2}, three[] = {3}, d311[] = {3, 1, 1}, d31[] = {3, 1};
    static const double v34[] = {3, 4}, v24[] = {24}, v012[] = {0, 1, 2}, ones[] = {1, 1, 1};
    expect(g, shape, 1, two, v34);
    expect(g, size, 0, NULL, v24);
    expect(g, sq, 1, three, v012);
    expect(g, unsq, 3, d311, v012);
    expect(g, flat, 2, d31, v012);
    expect(g, outs[0], 4, d1x3, v012);
    expect(g, outs[1], 4, d1x3, ones);
    assert_int_equal(g->tensors[outs[1]].dtype, IR_BOOL);
    ir_graph_free(g);
}

static void test_fold_slice_pad(void **state)
{
    (void)state;
    static const int64_t d10[] = {10}, d23[] = {2, 3}, d22[] = {2, 2}, d3[] = {3};
    ir_graph *g = ib_graph(19);
    int r = t_iota(g, "r", 1, d10), m = t_iota(g, "m", 2, d23), q = t_iota(g, "q", 2, d22),
        v = t_iota(g, "v", 1, d3);
    /* r[8::-3] */
    static const int64_t s8[] = {8}, emin[] = {INT64_MIN}, stm3[] = {-3};
    int sl_in[] = {r, t_i64(g, "s", 1, s8), t_i64(g, "e", 1, emin), -1, t_i64(g, "st", 1, stm3)};
    int sl = op1(g, "Slice", sl_in, 5, NULL);
    /* m[:, 1:100] through a negative axis */
    static const int64_t s1[] = {1}, e100[] = {100}, am1[] = {-1};
    int sl2_in[] = {m, t_i64(g, "s1", 1, s1), t_i64(g, "e1", 1, e100), t_i64(g, "a1", 1, am1)};
    int sl2 = op1(g, "Slice", sl2_in, 4, NULL);
    /* np.pad(m + 1, ((1, 1), (2, 0)), 'reflect') with m + 1 = iota: rows [0 1 2][3 4 5] */
    static const int64_t pr[] = {1, 2, 1, 0};
    int pad_in[] = {m, t_i64(g, "pr", 4, pr)};
    int n, refl = op1(g, "Pad", pad_in, 2, &n);
    ib_attr_string(g, n, "mode", "reflect");
    static const int64_t pe[] = {0, 1, 1, 1};
    int pe_in[] = {q, t_i64(g, "pe", 4, pe)};
    int edge = op1(g, "Pad", pe_in, 2, &n);
    ib_attr_string(g, n, "mode", "edge");
    static const int64_t pw[] = {2, 1};
    int pw_in[] = {v, t_i64(g, "pw", 2, pw)};
    int wrap = op1(g, "Pad", pw_in, 2, &n);
    ib_attr_string(g, n, "mode", "wrap");
    /* constant 9 with a crop: axis 0 gets one row before, axis 1 loses its
     * first column and gains one after */
    static const int64_t pc[] = {1, -1, 0, 1};
    float nine = 9;
    int pc_in[] = {m, t_i64(g, "pc", 4, pc), ib_const(g, "nine", IR_FLOAT, 0, NULL, &nine)};
    int cpad = op1(g, "Pad", pc_in, 3, NULL);
    infer_and_fold(g);
    assert_int_equal(g->n_nodes, 0);
    static const int64_t d45[] = {4, 5}, d34[] = {3, 4}, d6[] = {6}, d33[] = {3, 3};
    static const double vsl[] = {8, 5, 2}, vsl2[] = {1, 2, 4, 5};
    static const double vrefl[] = {5, 4, 3, 4, 5, 2, 1, 0, 1, 2, 5, 4, 3, 4, 5, 2, 1, 0, 1, 2};
    static const double vedge[] = {0, 0, 1, 1, 2, 2, 3, 3, 2, 2, 3, 3};
    static const double vwrap[] = {1, 2, 0, 1, 2, 0};
    static const double vc[] = {9, 9, 9, 1, 2, 9, 4, 5, 9};
    expect(g, sl, 1, d3, vsl);
    expect(g, sl2, 2, d22, vsl2);
    expect(g, refl, 2, d45, vrefl);
    expect(g, edge, 2, d34, vedge);
    expect(g, wrap, 1, d6, vwrap);
    expect(g, cpad, 2, d33, vc);
    ir_graph_free(g);
}

static void test_fold_movement(void **state)
{
    (void)state;
    static const int64_t d23[] = {2, 3}, d12[] = {1, 2}, d5[] = {5}, d8[] = {1, 8, 2, 2},
                         d44[] = {1, 1, 4, 4}, d31[] = {3, 1};
    ir_graph *g = ib_graph(18);
    int m = t_iota(g, "m", 2, d23), p = t_iota(g, "p", 2, d12), f = t_iota(g, "f", 1, d5),
        c8 = t_iota(g, "c8", 4, d8), s44 = t_iota(g, "s44", 4, d44), col = t_iota(g, "col", 2, d31);
    int n;
    int tr = op1(g, "Transpose", &m, 1, NULL);
    static const int64_t reps[] = {2, 2};
    int tile_in[] = {p, t_i64(g, "reps", 2, reps)};
    int tile = op1(g, "Tile", tile_in, 2, NULL);
    int cat_in[] = {m, m};
    int cat = op1(g, "Concat", cat_in, 2, &n);
    ib_attr_int(g, n, "axis", -1);
    int parts[3] = {t_new(g, "p0"), t_new(g, "p1"), t_new(g, "p2")};
    n = ib_node(g, "Split", "split", &f, 1, parts, 3);
    ib_attr_int(g, n, "num_outputs", 3); /* opset 18: 2, 2, 1 */
    for (int i = 0; i < 3; i++)
        ib_mark_output(g, parts[i]);
    static const int64_t gi[] = {-1, 0};
    int gather_in[] = {m, t_i64(g, "gi", 2, gi)};
    int gat = op1(g, "Gather", gather_in, 2, &n);
    ib_attr_int(g, n, "axis", 1);
    static const int64_t ge[] = {0, 0, 2, 1, 0, -1};
    int ge_in[] = {m, ib_const(g, "ge", IR_INT64, 2, d23, ge)};
    int gel = op1(g, "GatherElements", ge_in, 2, &n);
    ib_attr_int(g, n, "axis", 1);
    static const int64_t shape[] = {2, 1, 2};
    int ex_in[] = {col, t_i64(g, "shape", 3, shape)};
    int ex = op1(g, "Expand", ex_in, 2, NULL);
    int dcr = op1(g, "DepthToSpace", &c8, 1, &n);
    ib_attr_int(g, n, "blocksize", 2);
    int crd = op1(g, "DepthToSpace", &c8, 1, &n);
    ib_attr_int(g, n, "blocksize", 2);
    ib_attr_string(g, n, "mode", "CRD");
    int s2d = op1(g, "SpaceToDepth", &s44, 1, &n);
    ib_attr_int(g, n, "blocksize", 2);
    infer_and_fold(g);
    assert_int_equal(g->n_nodes, 0);
    static const int64_t d32[] = {3, 2}, d24[] = {2, 4}, d26[] = {2, 6}, d2[] = {2}, d1[] = {1},
                         d22[] = {2, 2}, d232[] = {2, 3, 2}, d2_44[] = {1, 2, 4, 4},
                         d4_22[] = {1, 4, 2, 2};
    static const double vtr[] = {0, 3, 1, 4, 2, 5}, vtile[] = {0, 1, 0, 1, 0, 1, 0, 1};
    static const double vcat[] = {0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5};
    static const double vp0[] = {0, 1}, vp1[] = {2, 3}, vp2[] = {4};
    static const double vgat[] = {2, 0, 5, 3}, vgel[] = {0, 0, 2, 4, 3, 5};
    static const double vex[] = {0, 0, 1, 1, 2, 2, 0, 0, 1, 1, 2, 2};
    static const double vdcr[] = {0, 8,  1, 9,  16, 24, 17, 25, 2, 10, 3, 11, 18, 26, 19, 27,
                                  4, 12, 5, 13, 20, 28, 21, 29, 6, 14, 7, 15, 22, 30, 23, 31};
    static const double vcrd[] = {0,  4,  1,  5,  8,  12, 9,  13, 2,  6,  3,  7,  10, 14, 11, 15,
                                  16, 20, 17, 21, 24, 28, 25, 29, 18, 22, 19, 23, 26, 30, 27, 31};
    static const double vs2d[] = {0, 2, 8, 10, 1, 3, 9, 11, 4, 6, 12, 14, 5, 7, 13, 15};
    expect(g, tr, 2, d32, vtr);
    expect(g, tile, 2, d24, vtile);
    expect(g, cat, 2, d26, vcat);
    expect(g, parts[0], 1, d2, vp0);
    expect(g, parts[1], 1, d2, vp1);
    expect(g, parts[2], 1, d1, vp2);
    expect(g, gat, 2, d22, vgat);
    expect(g, gel, 2, d23, vgel);
    expect(g, ex, 3, d232, vex);
    expect(g, dcr, 4, d2_44, vdcr);
    expect(g, crd, 4, d2_44, vcrd);
    expect(g, s2d, 4, d4_22, vs2d);
    ir_graph_free(g);
}

static void test_fold_generators(void **state)
{
    (void)state;
    static const int64_t d34[] = {3, 4}, d22[] = {2, 2};
    ir_graph *g = ib_graph(13);
    int x = ib_tensor(g, "x", IR_FLOAT, 2, d34); /* EyeLike needs only its shape */
    ib_mark_input(g, x);
    int n, eye = op1(g, "EyeLike", &x, 1, &n);
    ib_attr_int(g, n, "k", 1);
    ib_attr_int(g, n, "dtype", IR_INT32);
    float fs = 1, fl = 2, fd = 0.25f;
    int32_t is = 10, il = 4, id = -3;
    int fr_in[] = {ib_const(g, "fs", IR_FLOAT, 0, NULL, &fs), ib_const(g, "fl", IR_FLOAT, 0, NULL, &fl),
                   ib_const(g, "fd", IR_FLOAT, 0, NULL, &fd)};
    int ir_in[] = {ib_const(g, "is", IR_INT32, 0, NULL, &is), ib_const(g, "il", IR_INT32, 0, NULL, &il),
                   ib_const(g, "id", IR_INT32, 0, NULL, &id)};
    int fr = op1(g, "Range", fr_in, 3, NULL), irng = op1(g, "Range", ir_in, 3, NULL);
    int cs_in = t_i64(g, "cs", 2, d22);
    int cos = op1(g, "ConstantOfShape", &cs_in, 1, &n);
    static const int64_t d1[] = {1}, seven[] = {7};
    ib_attr_tensor(g, n, "value", IR_INT64, 1, d1, seven);
    infer_and_fold(g);
    assert_int_equal(g->n_nodes, 0);
    static const int64_t d4[] = {4}, d2[] = {2};
    static const double veye[] = {0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
    static const double vfr[] = {1, 1.25, 1.5, 1.75}, vir[] = {10, 7}, vcos[] = {7, 7, 7, 7};
    expect(g, eye, 2, d34, veye);
    assert_int_equal(g->tensors[eye].dtype, IR_INT32);
    expect(g, fr, 1, d4, vfr);
    expect(g, irng, 1, d2, vir);
    expect(g, cos, 2, d22, vcos);
    assert_int_equal(g->tensors[cos].dtype, IR_INT64);
    ir_graph_free(g);
}

/* --- refusals ---------------------------------------------------------------- */

static int runtime_input(ir_graph *g, const char *name, ir_dtype dt, int rank, const int64_t *dims)
{
    int t = ib_tensor(g, name, dt, rank, dims);
    ib_mark_input(g, t);
    return t;
}

static void test_refusals(void **state)
{
    (void)state;
    static const int64_t d23[] = {2, 3}, d2[] = {2}, d4[] = {4}, p33[] = {3, 0, 3, 0};
    ir_graph *g = ib_graph(13);
    int in[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), runtime_input(g, "s", IR_INT64, 1, d2)};
    op1(g, "Reshape", in, 2, NULL);
    expect_refused(g, "input 's' (shape) must be known at compile time");

    g = ib_graph(13);
    int pin[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "p", 4, p33)};
    int n;
    op1(g, "Pad", pin, 2, &n);
    ib_attr_string(g, n, "mode", "reflect");
    expect_refused(g, "too large");

    g = ib_graph(13);
    static const int64_t big[] = {3};
    int gin[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "i", 1, big)};
    op1(g, "Gather", gin, 2, NULL);
    expect_refused(g, "index 3 is out of range");

    g = ib_graph(13);
    int sx = runtime_input(g, "x", IR_FLOAT, 1, d4);
    int outs[3] = {t_new(g, "a"), t_new(g, "b"), t_new(g, "c")};
    ib_node(g, "Split", "split", &sx, 1, outs, 3);
    expect_refused(g, "cannot be split into 3 parts");

    g = ib_graph(13);
    uint8_t yes = 1;
    int din[] = {runtime_input(g, "x", IR_FLOAT, 1, d4), -1,
                 ib_const(g, "train", IR_BOOL, 0, NULL, &yes)};
    op1(g, "Dropout", din, 3, NULL);
    expect_refused(g, "training mode");

    g = ib_graph(13);
    static const int64_t perm[] = {0, 0};
    int tx = runtime_input(g, "x", IR_FLOAT, 2, d23);
    op1(g, "Transpose", &tx, 1, &n);
    ib_attr_ints(g, n, "perm", 2, perm);
    expect_refused(g, "not a permutation");

    g = ib_graph(13);
    static const int64_t zero_step[] = {0}, s0[] = {0};
    int slin[] = {runtime_input(g, "x", IR_FLOAT, 1, d4), t_i64(g, "s", 1, s0), t_i64(g, "e", 1, s0),
                  -1, t_i64(g, "st", 1, zero_step)};
    op1(g, "Slice", slin, 5, NULL);
    expect_refused(g, "step 0");
}

/* Shape values from a hostile model must not overflow the compiler's
 * arithmetic (the sanitizer build checks). */
static void test_hostile_values(void **state)
{
    (void)state;
    static const int64_t d23[] = {2, 3}, huge2[] = {INT64_MAX, INT64_MAX},
                         pads[] = {INT64_MAX, 0, INT64_MIN, 0};
    ir_graph *g = ib_graph(13);
    int rin[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "s", 2, huge2)};
    op1(g, "Reshape", rin, 2, NULL);
    expect_refused(g, "too large");

    g = ib_graph(13);
    int tin[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "r", 2, huge2)};
    op1(g, "Tile", tin, 2, NULL);
    expect_refused(g, "too large");

    g = ib_graph(13);
    int pin[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "p", 4, pads)};
    op1(g, "Pad", pin, 2, NULL);
    expect_refused(g, "too large");

    g = ib_graph(13);
    int ein[] = {runtime_input(g, "x", IR_FLOAT, 2, d23), t_i64(g, "e", 2, huge2)};
    op1(g, "Expand", ein, 2, NULL);
    expect_refused(g, "more than 2^48 elements");

    /* A diagonal far outside the matrix is simply empty. */
    g = ib_graph(13);
    int n, eye = op1(g, "EyeLike", (int[]){runtime_input(g, "x", IR_FLOAT, 2, d23)}, 1, &n);
    ib_attr_int(g, n, "k", INT64_MIN);
    infer_and_fold(g);
    static const double zeros[6] = {0};
    expect(g, eye, 2, d23, zeros);
    ir_graph_free(g);
}

/* --- generated code computes what eval computes --------------------------------- */

/* x (2x3x4, values i/2 - 3) through every planned operator and Gather; with
 * x constant everything folds, otherwise each output is a kernel. */
static ir_graph *kernel_graph(int x_const)
{
    static const int64_t xd[] = {2, 3, 4};
    ir_graph *g = ib_graph(19);
    float xv[24];
    for (int i = 0; i < 24; i++)
        xv[i] = (float)i * 0.5f - 3.0f;
    int x = x_const ? ib_const(g, "x", IR_FLOAT, 3, xd, xv) : ib_tensor(g, "x", IR_FLOAT, 3, xd);
    if (!x_const)
        ib_mark_input(g, x);
    int n;
    static const int64_t perm[] = {2, 0, 1};
    op1(g, "Transpose", &x, 1, &n);
    ib_attr_ints(g, n, "perm", 3, perm);
    static const int64_t ss[] = {-1, 3}, se[] = {INT64_MIN, 0}, sa[] = {2, 1}, sst[] = {-2, -1};
    int sl[] = {x, t_i64(g, "ss", 2, ss), t_i64(g, "se", 2, se), t_i64(g, "sa", 2, sa),
                t_i64(g, "sst", 2, sst)};
    op1(g, "Slice", sl, 5, NULL);
    static const int64_t pr[] = {0, 1, 2, 1, 1, 1}, pe[] = {2, 3}, pea[] = {-1},
                         pc[] = {0, -1, 1, -1, 0, 2}, pw[] = {1, 0, 2, 0, 2, 4};
    static const char *const modes[] = {"reflect", "edge", "constant", "wrap"};
    float fill = 1.5f;
    int pads[4][4] = {
        {x, t_i64(g, "pr", 6, pr)},
        {x, t_i64(g, "pe", 2, pe), -1, t_i64(g, "pea", 1, pea)},
        {x, t_i64(g, "pc", 6, pc), ib_const(g, "fill", IR_FLOAT, 0, NULL, &fill)},
        {x, t_i64(g, "pw", 6, pw)},
    };
    for (int i = 0; i < 4; i++) {
        op1(g, "Pad", pads[i], i == 1 ? 4 : i == 2 ? 3 : 2, &n);
        ib_attr_string(g, n, "mode", modes[i]);
    }
    static const int64_t reps[] = {2, 1, 3};
    int tile[] = {x, t_i64(g, "reps", 3, reps)};
    op1(g, "Tile", tile, 2, NULL);
    static const int64_t cd[] = {2, 3, 1};
    float cv[6] = {7, 8, 9, 10, 11, 12};
    int cat[] = {x, ib_const(g, "cc", IR_FLOAT, 3, cd, cv), x};
    op1(g, "Concat", cat, 3, &n);
    ib_attr_int(g, n, "axis", -1);
    static const int64_t split[] = {1, 2, 1};
    int sp_in[] = {x, t_i64(g, "split", 3, split)};
    int parts[3] = {t_new(g, "s0"), t_new(g, "s1"), t_new(g, "s2")};
    n = ib_node(g, "Split", "split", sp_in, 2, parts, 3);
    ib_attr_int(g, n, "axis", 2);
    for (int i = 0; i < 3; i++)
        ib_mark_output(g, parts[i]);
    static const int64_t gi[] = {-1, 0, 2};
    int gat[] = {x, t_i64(g, "gi", 3, gi)};
    op1(g, "Gather", gat, 2, &n);
    ib_attr_int(g, n, "axis", 2);
    int gat0[] = {x, t_scalar64(g, "g0", 1)};
    op1(g, "Gather", gat0, 2, NULL);
    static const int64_t gd[] = {2, 2, 4};
    int64_t ge[16];
    for (int i = 0; i < 16; i++)
        ge[i] = (i * 7) % 3 - 1;
    int gel[] = {x, ib_const(g, "ge", IR_INT64, 3, gd, ge)};
    op1(g, "GatherElements", gel, 2, &n);
    ib_attr_int(g, n, "axis", 1);
    static const int64_t eshape[] = {2, 2, 3, 1};
    int ex[] = {x, t_i64(g, "eshape", 4, eshape)};
    op1(g, "Expand", ex, 2, NULL);
    static const int64_t r1[] = {1, 8, 3, 1}, r2[] = {1, 2, 2, 6};
    int rs1[] = {x, t_i64(g, "r1", 4, r1)}, rs2[] = {x, t_i64(g, "r2", 4, r2)};
    int chw = op1(g, "Reshape", rs1, 2, NULL), hw = op1(g, "Reshape", rs2, 2, NULL);
    op1(g, "DepthToSpace", &chw, 1, &n);
    ib_attr_int(g, n, "blocksize", 2);
    ib_attr_string(g, n, "mode", "CRD");
    op1(g, "SpaceToDepth", &hw, 1, &n);
    ib_attr_int(g, n, "blocksize", 2);
    int dr[2] = {t_new(g, "drop"), t_new(g, "mask")};
    ib_node(g, "Dropout", "dropout", &x, 1, dr, 2);
    ib_mark_output(g, dr[0]);
    ib_mark_output(g, dr[1]);
    return g;
}

static void write_file(const char *path, const void *s, size_t n)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(s, 1, n, f), n);
    fclose(f);
}

static void test_kernels_match_eval(void **state)
{
    (void)state;
    ir_graph *folded = kernel_graph(1);
    infer_and_fold(folded);
    assert_int_equal(folded->n_nodes, 0);

    ir_graph *g = kernel_graph(0);
    ib_code code;
    assert_int_equal(ib_compile(g, "mv", &code), 0);
    assert_int_equal(g->n_outputs, folded->n_outputs);

    char dir[1024], path[1200];
    mkdir(SCNNC_TEST_TMP, 0755);
    snprintf(dir, sizeof dir, "%s/shape_ops_XXXXXX", SCNNC_TEST_TMP);
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/mv.c", dir);
    write_file(path, code.c.s, code.c.len);
    snprintf(path, sizeof path, "%s/mv.h", dir);
    write_file(path, code.h.s, code.h.len);
    /* The driver writes every output's bytes, in order, to out.bin. */
    cg_buf m = {0};
    cg_printf(&m, "#include <stdio.h>\n#include \"mv.h\"\nint main(void)\n{\n"
                  "    static float x[24];\n    const void *in[1] = {x};\n");
    size_t total = 0;
    for (int i = 0; i < g->n_outputs; i++) {
        size_t bytes = ir_tensor_bytes(&g->tensors[g->outputs[i]]);
        cg_printf(&m, "    static double o%d[%zu];\n", i, bytes / 8 + 1);
        total += bytes;
    }
    cg_printf(&m, "    void *out[%d] = {", g->n_outputs);
    for (int i = 0; i < g->n_outputs; i++)
        cg_printf(&m, "%so%d", i ? ", " : "", i);
    cg_printf(&m, "};\n    for (int i = 0; i < 24; i++)\n        x[i] = (float)i * 0.5f - 3.0f;\n"
                  "    if (mv_invoke(in, out))\n        return 1;\n"
                  "    FILE *f = fopen(\"out.bin\", \"wb\");\n    if (!f)\n        return 2;\n");
    for (int i = 0; i < g->n_outputs; i++)
        cg_printf(&m, "    fwrite(o%d, 1, %zu, f);\n", i,
                  ir_tensor_bytes(&g->tensors[g->outputs[i]]));
    cg_printf(&m, "    return fclose(f) != 0;\n}\n");
    snprintf(path, sizeof path, "%s/main.c", dir);
    write_file(path, m.s, m.len);
    char cmd[4096];
    snprintf(cmd, sizeof cmd,
             "cd '%s' && gcc -std=c99 -Wall -Wextra -pedantic -Werror -O2 mv.c main.c -o run && "
             "./run",
             dir);
    assert_int_equal(system(cmd), 0);

    snprintf(path, sizeof path, "%s/out.bin", dir);
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    unsigned char *got = malloc(total + 1);
    assert_non_null(got);
    assert_int_equal(fread(got, 1, total + 1, f), total);
    fclose(f);
    size_t at = 0;
    for (int i = 0; i < folded->n_outputs; i++) {
        const ir_tensor *want = &folded->tensors[folded->outputs[i]];
        const ir_tensor *have = &g->tensors[g->outputs[i]];
        assert_true(ir_shape_equal(&want->shape, &have->shape));
        assert_int_equal(want->dtype, have->dtype);
        if (memcmp(got + at, want->data, ir_tensor_bytes(want)) != 0)
            fail_msg("output '%s' differs between the kernel and eval", want->name);
        at += ir_tensor_bytes(want);
    }
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
    free(got);
    cg_buf_free(&m);
    ib_code_free(&code);
    ir_graph_free(g);
    ir_graph_free(folded);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_torch_flatten_folds),
        cmocka_unit_test(test_fold_shape_ops),
        cmocka_unit_test(test_fold_slice_pad),
        cmocka_unit_test(test_fold_movement),
        cmocka_unit_test(test_fold_generators),
        cmocka_unit_test(test_refusals),
        cmocka_unit_test(test_hostile_values),
        cmocka_unit_test(test_kernels_match_eval),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
