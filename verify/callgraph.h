/* The functions defined in a file and the direct calls between them, to
 * find recursion (generated code must run in bounded stack). */
#ifndef SCNNC_VERIFY_CALLGRAPH_H
#define SCNNC_VERIFY_CALLGRAPH_H

#include <clang-c/Index.h>

#include "report.h"

typedef struct vf_node {
    CXCursor key; /* canonical declaration: every redeclaration maps to it */
    char *name;
    unsigned line; /* of the definition */
} vf_node;

typedef struct vf_edge {
    int from, to;
} vf_edge;

typedef struct vf_graph {
    vf_node *nodes;
    int n_nodes, cap_nodes;
    int *slots; /* open-addressing hash of node indices by key, -1 empty */
    int n_slots;
    vf_edge *edges;
    long n_edges, cap_edges;
    int oom;
} vf_graph;

/* Index of the node for the function whose definition is def, added on
 * first sight; -1 when out of memory. */
int vf_graph_node(vf_graph *g, CXCursor def);
void vf_graph_edge(vf_graph *g, int from, int to);
/* Adds one problem per cycle of calls ("recursion: a -> b -> a"). */
void vf_graph_report_cycles(const vf_graph *g, vf_report *r);
void vf_graph_free(vf_graph *g);

#endif
