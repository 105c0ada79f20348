/* Services of startup.c for the test program. */
#ifndef M4_H
#define M4_H

/* The test program: returns 0 on success. */
int m4_main(void);
/* Writes a NUL-terminated string to the host's stdout (semihosting). */
void m4_puts(const char *s);
/* Ends QEMU: exit status 0 if ok, 1 otherwise. */
void m4_exit(int ok);

#endif
