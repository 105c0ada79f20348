#include "callgraph.h"

#include <stdlib.h>
#include <string.h>

#include "verify.h"

static int grow_slots(vf_graph *g)
{
    int n = g->n_slots ? 2 * g->n_slots : 64;
    int *slots = malloc((size_t)n * sizeof *slots);
    if (!slots)
        return -1;
    for (int i = 0; i < n; i++)
        slots[i] = -1;
    for (int k = 0; k < g->n_nodes; k++) {
        unsigned h = clang_hashCursor(g->nodes[k].key) & (unsigned)(n - 1);
        while (slots[h] >= 0)
            h = (h + 1) & (unsigned)(n - 1);
        slots[h] = k;
    }
    free(g->slots);
    g->slots = slots;
    g->n_slots = n;
    return 0;
}

int vf_graph_node(vf_graph *g, CXCursor def)
{
    CXCursor key = clang_getCanonicalCursor(def);
    /* Keep the load at most one half so that probes stay short. */
    if (2 * (g->n_nodes + 1) > g->n_slots && grow_slots(g)) {
        g->oom = 1;
        return -1;
    }
    unsigned mask = (unsigned)(g->n_slots - 1);
    unsigned h = clang_hashCursor(key) & mask;
    for (; g->slots[h] >= 0; h = (h + 1) & mask)
        if (clang_equalCursors(g->nodes[g->slots[h]].key, key))
            return g->slots[h];
    if (g->n_nodes == g->cap_nodes) {
        int cap = g->cap_nodes ? 2 * g->cap_nodes : 64;
        vf_node *nodes = realloc(g->nodes, (size_t)cap * sizeof *nodes);
        if (!nodes) {
            g->oom = 1;
            return -1;
        }
        g->nodes = nodes;
        g->cap_nodes = cap;
    }
    char *name = vf_spelling(def);
    if (!name) {
        g->oom = 1;
        return -1;
    }
    g->nodes[g->n_nodes] = (vf_node){key, name, vf_line(def)};
    g->slots[h] = g->n_nodes;
    return g->n_nodes++;
}

void vf_graph_edge(vf_graph *g, int from, int to)
{
    if (g->n_edges == g->cap_edges) {
        long cap = g->cap_edges ? 2 * g->cap_edges : 256;
        vf_edge *e = realloc(g->edges, (size_t)cap * sizeof *e);
        if (!e) {
            g->oom = 1;
            return;
        }
        g->edges = e;
        g->cap_edges = cap;
    }
    g->edges[g->n_edges++] = (vf_edge){from, to};
}

/* Adjacency in compressed form: the callees of v are to[first[v]..first[v+1]). */
typedef struct adjacency {
    long *first;
    int *to;
} adjacency;

static int build_adjacency(const vf_graph *g, adjacency *a)
{
    a->first = calloc((size_t)g->n_nodes + 1, sizeof *a->first);
    a->to = malloc(((size_t)g->n_edges + 1) * sizeof *a->to);
    long *fill = malloc(((size_t)g->n_nodes + 1) * sizeof *fill);
    if (!a->first || !a->to || !fill) {
        free(fill);
        return -1;
    }
    for (long e = 0; e < g->n_edges; e++)
        a->first[g->edges[e].from + 1]++;
    for (int v = 0; v < g->n_nodes; v++)
        a->first[v + 1] += a->first[v];
    memcpy(fill, a->first, ((size_t)g->n_nodes + 1) * sizeof *fill);
    for (long e = 0; e < g->n_edges; e++)
        a->to[fill[g->edges[e].from]++] = g->edges[e].to;
    free(fill);
    return 0;
}

/* Strongly connected components (Tarjan's algorithm, without native
 * recursion so that long call chains cannot overflow our own stack).
 * comp[v] receives the component number of v. */
static int components(const vf_graph *g, const adjacency *a, int *comp)
{
    int n = g->n_nodes;
    int *index = malloc((size_t)n * sizeof *index);
    int *low = malloc((size_t)n * sizeof *low);
    int *stack = malloc((size_t)n * sizeof *stack);
    int *on_stack = calloc((size_t)n, sizeof *on_stack);
    int *frames = malloc((size_t)n * sizeof *frames); /* DFS path */
    long *next = malloc((size_t)n * sizeof *next);    /* next edge to try per node */
    int rc = -1;
    if (!index || !low || !stack || !on_stack || !frames || !next)
        goto done;
    for (int v = 0; v < n; v++)
        index[v] = -1;
    int counter = 0, sp = 0, n_comp = 0;
    for (int root = 0; root < n; root++) {
        if (index[root] >= 0)
            continue;
        int depth = 0;
        frames[depth++] = root;
        index[root] = low[root] = counter++;
        next[root] = a->first[root];
        stack[sp++] = root;
        on_stack[root] = 1;
        while (depth > 0) {
            int v = frames[depth - 1];
            if (next[v] < a->first[v + 1]) {
                int w = a->to[next[v]++];
                if (index[w] < 0) {
                    index[w] = low[w] = counter++;
                    next[w] = a->first[w];
                    stack[sp++] = w;
                    on_stack[w] = 1;
                    frames[depth++] = w;
                } else if (on_stack[w] && index[w] < low[v]) {
                    low[v] = index[w];
                }
                continue;
            }
            if (low[v] == index[v]) {
                int w;
                do {
                    w = stack[--sp];
                    on_stack[w] = 0;
                    comp[w] = n_comp;
                } while (w != v);
                n_comp++;
            }
            depth--;
            if (depth > 0 && low[v] < low[frames[depth - 1]])
                low[frames[depth - 1]] = low[v];
        }
    }
    rc = 0;
done:
    free(index);
    free(low);
    free(stack);
    free(on_stack);
    free(frames);
    free(next);
    return rc;
}

/* Reports one cycle through s, found by a breadth-first search that stays
 * inside s's component; parent[] and queue[] are scratch of n_nodes each. */
static void report_cycle(const vf_graph *g, const adjacency *a, const int *comp, int s,
                         int *parent, int *queue, vf_report *r)
{
    for (int v = 0; v < g->n_nodes; v++)
        parent[v] = -1;
    int head = 0, tail = 0, last = -1;
    queue[tail++] = s;
    while (head < tail && last < 0) {
        int v = queue[head++];
        for (long e = a->first[v]; e < a->first[v + 1]; e++) {
            int w = a->to[e];
            if (w == s) {
                last = v;
                break;
            }
            if (comp[w] == comp[s] && parent[w] < 0) {
                parent[w] = v;
                queue[tail++] = w;
            }
        }
    }
    /* The path s -> ... -> last -> s, collected backwards into queue[]. */
    int len = 0;
    for (int v = last; v != s; v = parent[v])
        queue[len++] = v;
    size_t size = strlen(g->nodes[s].name) * 2 + 16;
    for (int i = 0; i < len; i++)
        size += strlen(g->nodes[queue[i]].name) + 4;
    char *text = malloc(size);
    if (!text) {
        r->oom = 1;
        return;
    }
    strcpy(text, g->nodes[s].name);
    for (int i = len - 1; i >= 0; i--) {
        strcat(text, " -> ");
        strcat(text, g->nodes[queue[i]].name);
    }
    strcat(text, " -> ");
    strcat(text, g->nodes[s].name);
    vf_report_add(r, g->nodes[s].line, VF_RECURSION, "recursion: %s", text);
    free(text);
}

void vf_graph_report_cycles(const vf_graph *g, vf_report *r)
{
    int n = g->n_nodes;
    if (n == 0)
        return;
    adjacency a = {0};
    int *comp = malloc((size_t)n * sizeof *comp);
    int *size = calloc((size_t)n, sizeof *size);
    int *reported = calloc((size_t)n, sizeof *reported);
    int *parent = malloc((size_t)n * sizeof *parent);
    int *queue = malloc((size_t)n * sizeof *queue);
    if (!comp || !size || !reported || !parent || !queue || build_adjacency(g, &a) ||
        components(g, &a, comp)) {
        r->oom = 1;
        goto done;
    }
    for (int v = 0; v < n; v++)
        size[comp[v]]++;
    /* One cycle per recursive component, starting at the function of it
     * that the walk met first, so that the output is the same every run. */
    for (int v = 0; v < n; v++) {
        int self = 0;
        for (long e = a.first[v]; e < a.first[v + 1]; e++)
            self |= a.to[e] == v;
        if (reported[comp[v]] || (size[comp[v]] == 1 && !self))
            continue;
        reported[comp[v]] = 1;
        report_cycle(g, &a, comp, v, parent, queue, r);
    }
done:
    free(a.first);
    free(a.to);
    free(comp);
    free(size);
    free(reported);
    free(parent);
    free(queue);
}

void vf_graph_free(vf_graph *g)
{
    for (int i = 0; i < g->n_nodes; i++)
        free(g->nodes[i].name);
    free(g->nodes);
    free(g->slots);
    free(g->edges);
    *g = (vf_graph){0};
}
