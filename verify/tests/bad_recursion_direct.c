/* A function calling itself. */
static int fact(int n)                       /* expect: recursion: fact -> fact */
{
    return n > 1 ? n * fact(n - 1) : 1;
}

int run(int n);
int run(int n)
{
    return fact(n);
}
