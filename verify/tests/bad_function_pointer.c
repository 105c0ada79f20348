/* Calls whose target is only known at run time. */
static int twice(int x)
{
    return 2 * x;
}

static int (*const table[1])(int) = {twice};

int run(int (*fn)(int), int x);
int run(int (*fn)(int), int x)
{
    int y = fn(x);                           /* expect: call through a function pointer */
    return y + table[0](x);                  /* expect: call through a function pointer */
}
