/* Dynamic memory, however it is reached. */
#include <stddef.h>

void *malloc(size_t n);
void free(void *p);

float *f(size_t n);
float *f(size_t n)
{
    float *p = malloc(n * sizeof *p);       /* expect: use of 'malloc' */
    void (*release)(void *) = free;         /* expect: use of 'free' */
    char *q = __builtin_alloca(n);          /* expect: use of '__builtin_alloca' */
    (void)release;
    (void)q;
    return p;
}
