#ifndef XEN_XENBUS_HALF_H
#define XEN_XENBUS_HALF_H
/* Between the XenBus core and its two halves (front, back): what a half
 * tells the core about its devices. Not for drivers. */
#include "xen/xenbus_bus.h"

struct xenbus_half {
    const char *folder;        /* "device" or "backend": under our home */
    const char *otherend_name; /* "back-end" or "front-end", for logs */
    struct list drivers;
    bool scan_pending;         /* the listing changed: scan in the bus thread */
    enum xenbus_action (*next)(enum xenbus_phase ph, enum xenbus_state other);
    /* The state the core switches to after a successful attach
     * (XenbusStateUnknown: the driver switches itself). */
    enum xenbus_state after_attach;
    bool closed_at_close;      /* front: say Closed with Closing (lets a back-end unmap) */
    /* Bus thread: lists every driver's nodes, xenbus_core_sync per driver. */
    void (*scan)(struct xenbus_half *h);
    /* Reads dev->otherend, otherend_id (and online): 0 or an error (not
     * fully written yet: the next scan tries again). */
    int (*read_otherend)(struct xenbus_device *dev);
    /* Optional, bus thread: our own node changed (back: online, state). */
    void (*own_changed)(struct xenbus_device *dev);
    /* Optional, bus thread: the device reached Closed. */
    void (*after_closed)(struct xenbus_device *dev);
    /* Starts the half's watches (once). */
    int (*start)(struct xenbus_half *h);
    struct list link;
};

/* A driver of half h (its first makes the half one the core runs). */
void xenbus_core_driver_add(struct xenbus_half *h, struct xenbus_driver *drv);
/* Bus thread: the devices of drv become those of the listing (keys, see
 * xenbus_enum.h): new ones are probed, vanished ones removed. */
void xenbus_core_sync(struct xenbus_half *h, struct xenbus_driver *drv, const char *names,
                      size_t len);
/* Reads <nodename>/<path_key> (an absolute path) into dev->otherend and
 * <nodename>/<id_key> (a domain id) into otherend_id, strictly: 0, or an
 * error with otherend emptied. */
int xenbus_core_read_otherend(struct xenbus_device *dev, const char *path_key,
                              const char *id_key);
/* One round of the bus thread's work (scans, state changes, retries,
 * deadlines, removals), as the thread does it; for host tests. */
void xenbus_core_run_once(void);
/* Any context: wakes the bus thread. */
void xenbus_core_kick(void);
/* Any context: marks the attached device with this nodename as having
 * its own node changed (own_pending); false if there is none (a device
 * not probed yet is for a scan to look at again). */
bool xenbus_core_own_changed(const char *nodename);
/* Bus thread: the device goes away at the end of this round. */
void xenbus_core_remove_later(struct xenbus_device *dev);
#endif
