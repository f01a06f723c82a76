/* Ring grants and ports, shared by the front-end drivers. */
#include "kern/kernel.h"
#include "kern/mm.h"
#include "xen/gnttab.h"
#include "xen/gnttab_park.h"
#include "xen/xenbus_bus.h"
#include "xen/xenbus_front_ring.h"

int xenbus_front_grant(struct xenbus_device *dev, void *pages, unsigned n, bool readonly,
                       grant_ref_t *refs)
{
    uint64_t gfn = (uint64_t)(uintptr_t)pages >> PAGE_SHIFT;
    for (unsigned i = 0; i < n; i++) {
        int64_t ref = gnttab_grant_access(dev->otherend_id, gfn + i, readonly);
        if (ref < 0)
            return (int)ref;
        refs[i] = (grant_ref_t)ref;
    }
    return 0;
}

unsigned xenbus_front_ungrant(grant_ref_t *refs, unsigned n, void **page)
{
    unsigned held = 0;
    for (unsigned i = 0; i < n; i++)
        held += gnttab_end_or_park_page(&refs[i], n == 1 ? page : 0);
    return held;
}

int xenbus_front_port(struct xenbus_device *dev, evtchn_handler_t h, void *arg,
                      const char *name, evtchn_port_t *port, bool *have)
{
    int rc = evtchn_alloc_unbound(dev->otherend_id, h, arg, name, port);
    if (rc)
        return rc;
    *have = true;
    evtchn_set_lateeoi(*port);
    return 0;
}
