/* Only the four standard headers, and only with angle brackets. */
#include <stdio.h> /* expect: include of 'stdio.h' */
#include <stdint.h>
#include "math.h" /* expect: include of 'math.h' in quotes */

int f(void);
int f(void)
{
    return 0;
}
