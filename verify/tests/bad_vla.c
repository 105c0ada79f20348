/* Variable length arrays in every place they can hide. */
#include <stddef.h>

float f(size_t n, const float x[n]);         /* expect: 'x' has type */
float f(size_t n, const float x[n])          /* expect: 'x' has type */
{
    float tmp[n];                            /* expect: 'tmp' has type */
    float (*rows)[n] = 0;                    /* expect: 'rows' has type */
    void *p = (float (*)[n])tmp;             /* expect: variable length array type 'float (*)[n]' */
    typedef float row[n];                    /* expect: 'row' has type */
    size_t s = sizeof(float[n]);             /* expect: variable length array used */
    (void)rows;
    (void)p;
    (void)sizeof(row);
    tmp[0] = x[0];
    return tmp[0] + (float)s;
}
