/* The "misc" family: operators outside the classification-network core.
 *   misc_resize.c   Resize, Upsample: attributes, sizes, inference
 *   misc_resize_table.c  their per-axis tap tables (shared with the emitter), eval
 *   misc_topk.c     TopK, Hardmax
 *   misc_scan.c     CumSum, Trilu, ReverseSequence, OneHot
 *   misc_scatter.c  GatherND, ScatterND, ScatterElements, Scatter, MaxUnpool
 *   misc_einsum.c   Einsum (equation parsed into a loop plan, shared with the emitter)
 *   misc_select.c   Compress, NonZero, Unique (data-dependent shapes), Det
 *   misc_loss.c     NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss
 *   misc_grid.c     GridSample
 *   misc_roi.c      RoiAlign
 *   misc_dft.c      DFT, STFT
 *   misc_window.c   HannWindow, HammingWindow, BlackmanWindow
 * Private to these files and codegen/ops/emit_misc*.c. */
#ifndef SCNNC_MISC_H
#define SCNNC_MISC_H

#include "ops.h"

/* ---- helpers (misc.c) --------------------------------------------------- */

/* Checks that inputs 0..min-1 are present with known shapes, that nothing
 * beyond max is given, and that output 0 is wanted. */
int misc_need_io(ir_graph *g, ir_node *n, int min, int max, diag *d);
/* Element types the kernels can copy: every numeric type and bool. */
int misc_check_copyable(const ir_node *n, const ir_tensor *t, diag *d);
/* Element types the kernels compute with: float32/64 and the integers
 * (16-bit floats and bool refused); with floats_only just float32/64. */
int misc_check_arith(const ir_node *n, const ir_tensor *t, int floats_only, diag *d);
/* Reads input i, a 0-D or one-element integer tensor: 1 with *v set when it
 * is a constant, 0 when it is computed at run time, -1 (message) when it
 * has another shape or type. `what` names it in messages. */
int misc_scalar_int(const ir_graph *g, const ir_node *n, int i, const char *what, int64_t *v,
                    diag *d);
/* Reads a 0/1 attribute. */
int misc_flag(const ir_node *n, const char *name, int dflt, int *out, diag *d);
/* 1 when folding n would keep the weights small (outputs no larger than the
 * constant inputs, or below a few KiB). */
int misc_fold_small(const ir_graph *g, const ir_node *n);
/* Product of dims [from, to) of s. */
int64_t misc_prod(const ir_shape *s, int from, int to);
/* Makes every present output of n a constant with zeroed data. */
int misc_alloc_outputs(ir_graph *g, ir_node *n, diag *d);
/* Three-way comparison of elements i and j of data (type t), numeric order;
 * unsigned 64-bit integers compare as unsigned. */
int misc_cmp(ir_dtype t, const void *a, int64_t i, const void *b, int64_t j);
/* 1 when a constant float tensor holds a NaN. */
int misc_has_nan(const ir_tensor *t);

/* Element-wise accumulation as the generated code performs it: float32
 * rounds every step, integers wrap modulo their width. */
typedef enum misc_red { MISC_NONE, MISC_ADD, MISC_MUL, MISC_MAX, MISC_MIN } misc_red;
void misc_combine(ir_dtype t, void *dst, int64_t i, const void *src, int64_t j, misc_red r);
/* The `reduction` attribute of ScatterND/ScatterElements. */
int misc_reduction(const ir_graph *g, const ir_node *n, misc_red *r, diag *d);

/* ---- Resize / Upsample ---------------------------------------------------- */

typedef enum rs_mode { RS_NEAREST, RS_LINEAR, RS_CUBIC } rs_mode;

/* One axis of a resize as a table: output position o reads source indices
 * idx[o * taps + t] (already clamped inside [0, in)) with weights
 * w[o * taps + t]; with taps == 1 the weight is 1 and w is NULL (nearest,
 * or an axis that only copies). outside[o] (NULL when never) marks
 * positions that take the extrapolation value (tf_crop_and_resize). */
typedef struct rs_axis {
    int64_t in, out;
    int taps;
    int identity; /* out == in and idx[o] == o: a plain copy along the axis */
    int64_t *idx;
    float *w;
    unsigned char *outside;
} rs_axis;

typedef struct rs_plan {
    int rank;
    rs_mode mode;
    float extrapolation;
    rs_axis ax[IR_MAX_RANK];
} rs_plan;

/* Internal to misc_resize*.c: what the attributes and constant inputs
 * decide, read by rs_read_params (which also checks them). */
typedef enum rs_coord {
    CT_HALF_PIXEL,
    CT_HALF_PIXEL_SYMMETRIC,
    CT_PYTORCH_HALF_PIXEL,
    CT_ALIGN_CORNERS,
    CT_ASYMMETRIC,
    CT_TF_HALF_PIXEL_FOR_NN,
    CT_TF_CROP_AND_RESIZE
} rs_coord;

typedef enum rs_round { NR_PREFER_FLOOR, NR_PREFER_CEIL, NR_FLOOR, NR_CEIL, NR_SIMPLE } rs_round;

typedef struct rs_params {
    int rank;
    rs_mode mode;
    rs_coord coord;
    rs_round round;
    double cubic_a;
    int exclude_outside;
    float extrapolation;
    int64_t in[IR_MAX_RANK], out[IR_MAX_RANK];
    double scale[IR_MAX_RANK];  /* output / input, as the reference sees it */
    double length[IR_MAX_RANK]; /* the resized length (scale * input when scales are given) */
    double roi_start[IR_MAX_RANK], roi_end[IR_MAX_RANK];
} rs_params;

int rs_read_params(const ir_graph *g, const ir_node *n, rs_params *p, diag *d);

/* Builds the tables of a Resize/Upsample node after its infer succeeded
 * (the same computation infer used for the output shape). */
int rs_plan_build(const ir_graph *g, const ir_node *n, rs_plan *p, diag *d);
void rs_plan_free(rs_plan *p);

int misc_infer_resize(ir_graph *g, ir_node *n, diag *d);
int misc_eval_resize(ir_graph *g, ir_node *n, diag *d);

/* ---- TopK, Hardmax ------------------------------------------------------------ */

/* The axis a TopK/Hardmax node works along, as [outer, dim, inner]. Valid
 * after infer. Hardmax before opset 13 flattens from the axis on (inner 1). */
typedef struct misc_axis3 {
    int64_t outer, dim, inner;
} misc_axis3;

int misc_infer_topk(ir_graph *g, ir_node *n, diag *d);
int misc_eval_topk(ir_graph *g, ir_node *n, diag *d);
void misc_topk_geometry(const ir_graph *g, const ir_node *n, misc_axis3 *a, int64_t *k,
                        int *largest);
int misc_infer_hardmax(ir_graph *g, ir_node *n, diag *d);
int misc_eval_hardmax(ir_graph *g, ir_node *n, diag *d);
void misc_hardmax_geometry(const ir_graph *g, const ir_node *n, misc_axis3 *a);

/* ---- CumSum, Trilu, ReverseSequence, OneHot --------------------------------- */

int misc_infer_cumsum(ir_graph *g, ir_node *n, diag *d);
int misc_eval_cumsum(ir_graph *g, ir_node *n, diag *d);
/* The constant axis of a CumSum (normalised), or -1 when it is read at run
 * time and the rank leaves a choice. */
int misc_cumsum_axis(const ir_graph *g, const ir_node *n);
int misc_infer_trilu(ir_graph *g, ir_node *n, diag *d);
int misc_eval_trilu(ir_graph *g, ir_node *n, diag *d);
int misc_infer_reverse_sequence(ir_graph *g, ir_node *n, diag *d);
int misc_eval_reverse_sequence(ir_graph *g, ir_node *n, diag *d);
int misc_infer_onehot(ir_graph *g, ir_node *n, diag *d);
int misc_eval_onehot(ir_graph *g, ir_node *n, diag *d);
/* OneHot's output axis (normalised) and depth. Valid after infer. */
void misc_onehot_geometry(const ir_graph *g, const ir_node *n, int *axis, int64_t *depth);

/* ---- GatherND, ScatterND, ScatterElements ------------------------------------ */

int misc_infer_gather_nd(ir_graph *g, ir_node *n, diag *d);
int misc_eval_gather_nd(ir_graph *g, ir_node *n, diag *d);
int misc_infer_scatter_nd(ir_graph *g, ir_node *n, diag *d);
int misc_eval_scatter_nd(ir_graph *g, ir_node *n, diag *d);
int misc_infer_scatter_elements(ir_graph *g, ir_node *n, diag *d);
int misc_eval_scatter_elements(ir_graph *g, ir_node *n, diag *d);
int misc_infer_max_unpool(ir_graph *g, ir_node *n, diag *d);
/* The shape MaxUnpool's indices address (before output_shape enlarges it). */
void misc_unpool_inferred(const ir_graph *g, const ir_node *n, ir_shape *s);
/* The normalised axis of ScatterElements/Scatter. Valid after infer. */
int misc_scatter_axis(const ir_graph *g, const ir_node *n);

/* ---- Einsum ---------------------------------------------------------------------- */

#define ES_MAX_INPUTS 8
#define ES_MAX_LABELS 64

/* The equation as one loop per distinct label, in `order` (output labels
 * but the last, then the summed ones, then the last output label, so that
 * the inner loop walks the output contiguously). The output starts at zero
 * and every iteration adds the product of the inputs' elements at
 * sum(i_l * stride[k][l]) into the output at sum(i_l * ostride[l]). A label
 * repeated in one operand (a diagonal) adds its strides. */
typedef struct es_plan {
    int n_in;
    int n_labels;
    int64_t dim[ES_MAX_LABELS];
    int64_t stride[ES_MAX_INPUTS][ES_MAX_LABELS];
    int64_t ostride[ES_MAX_LABELS];
    int order[ES_MAX_LABELS];
    ir_shape out;
} es_plan;

/* Parses the equation against the input shapes. -1 with a message. */
int es_plan_build(const ir_graph *g, const ir_node *n, es_plan *p, diag *d);
int misc_infer_einsum(ir_graph *g, ir_node *n, diag *d);
int64_t misc_macs_einsum(const ir_graph *g, const ir_node *n);

/* ---- Compress, NonZero, Unique, Det ------------------------------------------ */

int misc_infer_compress(ir_graph *g, ir_node *n, diag *d);
int misc_eval_compress(ir_graph *g, ir_node *n, diag *d);
/* Compress as [outer, dim, inner] with the kept positions along dim (count
 * of them returned; *kept is allocated, free it). Valid after infer. */
int64_t misc_compress_plan(const ir_graph *g, const ir_node *n, misc_axis3 *a, int64_t **kept);
int misc_infer_nonzero(ir_graph *g, ir_node *n, diag *d);
int misc_eval_nonzero(ir_graph *g, ir_node *n, diag *d);
int misc_infer_unique(ir_graph *g, ir_node *n, diag *d);
int misc_eval_unique(ir_graph *g, ir_node *n, diag *d);
int misc_infer_det(ir_graph *g, ir_node *n, diag *d);
void misc_select_det(ir_graph *g, ir_node *n);

/* ---- NegativeLogLikelihoodLoss, SoftmaxCrossEntropyLoss ------------------------ */

int misc_infer_loss(ir_graph *g, ir_node *n, diag *d);
/* 0 none, 1 sum, 2 mean. */
int misc_loss_reduction(const ir_node *n);

/* ---- GridSample, RoiAlign ------------------------------------------------------------------ */

typedef struct misc_grid {
    int mode;    /* 0 bilinear, 1 nearest, 2 bicubic */
    int padding; /* 0 zeros, 1 border, 2 reflection */
    int align_corners;
} misc_grid;

int misc_grid_params(const ir_graph *g, const ir_node *n, misc_grid *p, diag *d);
int misc_infer_grid_sample(ir_graph *g, ir_node *n, diag *d);
int misc_infer_roi_align(ir_graph *g, ir_node *n, diag *d);

/* ---- DFT, STFT ------------------------------------------------------------------------- */

/* The kernel is the direct O(n^2) sum with baked twiddle tables. */
#define MISC_DFT_MAX 16384

typedef struct misc_dft {
    int axis;        /* normalised */
    int64_t in_len;  /* input extent along the axis */
    int64_t n;       /* transform length (dft_length) */
    int64_t out_len; /* n, or n / 2 + 1 when onesided */
    int complex_in, inverse, onesided;
} misc_dft;

int misc_dft_params(const ir_graph *g, const ir_node *n, misc_dft *p, diag *d);
int misc_infer_dft(ir_graph *g, ir_node *n, diag *d);

typedef struct misc_stft {
    int64_t signal, step, len, frames, bins;
    int complex_in, onesided;
} misc_stft;

int misc_stft_params(const ir_graph *g, const ir_node *n, misc_stft *p, diag *d);
int misc_infer_stft(ir_graph *g, ir_node *n, diag *d);

/* ---- HannWindow, HammingWindow, BlackmanWindow (always folded) ------------------- */

int misc_infer_window(ir_graph *g, ir_node *n, diag *d);
int misc_eval_window(ir_graph *g, ir_node *n, diag *d);

#endif
