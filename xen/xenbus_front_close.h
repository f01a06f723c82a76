#ifndef XEN_XENBUS_FRONT_CLOSE_H
#define XEN_XENBUS_FRONT_CLOSE_H
/* The grant rule's end of a front-end's rings, for blkfront and netfront
 * alike. The core has already said Closing (and Closed) and waited, with
 * a deadline, for the back-end's Closed (xenbus_core.c); what is left is
 * always done in this order:
 *   quiesce   nothing of ours enters the rings any more (the device's
 *             thread out, senders gone, answers left on the rings taken):
 *             true if so, false if something is still in them at its
 *             deadline (then no page is freed: they are forgotten);
 *   ports     every event channel closed (or, after a restore, forgotten);
 *   complete  what is still on the rings completes, each request ending
 *             its buffers' grants first (one still mapped parks and holds
 *             its request); optional;
 *   grants    every ring and buffer grant ended, one still mapped parked
 *             with its page: how many were parked;
 *   pages     the pages that are still ours freed: bytes; only when
 *             quiesce said true; optional.
 * A page whose grant was parked is never freed here nor handed back. */
#include <stdbool.h>
#include <stddef.h>

struct xenbus_front_closer {
    bool (*quiesce)(void *arg);
    void (*ports)(void *arg);
    void (*complete)(void *arg);
    unsigned (*grants)(void *arg);
    size_t (*pages)(void *arg);
};

struct xenbus_front_closed {
    bool quiet;     /* quiesce said true: the pages were freed */
    unsigned parked; /* grants the back-end still mapped */
    size_t freed;   /* bytes */
};

/* Runs the steps for the device called name (logs as "name: why: ...");
 * why says what ended it ("closed", "reconnecting", "attach failed"). */
struct xenbus_front_closed xenbus_front_close(const char *name, const char *why,
                                              const struct xenbus_front_closer *c, void *arg);
#endif
