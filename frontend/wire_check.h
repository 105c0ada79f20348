#ifndef SCNNC_WIRE_CHECK_H
#define SCNNC_WIRE_CHECK_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "../ir/diag.h"

/* Walks protobuf wire data against a message descriptor before it is
 * unpacked: checks that every length stays inside its parent and that
 * messages nest at most max_depth deep, so that a hostile file cannot drive
 * the unpacker into deep recursion. Returns 0 or -1 with a message. */
int wire_check(const uint8_t *buf, size_t len, const ProtobufCMessageDescriptor *desc,
               int max_depth, diag *d);

#endif
