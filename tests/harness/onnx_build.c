/* In-memory ONNX model builder for the tests (see onnx_build.h). Test code:
 * allocation failures abort, since a test cannot go on without memory. */
#include "onnx_build.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct ob_block {
    struct ob_block *next;
    /* payload follows, aligned like max_align_t */
} ob_block;

struct ob_model {
    ob_block *blocks;
    Onnx__ModelProto model;
    Onnx__GraphProto graph;
};

void *ob_alloc(ob_model *m, size_t n)
{
    size_t head = (sizeof(ob_block) + 15) / 16 * 16;
    ob_block *b = calloc(1, head + n + 1);
    if (!b) {
        fprintf(stderr, "onnx_build: out of memory\n");
        abort();
    }
    b->next = m->blocks;
    m->blocks = b;
    return (char *)b + head;
}

char *ob_str(ob_model *m, const char *s)
{
    size_t n = strlen(s);
    char *c = ob_alloc(m, n + 1);
    memcpy(c, s, n);
    return c;
}

/* Appends item to a pointer array that only ever grows through push: its
 * capacity doubles whenever the count reaches a power of two (the old array
 * is freed with the model), so that huge test graphs build in linear time. */
static void push(ob_model *m, void ***arr, size_t *n, void *item)
{
    if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
        void **na = ob_alloc(m, sizeof(void *) * (*n ? 2 * *n : 1));
        if (*n)
            memcpy(na, *arr, sizeof(void *) * *n);
        *arr = na;
    }
    (*arr)[(*n)++] = item;
}

#define PUSH(m, arr, n, item) push((m), (void ***)&(arr), &(n), (item))

/* Splits "a,b,,c" into strings owned by the model. */
static char **split(ob_model *m, const char *list, size_t *count)
{
    *count = 0;
    if (!list || !*list)
        return NULL;
    size_t n = 1;
    for (const char *p = list; *p; p++)
        n += *p == ',';
    char **out = ob_alloc(m, sizeof(char *) * n);
    const char *p = list;
    for (size_t i = 0; i < n; i++) {
        size_t len = strcspn(p, ",");
        out[i] = ob_alloc(m, len + 1);
        memcpy(out[i], p, len);
        p += len + (p[len] == ',');
    }
    *count = n;
    return out;
}

ob_model *ob_new(int64_t opset)
{
    ob_model *m = calloc(1, sizeof *m);
    if (!m)
        abort();
    Onnx__ModelProto mi = ONNX__MODEL_PROTO__INIT;
    Onnx__GraphProto gi = ONNX__GRAPH_PROTO__INIT;
    m->model = mi;
    m->graph = gi;
    m->model.has_ir_version = 1;
    m->model.ir_version = 8;
    m->model.producer_name = ob_str(m, "scnnc-tests");
    m->model.graph = &m->graph;
    m->graph.name = ob_str(m, "test_graph");
    ob_opset(m, "", opset);
    return m;
}

void ob_free(ob_model *m)
{
    if (!m)
        return;
    for (ob_block *b = m->blocks, *next; b; b = next) {
        next = b->next;
        free(b);
    }
    free(m);
}

Onnx__ModelProto *ob_proto(ob_model *m) { return &m->model; }
Onnx__GraphProto *ob_graph(ob_model *m) { return &m->graph; }

void ob_opset(ob_model *m, const char *domain, int64_t version)
{
    Onnx__OperatorSetIdProto *o = ob_alloc(m, sizeof *o);
    Onnx__OperatorSetIdProto oi = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    *o = oi;
    o->domain = ob_str(m, domain);
    o->has_version = 1;
    o->version = version;
    PUSH(m, m->model.opset_import, m->model.n_opset_import, o);
}

static Onnx__ValueInfoProto *value_info(ob_model *m, const char *name, int dtype, int rank,
                                        const int64_t *dims, const char *const *params)
{
    Onnx__ValueInfoProto *v = ob_alloc(m, sizeof *v);
    Onnx__ValueInfoProto vi = ONNX__VALUE_INFO_PROTO__INIT;
    Onnx__TypeProto *tp = ob_alloc(m, sizeof *tp);
    Onnx__TypeProto tpi = ONNX__TYPE_PROTO__INIT;
    Onnx__TypeProto__Tensor *tt = ob_alloc(m, sizeof *tt);
    Onnx__TypeProto__Tensor tti = ONNX__TYPE_PROTO__TENSOR__INIT;
    *v = vi;
    *tp = tpi;
    *tt = tti;
    v->name = ob_str(m, name);
    v->type = tp;
    tp->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    tp->tensor_type = tt;
    tt->has_elem_type = 1;
    tt->elem_type = dtype;
    if (rank >= 0) {
        Onnx__TensorShapeProto *sh = ob_alloc(m, sizeof *sh);
        Onnx__TensorShapeProto shi = ONNX__TENSOR_SHAPE_PROTO__INIT;
        *sh = shi;
        for (int i = 0; i < rank; i++) {
            Onnx__TensorShapeProto__Dimension *d = ob_alloc(m, sizeof *d);
            Onnx__TensorShapeProto__Dimension di = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT;
            *d = di;
            if (params && params[i]) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_PARAM;
                d->dim_param = ob_str(m, params[i]);
            } else if (dims && dims[i] >= 0) {
                d->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
                d->dim_value = dims[i];
            }
            PUSH(m, sh->dim, sh->n_dim, d);
        }
        tt->shape = sh;
    }
    return v;
}

Onnx__ValueInfoProto *ob_input(ob_model *m, const char *name, int dtype, int rank,
                               const int64_t *dims, const char *const *params)
{
    Onnx__ValueInfoProto *v = value_info(m, name, dtype, rank, dims, params);
    PUSH(m, m->graph.input, m->graph.n_input, v);
    return v;
}

Onnx__ValueInfoProto *ob_output(ob_model *m, const char *name, int dtype, int rank,
                                const int64_t *dims)
{
    Onnx__ValueInfoProto *v = value_info(m, name, dtype, rank, dims, NULL);
    PUSH(m, m->graph.output, m->graph.n_output, v);
    return v;
}

static Onnx__NodeProto *new_node(ob_model *m, const char *op, const char *name,
                                 const char *inputs, const char *outputs)
{
    Onnx__NodeProto *n = ob_alloc(m, sizeof *n);
    Onnx__NodeProto ni = ONNX__NODE_PROTO__INIT;
    *n = ni;
    n->op_type = ob_str(m, op);
    if (name)
        n->name = ob_str(m, name);
    n->input = split(m, inputs, &n->n_input);
    n->output = split(m, outputs, &n->n_output);
    return n;
}

Onnx__NodeProto *ob_node(ob_model *m, const char *op, const char *name, const char *inputs,
                         const char *outputs)
{
    Onnx__NodeProto *n = new_node(m, op, name, inputs, outputs);
    PUSH(m, m->graph.node, m->graph.n_node, n);
    return n;
}

static Onnx__AttributeProto *new_attr(ob_model *m, Onnx__NodeProto *n, const char *name,
                                      Onnx__AttributeProto__AttributeType type)
{
    Onnx__AttributeProto *a = ob_alloc(m, sizeof *a);
    Onnx__AttributeProto ai = ONNX__ATTRIBUTE_PROTO__INIT;
    *a = ai;
    a->name = ob_str(m, name);
    a->has_type = 1;
    a->type = type;
    PUSH(m, n->attribute, n->n_attribute, a);
    return a;
}

Onnx__AttributeProto *ob_attr_int(ob_model *m, Onnx__NodeProto *n, const char *name, int64_t v)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INT);
    a->has_i = 1;
    a->i = v;
    return a;
}

Onnx__AttributeProto *ob_attr_float(ob_model *m, Onnx__NodeProto *n, const char *name, float v)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOAT);
    a->has_f = 1;
    a->f = v;
    return a;
}

Onnx__AttributeProto *ob_attr_string(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     const char *v)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__STRING);
    a->has_s = 1;
    a->s.len = strlen(v);
    a->s.data = (uint8_t *)ob_str(m, v);
    return a;
}

Onnx__AttributeProto *ob_attr_ints(ob_model *m, Onnx__NodeProto *n, const char *name,
                                   const int64_t *v, size_t count)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__INTS);
    a->n_ints = count;
    a->ints = ob_alloc(m, sizeof(int64_t) * count);
    if (count)
        memcpy(a->ints, v, sizeof(int64_t) * count);
    return a;
}

Onnx__AttributeProto *ob_attr_floats(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     const float *v, size_t count)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__FLOATS);
    a->n_floats = count;
    a->floats = ob_alloc(m, sizeof(float) * count);
    if (count)
        memcpy(a->floats, v, sizeof(float) * count);
    return a;
}

Onnx__AttributeProto *ob_attr_tensor(ob_model *m, Onnx__NodeProto *n, const char *name,
                                     Onnx__TensorProto *t)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, ONNX__ATTRIBUTE_PROTO__ATTRIBUTE_TYPE__TENSOR);
    a->t = t;
    return a;
}

Onnx__AttributeProto *ob_attr_ref(ob_model *m, Onnx__NodeProto *n, const char *name,
                                  const char *ref, int type)
{
    Onnx__AttributeProto *a = new_attr(m, n, name, (Onnx__AttributeProto__AttributeType)type);
    a->ref_attr_name = ob_str(m, ref);
    return a;
}

static Onnx__TensorProto *new_tensor(ob_model *m, const char *name, int dtype, int rank,
                                     const int64_t *dims)
{
    Onnx__TensorProto *t = ob_alloc(m, sizeof *t);
    Onnx__TensorProto ti = ONNX__TENSOR_PROTO__INIT;
    *t = ti;
    if (name)
        t->name = ob_str(m, name);
    t->has_data_type = 1;
    t->data_type = dtype;
    t->n_dims = (size_t)(rank > 0 ? rank : 0);
    t->dims = ob_alloc(m, sizeof(int64_t) * (t->n_dims + 1));
    for (size_t i = 0; i < t->n_dims; i++)
        t->dims[i] = dims[i];
    return t;
}

Onnx__TensorProto *ob_tensor_raw(ob_model *m, const char *name, int dtype, int rank,
                                 const int64_t *dims, const void *data, size_t bytes)
{
    Onnx__TensorProto *t = new_tensor(m, name, dtype, rank, dims);
    t->has_raw_data = 1;
    t->raw_data.len = bytes;
    t->raw_data.data = ob_alloc(m, bytes);
    if (bytes)
        memcpy(t->raw_data.data, data, bytes);
    return t;
}

static size_t elem_size(int dtype)
{
    switch (dtype) {
    case 2: case 3: case 9: return 1;                 /* uint8 int8 bool */
    case 4: case 5: case 10: case 16: return 2;      /* (u)int16 float16 bfloat16 */
    case 1: case 6: case 12: return 4;               /* float int32 uint32 */
    default: return 8;                               /* int64 double uint64 */
    }
}

Onnx__TensorProto *ob_tensor_typed(ob_model *m, const char *name, int dtype, int rank,
                                   const int64_t *dims, const void *data)
{
    Onnx__TensorProto *t = new_tensor(m, name, dtype, rank, dims);
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    const unsigned char *p = data;
    size_t es = elem_size(dtype);
    switch (dtype) {
    case 1:
        t->n_float_data = n;
        t->float_data = ob_alloc(m, 4 * n);
        memcpy(t->float_data, p, 4 * n);
        break;
    case 11:
        t->n_double_data = n;
        t->double_data = ob_alloc(m, 8 * n);
        memcpy(t->double_data, p, 8 * n);
        break;
    case 7:
        t->n_int64_data = n;
        t->int64_data = ob_alloc(m, 8 * n);
        memcpy(t->int64_data, p, 8 * n);
        break;
    case 12: case 13:
        t->n_uint64_data = n;
        t->uint64_data = ob_alloc(m, 8 * n);
        for (size_t i = 0; i < n; i++) {
            if (dtype == 12) {
                uint32_t v;
                memcpy(&v, p + 4 * i, 4);
                t->uint64_data[i] = v;
            } else {
                memcpy(&t->uint64_data[i], p + 8 * i, 8);
            }
        }
        break;
    default: /* int32_data holds every narrower type, sign- or zero-extended */
        t->n_int32_data = n;
        t->int32_data = ob_alloc(m, 4 * n);
        for (size_t i = 0; i < n; i++) {
            int32_t v = 0;
            switch (dtype) {
            case 2: case 9: v = p[i]; break;
            case 3: v = (int8_t)p[i]; break;
            case 5: { int16_t s; memcpy(&s, p + 2 * i, 2); v = s; break; }
            case 4: case 10: case 16: { uint16_t u; memcpy(&u, p + 2 * i, 2); v = u; break; }
            default: memcpy(&v, p + es * i, 4); break;
            }
            t->int32_data[i] = v;
        }
        break;
    }
    return t;
}

static void add_entry(ob_model *m, Onnx__TensorProto *t, const char *key, const char *value)
{
    Onnx__StringStringEntryProto *e = ob_alloc(m, sizeof *e);
    Onnx__StringStringEntryProto ei = ONNX__STRING_STRING_ENTRY_PROTO__INIT;
    *e = ei;
    e->key = ob_str(m, key);
    e->value = ob_str(m, value);
    PUSH(m, t->external_data, t->n_external_data, e);
}

Onnx__TensorProto *ob_tensor_external(ob_model *m, const char *name, int dtype, int rank,
                                      const int64_t *dims, const char *location,
                                      int64_t offset, int64_t length)
{
    Onnx__TensorProto *t = new_tensor(m, name, dtype, rank, dims);
    t->has_data_location = 1;
    t->data_location = ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL;
    char num[32];
    if (location)
        add_entry(m, t, "location", location);
    if (offset >= 0) {
        snprintf(num, sizeof num, "%lld", (long long)offset);
        add_entry(m, t, "offset", num);
    }
    if (length >= 0) {
        snprintf(num, sizeof num, "%lld", (long long)length);
        add_entry(m, t, "length", num);
    }
    return t;
}

void ob_initializer(ob_model *m, Onnx__TensorProto *t)
{
    PUSH(m, m->graph.initializer, m->graph.n_initializer, t);
}

Onnx__TensorProto *ob_init_f32(ob_model *m, const char *name, int rank, const int64_t *dims,
                               const float *data)
{
    size_t n = 1;
    for (int i = 0; i < rank; i++)
        n *= (size_t)dims[i];
    Onnx__TensorProto *t = ob_tensor_raw(m, name, 1, rank, dims, data, 4 * n);
    ob_initializer(m, t);
    return t;
}

Onnx__FunctionProto *ob_function(ob_model *m, const char *domain, const char *name,
                                 const char *inputs, const char *outputs, const char *attrs)
{
    Onnx__FunctionProto *f = ob_alloc(m, sizeof *f);
    Onnx__FunctionProto fi = ONNX__FUNCTION_PROTO__INIT;
    *f = fi;
    f->name = ob_str(m, name);
    f->domain = ob_str(m, domain);
    f->input = split(m, inputs, &f->n_input);
    f->output = split(m, outputs, &f->n_output);
    f->attribute = split(m, attrs, &f->n_attribute);
    Onnx__OperatorSetIdProto *o = ob_alloc(m, sizeof *o);
    Onnx__OperatorSetIdProto oi = ONNX__OPERATOR_SET_ID_PROTO__INIT;
    *o = oi;
    o->domain = ob_str(m, "");
    o->has_version = 1;
    o->version = m->model.opset_import[0]->version;
    PUSH(m, f->opset_import, f->n_opset_import, o);
    PUSH(m, m->model.functions, m->model.n_functions, f);
    return f;
}

Onnx__NodeProto *ob_fn_node(ob_model *m, Onnx__FunctionProto *f, const char *op,
                            const char *name, const char *inputs, const char *outputs)
{
    Onnx__NodeProto *n = new_node(m, op, name, inputs, outputs);
    PUSH(m, f->node, f->n_node, n);
    return n;
}

uint8_t *ob_pack(ob_model *m, size_t *len)
{
    *len = onnx__model_proto__get_packed_size(&m->model);
    uint8_t *buf = malloc(*len ? *len : 1);
    if (!buf)
        abort();
    onnx__model_proto__pack(&m->model, buf);
    return buf;
}

int ob_write(ob_model *m, const char *path)
{
    size_t len;
    uint8_t *buf = ob_pack(m, &len);
    FILE *f = fopen(path, "wb");
    int rc = -1;
    if (f) {
        rc = fwrite(buf, 1, len, f) == len ? 0 : -1;
        if (fclose(f))
            rc = -1;
    }
    free(buf);
    return rc;
}
