/* RoiAlign (opsets 10, 16): X [N, C, H, W], rois [R, 4] (x1, y1, x2, y2),
 * batch_indices [R] into [R, C, output_height, output_width], each bin the
 * average of sampling_ratio^2 bilinear samples (adaptive, ceil(roi / bins),
 * when sampling_ratio is 0), as torchvision's roi_align and onnxruntime.
 * Opset 16's default half_pixel shifts by half a pixel and allows ROIs
 * under one pixel; output_half_pixel (opset 10's only behaviour) does not.
 * mode 'max' is refused: onnxruntime takes the maximum of weighted corner
 * values, which the ONNX text does not describe. */
#include <string.h>

#include "misc.h"

int misc_infer_roi_align(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"mode", "output_height", "output_width",
                                        "sampling_ratio", "spatial_scale",
                                        "coordinate_transformation_mode", NULL};
    if (g->opset < 10)
        return diag_node(d, n->name, n->op, "needs opset 10 or later");
    if (misc_need_io(g, n, 3, 3, d) || op_known_attrs(n, attrs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0), *rois = ir_node_in(g, n, 1);
    const ir_tensor *bi = ir_node_in(g, n, 2);
    if (misc_check_arith(n, x, 1, d))
        return -1;
    if (strcmp(ir_attr_string(n, "mode", "avg"), "avg") != 0)
        return diag_node(d, n->name, n->op, "mode '%s' is not supported (only 'avg')",
                         ir_attr_string(n, "mode", ""));
    const char *ct = ir_attr_string(n, "coordinate_transformation_mode", "half_pixel");
    if (g->opset < 16 && ir_node_attr(n, "coordinate_transformation_mode"))
        return diag_node(d, n->name, n->op, "attribute 'coordinate_transformation_mode' is not "
                         "part of opset %lld", (long long)g->opset);
    if (strcmp(ct, "half_pixel") != 0 && strcmp(ct, "output_half_pixel") != 0)
        return diag_node(d, n->name, n->op, "coordinate_transformation_mode '%s' is not "
                         "supported", ct);
    if (x->shape.rank != 4 || rois->shape.rank != 2 || rois->shape.dims[1] != 4 ||
        rois->dtype != x->dtype || bi->shape.rank != 1 ||
        bi->shape.dims[0] != rois->shape.dims[0])
        return diag_node(d, n->name, n->op, "needs X [N, C, H, W], rois [R, 4] of X's type and "
                         "batch_indices [R]");
    if (bi->dtype != IR_INT64 && bi->dtype != IR_INT32)
        return diag_node(d, n->name, n->op, "batch_indices must be int64, not %s",
                         ir_dtype_name(bi->dtype));
    int64_t oh = ir_attr_int(n, "output_height", 1), ow = ir_attr_int(n, "output_width", 1);
    int64_t sr = ir_attr_int(n, "sampling_ratio", 0);
    if (oh < 1 || ow < 1 || oh > (1 << 20) || ow > (1 << 20) || sr < 0 || sr > (1 << 16))
        return diag_node(d, n->name, n->op, "output sizes must be positive and sampling_ratio "
                         "in [0, 65536]");
    ir_shape s = {.rank = 4, .dims = {rois->shape.dims[0], x->shape.dims[1], oh, ow}};
    op_set_output(g, n, 0, x->dtype, &s);
    return 0;
}
