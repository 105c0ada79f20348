/* Einsum: the equation (explicit "ij,jk->ik" or implicit "ij,jk", with an
 * ellipsis for broadcast axes and repeated labels for diagonals) becomes
 * one loop per label with baked strides, numpy's semantics: labels missing
 * from the output are summed, implicit outputs are the labels that appear
 * once, in ASCII order, after the ellipsis axes. */
#include <ctype.h>
#include <string.h>

#include "misc.h"

#define ES_MAX_EQUATION 512

/* One operand's subscripts: label per axis (letters 0..51, ellipsis axes
 * as -1 placeholders resolved later), and where the ellipsis sits. */
typedef struct es_term {
    int n;        /* letters */
    int letters[ES_MAX_LABELS];
    int ellipsis; /* position of "..." among the letters, or -1 */
} es_term;

/* Ids follow ASCII order ('A'..'Z', then 'a'..'z'), the implicit output's order. */
static int letter_id(char c) { return isupper((unsigned char)c) ? c - 'A' : 26 + (c - 'a'); }

static int parse_term(const char *s, size_t len, es_term *t)
{
    t->n = 0;
    t->ellipsis = -1;
    for (size_t i = 0; i < len;) {
        if (s[i] == '.') {
            if (t->ellipsis >= 0 || i + 2 >= len || s[i + 1] != '.' || s[i + 2] != '.')
                return -1;
            t->ellipsis = t->n;
            i += 3;
            continue;
        }
        if (!isalpha((unsigned char)s[i]) || t->n >= IR_MAX_RANK)
            return -1;
        t->letters[t->n++] = letter_id(s[i++]);
    }
    return 0;
}

/* Splits the equation (spaces removed) into input terms and the output
 * term; *explicit_out tells whether "->" was given. */
static int parse_equation(const char *eq, es_term *in, int n_in, es_term *out,
                          int *explicit_out)
{
    char buf[ES_MAX_EQUATION];
    size_t w = 0;
    for (const char *c = eq; *c; c++) {
        if (*c == ' ')
            continue;
        if (w + 1 >= sizeof buf)
            return -1;
        buf[w++] = *c;
    }
    buf[w] = 0;
    char *arrow = strstr(buf, "->");
    *explicit_out = arrow != NULL;
    size_t lhs = arrow ? (size_t)(arrow - buf) : w;
    int k = 0;
    size_t start = 0;
    for (size_t i = 0; i <= lhs; i++) {
        if (i < lhs && buf[i] != ',')
            continue;
        if (k >= n_in || parse_term(buf + start, i - start, &in[k]))
            return -1;
        k++;
        start = i + 1;
    }
    if (k != n_in)
        return -1;
    if (arrow && (parse_term(arrow + 2, strlen(arrow + 2), out) || strstr(arrow + 2, "->")))
        return -1;
    return 0;
}

/* Label ids: letters keep 0..51, ellipsis axis e (of E) is 52 + e. */
#define ES_ELL 52

typedef struct es_ctx {
    int64_t dim[ES_MAX_LABELS];
    int used[ES_MAX_LABELS];  /* occurrences across the inputs */
    int ell_rank;             /* E: the broadcast ellipsis axes */
} es_ctx;

/* The labels of operand axes, ellipsis expanded (right-aligned into E). */
static int expand(const es_term *t, int rank, int ell_rank, int *labels)
{
    int ell = t->ellipsis < 0 ? 0 : rank - t->n, r = 0;
    for (int i = 0; i <= t->n; i++) {
        if (i == t->ellipsis)
            for (int e = 0; e < ell; e++)
                labels[r++] = ES_ELL + ell_rank - ell + e;
        if (i < t->n)
            labels[r++] = t->letters[i];
    }
    return r;
}

static int bad(const ir_node *n, diag *d, const char *why)
{
    return diag_node(d, n->name, n->op, "equation '%s': %s", ir_attr_string(n, "equation", ""),
                     why);
}

/* Dimensions of every label, broadcasting the ellipsis axes. */
static int label_dims(const ir_graph *g, const ir_node *n, const es_term *in, es_ctx *c, diag *d)
{
    for (int l = 0; l < ES_MAX_LABELS; l++)
        c->dim[l] = -1;
    c->ell_rank = 0;
    for (int k = 0; k < n->n_inputs; k++) {
        const ir_shape *s = &g->tensors[n->inputs[k]].shape;
        if (in[k].ellipsis < 0 ? s->rank != in[k].n : s->rank < in[k].n)
            return bad(n, d, "an operand's subscripts do not match its rank");
        if (in[k].ellipsis >= 0 && s->rank - in[k].n > c->ell_rank)
            c->ell_rank = s->rank - in[k].n;
    }
    for (int k = 0; k < n->n_inputs; k++) {
        const ir_shape *s = &g->tensors[n->inputs[k]].shape;
        int labels[ES_MAX_LABELS];
        expand(&in[k], s->rank, c->ell_rank, labels);
        for (int a = 0; a < s->rank; a++) {
            int l = labels[a];
            int64_t dm = s->dims[a];
            c->used[l]++;
            if (c->dim[l] < 0 || (l >= ES_ELL && c->dim[l] == 1))
                c->dim[l] = dm;
            else if (dm != c->dim[l] && !(l >= ES_ELL && dm == 1))
                return bad(n, d, "a label has different extents in different places");
        }
    }
    return 0;
}

/* Output labels in order into out; returns their count. */
static int output_labels(const ir_node *n, const es_term *ot, int explicit_out, const es_ctx *c,
                         int *out, diag *d)
{
    int r = 0;
    if (!explicit_out) {
        for (int e = 0; e < c->ell_rank; e++)
            out[r++] = ES_ELL + e;
        for (int l = 0; l < ES_ELL; l++)
            if (c->used[l] == 1)
                out[r++] = l;
        return r;
    }
    if (ot->ellipsis < 0 && c->ell_rank > 0)
        return bad(n, d, "the output drops the ellipsis axes");
    r = expand(ot, ot->n + (ot->ellipsis < 0 ? 0 : c->ell_rank), c->ell_rank, out);
    unsigned long long seen = 0;
    for (int i = 0; i < r; i++) {
        if (!c->used[out[i]] || (seen >> out[i] & 1))
            return bad(n, d, "an output label is repeated or not in any input");
        seen |= 1ull << out[i];
    }
    return r;
}

int es_plan_build(const ir_graph *g, const ir_node *n, es_plan *p, diag *d)
{
    es_term in[ES_MAX_INPUTS], ot;
    es_ctx c;
    int explicit_out, out[ES_MAX_LABELS];
    memset(p, 0, sizeof *p);
    memset(&c, 0, sizeof c);
    if (n->n_inputs < 1 || n->n_inputs > ES_MAX_INPUTS)
        return diag_node(d, n->name, n->op, "takes 1 to %d inputs, got %d", ES_MAX_INPUTS,
                         n->n_inputs);
    if (parse_equation(ir_attr_string(n, "equation", ""), in, n->n_inputs, &ot, &explicit_out))
        return bad(n, d, "cannot be parsed, or its operands do not match the inputs");
    if (label_dims(g, n, in, &c, d))
        return -1;
    int r = output_labels(n, &ot, explicit_out, &c, out, d);
    if (r < 0)
        return -1;
    if (r > IR_MAX_RANK)
        return bad(n, d, "the output would have too high a rank");
    /* Compact label ids: the output's, then the summed ones ascending. */
    int map[ES_MAX_LABELS];
    for (int l = 0; l < ES_MAX_LABELS; l++)
        map[l] = -1;
    p->n_in = n->n_inputs;
    p->out.rank = r;
    for (int i = 0; i < r; i++) {
        map[out[i]] = p->n_labels;
        p->dim[p->n_labels++] = c.dim[out[i]];
        p->out.dims[i] = c.dim[out[i]];
    }
    int summed_from = p->n_labels;
    for (int l = 0; l < ES_MAX_LABELS; l++)
        if (c.used[l] && map[l] < 0) {
            map[l] = p->n_labels;
            p->dim[p->n_labels++] = c.dim[l];
        }
    int64_t s = 1;
    for (int i = r - 1; i >= 0; i--) {
        p->ostride[map[out[i]]] = s;
        s *= p->out.dims[i];
    }
    for (int k = 0; k < n->n_inputs; k++) {
        const ir_shape *sh = &g->tensors[n->inputs[k]].shape;
        int labels[ES_MAX_LABELS];
        expand(&in[k], sh->rank, c.ell_rank, labels);
        int64_t st = 1;
        for (int a = sh->rank - 1; a >= 0; a--) {
            int l = map[labels[a]];
            if (!(sh->dims[a] == 1 && p->dim[l] != 1))
                p->stride[k][l] += st;
            st *= sh->dims[a];
        }
    }
    int w = 0;
    for (int l = 0; l + 1 < summed_from; l++)
        p->order[w++] = l;
    for (int l = summed_from; l < p->n_labels; l++)
        p->order[w++] = l;
    if (summed_from > 0)
        p->order[w++] = summed_from - 1;
    return 0;
}

int misc_infer_einsum(ir_graph *g, ir_node *n, diag *d)
{
    static const char *const attrs[] = {"equation", NULL};
    if (op_known_attrs(n, attrs, d))
        return -1;
    if (!ir_node_attr(n, "equation"))
        return diag_node(d, n->name, n->op, "attribute 'equation' is missing");
    if (misc_need_io(g, n, n->n_inputs, n->n_inputs, d))
        return -1;
    const ir_tensor *x = ir_node_in(g, n, 0);
    if (misc_check_arith(n, x, 0, d))
        return -1;
    for (int k = 1; k < n->n_inputs; k++)
        if (ir_node_in(g, n, k)->dtype != x->dtype)
            return diag_node(d, n->name, n->op, "all inputs must have one element type");
    es_plan p;
    if (es_plan_build(g, n, &p, d))
        return -1;
    op_set_output(g, n, 0, x->dtype, &p.out);
    return 0;
}

/* One multiply-accumulate per point of the loop nest. */
int64_t misc_macs_einsum(const ir_graph *g, const ir_node *n)
{
    es_plan p;
    diag d;
    diag_init(&d);
    int64_t m = 1;
    if (es_plan_build(g, n, &p, &d))
        m = 0;
    for (int l = 0; l < p.n_labels && m; l++)
        m *= p.dim[l];
    diag_free(&d);
    return m;
}
