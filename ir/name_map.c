/* Open-addressing hash map from names to indices: graphs with many
 * thousands of tensors (or hostile files) must not make loading, or
 * naming tensors on export, quadratic. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "name_map.h"

struct name_map {
    char **keys;
    int *values;
    size_t cap, used;
};

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (uint8_t)*s) * 1099511628211ull;
    return h;
}

name_map *name_map_new(void)
{
    name_map *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->cap = 64;
    m->keys = calloc(m->cap, sizeof *m->keys);
    m->values = calloc(m->cap, sizeof *m->values);
    if (!m->keys || !m->values) {
        name_map_free(m);
        return NULL;
    }
    return m;
}

void name_map_free(name_map *m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->cap; i++)
        free(m->keys ? m->keys[i] : NULL);
    free(m->keys);
    free(m->values);
    free(m);
}

static size_t slot(const name_map *m, const char *name)
{
    size_t i = (size_t)hash(name) & (m->cap - 1);
    while (m->keys[i] && strcmp(m->keys[i], name) != 0)
        i = (i + 1) & (m->cap - 1);
    return i;
}

int name_map_get(const name_map *m, const char *name)
{
    size_t i = slot(m, name);
    return m->keys[i] ? m->values[i] : -1;
}

static int rehash(name_map *m)
{
    name_map bigger = {0};
    bigger.cap = m->cap * 2;
    bigger.keys = calloc(bigger.cap, sizeof *bigger.keys);
    bigger.values = calloc(bigger.cap, sizeof *bigger.values);
    if (!bigger.keys || !bigger.values) {
        free(bigger.keys);
        free(bigger.values);
        return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
        if (m->keys[i]) {
            size_t j = slot(&bigger, m->keys[i]);
            bigger.keys[j] = m->keys[i];
            bigger.values[j] = m->values[i];
        }
    free(m->keys);
    free(m->values);
    m->keys = bigger.keys;
    m->values = bigger.values;
    m->cap = bigger.cap;
    return 0;
}

int name_map_put(name_map *m, const char *name, int value)
{
    if ((m->used + 1) * 2 > m->cap && rehash(m))
        return -1;
    size_t i = slot(m, name);
    if (!m->keys[i]) {
        size_t n = strlen(name) + 1;
        m->keys[i] = malloc(n);
        if (!m->keys[i])
            return -1;
        memcpy(m->keys[i], name, n);
        m->used++;
    }
    m->values[i] = value;
    return 0;
}
