#ifndef XEN_SHUTDOWN_H
#define XEN_SHUTDOWN_H
/* Ending the domain the way the toolstack expects: drivers detach first
 * (their hooks run in registration order, newest last), the console is
 * flushed, then SCHEDOP_shutdown with the reason. */
#include <xen/xen.h>
#include <xen/sched.h>
#include "kern/list.h"

struct shutdown_hook {
    const char *name;
    void (*fn)(unsigned reason);
    struct list link;
};
void shutdown_hook_add(struct shutdown_hook *h);
__attribute__((noreturn)) void domain_shutdown(unsigned reason);
#endif
