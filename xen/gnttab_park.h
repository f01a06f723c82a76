#ifndef XEN_GNTTAB_PARK_H
#define XEN_GNTTAB_PARK_H
/* Grants a peer would not let go of (XSA-396 class). A front-end that
 * ends its grants calls gnttab_end_or_park: when the peer still maps the
 * page, the grant and the page are parked on a list that is retried
 * later (gnttab_park_retry, from the XenBus thread) and the page is
 * never handed back to anyone until the grant has ended: then the page
 * goes back to the page allocator, or its owner is told (ended). */
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/grant_table.h>

/* Any context. Ends ref: false if it ended (or was not a grant). If the
 * peer still maps it: true, and the grant is parked with page (one page
 * from pages_alloc, freed once it ends; or NULL) and ended(owner, what),
 * called once it ends (from the retry, interrupts on). A full park list
 * keeps the grant and page forever (logged, counted). */
bool gnttab_end_or_park(grant_ref_t ref, void *page, void (*ended)(void *owner, void *what),
                        void *owner, void *what);
/* The drivers' usual case: ends *ref (and zeroes it); if it had to be
 * parked, the page *page goes with it (*page becomes NULL: it is no
 * longer the caller's). True if parked. */
bool gnttab_end_or_park_page(grant_ref_t *ref, void **page);
/* Tries the parked grants again: how many are still parked. */
unsigned gnttab_park_retry(void);
struct gnttab_park_stats {
    unsigned parked;         /* now */
    unsigned long long ever; /* parked since boot */
    unsigned long long lost; /* grants kept forever: the list was full */
};
void gnttab_park_get_stats(struct gnttab_park_stats *st);
#endif
