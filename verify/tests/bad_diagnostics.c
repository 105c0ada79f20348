/* What clang warns about counts as a problem. */
int run(int x);
int run(int x)
{
    int unused;                              /* expect: unused variable 'unused' */
    unsigned limit = 4;
    return x < limit;                        /* expect: comparison of integers of different signs */
}
