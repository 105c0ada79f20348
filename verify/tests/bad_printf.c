/* stdio, declared by hand so that it passes the include check. */
typedef struct io FILE;
extern FILE *stdout;                         /* expect: use of 'FILE' */
int printf(const char *fmt, ...);

void f(int x);
void f(int x)
{
    printf("%d\n", x);                       /* expect: use of 'printf' */
    (void)stdout;                            /* expect: use of 'stdout' */
}
