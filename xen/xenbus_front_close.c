/* The front-ends' shared close: the grant rule's order in one place. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "xen/xenbus_front_close.h"

struct xenbus_front_closed xenbus_front_close(const char *name, const char *why,
                                              const struct xenbus_front_closer *c, void *arg)
{
    struct xenbus_front_closed out = { 0 };
    out.quiet = c->quiesce(arg);
    c->ports(arg);
    if (c->complete)
        c->complete(arg);
    out.parked = c->grants(arg);
    if (out.quiet && c->pages)
        out.freed = c->pages(arg);
    if (!out.quiet)
        printk("%s: %s: the rings are still in use, so their pages are kept; %u grants still "
               "mapped by the back-end (parked with their pages)", name, why, out.parked);
    else if (out.parked)
        printk("%s: %s, %zu KiB freed; %u grants still mapped by the back-end (parked with "
               "their pages)", name, why, out.freed / 1024, out.parked);
    else
        printk("%s: %s, %zu KiB freed, every grant ended", name, why, out.freed / 1024);
    return out;
}
