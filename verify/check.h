/* Checks one file against the standalone contract of generated C. */
#ifndef SCNNC_VERIFY_CHECK_H
#define SCNNC_VERIFY_CHECK_H

#include <clang-c/Index.h>
#include <stdio.h>

/* Prints each problem of path to out as "path:line: what", or one line
 * "OK path: N functions, M calls checked". Returns 0 when clean, 1 if not. */
int vf_check_file(CXIndex index, const char *path, FILE *out);

#endif
