/* Values as ONNX messages: constant tensors, typed value infos and node
 * attributes. */
#include <string.h>

#include "internal.h"

#define NEW_MSG(c, type, init) new_msg(c, sizeof(type), &(type)init)

/* An arena copy of a message initialised by its protobuf-c INIT macro. */
static void *new_msg(ox_ctx *c, size_t size, const void *init)
{
    void *p = ox_alloc(c->arena, size);
    if (p)
        memcpy(p, init, size);
    else
        diag_error(c->d, "out of memory");
    return p;
}

Onnx__TensorProto *ox_tensor(ox_ctx *c, const char *name, ir_dtype dtype, const ir_shape *shape,
                             const void *data)
{
    Onnx__TensorProto *t = NEW_MSG(c, Onnx__TensorProto, ONNX__TENSOR_PROTO__INIT);
    int64_t *dims = ox_alloc(c->arena, sizeof(int64_t) * ((size_t)shape->rank + 1));
    if (!t || !dims) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    t->name = ox_str(name);
    t->has_data_type = 1;
    t->data_type = (int32_t)dtype;
    t->n_dims = (size_t)shape->rank;
    t->dims = dims;
    for (int i = 0; i < shape->rank; i++)
        dims[i] = shape->dims[i];
    /* The IR stores every type as ONNX's raw_data does: float16/bfloat16
     * as 16-bit patterns, bool as one byte. */
    t->has_raw_data = 1;
    t->raw_data.len = (size_t)ir_shape_numel(shape) * ir_dtype_size(dtype);
    t->raw_data.data = (uint8_t *)(uintptr_t)data;
    return t;
}

Onnx__ValueInfoProto *ox_value_info(ox_ctx *c, const char *name, ir_dtype dtype,
                                    const ir_shape *shape)
{
    Onnx__ValueInfoProto *v = NEW_MSG(c, Onnx__ValueInfoProto, ONNX__VALUE_INFO_PROTO__INIT);
    Onnx__TypeProto *type = NEW_MSG(c, Onnx__TypeProto, ONNX__TYPE_PROTO__INIT);
    Onnx__TypeProto__Tensor *tt = NEW_MSG(c, Onnx__TypeProto__Tensor,
                                          ONNX__TYPE_PROTO__TENSOR__INIT);
    Onnx__TensorShapeProto *sp = NEW_MSG(c, Onnx__TensorShapeProto,
                                         ONNX__TENSOR_SHAPE_PROTO__INIT);
    Onnx__TensorShapeProto__Dimension **dims =
        ox_alloc(c->arena, sizeof(*dims) * ((size_t)shape->rank + 1));
    if (!v || !type || !tt || !sp || !dims) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    for (int i = 0; i < shape->rank; i++) {
        dims[i] = NEW_MSG(c, Onnx__TensorShapeProto__Dimension,
                          ONNX__TENSOR_SHAPE_PROTO__DIMENSION__INIT);
        if (!dims[i])
            return NULL;
        dims[i]->value_case = ONNX__TENSOR_SHAPE_PROTO__DIMENSION__VALUE_DIM_VALUE;
        dims[i]->dim_value = shape->dims[i];
    }
    sp->n_dim = (size_t)shape->rank;
    sp->dim = dims;
    tt->has_elem_type = 1;
    tt->elem_type = (int32_t)dtype;
    tt->shape = sp;
    type->value_case = ONNX__TYPE_PROTO__VALUE_TENSOR_TYPE;
    type->tensor_type = tt;
    v->name = ox_str(name);
    v->type = type;
    return v;
}

static ProtobufCBinaryData bytes_of(const char *s)
{
    ProtobufCBinaryData b = {.len = strlen(s), .data = (uint8_t *)(uintptr_t)s};
    return b;
}

/* Fills a's value into p; -1 with a message for types without one. */
static int attribute(ox_ctx *c, const ir_node *n, const ir_attr *a, Onnx__AttributeProto *p)
{
    p->name = ox_str(a->name);
    p->has_type = 1;
    p->type = (Onnx__AttributeProto__AttributeType)a->type;
    switch (a->type) {
    case IR_ATTR_FLOAT:
        p->has_f = 1;
        p->f = a->f;
        return 0;
    case IR_ATTR_INT:
        p->has_i = 1;
        p->i = a->i;
        return 0;
    case IR_ATTR_STRING:
        p->has_s = 1;
        p->s = bytes_of(a->s ? a->s : "");
        return 0;
    case IR_ATTR_TENSOR:
        if (!a->tensor)
            break;
        p->t = ox_tensor(c, NULL, a->tensor->dtype, &a->tensor->shape, a->tensor->data);
        return p->t ? 0 : -1;
    case IR_ATTR_FLOATS:
        p->n_floats = (size_t)a->count;
        p->floats = a->floats;
        return 0;
    case IR_ATTR_INTS:
        p->n_ints = (size_t)a->count;
        p->ints = a->ints;
        return 0;
    case IR_ATTR_STRINGS:
        p->n_strings = (size_t)a->count;
        p->strings = ox_alloc(c->arena, sizeof(ProtobufCBinaryData) * ((size_t)a->count + 1));
        if (!p->strings)
            return diag_error(c->d, "out of memory");
        for (int i = 0; i < a->count; i++)
            p->strings[i] = bytes_of(a->strings[i] ? a->strings[i] : "");
        return 0;
    default:
        break;
    }
    return diag_node(c->d, n->name, n->op,
                     "attribute '%s' (a graph, sparse tensor or type) cannot be written back "
                     "to ONNX: scnnc does not keep its value", a->name);
}

int ox_attributes(ox_ctx *c, const ir_node *n, Onnx__NodeProto *p)
{
    p->n_attribute = (size_t)n->n_attrs;
    p->attribute = ox_alloc(c->arena, sizeof(*p->attribute) * ((size_t)n->n_attrs + 1));
    if (!p->attribute)
        return diag_error(c->d, "out of memory");
    int rc = 0;
    for (int i = 0; i < n->n_attrs; i++) {
        p->attribute[i] = NEW_MSG(c, Onnx__AttributeProto, ONNX__ATTRIBUTE_PROTO__INIT);
        if (!p->attribute[i])
            return -1;
        /* Every attribute is tried, so that one run reports them all. */
        if (attribute(c, n, &n->attrs[i], p->attribute[i]))
            rc = -1;
    }
    return rc;
}
