/* TensorProto → ir_value: every storage form ONNX allows for the numeric
 * types (raw_data, the typed repeated fields, external data files). */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "internal.h"
#include "wire_check.h"

/* Largest constant accepted: protects against hostile dims claiming huge sizes. */
#define MAX_TENSOR_BYTES ((uint64_t)1 << 34)

static int set_shape(const Onnx__TensorProto *tp, const char *what, ir_value *out, diag *d,
                     uint64_t *bytes)
{
    if (tp->n_dims > IR_MAX_RANK)
        return diag_error(d, "%s: rank %zu exceeds the supported %d", what, tp->n_dims,
                          IR_MAX_RANK);
    out->shape.rank = (int)tp->n_dims;
    uint64_t n = 1;
    for (size_t i = 0; i < tp->n_dims; i++) {
        if (tp->dims[i] < 0)
            return diag_error(d, "%s: negative dimension %lld", what, (long long)tp->dims[i]);
        out->shape.dims[i] = tp->dims[i];
        if (tp->dims[i] && n > MAX_TENSOR_BYTES / (uint64_t)tp->dims[i])
            return diag_error(d, "%s: too large", what);
        n *= (uint64_t)tp->dims[i];
    }
    *bytes = n * ir_dtype_size(out->dtype);
    if (*bytes > MAX_TENSOR_BYTES)
        return diag_error(d, "%s: %llu bytes is more than scnnc accepts", what,
                          (unsigned long long)*bytes);
    return 0;
}

/* Refuses locations that could leave the model's folder. */
static int safe_location(const char *loc)
{
    if (!*loc || loc[0] == '/' || loc[0] == '\\' || strchr(loc, ':'))
        return 0;
    const char *p = loc;
    while (*p) {
        const char *end = p + strcspn(p, "/\\");
        if (end - p == 2 && p[0] == '.' && p[1] == '.')
            return 0;
        p = *end ? end + 1 : end;
    }
    return 1;
}

/* Allocates out->data only once the file is known to hold the bytes. */
static int read_external(const Onnx__TensorProto *tp, const char *base_dir, const char *what,
                         ir_value *out, uint64_t bytes, diag *d)
{
    const char *location = NULL;
    int64_t offset = 0, length = -1;
    for (size_t i = 0; i < tp->n_external_data; i++) {
        const Onnx__StringStringEntryProto *e = tp->external_data[i];
        if (!e->key || !e->value)
            continue;
        char *end;
        if (strcmp(e->key, "location") == 0) {
            location = e->value;
        } else if (strcmp(e->key, "offset") == 0) {
            errno = 0;
            offset = strtoll(e->value, &end, 10);
            if (errno || *end || offset < 0)
                return diag_error(d, "%s: bad external data offset '%s'", what, e->value);
        } else if (strcmp(e->key, "length") == 0) {
            errno = 0;
            length = strtoll(e->value, &end, 10);
            if (errno || *end || length < 0)
                return diag_error(d, "%s: bad external data length '%s'", what, e->value);
        }
    }
    if (!location)
        return diag_error(d, "%s: external data without a location", what);
    if (!base_dir)
        return diag_error(d, "%s: external data '%s' but the model was not read from a file",
                          what, location);
    if (!safe_location(location))
        return diag_error(d, "%s: external data location '%s' leaves the model's folder", what,
                          location);
    if (length >= 0 && (uint64_t)length != bytes)
        return diag_error(d, "%s: external data length %lld does not match %llu bytes", what,
                          (long long)length, (unsigned long long)bytes);
    char path[PATH_MAX];
    if (snprintf(path, sizeof path, "%s/%s", base_dir, location) >= (int)sizeof path)
        return diag_error(d, "%s: external data path too long", what);
    /* The textual check above cannot see symbolic links: resolve and compare. */
    char real_base[PATH_MAX], real_file[PATH_MAX];
    if (!realpath(base_dir, real_base) || !realpath(path, real_file))
        return diag_error(d, "%s: cannot open external data '%s': %s", what, location,
                          strerror(errno));
    size_t nb = strlen(real_base);
    if (strncmp(real_file, real_base, nb) != 0 || (real_file[nb] != '/' && nb > 1))
        return diag_error(d, "%s: external data '%s' resolves outside the model's folder", what,
                          location);
    FILE *f = fopen(real_file, "rb");
    if (!f)
        return diag_error(d, "%s: cannot open external data '%s': %s", what, location,
                          strerror(errno));
    int rc = 0;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) ||
        (uint64_t)st.st_size < (uint64_t)offset || (uint64_t)st.st_size - (uint64_t)offset < bytes)
        rc = diag_error(d, "%s: external data '%s' is shorter than %llu bytes at offset %lld",
                        what, location, (unsigned long long)bytes, (long long)offset);
    else if (!(out->data = ir_alloc((size_t)bytes)))
        rc = diag_error(d, "%s: out of memory for %llu bytes", what, (unsigned long long)bytes);
    else if (fseek(f, (long)offset, SEEK_SET) != 0 || fread(out->data, 1, (size_t)bytes, f) != bytes)
        rc = diag_error(d, "%s: cannot read external data '%s'", what, location);
    fclose(f);
    return rc;
}

/* Elements in the typed repeated field that ONNX uses for type t. */
static size_t typed_count(const Onnx__TensorProto *tp, ir_dtype t)
{
    switch (t) {
    case IR_FLOAT: return tp->n_float_data;
    case IR_DOUBLE: return tp->n_double_data;
    case IR_INT64: return tp->n_int64_data;
    case IR_UINT32: case IR_UINT64: return tp->n_uint64_data;
    default: return tp->n_int32_data;
    }
}

/* Copies a typed repeated field holding numel elements (checked by the
 * caller), converting each element to the tensor's type. */
static void from_typed(const Onnx__TensorProto *tp, ir_value *v, uint64_t numel)
{
    for (uint64_t i = 0; i < numel; i++) {
        switch (v->dtype) {
        case IR_FLOAT: ((float *)v->data)[i] = tp->float_data[i]; break;
        case IR_DOUBLE: ((double *)v->data)[i] = tp->double_data[i]; break;
        case IR_INT64: ((int64_t *)v->data)[i] = tp->int64_data[i]; break;
        case IR_UINT32: ((uint32_t *)v->data)[i] = (uint32_t)tp->uint64_data[i]; break;
        case IR_UINT64: ((uint64_t *)v->data)[i] = tp->uint64_data[i]; break;
        case IR_FLOAT16: case IR_BFLOAT16:
            /* 16-bit floats travel as their bit patterns in int32_data. */
            ((uint16_t *)v->data)[i] = (uint16_t)tp->int32_data[i];
            break;
        default: ir_data_set_int(v->dtype, v->data, (int64_t)i, tp->int32_data[i]); break;
        }
    }
}

int tensor_proto_decode(const Onnx__TensorProto *tp, const char *base_dir, const char *what,
                        ir_value *out, diag *d)
{
    memset(out, 0, sizeof *out);
    int dt = tp->has_data_type ? tp->data_type : 0;
    if (!ir_dtype_supported(dt))
        return diag_error(d, "%s: element type %s is not supported", what, ir_dtype_name(dt));
    out->dtype = (ir_dtype)dt;
    uint64_t bytes = 0; /* set by set_shape; gcc -O2 cannot see it */
    if (set_shape(tp, what, out, d, &bytes))
        return -1;
    if (tp->segment)
        return diag_error(d, "%s: segmented tensors are not supported", what);
    uint64_t numel = bytes / ir_dtype_size(out->dtype);
    if (tp->has_data_location && tp->data_location == ONNX__TENSOR_PROTO__DATA_LOCATION__EXTERNAL) {
        int rc = read_external(tp, base_dir, what, out, bytes, d);
        if (rc) {
            free(out->data);
            out->data = NULL;
        }
        return rc;
    }
    /* Sizes are checked before allocating: a small file may claim gigabytes. */
    if (tp->has_raw_data && tp->raw_data.len != bytes)
        return diag_error(d, "%s: raw_data has %zu bytes but its shape needs %llu", what,
                          tp->raw_data.len, (unsigned long long)bytes);
    if (!tp->has_raw_data && typed_count(tp, out->dtype) != numel)
        return diag_error(d, "%s: holds %zu values but its shape needs %llu", what,
                          typed_count(tp, out->dtype), (unsigned long long)numel);
    out->data = ir_alloc((size_t)bytes);
    if (!out->data)
        return diag_error(d, "%s: out of memory for %llu bytes", what, (unsigned long long)bytes);
    if (tp->has_raw_data) {
        /* ONNX raw_data is little-endian, like every host scnnc runs on. */
        if (bytes)
            memcpy(out->data, tp->raw_data.data, (size_t)bytes);
    } else {
        from_typed(tp, out, numel);
    }
    return 0;
}

int frontend_load_tensor_file(const char *path, ir_value *out, diag *d)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f)
        return diag_error(d, "cannot open '%s': %s", path, strerror(errno));
    uint8_t *buf = NULL;
    size_t len = 0, cap = 0;
    for (;;) {
        if (len == cap) {
            size_t ncap = cap ? cap * 2 : 65536;
            uint8_t *nb = realloc(buf, ncap);
            if (!nb) {
                free(buf);
                fclose(f);
                return diag_error(d, "out of memory reading '%s'", path);
            }
            buf = nb;
            cap = ncap;
        }
        size_t got = fread(buf + len, 1, cap - len, f);
        len += got;
        if (got == 0)
            break;
    }
    fclose(f);
    int rc = -1;
    if (wire_check(buf, len, &onnx__tensor_proto__descriptor, 8, d) == 0) {
        Onnx__TensorProto *tp = onnx__tensor_proto__unpack(NULL, len, buf);
        if (!tp) {
            diag_error(d, "'%s' is not a valid TensorProto", path);
        } else {
            rc = tensor_proto_decode(tp, NULL, path, out, d);
            onnx__tensor_proto__free_unpacked(tp, NULL);
        }
    }
    free(buf);
    return rc;
}
