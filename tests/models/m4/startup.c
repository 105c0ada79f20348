/* Bare-metal start-up for the Cortex-M4 of QEMU's mps2-an386 board: the
 * vector table at address 0, a reset handler that turns the FPU on before any
 * float instruction runs, and ARM semihosting for text output and exit.
 * QEMU loads .data where it is linked (m4.ld), so nothing is copied from
 * flash; .bss is zeroed here. */
#include <stddef.h>
#include <stdint.h>

#include "m4.h"

extern uint32_t __stack_top, __bss_start, __bss_end;

void reset_handler(void);

/* Semihosting: "bkpt 0xab" with the operation in r0 and its argument in r1. */
static int semihost(int op, const void *arg)
{
    register int r0 __asm__("r0") = op;
    register const void *r1 __asm__("r1") = arg;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

void m4_puts(const char *s) { semihost(0x04, s); /* SYS_WRITE0 */ }

void m4_exit(int ok)
{
    /* SYS_EXIT: QEMU exits 0 for ADP_Stopped_ApplicationExit, 1 otherwise. */
    uintptr_t reason = ok ? 0x20026u : 0x20023u;
    semihost(0x18, (const void *)reason);
    for (;;)
        ;
}

static void fault_handler(void)
{
    m4_puts("m4: fault\n");
    m4_exit(0);
}

/* The hardware reads word 0 as the initial stack pointer and word 1 as the
 * reset handler; the others are exception handlers. */
__attribute__((section(".vectors"), used)) static const uintptr_t vectors[16] = {
    (uintptr_t)&__stack_top,     (uintptr_t)reset_handler, (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,    (uintptr_t)fault_handler, (uintptr_t)fault_handler,
    (uintptr_t)fault_handler,    0,
    0,                           0,
    0,                           (uintptr_t)fault_handler, (uintptr_t)fault_handler,
    0,                           (uintptr_t)fault_handler, (uintptr_t)fault_handler};

/* Kept out of line so that no float code can be scheduled before the FPU is on. */
__attribute__((noinline)) static void start(void)
{
    for (uint32_t *p = &__bss_start; p < &__bss_end; p++)
        *p = 0;
    m4_exit(m4_main() == 0);
}

void reset_handler(void)
{
    volatile uint32_t *cpacr = (volatile uint32_t *)0xE000ED88u;
    *cpacr |= 0xFu << 20; /* CP10 and CP11 full access: the FPU */
    __asm__ volatile("dsb\n\tisb" ::: "memory");
    start();
}
