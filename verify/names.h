/* The names the contract of generated code speaks of. */
#ifndef SCNNC_VERIFY_NAMES_H
#define SCNNC_VERIFY_NAMES_H

/* Headers that generated code may include (written as <name>). */
extern const char *const vf_allowed_headers[];
/* The functions of <string.h> that generated code may call. */
extern const char *const vf_string_functions[];

/* 1 for a call generated code may make to a function it does not define:
 * libm, the <string.h> functions above, and the compiler builtins that
 * <math.h>'s macros expand to (NAN -> __builtin_nanf, isnan -> __builtin_isnan). */
int vf_is_allowed_external(const char *name);
/* Why name is forbidden ("dynamic memory", "stdio"), or NULL when it is not.
 * Builtin forms count too (__builtin_alloca). */
const char *vf_forbidden(const char *name);

#endif
