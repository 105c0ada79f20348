/* --report's text form: a table with a header line, one row per layer and
 * a totals line, columns as wide as their widest cell. */
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include "layer_rows.h"
#include "report.h"

enum {
    COL_INDEX,
    COL_NAME,
    COL_OP,
    COL_KERNEL,
    COL_INPUTS,
    COL_OUTPUTS,
    COL_MACS,
    COL_EFFECTIVE,
    COL_WEIGHTS,
    COL_NONZEROS,
    COL_SPARSITY,
    COL_CODE,
    COL_WEIGHT_BYTES,
    COL_ARENA,
    N_COLS
};

static const struct {
    const char *title;
    int right; /* numbers align right */
} columns[N_COLS] = {
    {"#", 1},        {"layer", 0},    {"op", 0},       {"kernel", 0},       {"inputs", 0},
    {"outputs", 0},  {"MACs", 1},     {"eff.MACs", 1}, {"weights", 1},      {"nonzeros", 1},
    {"sparsity", 1}, {"code B", 1},   {"weight B", 1}, {"arena B", 1},
};

/* Long names and long input lists are cut to this, with "...". */
#define CELL_MAX 200

typedef char row_cells[N_COLS][CELL_MAX];

/* Control characters would break the table's lines: shown as '?'. */
static int printable(unsigned char c)
{
    return c >= 0x20 && c != 0x7F;
}

/* Columns a string takes on a terminal: UTF-8 continuation bytes add none. */
static int display_width(const char *s)
{
    int w = 0;
    for (; *s; s++)
        w += ((unsigned char)*s & 0xC0) != 0x80;
    return w;
}

/* Appends s to cell, control characters made '?'. When the whole does not
 * fit, cuts it at a character boundary, ends it with "..." and returns 0:
 * nothing more goes in. */
static int cell_append(char *cell, const char *s)
{
    size_t len = strlen(cell), n = strlen(s);
    size_t end = len + n < CELL_MAX ? len + n : CELL_MAX - 3; /* room for the cut's check */
    for (size_t i = len; i < end; i++)
        cell[i] = printable((unsigned char)s[i - len]) ? s[i - len] : '?';
    if (len + n < CELL_MAX) {
        cell[end] = 0;
        return 1;
    }
    size_t cut = CELL_MAX - 4;
    while (cut > 0 && ((unsigned char)cell[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(cell + cut, "...", 4);
    return 0;
}

static void cell_printf(char *cell, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cell, CELL_MAX, fmt, ap);
    va_end(ap);
}

/* Exact below a million, else in M (10^6) or G (10^9). */
static void cell_count(char *cell, int64_t v)
{
    if (v < 1000000)
        cell_printf(cell, "%lld", (long long)v);
    else if (v < 1000000000)
        cell_printf(cell, "%.2fM", (double)v / 1e6);
    else
        cell_printf(cell, "%.2fG", (double)v / 1e9);
}

static void cell_sparsity(char *cell, int64_t nonzeros, int64_t count)
{
    double s;
    if (layer_sparsity(nonzeros, count, &s))
        cell_printf(cell, "%.1f%%", 100.0 * s);
    else
        cell_printf(cell, "-");
}

/* Shapes of the tensors in list, comma-separated: "-" for an absent
 * optional tensor, "?" for an unknown shape. */
static void cell_shapes(char *cell, const ir_graph *g, const int *list, int n)
{
    for (int k = 0; k < n; k++) {
        char shape[128] = "-";
        if (list[k] >= 0) {
            const ir_tensor *t = &g->tensors[list[k]];
            if (t->has_shape)
                ir_shape_str(&t->shape, shape, sizeof shape);
            else
                snprintf(shape, sizeof shape, "?");
        }
        if ((k && !cell_append(cell, ",")) || !cell_append(cell, shape))
            return;
    }
}

static void layer_cells(const ir_graph *g, int index, row_cells c)
{
    const ir_node *n = &g->nodes[index];
    layer_row r;
    layer_row_make(g, n, &r);
    memset(c, 0, sizeof(row_cells));
    cell_printf(c[COL_INDEX], "%d", index);
    cell_append(c[COL_NAME], n->name ? n->name : "");
    cell_append(c[COL_OP], n->op);
    char kernel[160];
    cell_append(c[COL_KERNEL], layer_kernel_name(n, kernel, sizeof kernel));
    cell_shapes(c[COL_INPUTS], g, n->inputs, n->n_inputs);
    cell_shapes(c[COL_OUTPUTS], g, n->outputs, n->n_outputs);
    cell_count(c[COL_MACS], r.dense_macs);
    cell_count(c[COL_EFFECTIVE], r.effective_macs);
    cell_count(c[COL_WEIGHTS], n->weight_count);
    cell_count(c[COL_NONZEROS], n->weight_nonzeros);
    cell_sparsity(c[COL_SPARSITY], n->weight_nonzeros, n->weight_count);
    cell_count(c[COL_CODE], n->code_bytes);
    cell_count(c[COL_WEIGHT_BYTES], r.weight_bytes);
    cell_count(c[COL_ARENA], r.arena_bytes);
}

static void totals_cells(const ir_graph *g, const layer_totals *t, row_cells c)
{
    memset(c, 0, sizeof(row_cells));
    cell_printf(c[COL_NAME], "total: %d layer%s", t->layers, t->layers == 1 ? "" : "s");
    cell_count(c[COL_MACS], t->dense_macs);
    cell_count(c[COL_EFFECTIVE], t->effective_macs);
    cell_count(c[COL_WEIGHTS], t->weight_count);
    cell_count(c[COL_NONZEROS], t->weight_nonzeros);
    cell_sparsity(c[COL_SPARSITY], t->weight_nonzeros, t->weight_count);
    cell_count(c[COL_CODE], t->code_bytes);
    cell_count(c[COL_WEIGHT_BYTES], t->weight_bytes);
    /* The peak, marked: see the note under the table. */
    cell_count(c[COL_ARENA], g->arena_bytes);
    cell_append(c[COL_ARENA], "*");
}

static void widen(int *widths, row_cells c)
{
    for (int k = 0; k < N_COLS; k++) {
        int w = display_width(c[k]);
        if (w > widths[k])
            widths[k] = w;
    }
}

static void print_row(FILE *f, const int *widths, row_cells c)
{
    for (int k = 0; k < N_COLS; k++) {
        int pad = widths[k] - display_width(c[k]);
        int last = k == N_COLS - 1;
        if (columns[k].right)
            fprintf(f, "%*s%s", pad, "", c[k]);
        else
            fprintf(f, "%s%*s", c[k], last ? 0 : pad, "");
        fputs(last ? "\n" : "  ", f);
    }
}

static void print_sanitized(FILE *f, const char *s)
{
    for (; *s; s++)
        fputc(printable((unsigned char)*s) ? *s : '?', f);
}

void report_write_text(const ir_graph *g, const char *model, FILE *f)
{
    row_cells c;
    int widths[N_COLS];
    layer_totals t = {0};
    for (int k = 0; k < N_COLS; k++)
        widths[k] = display_width(columns[k].title);
    /* First pass: the widths (and the totals); second: the rows. */
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            continue;
        layer_row r;
        layer_row_make(g, &g->nodes[i], &r);
        layer_totals_add(&t, &g->nodes[i], &r);
        layer_cells(g, i, c);
        widen(widths, c);
    }
    totals_cells(g, &t, c);
    widen(widths, c);

    fputs("scnnc report: model ", f);
    print_sanitized(f, model);
    fputs("\nfigures of a million or more in M (10^6) or G (10^9); "
          "--report-format json gives them exactly\n\n",
          f);
    for (int k = 0; k < N_COLS; k++)
        cell_printf(c[k], "%s", columns[k].title);
    print_row(f, widths, c);
    for (int i = 0; i < g->n_nodes; i++) {
        if (g->nodes[i].dead)
            continue;
        layer_cells(g, i, c);
        print_row(f, widths, c);
    }
    totals_cells(g, &t, c);
    print_row(f, widths, c);
    fprintf(f,
            "\n* arena: the planned peak of the activation arena, %lld bytes; layers reuse it,\n"
            "  so their arena bytes (outputs in the arena plus scratch) do not add up to it\n"
            "weights stored: %lld bytes (the weights blob as laid out: aligned, shared "
            "constants once)\n",
            (long long)g->arena_bytes, (long long)g->weights_bytes);
}
