/* Calls that leave the file: a function only declared, one from <string.h>
 * outside memcpy/memmove/memset/memcmp, and a builtin that is not libm. */
#include <string.h>

int helper(int x);

int f(const char *s);
int f(const char *s)
{
    int n = helper(1);      /* expect: call to 'helper' */
    n += (int)strlen(s);    /* expect: call to 'strlen' */
    if (n < 0)
        __builtin_trap();   /* expect: call to '__builtin_trap' */
    return n;
}
