#ifndef XEN_XENBUS_FRONT_RING_H
#define XEN_XENBUS_FRONT_RING_H
/* What every front-end does for its shared rings (blkfront, netfront):
 * grant the ring's pages (and buffers) to the back-end, allocate the
 * ring's event channel, and at the end take the grants back under the
 * grant rule (one still mapped is parked, never reused). The callers
 * initialise the rings themselves (typed macros), before granting. */
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/grant_table.h>
#include <xen/event_channel.h>
#include "xen/evtchn.h"

struct xenbus_device;

/* Grants n pages starting at pages (contiguous, page-aligned) to dev's
 * other end: refs[0..n). On an error the refs granted so far stay in
 * refs (the rest are 0), for xenbus_front_ungrant. */
int xenbus_front_grant(struct xenbus_device *dev, void *pages, unsigned n, bool readonly,
                       grant_ref_t *refs);
/* Ends the n grants in refs (zeroing them): how many the other end still
 * maps (parked). page: for a one-page grant, its page, which is parked
 * with it (*page becomes NULL: no longer the caller's); NULL for several
 * pages of one allocation, which the caller then keeps for good. */
unsigned xenbus_front_ungrant(grant_ref_t *refs, unsigned n, void **page);
/* An unbound port for dev's other end, handled by h, lateeoi (masked
 * from each event until the owner's evtchn_eoi); *have set. */
int xenbus_front_port(struct xenbus_device *dev, evtchn_handler_t h, void *arg,
                      const char *name, evtchn_port_t *port, bool *have);
#endif
