#include "kern/kernel.h"
#include "kern/panic.h"
#include "kern/log.h"
#include "kern/clock.h"
#include "kern/printf.h"
#include "kern/spinlock.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include <stdarg.h>

static int panicking;
bool panic_backtrace_printed;
void (*panic_end)(void);

void panic(const char *fmt, ...)
{
    irq_disable();
    if (panicking++ == 0) {
        /* A panic under the log's lock (in the sink, say) must still print. */
        log_break_lock();
        char buf[256];
        va_list ap;
        va_start(ap, fmt);
        k_vsnprintf(buf, sizeof(buf), fmt, ap);
        va_end(ap);
        printk("domu: panic: %s", buf);
        uint64_t rbp;
        __asm__ volatile("mov %%rbp, %0" : "=r"(rbp));
        if (!panic_backtrace_printed)
            print_backtrace((uint64_t)(uintptr_t)__builtin_return_address(0),
                            *(uint64_t *)(uintptr_t)rbp);
        printk("domu: crashed; ending the domain (SHUTDOWN_crash)");
        /* Let the console's back-end take the tail so the dump is not lost. */
        if (log_flush)
            log_flush(time_now_ns() + 2 * NS_PER_SEC);
    }
    for (;;) {
        if (panic_end)
            panic_end();
        __asm__ volatile("hlt");
    }
}

void spin_lock_nested_panic(struct spinlock *l)
{
    panic("spinlock '%s' taken again by its holder", l->name ? l->name : "?");
}
