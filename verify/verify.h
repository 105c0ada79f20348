/* What every check of scnnc-verify shares: one parsed file, where its
 * problems go, and how a cursor is placed in it. */
#ifndef SCNNC_VERIFY_H
#define SCNNC_VERIFY_H

#include <clang-c/Index.h>

#include "callgraph.h"
#include "report.h"

typedef struct vf_file {
    const char *path;
    CXTranslationUnit tu;
    CXFile main;     /* the file being checked, as libclang knows it */
    vf_report *rep;
    vf_graph *graph; /* functions defined in the file and their direct calls */
    long n_calls;    /* call expressions seen */
} vf_file;

/* Line of c in the checked file; macro uses count at the line they are
 * written on (an expansion of NAN is where NAN is written). */
unsigned vf_line(CXCursor c);
/* 1 when c is written in the checked file (not in a header). */
int vf_in_main(const vf_file *f, CXCursor c);
/* Copy of c's spelling (the name of a declaration), or NULL when out of memory. */
char *vf_spelling(CXCursor c);

/* The checks, each called on the cursors it concerns. */
void vf_check_include(vf_file *f, CXCursor c);
/* caller: the call graph index of the function the call is in, or -1. */
void vf_check_call(vf_file *f, CXCursor c, int caller);
void vf_check_forbidden_use(vf_file *f, CXCursor c);
void vf_check_vla(vf_file *f, CXCursor c);
void vf_check_diagnostics(vf_file *f);

/* Visits every cursor of the file and runs the checks above on it. */
void vf_walk(vf_file *f);

#endif
