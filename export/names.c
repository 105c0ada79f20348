/* The set of tensor names in use (open addressing on a string hash). Only
 * membership is asked, so the table's order never reaches the output. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

struct ox_names {
    const char **slots; /* borrowed strings; NULL = free */
    size_t cap, count;  /* cap is a power of two */
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603u; /* FNV-1a */
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211u;
    return h;
}

ox_names *ox_names_new(size_t expected)
{
    ox_names *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = 64;
    while (s->cap < expected * 2)
        s->cap *= 2;
    s->slots = calloc(s->cap, sizeof *s->slots);
    if (!s->slots) {
        free(s);
        return NULL;
    }
    return s;
}

void ox_names_free(ox_names *s)
{
    if (s)
        free(s->slots);
    free(s);
}

static size_t find(const ox_names *s, const char *name)
{
    size_t i = (size_t)hash(name) & (s->cap - 1);
    while (s->slots[i] && strcmp(s->slots[i], name) != 0)
        i = (i + 1) & (s->cap - 1);
    return i;
}

int ox_names_has(const ox_names *s, const char *name)
{
    return s->slots[find(s, name)] != NULL;
}

static int grow(ox_names *s)
{
    ox_names bigger = {.cap = s->cap * 2};
    bigger.slots = calloc(bigger.cap, sizeof *bigger.slots);
    if (!bigger.slots)
        return -1;
    for (size_t i = 0; i < s->cap; i++)
        if (s->slots[i])
            bigger.slots[find(&bigger, s->slots[i])] = s->slots[i];
    free(s->slots);
    s->slots = bigger.slots;
    s->cap = bigger.cap;
    return 0;
}

int ox_names_add(ox_names *s, const char *name)
{
    if ((s->count + 1) * 2 > s->cap && grow(s))
        return -1;
    size_t i = find(s, name);
    if (!s->slots[i]) {
        s->slots[i] = name;
        s->count++;
    }
    return 0;
}

const char *ox_fresh_name(ox_ctx *c, const char *base)
{
    const char *name = base;
    for (unsigned k = 1; name && ox_names_has(c->taken, name); k++)
        name = ox_printf(c->arena, "%s_%u", base, k);
    if (!name || ox_names_add(c->taken, name)) {
        diag_error(c->d, "out of memory");
        return NULL;
    }
    return name;
}
