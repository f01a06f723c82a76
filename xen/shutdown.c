#include "kern/kernel.h"
#include "xen/shutdown.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "kern/log.h"
#include "kern/spinlock.h"

/* Hooks are only ever added, at the tail, under the lock; the walk at
 * shutdown runs them unlocked (they may block). */
static struct spinlock hooks_lock = SPINLOCK_INIT("shutdown hooks");
static struct list hooks = LIST_INIT(hooks);

void shutdown_hook_add(struct shutdown_hook *h)
{
    unsigned long f = spin_lock_irqsave(&hooks_lock);
    list_add_tail(&hooks, &h->link);
    spin_unlock_irqrestore(&hooks_lock, f);
}

void domain_shutdown(unsigned reason)
{
    printk("domu: shutting down (%s)", xen_shutdown_reason_name(reason));
    struct list *pos;
    list_for_each(pos, &hooks) {
        struct shutdown_hook *h = list_entry(pos, struct shutdown_hook, link);
        h->fn(reason);
    }
    if (log_flush && log_flush(time_now_ns() + 2 * NS_PER_SEC))
        printk("domu: console not drained after 2 s; the tail may be lost");
    xen_shutdown(reason);
    panic("SCHEDOP_shutdown(%s) returned", xen_shutdown_reason_name(reason));
}
