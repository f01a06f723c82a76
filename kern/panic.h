#ifndef KERN_PANIC_H
#define KERN_PANIC_H
/* After the panic message: how the machine ends (on Xen, SCHEDOP_shutdown
 * with SHUTDOWN_crash), registered by init/ as early as it can. Until
 * then, and if it returns, panic halts the CPU. */
extern void (*panic_end)(void);
/* Set by the trap handler: it printed the backtrace already. */
extern bool panic_backtrace_printed;
#endif
