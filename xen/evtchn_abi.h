#ifndef XEN_EVTCHN_ABI_H
#define XEN_EVTCHN_ABI_H
/* The event channel ABI in use, 2-level or FIFO, behind one table:
 * xen/evtchn.c keeps the bindings and calls these for the per-port bits
 * and the upcall's scan. Only xen/evtchn.c uses it. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/event_channel.h>

typedef void (*evtchn_abi_dispatch_fn)(evtchn_port_t port, void *arg);

struct evtchn_abi {
    const char *name;      /* "2level" or "fifo" */
    unsigned max_ports;    /* ports this ABI can address */
    /* Makes the port's bits exist before it is used (FIFO: the event
     * array grows to it); -ENOSPC beyond the ABI. */
    int (*setup)(evtchn_port_t port);
    void (*mask)(evtchn_port_t port);
    void (*clear_pending)(evtchn_port_t port);
    bool (*is_pending)(evtchn_port_t port);
    /* Unmasks if not pending; true if Xen must (EVTCHNOP_unmask). */
    bool (*unmask_needs_xen)(evtchn_port_t port);
    /* The upcall: at most budget ports served, through fn. */
    unsigned (*handle_events)(unsigned budget, evtchn_abi_dispatch_fn fn, void *arg);
    /* In a new domain after a restore: back to where a fresh boot is
     * (every port masked); 0, or the ABI cannot go on (use 2-level). */
    int (*resume)(void);
    /* For the listing: a few words on its state (pages, queues). */
    void (*describe)(char *buf, unsigned cap);
};

extern const struct evtchn_abi evtchn_abi_2l;
extern const struct evtchn_abi evtchn_abi_fifo;

/* Asks Xen for FIFO (EVTCHNOP_init_control on vCPU 0): 0 and it is
 * active, or Xen's error (2-level stays). */
int evtchn_fifo_start(void);
#endif
