/* Normalization operators: C emitters. Statistics are float32, two-pass
 * (mean, then the mean of squared deviations), with sums split over eight
 * partial accumulators: vectorizable and more accurate than one serial sum. */
#include <stdio.h>
#include <string.h>

#include "../emit.h"

/* A float literal as text (cg_float's exact form). */
static const char *flit(float v, char *buf, size_t size)
{
    cg_buf b = {0};
    cg_float(&b, v);
    snprintf(buf, size, "%s", b.s && !b.oom ? b.s : "NAN");
    cg_buf_free(&b);
    return buf;
}

static const ir_tensor *in_t(const cg_ctx *c, const ir_node *n, int i)
{
    return i < n->n_inputs && n->inputs[i] >= 0 ? &c->g->tensors[n->inputs[i]] : NULL;
}

static int has_out(const ir_node *n, int i) { return i < n->n_outputs && n->outputs[i] >= 0; }

static int64_t prod(const ir_shape *s, int from, int to)
{
    int64_t p = 1;
    for (int i = from; i < to; i++)
        p *= s->dims[i];
    return p;
}

/* Declares `float DST` and sets it to the sum of TERM (an expression of the
 * size_t index k) over k < len. */
static void emit_sum(cg_buf *b, const char *ind, const char *dst, const char *term, int64_t len)
{
    int64_t len8 = len / 8 * 8;
    cg_printf(b, "%sfloat %s;\n%s{\n", ind, dst, ind);
    cg_printf(b, "%s    float p[8] = {0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f, 0.0f};\n", ind);
    if (len8 > 0)
        cg_printf(b,
                  "%s    for (size_t k0 = 0; k0 < %lld; k0 += 8)\n"
                  "%s        for (size_t u = 0; u < 8; u++) {\n"
                  "%s            const size_t k = k0 + u;\n"
                  "%s            p[u] += %s;\n"
                  "%s        }\n",
                  ind, (long long)len8, ind, ind, ind, term, ind);
    if (len > len8)
        cg_printf(b, "%s    for (size_t k = %lld; k < %lld; k++)\n%s        p[0] += %s;\n", ind,
                  (long long)len8, (long long)len, ind, term);
    cg_printf(b, "%s    %s = ((p[0] + p[4]) + (p[1] + p[5])) + ((p[2] + p[6]) + (p[3] + p[7]));\n",
              ind, dst);
    cg_printf(b, "%s}\n", ind);
}

/* Declares `mean` and `inv` (1 / sqrt(variance + eps)) of the row xr[0..len). */
static void emit_row_stats(cg_buf *b, const char *ind, int64_t len, float eps)
{
    char f1[64], f2[64];
    emit_sum(b, ind, "sum", "xr[k]", len);
    cg_printf(b, "%sconst float mean = sum * %s;\n", ind, flit(1.0f / (float)len, f1, sizeof f1));
    emit_sum(b, ind, "sq", "(xr[k] - mean) * (xr[k] - mean)", len);
    cg_printf(b, "%sconst float inv = 1.0f / sqrtf(sq * %s + %s);\n", ind,
              flit(1.0f / (float)len, f1, sizeof f1), flit(eps, f2, sizeof f2));
}

/* y = (x - mean) / sqrt(var + eps) * scale + B per channel, as x * k + b. */
static int emit_batchnorm(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_shape *s = &in_t(c, n, 0)->shape;
    int64_t batch = s->dims[0];
    int64_t channels = ir_attr_int(n, "spatial", 1) == 0 ? prod(s, 1, s->rank) : s->dims[1];
    int64_t inner = prod(s, 1, s->rank) / channels;
    char f[64];
    cg_kernel_begin(c, n);
    /* Channels outermost: the factors are computed once per channel. */
    cg_printf(c->kernels,
              "    for (size_t c = 0; c < %lld; c++) {\n"
              "        const float k = x1[c] / sqrtf(x4[c] + %s);\n"
              "        const float b = x2[c] - x3[c] * k;\n"
              "        for (size_t n = 0; n < %lld; n++) {\n"
              "            const float *xr = x0 + (n * %lld + c) * %lld;\n"
              "            float *yr = y0 + (n * %lld + c) * %lld;\n"
              "            for (size_t i = 0; i < %lld; i++)\n"
              "                yr[i] = xr[i] * k + b;\n"
              "        }\n"
              "    }\n",
              (long long)channels, flit(ir_attr_float(n, "epsilon", 1e-5f), f, sizeof f),
              (long long)batch, (long long)channels, (long long)inner, (long long)channels,
              (long long)inner, (long long)inner);
    cg_kernel_end(c);
    return 0;
}

/* Rows of D = prod(dims[axis:]) values. Scale and B are suffixes of the
 * normalized dims: the row is walked as [D / big][big / small][small], where
 * big and small are the larger and smaller of their sizes. */
static int emit_layernorm(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_tensor *x = in_t(c, n, 0), *sc = in_t(c, n, 1), *bi = in_t(c, n, 2);
    int rank = x->shape.rank;
    int64_t axis = ir_attr_int(n, "axis", -1);
    if (axis < 0)
        axis += rank;
    int64_t outer = prod(&x->shape, 0, (int)axis), len = prod(&x->shape, (int)axis, rank);
    int64_t ns = ir_tensor_numel(sc), nb = bi ? ir_tensor_numel(bi) : ns;
    int64_t big = ns > nb ? ns : nb, small = ns > nb ? nb : ns;
    const char *si = ns >= nb ? "j" : "k", *bix = ns >= nb ? "k" : "j";
    /* x2 is B when present; y1, y2 are Mean and InvStdDev (named by position). */
    cg_kernel_begin(c, n);
    cg_printf(c->kernels, "    for (size_t o = 0; o < %lld; o++) {\n", (long long)outer);
    cg_printf(c->kernels, "        const float *xr = x0 + o * %lld;\n        float *yr = y0 + o * %lld;\n",
              (long long)len, (long long)len);
    emit_row_stats(c->kernels, "        ", len, ir_attr_float(n, "epsilon", 1e-5f));
    if (has_out(n, 1))
        cg_printf(c->kernels, "        y1[o] = mean;\n");
    if (has_out(n, 2))
        cg_printf(c->kernels, "        y2[o] = inv;\n");
    cg_printf(c->kernels,
              "        for (size_t a = 0; a < %lld; a++)\n"
              "            for (size_t m = 0; m < %lld; m++) {\n"
              "                const float *xa = xr + a * %lld + m * %lld;\n"
              "                float *ya = yr + a * %lld + m * %lld;\n"
              "                for (size_t k = 0; k < %lld; k++) {\n"
              "                    const size_t j = m * %lld + k;\n"
              "                    ya[k] = (xa[k] - mean) * inv * x1[%s]%s%s%s;\n"
              "                }\n"
              "            }\n    }\n",
              (long long)(len / big), (long long)(big / small), (long long)big, (long long)small,
              (long long)big, (long long)small, (long long)small, (long long)small, si,
              bi ? " + x2[" : "", bi ? bix : "", bi ? "]" : "");
    cg_kernel_end(c);
    return 0;
}

static int emit_instancenorm(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_shape *s = &in_t(c, n, 0)->shape;
    int64_t batch = s->dims[0], channels = s->dims[1], len = prod(s, 2, s->rank);
    cg_kernel_begin(c, n);
    cg_printf(c->kernels,
              "    for (size_t n = 0; n < %lld; n++)\n"
              "        for (size_t c = 0; c < %lld; c++) {\n"
              "            const float *xr = x0 + (n * %lld + c) * %lld;\n"
              "            float *yr = y0 + (n * %lld + c) * %lld;\n",
              (long long)batch, (long long)channels, (long long)channels, (long long)len,
              (long long)channels, (long long)len);
    emit_row_stats(c->kernels, "            ", len, ir_attr_float(n, "epsilon", 1e-5f));
    cg_printf(c->kernels,
              "            const float k = inv * x1[c];\n"
              "            for (size_t i = 0; i < %lld; i++)\n"
              "                yr[i] = (xr[i] - mean) * k + x2[c];\n"
              "        }\n",
              (long long)len);
    cg_kernel_end(c);
    return 0;
}

/* y = x * (bias + alpha / size * sum of x^2 over the channel window)^-beta.
 * The window of channel c is [c - floor((size-1)/2), c + ceil((size-1)/2)]
 * clipped to the channels; squares are summed a plane at a time in scratch. */
static int emit_lrn(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_shape *s = &in_t(c, n, 0)->shape;
    int64_t batch = s->dims[0], channels = s->dims[1], plane = prod(s, 2, s->rank);
    int64_t size = ir_attr_int(n, "size", 1), lo = (size - 1) / 2, hi = size - 1 - lo;
    float alpha = ir_attr_float(n, "alpha", 1e-4f), beta = ir_attr_float(n, "beta", 0.75f);
    float bias = ir_attr_float(n, "bias", 1.0f);
    char fa[64], fb[64], fc[64];
    cg_kernel_begin(c, n);
    cg_printf(c->kernels,
              "    float *acc = (float *)scratch;\n"
              "    for (size_t n = 0; n < %lld; n++)\n"
              "        for (size_t c = 0; c < %lld; c++) {\n",
              (long long)batch, (long long)channels);
    /* Spelled so that no comparison is always true for an unsigned c. */
    if (lo > 0)
        cg_printf(c->kernels, "            const size_t lo = c < %lld ? 0 : c - %lld;\n",
                  (long long)lo, (long long)lo);
    else
        cg_printf(c->kernels, "            const size_t lo = c;\n");
    cg_printf(c->kernels,
              "            const size_t hi = c + %lld < %lld ? c + %lld : %lld;\n"
              "            const float *xr = x0 + (n * %lld + c) * %lld;\n"
              "            float *yr = y0 + (n * %lld + c) * %lld;\n"
              "            for (size_t i = 0; i < %lld; i++)\n"
              "                acc[i] = 0.0f;\n"
              "            for (size_t w = lo; w <= hi; w++) {\n"
              "                const float *xw = x0 + (n * %lld + w) * %lld;\n"
              "                for (size_t i = 0; i < %lld; i++)\n"
              "                    acc[i] += xw[i] * xw[i];\n"
              "            }\n"
              "            for (size_t i = 0; i < %lld; i++)\n"
              "                yr[i] = xr[i] * powf(%s + %s * acc[i], %s);\n"
              "        }\n",
              (long long)hi, (long long)channels, (long long)hi, (long long)(channels - 1),
              (long long)channels, (long long)plane, (long long)channels, (long long)plane,
              (long long)plane, (long long)channels, (long long)plane, (long long)plane,
              (long long)plane, flit(bias, fa, sizeof fa),
              flit(alpha / (float)size, fb, sizeof fb), flit(-beta, fc, sizeof fc));
    cg_kernel_end(c);
    return 0;
}

/* One loop per axis of x around BODY, which sees xo (offset in x) and so
 * (offset among the statistics, where reduced axes do not count). */
static void emit_nd_loop(cg_buf *b, const ir_shape *s, const int *reduced, const char *body)
{
    cg_buf xo = {0}, so = {0};
    int64_t stride = 1;
    cg_printf(&xo, "0");
    cg_printf(&so, "0");
    for (int i = s->rank - 1; i >= 0; i--) {
        cg_printf(&xo, " + i%d * %lld", i, (long long)prod(s, i + 1, s->rank));
        if (!reduced[i]) {
            cg_printf(&so, " + i%d * %lld", i, (long long)stride);
            stride *= s->dims[i];
        }
    }
    for (int i = 0; i < s->rank; i++)
        cg_printf(b, "%*sfor (size_t i%d = 0; i%d < %lld; i%d++)\n", 4 + 4 * i, "", i, i,
                  (long long)s->dims[i], i);
    int ind = 4 + 4 * s->rank;
    cg_printf(b, "%*s{\n%*sconst size_t xo = %s, so = %s;\n%*s%s\n%*s}\n", ind, "", ind + 4, "",
              xo.s ? xo.s : "0", so.s ? so.s : "0", ind + 4, "", body, ind, "");
    if (xo.oom || so.oom)
        b->oom = 1;
    cg_buf_free(&xo);
    cg_buf_free(&so);
}

/* (x - mean) / (sqrt(variance) + 1e-9) over the `axes` of X, as ONNX's
 * function body defines it (the epsilon is added to the deviation). */
static int emit_mvn(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_shape *s = &in_t(c, n, 0)->shape;
    int reduced[IR_MAX_RANK] = {0};
    const ir_attr *a = ir_node_attr(n, "axes");
    static const int64_t dflt[] = {0, 2, 3};
    const int64_t *axes = a ? a->ints : dflt;
    int count = a ? a->count : 3;
    for (int i = 0; i < count; i++)
        reduced[axes[i] < 0 ? axes[i] + s->rank : axes[i]] = 1;
    int64_t kept = 1;
    for (int i = 0; i < s->rank; i++)
        kept *= reduced[i] ? 1 : s->dims[i];
    int64_t group = ir_shape_numel(s) / kept;
    char f1[64], f2[64];
    cg_kernel_begin(c, n);
    cg_printf(c->kernels,
              "    float *mean = (float *)scratch, *inv = mean + %lld;\n"
              "    for (size_t j = 0; j < %lld; j++) {\n"
              "        mean[j] = 0.0f;\n"
              "        inv[j] = 0.0f;\n"
              "    }\n",
              (long long)kept, (long long)kept);
    emit_nd_loop(c->kernels, s, reduced, "mean[so] += x0[xo];");
    cg_printf(c->kernels, "    for (size_t j = 0; j < %lld; j++)\n        mean[j] *= %s;\n",
              (long long)kept, flit(1.0f / (float)group, f1, sizeof f1));
    emit_nd_loop(c->kernels, s, reduced, "inv[so] += (x0[xo] - mean[so]) * (x0[xo] - mean[so]);");
    cg_printf(c->kernels,
              "    for (size_t j = 0; j < %lld; j++)\n"
              "        inv[j] = 1.0f / (sqrtf(inv[j] * %s) + %s);\n",
              (long long)kept, f1, flit(1e-9f, f2, sizeof f2));
    emit_nd_loop(c->kernels, s, reduced, "y0[xo] = (x0[xo] - mean[so]) * inv[so];");
    cg_kernel_end(c);
    return 0;
}

/* Softmax or LogSoftmax over `len` values at stride `inner`, for `outer`
 * blocks. Subtracting the maximum keeps expf in range. */
static int emit_softmax(cg_ctx *c, const ir_node *n, diag *d)
{
    (void)d;
    const ir_shape *s = &in_t(c, n, 0)->shape;
    int old = c->g->opset < 13;
    int64_t axis = ir_attr_int(n, "axis", old ? 1 : -1);
    if (axis < 0)
        axis += s->rank;
    int64_t outer = prod(s, 0, (int)axis);
    int64_t len = old ? prod(s, (int)axis, s->rank) : s->dims[axis];
    int64_t inner = old ? 1 : prod(s, (int)axis + 1, s->rank);
    int log = strcmp(n->op, "LogSoftmax") == 0;
    cg_buf *k = c->kernels;
    cg_kernel_begin(c, n);
    if (inner == 1) {
        cg_printf(k,
                  "    for (size_t o = 0; o < %lld; o++) {\n"
                  "        const float *xr = x0 + o * %lld;\n"
                  "        float *yr = y0 + o * %lld;\n"
                  "        float m = xr[0];\n"
                  "        for (size_t k = 1; k < %lld; k++)\n"
                  "            m = xr[k] > m ? xr[k] : m;\n"
                  "        float sum = 0.0f;\n"
                  "        for (size_t k = 0; k < %lld; k++) {\n",
                  (long long)outer, (long long)len, (long long)len, (long long)len,
                  (long long)len);
        if (log)
            cg_printf(k,
                      "            sum += expf(xr[k] - m);\n"
                      "        }\n"
                      "        const float ls = logf(sum);\n"
                      "        for (size_t k = 0; k < %lld; k++)\n"
                      "            yr[k] = (xr[k] - m) - ls;\n"
                      "    }\n",
                      (long long)len);
        else
            cg_printf(k,
                      "            const float e = expf(xr[k] - m);\n"
                      "            yr[k] = e;\n"
                      "            sum += e;\n"
                      "        }\n"
                      "        const float r = 1.0f / sum;\n"
                      "        for (size_t k = 0; k < %lld; k++)\n"
                      "            yr[k] *= r;\n"
                      "    }\n",
                      (long long)len);
        cg_kernel_end(c);
        return 0;
    }
    /* Inner axis: loops run over the contiguous inner positions, with one
     * running max (mx) and sum (sm) per position. */
    cg_printf(k,
              "    float *mx = (float *)scratch, *sm = mx + %lld;\n"
              "    for (size_t o = 0; o < %lld; o++) {\n"
              "        const float *xo = x0 + o * %lld;\n"
              "        float *yo = y0 + o * %lld;\n"
              "        for (size_t i = 0; i < %lld; i++) {\n"
              "            mx[i] = xo[i];\n"
              "            sm[i] = 0.0f;\n"
              "        }\n"
              "        for (size_t k = 1; k < %lld; k++)\n"
              "            for (size_t i = 0; i < %lld; i++) {\n"
              "                const float v = xo[k * %lld + i];\n"
              "                mx[i] = v > mx[i] ? v : mx[i];\n"
              "            }\n",
              (long long)inner, (long long)outer, (long long)(len * inner),
              (long long)(len * inner), (long long)inner, (long long)len, (long long)inner,
              (long long)inner);
    if (log)
        cg_printf(k,
                  "        for (size_t k = 0; k < %lld; k++)\n"
                  "            for (size_t i = 0; i < %lld; i++)\n"
                  "                sm[i] += expf(xo[k * %lld + i] - mx[i]);\n"
                  "        for (size_t i = 0; i < %lld; i++)\n"
                  "            sm[i] = logf(sm[i]);\n"
                  "        for (size_t k = 0; k < %lld; k++)\n"
                  "            for (size_t i = 0; i < %lld; i++)\n"
                  "                yo[k * %lld + i] = (xo[k * %lld + i] - mx[i]) - sm[i];\n"
                  "    }\n",
                  (long long)len, (long long)inner, (long long)inner, (long long)inner,
                  (long long)len, (long long)inner, (long long)inner, (long long)inner);
    else
        cg_printf(k,
                  "        for (size_t k = 0; k < %lld; k++)\n"
                  "            for (size_t i = 0; i < %lld; i++) {\n"
                  "                const float e = expf(xo[k * %lld + i] - mx[i]);\n"
                  "                yo[k * %lld + i] = e;\n"
                  "                sm[i] += e;\n"
                  "            }\n"
                  "        for (size_t i = 0; i < %lld; i++)\n"
                  "            sm[i] = 1.0f / sm[i];\n"
                  "        for (size_t k = 0; k < %lld; k++)\n"
                  "            for (size_t i = 0; i < %lld; i++)\n"
                  "                yo[k * %lld + i] *= sm[i];\n"
                  "    }\n",
                  (long long)len, (long long)inner, (long long)inner, (long long)inner,
                  (long long)inner, (long long)len, (long long)inner, (long long)inner);
    cg_kernel_end(c);
    return 0;
}

const emit_handler emit_family_norm[] = {
    {"BatchNormalization", emit_batchnorm},
    {"LayerNormalization", emit_layernorm},
    {"InstanceNormalization", emit_instancenorm},
    {"LRN", emit_lrn},
    {"MeanVarianceNormalization", emit_mvn},
    {"Softmax", emit_softmax},
    {"LogSoftmax", emit_softmax},
    {.op = NULL},
};
