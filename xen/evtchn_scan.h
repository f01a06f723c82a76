#ifndef XEN_EVTCHN_SCAN_H
#define XEN_EVTCHN_SCAN_H
/* The 2-level event channel bitmaps: find pending, unmasked ports and
 * mask/unmask/clear them with atomic bit operations. Pure: works on any
 * shared_info/vcpu_info, the real ones or a test's. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

#define EVTCHN_2L_NR_PORTS (sizeof(xen_ulong_t) * 8 * sizeof(xen_ulong_t) * 8)

typedef void (*evtchn_dispatch_fn)(evtchn_port_t port, void *arg);

/* Where the next scan starts: the port after the last one served, so
 * that a port raised again by its own handler waits for every other
 * pending port before it is served again (round-robin). Zero it to
 * start. */
struct evtchn_scan_pos {
    evtchn_port_t next;
};

/* Clears upcall_pending, then serves ports that are pending and not
 * masked, in port order cyclically from pos->next: clears a port's
 * pending bit and calls fn. At most budget ports: what is left stays
 * pending, its selector bits go back and upcall_pending is set again so
 * that Xen raises the upcall once more (at its next entry to the guest).
 * Returns the count served. */
unsigned evtchn_scan_pending(struct shared_info *s, struct vcpu_info *v,
                             struct evtchn_scan_pos *pos, unsigned budget, evtchn_dispatch_fn fn,
                             void *arg);

void evtchn_bit_set(xen_ulong_t *words, evtchn_port_t port);
void evtchn_bit_clear(xen_ulong_t *words, evtchn_port_t port);
bool evtchn_bit_test(const xen_ulong_t *words, evtchn_port_t port);
/* Unmasking a port: setting the vCPU's flags ourselves raises no
 * upcall on HVM/PVH (Xen injects the vector only when it marks events
 * itself or at its next entry to the guest), so a port that is pending
 * must be unmasked by Xen (EVTCHNOP_unmask), which delivers it. Clears
 * the mask bit itself when the port is not pending; returns true when
 * the caller must ask Xen instead (the port is then left masked, as
 * Xen's unmask only delivers a port whose mask bit it clears). */
bool evtchn_unmask_needs_xen(struct shared_info *s, evtchn_port_t port);
#endif
