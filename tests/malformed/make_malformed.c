/* Writes malformed, truncated and hostile ONNX models for run_malformed.sh:
 * one folder per case under OUT_DIR holding model.onnx (and any files the
 * case needs) and `expect`: "refuse" when scnnc must exit 1 with a message,
 * "any" when compiling is also acceptable (a mutation may leave a valid
 * model) — never a crash, a hang, a leak or another exit status — and "ok"
 * for the one valid model the runner uses for its command-line checks.
 *
 * usage: make_malformed OUT_DIR [REAL_MODEL.onnx...]
 * Real models (optional) are truncated at spread-out offsets too. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "onnx_build.h"

static const char *out_dir;
static int n_cases;

static unsigned rng_state = 20240601u;

static unsigned rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 17;
    rng_state ^= rng_state << 5;
    return rng_state;
}

static void die(const char *what)
{
    fprintf(stderr, "make_malformed: %s: %s\n", what, strerror(errno));
    exit(2);
}

static void write_bytes(const char *path, const void *data, size_t n)
{
    FILE *f = fopen(path, "wb");
    if (!f || (n && fwrite(data, 1, n, f) != n) || fclose(f))
        die(path);
}

/* Creates the next case folder and returns its path. */
static const char *new_case(const char *name, const char *expect)
{
    static char dir[4096];
    snprintf(dir, sizeof dir, "%s/%04d_%s", out_dir, n_cases++, name);
    if (mkdir(dir, 0755) && errno != EEXIST)
        die(dir);
    char path[4200];
    snprintf(path, sizeof path, "%s/expect", dir);
    write_bytes(path, expect, strlen(expect));
    return dir;
}

static void case_bytes(const char *name, const char *expect, const void *data, size_t n)
{
    const char *dir = new_case(name, expect);
    char path[4200];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    write_bytes(path, data, n);
}

static void case_model(const char *name, ob_model *m)
{
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    case_bytes(name, "refuse", buf, len);
    free(buf);
    ob_free(m);
}

static const int64_t d23[] = {2, 3};

/* x[2,3] -> Relu -> y: the valid core that the structural cases break. */
static ob_model *relu_model(void)
{
    ob_model *m = ob_new(13);
    ob_input(m, "x", 1, 2, d23, NULL);
    ob_node(m, "Relu", "relu", "x", "y");
    ob_output(m, "y", 1, 2, d23);
    return m;
}

/* A model that uses most of the format: initializers, a Constant node, a
 * model-local function that the graph needs, attributes of every kind. Every
 * proper prefix of it is invalid: the function (the last field written)
 * is required, and cutting earlier breaks a length or drops the graph or
 * the opset. */
static ob_model *rich_model(void)
{
    ob_model *m = ob_new(13);
    ob_opset(m, "my.fn", 1);
    int64_t d4[] = {1, 2, 2, 2}, dw[] = {2};
    float w[2] = {0.5f, -1.5f};
    ob_input(m, "x", 1, 4, d4, NULL);
    ob_init_f32(m, "w", 1, dw, w);
    Onnx__NodeProto *c = ob_node(m, "Constant", "c", "", "k");
    float kv[1] = {2};
    ob_attr_tensor(m, c, "value", ob_tensor_raw(m, NULL, 1, 0, NULL, kv, 4));
    ob_node(m, "Mul", "mul", "x,k", "xk");
    Onnx__NodeProto *call = ob_node(m, "Scale", "call", "xk", "s");
    call->domain = ob_str(m, "my.fn");
    ob_attr_float(m, call, "alpha", 0.25f);
    Onnx__NodeProto *r = ob_node(m, "LeakyRelu", "lr", "s", "y");
    ob_attr_float(m, r, "alpha", 0.1f);
    int64_t ints[3] = {1, 2, 3};
    ob_attr_ints(m, r, "unused_ints", ints, 3);
    ob_attr_string(m, r, "unused_s", "text");
    ob_output(m, "y", 1, 4, d4);
    Onnx__FunctionProto *f = ob_function(m, "my.fn", "Scale", "a", "b", "alpha");
    Onnx__NodeProto *lr = ob_fn_node(m, f, "LeakyRelu", "inner", "a", "b");
    ob_attr_ref(m, lr, "alpha", "alpha", ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    return m;
}

static size_t put_varint(uint8_t *p, uint64_t v)
{
    size_t n = 0;
    do {
        p[n++] = (uint8_t)((v & 0x7f) | (v > 0x7f ? 0x80 : 0));
        v >>= 7;
    } while (v);
    return n;
}

static void truncations(const uint8_t *buf, size_t len, const char *tag, const char *expect,
                        size_t max_cases)
{
    size_t step = len / max_cases + 1;
    for (size_t cut = 0; cut < len; cut += step) {
        char name[128];
        snprintf(name, sizeof name, "truncated_%s_at_%zu", tag, cut);
        case_bytes(name, expect, buf, cut);
    }
}

static void structural_cases(void)
{
    ob_model *m;

    m = relu_model();
    ob_node(m, "Relu", "cycle_a", "y,b", "a");
    ob_node(m, "Relu", "cycle_b", "a", "b");
    ob_output(m, "b", 1, 2, d23);
    case_model("cycle", m);

    m = relu_model();
    ob_node(m, "Add", "orphan", "y,nobody_makes_this", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("input_nobody_produces", m);

    m = relu_model();
    ob_node(m, "Relu", "again", "x", "y");
    case_model("two_producers", m);

    m = relu_model();
    ob_output(m, "not_there", 1, 2, d23);
    case_model("output_not_produced", m);

    /* Names are single-assignment: nothing may write a graph input, an
     * initializer or a constant, and a constant is defined once. */
    m = relu_model();
    ob_node(m, "Relu", "overwrite", "y", "x");
    case_model("node_writes_graph_input", m);

    m = relu_model();
    {
        float w[6] = {0};
        ob_init_f32(m, "w", 2, d23, w);
        ob_node(m, "Relu", "overwrite", "y", "w");
        ob_node(m, "Add", "use", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
    }
    case_model("node_writes_initializer", m);

    m = relu_model();
    ob_attr_float(m, ob_node(m, "Constant", "const_over_input", "", "x"), "value_float", 1);
    case_model("constant_writes_graph_input", m);

    m = relu_model();
    ob_attr_float(m, ob_node(m, "Constant", "const_over_y", "", "y"), "value_float", 1);
    case_model("constant_and_node_write_one_tensor", m);

    m = relu_model();
    ob_attr_float(m, ob_node(m, "Constant", "c1", "", "c"), "value_float", 1);
    ob_attr_float(m, ob_node(m, "Constant", "c2", "", "c"), "value_float", 2);
    ob_node(m, "Add", "use", "y,c", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("two_constants_one_name", m);

    m = relu_model();
    ob_graph(m)->n_output = 0;
    case_model("no_outputs", m);

    m = relu_model();
    ob_proto(m)->graph = NULL;
    case_model("no_graph", m);

    m = relu_model();
    ob_proto(m)->n_opset_import = 0;
    case_model("no_opset", m);

    m = relu_model();
    ob_input(m, "x", 1, 2, d23, NULL);
    case_model("input_twice", m);

    m = relu_model();
    ob_graph(m)->input[0]->type->tensor_type->shape = NULL;
    case_model("input_without_shape", m);

    m = relu_model();
    ob_graph(m)->input[0]->type->value_case = ONNX__TYPE_PROTO__VALUE__NOT_SET;
    case_model("input_without_type", m);

    m = relu_model();
    ob_graph(m)->input[0]->type->tensor_type->elem_type = 8;
    case_model("string_input", m);

    m = relu_model();
    ob_graph(m)->input[0]->type->tensor_type->elem_type = 999;
    case_model("unknown_elem_type", m);

    {
        int64_t d9[9] = {1, 1, 1, 1, 1, 1, 1, 1, 2};
        m = ob_new(13);
        ob_input(m, "x", 1, 9, d9, NULL);
        ob_node(m, "Relu", "relu", "x", "y");
        ob_output(m, "y", 1, 9, d9);
        case_model("rank_9", m);
    }

    m = ob_new(13);
    ob_input(m, "x", 1, 2, d23, NULL);
    ob_node(m, "NoSuchOp", "a", "x", "y1");
    ob_node(m, "AlsoMissing", "b", "y1", "y");
    ob_output(m, "y", 1, 2, d23);
    case_model("unsupported_ops", m);

    m = relu_model();
    ob_graph(m)->node[0]->domain = ob_str(m, "com.vendor");
    case_model("foreign_domain", m);

    m = relu_model();
    ob_node(m, "Constant", "empty_constant", "", "c");
    ob_output(m, "c", 1, 0, NULL);
    case_model("constant_without_value", m);

    m = relu_model();
    ob_attr_string(m, ob_node(m, "Constant", "sc", "", "c"), "value_string", "x");
    ob_output(m, "c", 1, 0, NULL);
    case_model("string_constant", m);

    m = relu_model();
    {
        Onnx__FunctionProto *f = ob_function(m, "my.fn", "Loop", "a", "b", "");
        ob_fn_node(m, f, "Loop", "again", "a", "b")->domain = ob_str(m, "my.fn");
        ob_node(m, "Loop", "call", "y", "z")->domain = ob_str(m, "my.fn");
        ob_output(m, "z", 1, 2, d23);
    }
    case_model("recursive_function", m);

    /* Functions calling each other eight times, nested: a few hundred bytes
     * that would inline to 8^15 nodes. */
    m = relu_model();
    for (int level = 0; level < 15; level++) {
        char name[16], callee[16];
        snprintf(name, sizeof name, "F%d", level);
        snprintf(callee, sizeof callee, "F%d", level + 1);
        Onnx__FunctionProto *f = ob_function(m, "bomb", name, "a", "b", "");
        char prev[16] = "a", next[16];
        for (int k = 0; k < 8; k++) {
            snprintf(next, sizeof next, k == 7 ? "b" : "t%d", k);
            ob_fn_node(m, f, level == 14 ? "Relu" : callee, NULL, prev, next)->domain =
                ob_str(m, level == 14 ? "" : "bomb");
            snprintf(prev, sizeof prev, "%s", next);
        }
    }
    ob_node(m, "F0", "call", "y", "z")->domain = ob_str(m, "bomb");
    ob_output(m, "z", 1, 2, d23);
    case_model("function_expansion_bomb", m);

    m = relu_model();
    {
        Onnx__SparseTensorProto *sp = ob_alloc(m, sizeof *sp);
        Onnx__SparseTensorProto spi = ONNX__SPARSE_TENSOR_PROTO__INIT;
        *sp = spi;
        Onnx__GraphProto *g = ob_graph(m);
        g->n_sparse_initializer = 1;
        g->sparse_initializer = ob_alloc(m, sizeof(void *));
        g->sparse_initializer[0] = sp;
    }
    case_model("sparse_initializer", m);

    m = relu_model();
    {
        char *inputs = malloc(5000 * 2 + 1);
        for (int i = 0; i < 5000; i++)
            memcpy(inputs + 2 * i, "x,", 2);
        inputs[5000 * 2 - 1] = 0;
        ob_node(m, "Sum", "wide", inputs, "z");
        free(inputs);
        ob_output(m, "z", 1, 2, d23);
    }
    case_model("node_with_5000_inputs", m);
}

static void tensor_cases(void)
{
    ob_model *m;
    float v[6] = {1, 2, 3, 4, 5, 6};

    m = relu_model();
    ob_initializer(m, ob_tensor_raw(m, "w", 1, 2, d23, v, 20));
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("raw_data_too_short", m);

    m = relu_model();
    ob_initializer(m, ob_tensor_raw(m, "w", 1, 2, d23, v, 24));
    ob_graph(m)->initializer[0]->raw_data.len = 25;
    ob_graph(m)->initializer[0]->raw_data.data = ob_alloc(m, 25);
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("raw_data_too_long", m);

    m = relu_model();
    {
        Onnx__TensorProto *t = ob_tensor_typed(m, "w", 1, 2, d23, v);
        t->n_float_data = 5;
        ob_initializer(m, t);
    }
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("typed_data_count_wrong", m);

    {
        int64_t neg[] = {2, -3};
        m = relu_model();
        ob_initializer(m, ob_tensor_raw(m, "w", 1, 2, neg, v, 24));
        ob_node(m, "Add", "add", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
        case_model("initializer_negative_dim", m);

        m = relu_model();
        ob_graph(m)->input[0]->type->tensor_type->shape->dim[1]->dim_value = -3;
        case_model("input_negative_dim", m);
    }

    {
        int64_t huge[] = {1LL << 31, 1LL << 31, 1LL << 31};
        m = relu_model();
        ob_initializer(m, ob_tensor_raw(m, "w", 1, 3, huge, v, 24));
        ob_node(m, "Add", "add", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
        case_model("initializer_huge_dims", m);

        /* 16 GiB claimed (just within the limit) with 24 bytes of data:
         * must be refused before anything that size is allocated. */
        int64_t claim[] = {1LL << 32};
        m = relu_model();
        ob_initializer(m, ob_tensor_raw(m, "w", 1, 1, claim, v, 24));
        ob_node(m, "Add", "add", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
        case_model("initializer_16gib_claim_raw", m);
        m = relu_model();
        {
            Onnx__TensorProto *t = ob_tensor_typed(m, "w", 1, 2, d23, v);
            t->dims[0] = 1LL << 31;
            t->dims[1] = 2;
            ob_initializer(m, t);
        }
        ob_node(m, "Add", "add", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
        case_model("initializer_16gib_claim_typed", m);

        int64_t big2[] = {1LL << 20, 1LL << 20};
        m = ob_new(13);
        ob_input(m, "x", 1, 2, big2, NULL);
        ob_node(m, "Relu", "relu", "x", "y");
        ob_output(m, "y", 1, 2, big2);
        case_model("input_4tb", m);

        int64_t over[] = {1LL << 40, 1LL << 40, 1LL << 40};
        m = ob_new(13);
        ob_input(m, "x", 1, 3, over, NULL);
        ob_node(m, "Relu", "relu", "x", "y");
        ob_output(m, "y", 1, 3, over);
        case_model("input_numel_overflows", m);

        int64_t maxd[] = {INT64_MAX, 2};
        m = ob_new(13);
        ob_input(m, "x", 1, 2, maxd, NULL);
        ob_node(m, "Relu", "relu", "x", "y");
        ob_output(m, "y", 1, 2, maxd);
        case_model("input_int64_max_dim", m);
    }

    m = relu_model();
    {
        Onnx__TensorProto *t = ob_tensor_raw(m, "w", 1, 2, d23, v, 24);
        t->data_type = 8; /* string */
        ob_initializer(m, t);
    }
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("string_initializer", m);

    m = relu_model();
    {
        Onnx__TensorProto *t = ob_tensor_raw(m, "w", 1, 2, d23, v, 24);
        Onnx__TensorProto__Segment *seg = ob_alloc(m, sizeof *seg);
        Onnx__TensorProto__Segment si = ONNX__TENSOR_PROTO__SEGMENT__INIT;
        *seg = si;
        t->segment = seg;
        ob_initializer(m, t);
    }
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    case_model("segmented_tensor", m);
}

/* External data that would leave the model's folder (a file outside it
 * exists, so only the confinement stops the read). */
static void external_cases(void)
{
    char outside[4200];
    snprintf(outside, sizeof outside, "%s/outside_secret.bin", out_dir);
    float secret[6] = {42, 42, 42, 42, 42, 42};
    write_bytes(outside, secret, sizeof secret);
    char abs_outside[4200];
    if (!realpath(outside, abs_outside))
        die(outside);
    static const char *const locations[] = {"../outside_secret.bin",
                                            "sub/../../outside_secret.bin", NULL, "link.bin",
                                            "dirlink/outside_secret.bin", "missing.bin"};
    static const char *const names[] = {"external_dotdot", "external_dotdot_nested",
                                        "external_absolute", "external_symlink_out",
                                        "external_dir_symlink_out", "external_missing"};
    for (int i = 0; i < 6; i++) {
        ob_model *m = relu_model();
        const char *loc = locations[i] ? locations[i] : abs_outside;
        ob_initializer(m, ob_tensor_external(m, "w", 1, 2, d23, loc, 0, -1));
        ob_node(m, "Add", "add", "y,w", "z");
        ob_output(m, "z", 1, 2, d23);
        size_t len;
        uint8_t *buf = ob_pack(m, &len);
        const char *dir = new_case(names[i], "refuse");
        char path[4300];
        snprintf(path, sizeof path, "%s/model.onnx", dir);
        write_bytes(path, buf, len);
        snprintf(path, sizeof path, "%s/sub", dir);
        mkdir(path, 0755);
        snprintf(path, sizeof path, "%s/link.bin", dir);
        if (symlink(abs_outside, path) && errno != EEXIST)
            die(path);
        snprintf(path, sizeof path, "%s/dirlink", dir);
        if (symlink(out_dir[0] == '/' ? out_dir : "..", path) && errno != EEXIST)
            die(path);
        free(buf);
        ob_free(m);
    }
    /* Offset past the end of a file inside the folder. */
    ob_model *m = relu_model();
    ob_initializer(m, ob_tensor_external(m, "w", 1, 2, d23, "w.bin", 1000, -1));
    ob_node(m, "Add", "add", "y,w", "z");
    ob_output(m, "z", 1, 2, d23);
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    const char *dir = new_case("external_offset_past_end", "refuse");
    char path[4300];
    snprintf(path, sizeof path, "%s/model.onnx", dir);
    write_bytes(path, buf, len);
    snprintf(path, sizeof path, "%s/w.bin", dir);
    write_bytes(path, secret, sizeof secret);
    free(buf);
    ob_free(m);
}

/* Wire-level damage: nesting, lengths, varints, wire types. */
static void wire_cases(void)
{
    size_t cap = 1 << 20;
    uint8_t *a = malloc(cap), *b = malloc(cap);
    if (!a || !b)
        die("malloc");
    /* 5000 levels of GraphProto.node -> NodeProto.attribute -> AttributeProto.g */
    size_t len = 0;
    for (int level = 0; level < 5000; level++) {
        static const uint8_t tags[3] = {(6 << 3) | 2, (5 << 3) | 2, (1 << 3) | 2};
        for (int k = 0; k < 3; k++) {
            size_t n = 0;
            b[n++] = tags[k];
            n += put_varint(b + n, len);
            if (n + len > cap)
                die("nesting buffer");
            memcpy(b + n, a, len);
            len += n;
            uint8_t *t = a;
            a = b;
            b = t;
        }
        if (len > cap / 2)
            break;
    }
    size_t n = 0;
    b[n++] = (7 << 3) | 2;
    n += put_varint(b + n, len);
    memcpy(b + n, a, len);
    case_bytes("deep_nesting", "refuse", b, n + len);

    /* Graph field claiming 2^62 bytes. */
    n = 0;
    b[n++] = (7 << 3) | 2;
    n += put_varint(b + n, 1ULL << 62);
    memcpy(b + n, "\x0a\x00", 2);
    case_bytes("huge_claimed_length", "refuse", b, n + 2);

    /* A valid model whose graph length is one more than what follows. */
    ob_model *m = relu_model();
    size_t mlen;
    uint8_t *mb = ob_pack(m, &mlen);
    ob_free(m);
    for (size_t i = 0; i + 1 < mlen; i++)
        if (mb[i] == ((7 << 3) | 2)) { /* first graph key: bump its one-byte length */
            mb[i + 1]++;
            break;
        }
    case_bytes("graph_length_off_by_one", "refuse", mb, mlen);
    free(mb);

    /* An 11-byte varint, wire types 3/4/6/7, a bare key. */
    static const uint8_t overlong[] = {0x08, 0x80, 0x80, 0x80, 0x80, 0x80,
                                       0x80, 0x80, 0x80, 0x80, 0x80, 0x01};
    case_bytes("overlong_varint", "refuse", overlong, sizeof overlong);
    for (uint8_t wt = 3; wt <= 7; wt++) {
        if (wt == 5)
            continue;
        uint8_t bad[4] = {(uint8_t)((7 << 3) | wt), 0, 0, 0};
        char name[32];
        snprintf(name, sizeof name, "wire_type_%u", wt);
        case_bytes(name, "refuse", bad, sizeof bad);
    }
    case_bytes("empty_file", "refuse", "", 0);
    case_bytes("one_byte", "refuse", "\x08", 1);
    case_bytes("text_file", "refuse", "this is not an onnx model\n", 26);
    free(a);
    free(b);
}

/* A long chain given in reverse order: must not take quadratic time, in
 * the sort (unsupported ops, refused) or in the passes (Relu, compiled). */
static void big_graph_case(int n_nodes, const char *op, const char *expect)
{
    ob_model *m = ob_new(13);
    ob_input(m, "x", 1, 2, d23, NULL);
    char in[32], out[32];
    for (int i = n_nodes - 1; i >= 0; i--) {
        snprintf(in, sizeof in, i ? "t%d" : "x", i - 1);
        snprintf(out, sizeof out, "t%d", i);
        ob_node(m, op, NULL, in, out);
    }
    snprintf(out, sizeof out, "t%d", n_nodes - 1);
    ob_output(m, out, 1, 2, d23);
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    char name[64];
    snprintf(name, sizeof name, "reversed_chain_%d_%s", n_nodes, op);
    case_bytes(name, expect, buf, len);
    free(buf);
    ob_free(m);
}

static void random_cases(const uint8_t *rich, size_t rich_len)
{
    for (int i = 0; i < 40; i++) {
        size_t n = 1 + rnd() % (i < 20 ? 64 : 4096);
        uint8_t *p = malloc(n);
        for (size_t k = 0; k < n; k++)
            p[k] = (uint8_t)rnd();
        char name[32];
        snprintf(name, sizeof name, "random_%d", i);
        case_bytes(name, "refuse", p, n);
        free(p);
    }
    /* Mutations of a valid model: a changed byte may still leave a valid
     * model (a different float, a renamed node), so any clean outcome is
     * fine; what is checked is that nothing crashes, hangs or leaks. */
    uint8_t *p = malloc(rich_len);
    for (int i = 0; i < 150; i++) {
        memcpy(p, rich, rich_len);
        int flips = 1 + (int)(rnd() % 4);
        for (int k = 0; k < flips; k++)
            p[rnd() % rich_len] = (uint8_t)rnd();
        char name[32];
        snprintf(name, sizeof name, "mutated_%d", i);
        case_bytes(name, "any", p, rich_len);
    }
    free(p);
}

static uint8_t *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        die(path);
    size_t cap = 1 << 16;
    uint8_t *buf = malloc(cap);
    *len = 0;
    size_t got;
    while (buf && (got = fread(buf + *len, 1, cap - *len, f)) > 0) {
        *len += got;
        if (*len == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf)
        die("memory");
    return buf;
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: make_malformed OUT_DIR [REAL_MODEL.onnx...]\n");
        return 2;
    }
    out_dir = argv[1];
    if (mkdir(out_dir, 0755) && errno != EEXIST)
        die(out_dir);
    ob_model *rich = rich_model();
    size_t rich_len;
    uint8_t *rich_buf = ob_pack(rich, &rich_len);
    ob_free(rich);
    ob_model *valid = relu_model();
    size_t valid_len;
    uint8_t *valid_buf = ob_pack(valid, &valid_len);
    case_bytes("valid_relu", "ok", valid_buf, valid_len);
    free(valid_buf);
    ob_free(valid);
    truncations(rich_buf, rich_len, "rich", "refuse", 100000);
    structural_cases();
    tensor_cases();
    external_cases();
    wire_cases();
    big_graph_case(20000, "NoSuchOp", "refuse");
    big_graph_case(20000, "Relu", "ok");
    random_cases(rich_buf, rich_len);
    free(rich_buf);
    for (int i = 2; i < argc; i++) {
        size_t len;
        uint8_t *buf = read_all(argv[i], &len);
        char tag[32];
        snprintf(tag, sizeof tag, "real%d", i - 1);
        /* A prefix ending between two top-level fields may be a valid model. */
        truncations(buf, len, tag, "any", 60);
        free(buf);
    }
    printf("%d cases in %s\n", n_cases, out_dir);
    return 0;
}
