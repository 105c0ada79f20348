/* DFT and STFT kernels: the direct O(n^2) sum per output frequency, in double, with
 * the twiddle factors cos/sin(2 pi j / n) baked as tables; j = k * t mod n
 * advances by k per sample, so no multiplication or trigonometry per term. */
#include <math.h>

#include "emit_misc.h"

static void table(cg_buf *b, const char *name, int64_t n, int sine)
{
    cg_printf(b, "    static const double %s[%lld] = {", name, (long long)n);
    for (int64_t j = 0; j < n; j++) {
        double a = 2.0 * 3.14159265358979323846 * (double)j / (double)n;
        cg_printf(b, j % 4 ? " " : "\n        ");
        cg_double(b, sine ? sin(a) : cos(a));
        cg_printf(b, ",");
    }
    cg_printf(b, "\n    };\n");
}

int emit_misc_dft(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *x = em_in(c, n, 0), *y = em_out(c, n, 0);
    misc_dft p;
    if (misc_dft_params(c->g, n, &p, d))
        return -1;
    if (ir_tensor_numel(y) == 0)
        return 0;
    int rank = x->shape.rank;
    long long outer = (long long)misc_prod(&x->shape, 0, p.axis);
    long long inner = (long long)misc_prod(&x->shape, p.axis + 1, rank - 1);
    long long comp = p.complex_in ? 2 : 1, L = p.in_len < p.n ? p.in_len : p.n;
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, ~1u);
    table(b, "cs", p.n, 0);
    table(b, "sn", p.n, 1);
    cg_printf(b, "    for (ptrdiff_t o = 0; o < %lld; o++)\n"
                 "        for (ptrdiff_t i = 0; i < %lld; i++)\n"
                 "            for (ptrdiff_t k = 0; k < %lld; k++) {\n"
                 "                double re = 0.0, im = 0.0;\n"
                 "                ptrdiff_t j = 0;\n"
                 "                for (ptrdiff_t t = 0; t < %lld; t++) {\n"
                 "                    const ptrdiff_t e = ((o * %lld + t) * %lld + i) * %lld;\n"
                 "                    const double xr = (double)x0[e];\n",
              outer, inner, (long long)p.out_len, L, (long long)p.in_len, inner, comp);
    /* (xr + i xi)(cos -+ i sin): the sign of sin is + for the inverse. */
    const char *s1 = p.inverse ? "-" : "+", *s2 = p.inverse ? "+" : "-";
    if (p.complex_in)
        cg_printf(b, "                    const double xi = (double)x0[e + 1];\n"
                     "                    re += xr * cs[j] %s xi * sn[j];\n"
                     "                    im += xi * cs[j] %s xr * sn[j];\n",
                  s1, s2);
    else
        cg_printf(b, "                    re += xr * cs[j];\n                    im %s= xr * sn[j];\n",
                  s2);
    cg_printf(b, "                    j += k;\n                    if (j >= %lld)\n"
                 "                        j -= %lld;\n                }\n",
              (long long)p.n, (long long)p.n);
    if (p.inverse)
        cg_printf(b, "                re /= %lld.0;\n                im /= %lld.0;\n",
                  (long long)p.n, (long long)p.n);
    cg_printf(b, "                const ptrdiff_t q = ((o * %lld + k) * %lld + i) * 2;\n"
                 "                y0[q] = (%s)re;\n                y0[q + 1] = (%s)im;\n"
                 "            }\n",
              (long long)p.out_len, inner, ir_dtype_ctype(y->dtype), ir_dtype_ctype(y->dtype));
    cg_kernel_end(c);
    return 0;
}

/* STFT: frame f starts at f * step; each of its samples, times the window
 * when there is one, is summed against the twiddles as in the DFT. */
int emit_misc_stft(cg_ctx *c, const ir_node *n, diag *d)
{
    const ir_tensor *y = em_out(c, n, 0);
    misc_stft p;
    if (misc_stft_params(c->g, n, &p, d))
        return -1;
    if (ir_tensor_numel(y) == 0)
        return 0;
    int window = n->n_inputs > 2 && n->inputs[2] >= 0;
    long long B = (long long)y->shape.dims[0], comp = p.complex_in ? 2 : 1;
    cg_buf *b = c->kernels;
    cg_kernel_begin(c, n);
    em_void_inputs(b, n, window ? 10u : 14u);
    table(b, "cs", p.len, 0);
    table(b, "sn", p.len, 1);
    cg_printf(b, "    for (ptrdiff_t m = 0; m < %lld; m++)\n"
                 "        for (ptrdiff_t f = 0; f < %lld; f++)\n"
                 "            for (ptrdiff_t k = 0; k < %lld; k++) {\n"
                 "                double re = 0.0, im = 0.0;\n"
                 "                ptrdiff_t j = 0;\n"
                 "                for (ptrdiff_t t = 0; t < %lld; t++) {\n"
                 "                    const ptrdiff_t e = (m * %lld + f * %lld + t) * %lld;\n"
                 "                    const double wt = %s;\n"
                 "                    const double xr = (double)x0[e] * wt;\n",
              B, (long long)p.frames, (long long)p.bins, (long long)p.len, (long long)p.signal,
              (long long)p.step, comp, window ? "(double)x2[t]" : "1.0");
    if (p.complex_in)
        cg_printf(b, "                    const double xi = (double)x0[e + 1] * wt;\n"
                     "                    re += xr * cs[j] + xi * sn[j];\n"
                     "                    im += xi * cs[j] - xr * sn[j];\n");
    else
        cg_printf(b, "                    re += xr * cs[j];\n                    im -= xr * sn[j];\n");
    cg_printf(b, "                    j += k;\n                    if (j >= %lld)\n"
                 "                        j -= %lld;\n                }\n"
                 "                const ptrdiff_t q = ((m * %lld + f) * %lld + k) * 2;\n"
                 "                y0[q] = (%s)re;\n                y0[q + 1] = (%s)im;\n"
                 "            }\n",
              (long long)p.len, (long long)p.len, (long long)p.frames, (long long)p.bins,
              ir_dtype_ctype(y->dtype), ir_dtype_ctype(y->dtype));
    cg_kernel_end(c);
    return 0;
}
