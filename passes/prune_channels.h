/* Structured channel pruning, shared between its files (not a public
 * interface). Activation tensors whose channels (axis 1) must stay in step
 * form a group; the rules (prune_channels_rules.c) build the groups and
 * record every constant that must be sliced with them, the main file
 * decides which groups are prunable and what they keep, and the rewrite
 * (prune_channels_rewrite.c) scores filters and slices the constants. */
#ifndef SCNNC_PRUNE_CHANNELS_H
#define SCNNC_PRUNE_CHANNELS_H

#include "passes.h"

/* What a node does to the channels of one of its constant inputs. */
typedef enum pc_edit_kind {
    PC_SLICE,       /* keep the group's channels along `axis` of the input */
    PC_RESHAPE_DIM, /* element 1 of a Reshape's shape input is the channel count */
    PC_GROUP_ATTR   /* a depthwise Conv's `group` attribute is the channel count */
} pc_edit_kind;

typedef struct pc_edit {
    pc_edit_kind kind;
    int node;
    int input;  /* the constant's input slot (unused for PC_GROUP_ATTR) */
    int axis;   /* PC_SLICE */
    int tensor; /* the activation whose group decides the channels */
    int scores; /* the slices along axis are the filters defining the group */
} pc_edit;

/* How an activation tensor gets its channels. */
typedef enum pc_source {
    PC_SRC_OTHER = 0, /* graph input, or an op linking it to its input */
    PC_SRC_FILTERS,   /* written by a Conv/Gemm/MatMul: one filter per channel */
    PC_SRC_CONCAT     /* the channel-axis Concat of other groups */
} pc_source;

typedef struct pc_state {
    ir_graph *g;
    int n_tensors;       /* tensors before the pass added any */
    int *parent;         /* union-find over tensors */
    const char **why;    /* per tensor, then per group: why it stays whole */
    int *why_node;       /* the node that why refers to, or -1 */
    unsigned char *seen; /* activation met by the rules */
    unsigned char *source; /* pc_source per tensor */
    int *concat;         /* per group: the Concat defining it, or -1 */
    int *n_filters;      /* per group: tensors written by filters */
    int *n_concats;      /* per group: tensors written by Concat */
    int64_t *channels;   /* per group: channel count, -1 when inconsistent */
    unsigned char **keep; /* per group: kept channels, NULL when all are */
    int64_t *kept;       /* per group: count of kept channels */
    pc_edit *edits;
    int n_edits, cap_edits;
} pc_state;

int pc_find(pc_state *st, int t);
void pc_union(pc_state *st, int a, int b);
/* Records why tensor t (and so its group) must keep all its channels; the
 * first reason stays. */
void pc_refuse(pc_state *st, int t, const char *why, int node);
/* 0, or -1 when out of memory. */
int pc_add_edit(pc_state *st, pc_edit_kind kind, int node, int input, int axis, int tensor,
                int scores);

/* Builds the groups and the edits from every live node (rules file). */
int pc_apply_rules(pc_state *st);

/* Keeps in every prunable filter group the channels of largest L1 filter
 * norm, the fraction f removed (rewrite file). */
int pc_choose(pc_state *st, double f, diag *d);
/* Slices every recorded constant and sets the attributes to the kept
 * channels (rewrite file). */
int pc_rewrite(pc_state *st, diag *d);

#endif
