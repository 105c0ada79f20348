/* Problems found in one file, printed sorted by line as "file:line: what". */
#ifndef SCNNC_VERIFY_REPORT_H
#define SCNNC_VERIFY_REPORT_H

#include <stddef.h>
#include <stdio.h>

typedef enum vf_kind {
    VF_DIAGNOSTIC,
    VF_INCLUDE,
    VF_CALL,
    VF_FORBIDDEN,
    VF_VLA,      /* from the type check, naming the array */
    VF_VLA_USED, /* clang's -Wvla: printed only where the type check saw nothing */
    VF_RECURSION,
} vf_kind;

typedef struct vf_problem {
    unsigned line; /* 0: not tied to a line */
    vf_kind kind;
    size_t seq;    /* order of discovery, to keep sorting stable */
    char *msg;
} vf_problem;

typedef struct vf_report {
    vf_problem *v;
    size_t n, cap;
    int oom; /* a problem could not be recorded */
} vf_report;

void vf_report_add(vf_report *r, unsigned line, vf_kind kind, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints the problems of path to out and returns how many were printed.
 * Repeated identical messages on a line print once, and clang's -Wvla only
 * on lines where the type check found no VLA (both see the same array). */
size_t vf_report_print(vf_report *r, const char *path, FILE *out);
void vf_report_free(vf_report *r);

#endif
