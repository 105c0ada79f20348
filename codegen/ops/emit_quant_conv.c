/* QLinearConv and ConvInteger: C emitters. Per image, group and tile of
 * output rows (quant.h's qconv_plan), the input minus its zero point is
 * laid out as int16 columns (zeros where the taps reach padding), in the
 * order of the weights' ONNX layout (output channel x input channels x
 * taps). Then the int32 sums of each output channel and position:
 *   QCONV_K_DOT   columns are positions x taps; the weights of two output
 *                 channels, minus their zero points, are converted to
 *                 int16 and emit_quant_dot.c forms blocks of dot products;
 *   QCONV_K_AXPY  (few taps) columns are taps x positions; per tap, one
 *                 weight times a row of positions is added to the sums.
 * Both inner loops are int16 x int16 -> int32, which gcc vectorizes.
 * Sums cannot overflow (QUANT_MAX_DEPTH); the bias is added with int32
 * wrap-around. Terms that are zero and loops of one iteration are left
 * out of the text. */
#include <stdio.h>

#include "../../passes/ops/quant.h"
#include "emit_quant.h"

static const ir_tensor *input(const ir_graph *g, const ir_node *n, int i)
{
    return i >= 0 && i < n->n_inputs && n->inputs[i] >= 0 ? &g->tensors[n->inputs[i]] : NULL;
}

static int per_channel(const ir_graph *g, const ir_node *n, int i)
{
    const ir_tensor *t = input(g, n, i);
    return t && ir_tensor_numel(t) > 1;
}

/* Indentation for loop depth `depth` (4 spaces each, at most 7 levels). */
static const char *indent(int depth)
{
    static const char spaces[] = "                            ";
    return spaces + sizeof spaces - 1 - 4 * depth;
}

/* Appends " + var * coef" (or " - ...", "var" when first; nothing for a
 * zero coefficient; no "* 1"). var NULL: the constant coef. */
static void term(cg_buf *b, int *first, const char *var, int64_t coef)
{
    if (coef == 0)
        return;
    long long a = (long long)(coef < 0 ? -coef : coef);
    if (*first)
        cg_printf(b, "%s", coef < 0 ? "-" : "");
    else
        cg_printf(b, " %s ", coef < 0 ? "-" : "+");
    *first = 0;
    if (!var)
        cg_printf(b, "%lld", a);
    else if (a == 1)
        cg_printf(b, "%s", var);
    else
        cg_printf(b, "%s * %lld", var, a);
}

static void end_expr(cg_buf *b, int first) { cg_printf(b, "%s", first ? "0" : ""); }

/* Spatial axis a of the plan takes part: anything but extent 1 everywhere. */
static int axis_used(const qconv_plan *p, int a)
{
    return p->in3[a] > 1 || p->out3[a] > 1 || p->k3[a] > 1 || p->p3[a] > 0;
}

static int axis_padded(const qconv_plan *p, int a) { return p->p3[a] > 0 || p->e3[a] > 0; }

/* Writes "const ptrdiff_t i<a> = o * s - p + k<a> * d;" for row axis a. */
static void input_row(cg_buf *b, const qconv_plan *p, int a, const char *ind)
{
    char k[4], o[32];
    snprintf(k, sizeof k, "k%d", a);
    /* Row rr is (o0, o1): rr = o0 * out3[1] + o1. */
    if (a == 0 && p->out3[1] > 1)
        snprintf(o, sizeof o, "(rr / %lld)", (long long)p->out3[1]);
    else if (a == 1 && p->out3[0] > 1)
        snprintf(o, sizeof o, "(rr %% %lld)", (long long)p->out3[1]);
    else
        snprintf(o, sizeof o, "rr");
    int first = 1;
    cg_printf(b, "%sconst ptrdiff_t i%d = ", ind, a);
    term(b, &first, p->out3[a] > 1 ? o : NULL, p->out3[a] > 1 ? p->s3[a] : 0);
    term(b, &first, NULL, -p->p3[a]);
    term(b, &first, p->k3[a] > 1 ? k : NULL, p->k3[a] > 1 ? p->d3[a] : 0);
    end_expr(b, first);
    cg_printf(b, ";\n");
}

/* Writes the im2col of one tile into col, starting at loop depth dep:
 * x - x_zero_point, or 0 in padding, for tap kk (counting over input
 * channels and kernel taps) and tile position t at col[kk * tile + t]
 * (QCONV_K_AXPY) or col[t * taps + kk] (QCONV_K_DOT). */
static void emit_columns(cg_buf *b, const qconv_plan *p, const char *xt, int dep)
{
    long long len = (long long)p->row_len, cin_g = (long long)(p->cg.cin / p->cg.group);
    int dot = p->kernel == QCONV_K_DOT;
    /* Element step between positions, and between rows of positions. */
    long long ps = dot ? (long long)p->taps : 1, rs = len * ps;
    const char *i0 = indent(dep), *i1 = indent(dep + 1), *i2 = indent(dep + 2),
               *i3 = indent(dep + 3);
    cg_printf(b, dot ? "%sptrdiff_t kk = 0;\n" : "%sint16_t *cp = col;\n", i0);
    if (cin_g > 1)
        cg_printf(b, "%sfor (ptrdiff_t ci = 0; ci < %lld; ci++)\n", i0, cin_g);
    for (int a = 0; a < 3; a++)
        if (p->k3[a] > 1)
            cg_printf(b, "%sfor (ptrdiff_t k%d = 0; k%d < %lld; k%d++)\n", i0, a, a,
                      (long long)p->k3[a], a);
    cg_printf(b, "%s{\n", i0);
    int pad2 = axis_padded(p, 2);
    if (pad2) {
        /* Positions o in [first, end) of a row read the input; the others
         * are padding: o * s - p + k2 * d must lie in [0, in). */
        long long s = (long long)p->s3[2];
        int f1 = 1;
        cg_printf(b, "%sconst ptrdiff_t e = ", i1);
        term(b, &f1, NULL, p->p3[2]);
        term(b, &f1, p->k3[2] > 1 ? "k2" : NULL, p->k3[2] > 1 ? -p->d3[2] : 0);
        end_expr(b, f1);
        cg_printf(b, ", f = %lld + e;\n", (long long)p->in3[2]);
        if (s == 1)
            cg_printf(b, "%sptrdiff_t first = e <= 0 ? 0 : e;\n%sptrdiff_t end = f <= 0 ? 0 : f;\n",
                      i1, i1);
        else /* ceil(e / s) and ceil(f / s) where positive */
            cg_printf(b, "%sptrdiff_t first = e <= 0 ? 0 : (e + %lld) / %lld;\n"
                         "%sptrdiff_t end = f <= 0 ? 0 : (f + %lld) / %lld;\n",
                      i1, s - 1, s, i1, s - 1, s);
        cg_printf(b, "%sfirst = first < %lld ? first : %lld;\n"
                     "%send = end < %lld ? end : %lld;\n"
                     "%send = end > first ? end : first;\n",
                  i1, len, len, i1, len, len, i1);
    }
    if (dot)
        cg_printf(b, "%sint16_t *cp = col + kk;\n", i1);
    cg_printf(b, "%sfor (ptrdiff_t rr = r0; rr < r0 + %lld; rr++, cp += %lld) {\n", i1,
              (long long)p->tile_rows, rs);
    char at[32];
    if (dot)
        snprintf(at, sizeof at, "o * %lld", ps);
    else
        snprintf(at, sizeof at, "o");
    int checks = 0;
    for (int a = 0; a < 2; a++)
        if (axis_used(p, a)) {
            input_row(b, p, a, i2);
            checks += axis_padded(p, a);
        }
    if (checks) {
        cg_printf(b, "%sif (", i2);
        int first = 1;
        for (int a = 0; a < 2; a++)
            if (axis_used(p, a) && axis_padded(p, a)) {
                cg_printf(b, "%si%d < 0 || i%d >= %lld", first ? "" : " || ", a, a,
                          (long long)p->in3[a]);
                first = 0;
            }
        cg_printf(b, ") {\n%s    for (ptrdiff_t o = 0; o < %lld; o++)\n%s        cp[%s] = 0;\n"
                     "%s    continue;\n%s}\n",
                  i2, len, i2, at, i2, i2);
    }
    int first = 1;
    cg_printf(b, "%sconst %s *xr = xg", i2, xt);
    if (cin_g > 1 || axis_used(p, 0) || axis_used(p, 1))
        cg_printf(b, " + ");
    term(b, &first, cin_g > 1 ? "ci" : NULL, cin_g > 1 ? p->in3[0] * p->in3[1] * p->in3[2] : 0);
    term(b, &first, axis_used(p, 0) ? "i0" : NULL, axis_used(p, 0) ? p->in3[1] * p->in3[2] : 0);
    term(b, &first, axis_used(p, 1) ? "i1" : NULL, axis_used(p, 1) ? p->in3[2] : 0);
    cg_printf(b, ";\n");
    /* Index of position o in xr: o * s - p + k2 * d. */
    cg_buf idx = {0};
    int f2 = 1;
    term(&idx, &f2, p->k3[2] > 1 ? "k2" : NULL, p->k3[2] > 1 ? p->d3[2] : 0);
    term(&idx, &f2, NULL, -p->p3[2]);
    term(&idx, &f2, "o", p->s3[2]);
    if (pad2)
        cg_printf(b, "%sfor (ptrdiff_t o = 0; o < first; o++)\n%scp[%s] = 0;\n"
                     "%sfor (ptrdiff_t o = first; o < end; o++)\n",
                  i2, i3, at, i2);
    else
        cg_printf(b, "%sfor (ptrdiff_t o = 0; o < %lld; o++)\n", i2, len);
    cg_printf(b, "%scp[%s] = (int16_t)((int32_t)xr[%s] - xz);\n", i3, at, idx.s ? idx.s : "0");
    cg_buf_free(&idx);
    if (pad2)
        cg_printf(b, "%sfor (ptrdiff_t o = end; o < %lld; o++)\n%scp[%s] = 0;\n", i2, len, i3, at);
    cg_printf(b, "%s}\n", i1);
    if (dot)
        cg_printf(b, "%skk++;\n", i1);
    cg_printf(b, "%s}\n", i0);
}

/* What the stores of a node need to know. */
typedef struct store_ctx {
    const ir_node *n;
    quant_roles r;
    const qconv_plan *p;
    ir_dtype yt;
    int rq, bias, wz_ch, ws_ch, img, grp;
} store_ctx;

/* The statements storing int32 sum (plus bias<i>, requantized with m<i>)
 * into yo<i>[at]. */
static void store_sum(cg_buf *b, const char *ind, const store_ctx *s, int i, const char *at,
                      const char *sum)
{
    char dst[64], v[96];
    snprintf(dst, sizeof dst, "yo%d[%s]", i, at);
    if (!s->rq) {
        cg_printf(b, "%s%s = %s;\n", ind, dst, sum);
        return;
    }
    if (s->bias)
        snprintf(v, sizeof v, "(float)scnn_q_i32((uint32_t)%s + bias%d) * m%d", sum, i, i);
    else
        snprintf(v, sizeof v, "(float)%s * m%d", sum, i);
    cg_printf(b, "%sconst float v = %s;\n", ind, v);
    qe_store_rounded(b, ind, s->yt, "v", "yz", dst);
}

/* For output channel oc (a C expression) as row i: its output row yo<i>
 * in this tile, its bias and its multiplier m<i>. */
static void row_setup(cg_buf *b, const char *ind, const store_ctx *s, int i, const char *oc)
{
    const qconv_plan *p = s->p;
    long long plane = (long long)(p->rows * p->row_len);
    cg_printf(b, "%s%s *yo%d = y0 + ", ind, ir_dtype_ctype(s->yt), i);
    if (s->img)
        cg_printf(b, "(img * %lld + %s) * %lld", (long long)p->cg.cout, oc, plane);
    else
        cg_printf(b, "(%s) * %lld", oc, plane);
    cg_printf(b, " + r0 * %lld;\n", (long long)p->row_len);
    if (s->bias)
        cg_printf(b, "%sconst uint32_t bias%d = (uint32_t)x%d[%s];\n", ind, i, s->r.bias, oc);
    if (!s->rq)
        return;
    if (s->ws_ch) /* (xs * ws) / ys in float32, in this order, as ONNX Runtime */
        cg_printf(b, "%sconst float xw%d = xs * x%d[%s];\n%sconst float m%d = xw%d / ys;\n", ind,
                  i, s->r.w_scale, oc, ind, i, i);
    else
        cg_printf(b, "%sconst float m%d = m;\n", ind, i);
}

/* Output channel qi + i of the group, as a C expression. */
static void channel(char *buf, size_t size, const store_ctx *s, int i)
{
    long long m_g = (long long)(s->p->cg.cout / s->p->cg.group);
    int w = s->grp ? snprintf(buf, size, "grp * %lld + qi", m_g) : snprintf(buf, size, "qi");
    if (i && w > 0 && (size_t)w < size)
        snprintf(buf + w, size - (size_t)w, " + %d", i);
}

/* The weights' zero point for output channel oc (a C expression). */
static void weight_zp(char *buf, size_t size, const store_ctx *s, const char *oc)
{
    if (s->wz_ch)
        snprintf(buf, size, "(int32_t)x%d[%s]", s->r.w_zp, oc);
    else
        snprintf(buf, size, "wz");
}

static void dot_load_rows(cg_buf *b, const char *ind, int count, const void *ctx)
{
    const store_ctx *s = ctx;
    long long k = (long long)s->p->taps;
    for (int i = 0; i < count; i++) {
        char oc[64], wz[96];
        channel(oc, sizeof oc, s, i);
        weight_zp(wz, sizeof wz, s, oc);
        if (i)
            cg_printf(b, "%sfor (ptrdiff_t k = 0; k < %lld; k++)\n"
                         "%s    wq[%lld + k] = (int16_t)((int32_t)x%d[(%s) * %lld + k] - %s);\n",
                      ind, k, ind, i * k, s->r.w, oc, k, wz);
        else
            cg_printf(b, "%sfor (ptrdiff_t k = 0; k < %lld; k++)\n"
                         "%s    wq[k] = (int16_t)((int32_t)x%d[(%s) * %lld + k] - %s);\n",
                      ind, k, ind, s->r.w, oc, k, wz);
        row_setup(b, ind, s, i, oc);
    }
}

static void dot_store(cg_buf *b, const char *ind, int i, int j, const char *sum, const void *ctx)
{
    const store_ctx *s = ctx;
    char at[16], in2[48];
    if (j)
        snprintf(at, sizeof at, "qj + %d", j);
    else
        snprintf(at, sizeof at, "qj");
    snprintf(in2, sizeof in2, "%s    ", ind);
    if (!s->rq) {
        store_sum(b, ind, s, i, at, sum);
        return;
    }
    cg_printf(b, "%s{\n", ind); /* each store's temporaries in their own scope */
    store_sum(b, in2, s, i, at, sum);
    cg_printf(b, "%s}\n", ind);
}

/* QCONV_K_AXPY: per output channel, sums over the tile in acc. */
static void emit_axpy(cg_buf *b, const store_ctx *s)
{
    const qconv_plan *p = s->p;
    long long tile = (long long)p->tile, k = (long long)p->taps;
    cg_printf(b, "        for (ptrdiff_t qi = 0; qi < %lld; qi++) {\n",
              (long long)(p->cg.cout / p->cg.group));
    char oc[64], wz[96];
    channel(oc, sizeof oc, s, 0);
    weight_zp(wz, sizeof wz, s, oc);
    cg_printf(b, "            for (ptrdiff_t t = 0; t < %lld; t++)\n"
                 "                acc[t] = 0;\n"
                 "            for (ptrdiff_t k = 0; k < %lld; k++) {\n"
                 "                const int16_t wk = (int16_t)((int32_t)x%d[(%s) * %lld + k] - %s);\n"
                 "                const int16_t *cr = col + k * %lld;\n"
                 "                for (ptrdiff_t t = 0; t < %lld; t++)\n"
                 "                    acc[t] += wk * cr[t];\n"
                 "            }\n",
              tile, k, s->r.w, oc, k, wz, tile, tile);
    row_setup(b, "            ", s, 0, oc);
    cg_printf(b, "            for (ptrdiff_t t = 0; t < %lld; t++) {\n", tile);
    store_sum(b, "                ", s, 0, "t", "acc[t]");
    cg_printf(b, "            }\n        }\n");
}

/* The per-tensor parameters, loaded (or baked) once. */
static void emit_params(cg_ctx *c, const ir_node *n, const store_ctx *s)
{
    qe_param(c, n, s->r.x_zp, "const int32_t xz");
    if (!s->wz_ch)
        qe_param(c, n, s->r.w_zp, "const int32_t wz");
    if (!s->rq)
        return;
    qe_param(c, n, s->r.x_scale, "const float xs");
    if (!s->ws_ch)
        qe_param(c, n, s->r.w_scale, "const float ws");
    qe_param(c, n, s->r.y_scale, "const float ys");
    qe_param(c, n, s->r.y_zp, "const int32_t yz");
    /* m = (xs * ws) / ys in float32, in this order, as ONNX Runtime. */
    if (!s->ws_ch)
        cg_printf(c->kernels, "    const float xw = xs * ws;\n    const float m = xw / ys;\n");
    qe_bounds(c->kernels, "    ", s->yt, "yz");
}

int emit_qconv(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_graph *g = c->g;
    qconv_plan p;
    if (qconv_plan_make(g, n, &p, d))
        return -1;
    if (n->act != IR_ACT_NONE)
        return diag_node(d, n->name, n->op, "a fused activation is not supported here");
    const conv_geom *cg = &p.cg;
    store_ctx s = {.n = n, .p = &p, .yt = g->tensors[n->outputs[0]].dtype,
                   .rq = quant_requantizes(n), .img = cg->batch > 1, .grp = cg->group > 1};
    quant_roles_of(n, &s.r);
    s.bias = s.rq && cg->has_bias;
    s.wz_ch = per_channel(g, n, s.r.w_zp);
    s.ws_ch = s.rq && per_channel(g, n, s.r.w_scale);
    const char *xt = ir_dtype_ctype(g->tensors[n->inputs[s.r.x]].dtype);
    int64_t cin_g = cg->cin / cg->group, in_plane = p.in3[0] * p.in3[1] * p.in3[2];
    int dot = p.kernel == QCONV_K_DOT;
    qe_require_helpers(c, n);
    cg_kernel_begin(c, n);
    cg_buf *b = c->kernels;
    cg_printf(b, "    int16_t *col = (int16_t *)(void *)scratch;\n");
    if (dot)
        cg_printf(b, "    int16_t *wq = (int16_t *)(void *)(scratch + %lld);\n",
                  (long long)p.col_bytes);
    else
        cg_printf(b, "    int32_t *acc = (int32_t *)(void *)(scratch + %lld);\n",
                  (long long)p.col_bytes);
    emit_params(c, n, &s);
    if (s.img)
        cg_printf(b, "    for (ptrdiff_t img = 0; img < %lld; img++)\n", (long long)cg->batch);
    if (s.grp)
        cg_printf(b, "    for (ptrdiff_t grp = 0; grp < %lld; grp++)\n", (long long)cg->group);
    if (p.rows > p.tile_rows)
        cg_printf(b, "    for (ptrdiff_t r0 = 0; r0 < %lld; r0 += %lld) {\n", (long long)p.rows,
                  (long long)p.tile_rows);
    else
        cg_printf(b, "    {\n        const ptrdiff_t r0 = 0;\n");
    int first = 1;
    cg_printf(b, "        const %s *xg = x%d", xt, s.r.x);
    if (s.img || s.grp)
        cg_printf(b, " + ");
    term(b, &first, s.img ? "img" : NULL, s.img ? cg->cin * in_plane : 0);
    term(b, &first, s.grp ? "grp" : NULL, s.grp ? cin_g * in_plane : 0);
    cg_printf(b, ";\n");
    emit_columns(b, &p, xt, 2);
    if (dot) {
        int64_t m_g = cg->cout / cg->group;
        qe_dot q = {.rows = m_g, .cols = p.tile, .depth = p.taps, .rb = m_g > 1 ? 2 : 1,
                    .cb = m_g > 1 ? 2 : 4, .row_buf = "wq", .col_buf = "col",
                    .load_rows = dot_load_rows, .store = dot_store, .ctx = &s};
        qe_dot_emit(b, "        ", &q);
    } else
        emit_axpy(b, &s);
    cg_printf(b, "    }\n");
    cg_kernel_end(c);
    return 0;
}
