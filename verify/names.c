#include "names.h"

#include <string.h>

const char *const vf_allowed_headers[] = {"stdint.h", "stddef.h", "string.h", "math.h", NULL};

const char *const vf_string_functions[] = {"memcpy", "memmove", "memset", "memcmp", NULL};

/* C99 7.12: each comes as name (double), name##f (float) and name##l. */
static const char *const libm_functions[] = {
    "acos",  "asin",  "atan",      "atan2",    "cos",       "sin",   "tan",    "acosh",
    "asinh", "atanh", "cosh",      "sinh",     "tanh",      "exp",   "exp2",   "expm1",
    "frexp", "ilogb", "ldexp",     "log",      "log10",     "log1p", "log2",   "logb",
    "modf",  "scalbn", "scalbln",  "cbrt",     "fabs",      "hypot", "pow",    "sqrt",
    "erf",   "erfc",  "lgamma",    "tgamma",   "ceil",      "floor", "nearbyint", "rint",
    "lrint", "llrint", "round",    "lround",   "llround",   "trunc", "fmod",   "remainder",
    "remquo", "copysign", "nan",   "nextafter", "nexttoward", "fdim", "fmax",  "fmin",
    "fma",   NULL,
};

/* What <math.h>'s classification macros and constants expand to, less the
 * "__builtin_" prefix. */
static const char *const math_macro_builtins[] = {
    "fpclassify", "isfinite", "isinf", "isinf_sign", "isnan", "isnormal", "signbit",
    "isgreater", "isgreaterequal", "isless", "islessequal", "islessgreater", "isunordered",
    "inf", "inff", "infl", "huge_val", "huge_valf", "huge_vall", NULL,
};

static const char *const dynamic_memory[] = {
    "malloc", "calloc", "realloc", "free", "alloca", "aligned_alloc", "posix_memalign",
    "valloc", "pvalloc", "memalign", "reallocarray", NULL,
};

/* C99 7.19 plus the POSIX additions a code generator might reach for. */
static const char *const stdio_names[] = {
    "FILE",     "fpos_t",   "stdin",    "stdout",   "stderr",   "remove",   "rename",
    "tmpfile",  "tmpnam",   "fclose",   "fflush",   "fopen",    "freopen",  "setbuf",
    "setvbuf",  "fprintf",  "fscanf",   "printf",   "scanf",    "snprintf", "sprintf",
    "sscanf",   "vfprintf", "vfscanf",  "vprintf",  "vscanf",   "vsnprintf", "vsprintf",
    "vsscanf",  "fgetc",    "fgets",    "fputc",    "fputs",    "getc",     "getchar",
    "gets",     "putc",     "putchar",  "puts",     "ungetc",   "fread",    "fwrite",
    "fgetpos",  "fseek",    "fsetpos",  "ftell",    "rewind",   "clearerr", "feof",
    "ferror",   "perror",   "dprintf",  "vdprintf", "fdopen",   "fileno",   "getline",
    "getdelim", "popen",    "pclose",   "fmemopen", "open_memstream", NULL,
};

static int in(const char *const *list, const char *name, size_t len)
{
    for (; *list; list++)
        if (strlen(*list) == len && strncmp(*list, name, len) == 0)
            return 1;
    return 0;
}

/* 1 when name is a C99 <math.h> function (acos, acosf, acosl, ...). */
static int is_libm(const char *name)
{
    size_t len = strlen(name);
    if (in(libm_functions, name, len))
        return 1;
    return len > 1 && (name[len - 1] == 'f' || name[len - 1] == 'l') &&
           in(libm_functions, name, len - 1);
}

static const char *strip_builtin(const char *name)
{
    static const char prefix[] = "__builtin_";
    return strncmp(name, prefix, sizeof prefix - 1) == 0 ? name + sizeof prefix - 1 : NULL;
}

int vf_is_allowed_external(const char *name)
{
    if (is_libm(name) || in(vf_string_functions, name, strlen(name)))
        return 1;
    const char *b = strip_builtin(name);
    return b && (is_libm(b) || in(vf_string_functions, b, strlen(b)) ||
                 in(math_macro_builtins, b, strlen(b)));
}

const char *vf_forbidden(const char *name)
{
    const char *b = strip_builtin(name);
    if (b)
        name = b;
    if (in(dynamic_memory, name, strlen(name)))
        return "dynamic memory is not allowed";
    if (in(stdio_names, name, strlen(name)))
        return "stdio is not allowed";
    return NULL;
}
