/* A cycle through three functions, reached from a caller outside it. */
static int b(int n);
static int c(int n);

static int a(int n)                          /* expect: recursion: a -> b -> c -> a */
{
    return n <= 0 ? 0 : b(n - 1);
}

static int b(int n)
{
    return c(n) + 1;
}

static int c(int n)
{
    return a(n - 1);
}

int run(int n);
int run(int n)
{
    return a(n) + c(n);
}
