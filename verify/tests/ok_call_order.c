/* Calls to functions defined further down, prototypes, shared callees and
 * constant-size arrays: a call graph without a cycle. */
#include <stddef.h>

enum { N = 3 };

static float leaf(float x);
static float mid(float x);

float top(float x);
float top(float x)
{
    float a[N * 2] = {0};
    return mid(x) + leaf(x) + a[N];
}

static float mid(float x)
{
    return leaf(x) * leaf(x + 1.0f);
}

static float leaf(float x)
{
    return x + (float)sizeof(float[N]);
}
