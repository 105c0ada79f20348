/* Static memory plan. Constants get offsets in the weights blob; every
 * intermediate tensor (and each kernel's scratch) gets an offset in one
 * arena. Buffers whose lifetimes overlap never overlap in bytes; placement is
 * greedy by size (largest first, lowest free offset), which is near-optimal
 * for CNN-shaped graphs. In-place ops share their input's buffer when the
 * input dies at that node. */
#include <stdlib.h>
#include <string.h>

#include "ops/ops.h"
#include "passes.h"

#define ALIGN 16

typedef struct buffer {
    int64_t size;
    int first, last; /* node indices of the lifetime, inclusive */
    int64_t offset;
    int order;       /* creation order: the deterministic tie-break */
} buffer;

static int64_t align_up(int64_t x) { return (x + ALIGN - 1) / ALIGN * ALIGN; }

static int cmp_buffers(const void *pa, const void *pb)
{
    const buffer *a = *(const buffer *const *)pa, *b = *(const buffer *const *)pb;
    if (a->size != b->size)
        return a->size > b->size ? -1 : 1;
    return a->order - b->order;
}

static int cmp_by_offset(const void *pa, const void *pb)
{
    const buffer *a = *(const buffer *const *)pa, *b = *(const buffer *const *)pb;
    if (a->offset != b->offset)
        return a->offset < b->offset ? -1 : 1;
    return a->order - b->order;
}

/* Places buffers; returns the arena size or -1 on OOM. */
static int64_t place(buffer *bufs, int n)
{
    buffer **sorted = malloc(sizeof(buffer *) * (size_t)(n + 1));
    buffer **placed = malloc(sizeof(buffer *) * (size_t)(n + 1));
    if (!sorted || !placed) {
        free(sorted);
        free(placed);
        return -1;
    }
    for (int i = 0; i < n; i++)
        sorted[i] = &bufs[i];
    qsort(sorted, (size_t)n, sizeof *sorted, cmp_buffers);
    int n_placed = 0;
    int64_t total = 0;
    for (int i = 0; i < n; i++) {
        buffer *b = sorted[i];
        int64_t offset = 0;
        /* placed[] is kept sorted by offset: walk it and take the first gap. */
        for (int k = 0; k < n_placed; k++) {
            const buffer *o = placed[k];
            if (o->last < b->first || o->first > b->last)
                continue;
            if (offset + b->size <= o->offset)
                break;
            if (o->offset + o->size > offset)
                offset = align_up(o->offset + o->size);
        }
        b->offset = offset;
        /* Insert in offset order (binary search, then shift): re-sorting
         * after every placement made long graphs take minutes. */
        int lo = 0, hi = n_placed;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (cmp_by_offset(&placed[mid], &b) < 0)
                lo = mid + 1;
            else
                hi = mid;
        }
        memmove(placed + lo + 1, placed + lo, sizeof *placed * (size_t)(n_placed - lo));
        placed[lo] = b;
        n_placed++;
        if (offset + b->size > total)
            total = offset + b->size;
    }
    free(sorted);
    free(placed);
    return align_up(total);
}

static int find_root(int *parent, int x)
{
    while (parent[x] != x) {
        parent[x] = parent[parent[x]];
        x = parent[x];
    }
    return x;
}

int pass_plan_memory(ir_graph *g, diag *d)
{
    int nt = g->n_tensors, nn = g->n_nodes;
    int *first = malloc(sizeof(int) * (size_t)(nt + 1));
    int *last = malloc(sizeof(int) * (size_t)(nt + 1));
    int *parent = malloc(sizeof(int) * (size_t)(nt + 1));
    int *buf_of = malloc(sizeof(int) * (size_t)(nt + 1));
    buffer *bufs = calloc((size_t)(nt + nn + 1), sizeof(buffer));
    int rc = 0;
    if (!first || !last || !parent || !buf_of || !bufs) {
        rc = diag_error(d, "out of memory");
        goto out;
    }
    int64_t weights = 0;
    for (int i = 0; i < nt; i++) {
        ir_tensor *t = &g->tensors[i];
        t->storage = IR_STORE_NONE;
        t->offset = 0;
        first[i] = last[i] = -1;
        parent[i] = i;
        buf_of[i] = -1;
        if (t->input_index >= 0 && !t->data)
            t->storage = IR_STORE_INPUT;
    }
    for (int i = 0; i < nn; i++) {
        const ir_node *n = &g->nodes[i];
        for (int k = 0; k < n->n_inputs; k++) {
            int ti = n->inputs[k];
            if (ti < 0 || !ir_node_reads_input(n, k))
                continue;
            ir_tensor *t = &g->tensors[ti];
            if (t->data && t->storage == IR_STORE_NONE) {
                t->storage = IR_STORE_CONST;
                t->offset = weights;
                weights = align_up(weights + (int64_t)ir_tensor_bytes(t));
            }
            last[ti] = i;
        }
        for (int k = 0; k < n->n_outputs; k++) {
            int ti = n->outputs[k];
            if (ti < 0)
                continue;
            ir_tensor *t = &g->tensors[ti];
            t->storage = t->output_index >= 0 ? IR_STORE_OUTPUT : IR_STORE_ARENA;
            first[ti] = i;
            if (last[ti] < i)
                last[ti] = i;
        }
    }
    /* Graph outputs that no node produces are copied from where they are. */
    for (int i = 0; i < g->n_outputs; i++) {
        ir_tensor *t = &g->tensors[g->outputs[i]];
        if (t->data && t->storage == IR_STORE_NONE) {
            t->storage = IR_STORE_CONST;
            t->offset = weights;
            weights = align_up(weights + (int64_t)ir_tensor_bytes(t));
        }
    }
    /* In place: output 0 takes input 0's buffer when input 0 dies here. */
    for (int i = 0; i < nn; i++) {
        const ir_node *n = &g->nodes[i];
        const op_handler *h = op_find(n->op);
        if (!h || !h->in_place || n->n_inputs < 1 || n->n_outputs < 1 || n->inputs[0] < 0 ||
            n->outputs[0] < 0)
            continue;
        int in = n->inputs[0], out = n->outputs[0];
        const ir_tensor *ti = &g->tensors[in], *to = &g->tensors[out];
        if (ti->storage != IR_STORE_ARENA || to->storage != IR_STORE_ARENA || last[in] != i ||
            ir_tensor_bytes(ti) != ir_tensor_bytes(to))
            continue;
        parent[find_root(parent, out)] = find_root(parent, in);
    }
    int nb = 0;
    for (int i = 0; i < nt; i++) {
        if (g->tensors[i].storage != IR_STORE_ARENA)
            continue;
        int r = find_root(parent, i);
        if (buf_of[r] < 0) {
            buf_of[r] = nb;
            bufs[nb].first = first[i];
            bufs[nb].last = last[i];
            bufs[nb].order = nb;
            nb++;
        }
        buffer *b = &bufs[buf_of[r]];
        int64_t bytes = (int64_t)ir_tensor_bytes(&g->tensors[i]);
        if (bytes > b->size)
            b->size = bytes;
        if (first[i] < b->first)
            b->first = first[i];
        if (last[i] > b->last)
            b->last = last[i];
    }
    int scratch_base = nb;
    for (int i = 0; i < nn; i++) {
        g->nodes[i].scratch_offset = 0;
        if (g->nodes[i].scratch_bytes <= 0)
            continue;
        bufs[nb] = (buffer){.size = g->nodes[i].scratch_bytes, .first = i, .last = i, .order = nb};
        nb++;
    }
    int64_t arena = place(bufs, nb);
    if (arena < 0) {
        rc = diag_error(d, "out of memory");
        goto out;
    }
    for (int i = 0; i < nt; i++)
        if (g->tensors[i].storage == IR_STORE_ARENA)
            g->tensors[i].offset = bufs[buf_of[find_root(parent, i)]].offset;
    for (int i = 0, k = scratch_base; i < nn; i++)
        if (g->nodes[i].scratch_bytes > 0)
            g->nodes[i].scratch_offset = bufs[k++].offset;
    g->arena_bytes = arena;
    g->weights_bytes = weights;
out:
    free(first);
    free(last);
    free(parent);
    free(buf_of);
    free(bufs);
    return rc;
}
