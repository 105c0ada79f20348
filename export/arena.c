/* Arena for the ONNX message tree: many small zeroed allocations, freed in
 * one call whatever point the conversion stopped at. */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define BLOCK_BYTES ((size_t)64 << 10)
#define ALIGN 16

typedef struct block {
    struct block *next;
    size_t used, size;
    _Alignas(ALIGN) unsigned char data[];
} block;

struct ox_arena {
    block *head;
};

ox_arena *ox_arena_new(void)
{
    return calloc(1, sizeof(ox_arena));
}

void ox_arena_free(ox_arena *a)
{
    if (!a)
        return;
    while (a->head) {
        block *next = a->head->next;
        free(a->head);
        a->head = next;
    }
    free(a);
}

void *ox_alloc(ox_arena *a, size_t size)
{
    if (size > SIZE_MAX / 2)
        return NULL;
    size = (size + ALIGN - 1) & ~(size_t)(ALIGN - 1);
    block *b = a->head;
    if (!b || b->size - b->used < size) {
        /* Large requests get a block of their own, placed behind the
         * current one so that its free room stays in use. */
        size_t cap = size > BLOCK_BYTES / 4 ? size : BLOCK_BYTES;
        block *nb = malloc(sizeof(block) + cap);
        if (!nb)
            return NULL;
        nb->used = 0;
        nb->size = cap;
        if (b && cap != BLOCK_BYTES) {
            nb->next = b->next;
            b->next = nb;
        } else {
            nb->next = b;
            a->head = nb;
        }
        b = nb;
    }
    void *p = b->data + b->used;
    b->used += size;
    memset(p, 0, size);
    return p;
}

char *ox_printf(ox_arena *a, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return NULL;
    char *s = ox_alloc(a, (size_t)n + 1);
    if (!s)
        return NULL;
    va_start(ap, fmt);
    vsnprintf(s, (size_t)n + 1, fmt, ap);
    va_end(ap);
    return s;
}
