#include "wire_check.h"

/* Reads a base-128 varint; returns bytes used or 0 when malformed/truncated. */
static size_t read_varint(const uint8_t *p, size_t len, uint64_t *v)
{
    uint64_t x = 0;
    for (size_t i = 0; i < len && i < 10; i++) {
        x |= (uint64_t)(p[i] & 0x7f) << (7 * i);
        if (!(p[i] & 0x80)) {
            *v = x;
            return i + 1;
        }
    }
    return 0;
}

/* Recursion depth is bounded by max_depth (checked before each descent). */
static int walk(const uint8_t *p, size_t len, const ProtobufCMessageDescriptor *desc, int depth,
                int max_depth, diag *d)
{
    size_t pos = 0;
    while (pos < len) {
        uint64_t key, v;
        size_t n = read_varint(p + pos, len - pos, &key);
        if (!n)
            return diag_error(d, "malformed protobuf: bad field key at byte %zu", pos);
        pos += n;
        uint32_t field = (uint32_t)(key >> 3);
        switch (key & 7) {
        case 0:
            n = read_varint(p + pos, len - pos, &v);
            if (!n)
                return diag_error(d, "malformed protobuf: truncated varint");
            pos += n;
            break;
        case 1:
            if (len - pos < 8)
                return diag_error(d, "malformed protobuf: truncated 64-bit field");
            pos += 8;
            break;
        case 5:
            if (len - pos < 4)
                return diag_error(d, "malformed protobuf: truncated 32-bit field");
            pos += 4;
            break;
        case 2: {
            n = read_varint(p + pos, len - pos, &v);
            if (!n)
                return diag_error(d, "malformed protobuf: truncated length");
            pos += n;
            if (v > len - pos)
                return diag_error(d, "truncated file: a field of %llu bytes runs past the end "
                                     "of its message", (unsigned long long)v);
            const ProtobufCFieldDescriptor *f =
                desc ? protobuf_c_message_descriptor_get_field(desc, (unsigned)field) : NULL;
            if (f && f->type == PROTOBUF_C_TYPE_MESSAGE) {
                if (depth + 1 > max_depth)
                    return diag_error(d, "hostile or corrupt file: messages nest deeper than %d",
                                      max_depth);
                if (walk(p + pos, (size_t)v, f->descriptor, depth + 1, max_depth, d))
                    return -1;
            }
            pos += (size_t)v;
            break;
        }
        default:
            return diag_error(d, "malformed protobuf: unsupported wire type %u",
                              (unsigned)(key & 7));
        }
    }
    return 0;
}

int wire_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *desc,
               int max_depth, diag *d)
{
    return walk(buf, len, desc, 0, max_depth, d);
}
