#include "kern/kernel.h"
#include "xen/shutdown.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "dev/console/console.h"

static struct list hooks = LIST_INIT(hooks);

void shutdown_hook_add(struct shutdown_hook *h)
{
    list_add_tail(&hooks, &h->link);
}

void domain_shutdown(unsigned reason)
{
    printk("domu: shutting down (%s)", xen_shutdown_reason_name(reason));
    struct list *pos;
    list_for_each(pos, &hooks) {
        struct shutdown_hook *h = list_entry(pos, struct shutdown_hook, link);
        h->fn(reason);
    }
    if (console_flush(time_now_ns() + 2 * NS_PER_SEC))
        printk("domu: console not drained after 2 s; the tail may be lost");
    xen_shutdown(reason);
    panic("SCHEDOP_shutdown(%s) returned", xen_shutdown_reason_name(reason));
}
