/* What kern/ files expect of the kernel around them, for host tests:
 * the interrupt flag, panic (a cmocka assertion failure, so a test can
 * expect one) and printk. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>

#include "kern/kernel.h"
#include "kern/spinlock.h"

unsigned long host_irq_flags = 0x200; /* interrupts on */

void panic(const char *fmt, ...)
{
    static char buf[256]; /* cmocka prints it after the longjmp */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    mock_assert(0, buf, __FILE__, __LINE__);
    abort();
}

void spin_lock_nested_panic(struct spinlock *l)
{
    panic("spinlock '%s' taken again by its holder", l->name ? l->name : "?");
}

void printk(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}
