#ifndef XEN_XENBUS_BUS_H
#define XEN_XENBUS_BUS_H
/* The XenBus device model for front-ends. Drivers register the device
 * type they serve ("vbd", "vif"); the bus watches device/ in XenStore,
 * and calls the driver when a device appears (probe), when the back-end
 * changes state, around a save/restore, at shutdown, and when the device
 * node goes away (remove).
 *
 * Every driver callback runs in one bus thread ("xenbus"), never in the
 * XenStore watch thread, so a driver may block on XenStore, on
 * xenbus_dev_wait_otherend, or on its own I/O (always with a deadline).
 * A driver that blocks delays the other devices' callbacks, not the
 * kernel. The exceptions are suspend and shutdown, which run in the
 * thread that suspends or shuts the domain down. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>
#include "kern/list.h"
#include "xen/xenstore.h"

struct xenbus_device;

struct xenbus_driver {
    const char *type;  /* the folder under device/: "vbd", "vif" */
    /* A new device/<type>/<id>: negotiate and connect (or return an error:
     * the device is then left alone until it is removed). */
    int (*probe)(struct xenbus_device *dev);
    /* The back-end's state changed (also called once after probe with
     * the state seen then). */
    void (*otherend_changed)(struct xenbus_device *dev, enum xenbus_state st);
    /* The device node is gone (hot-unplug done) or probe failed: free
     * everything; dev is freed by the bus afterwards. */
    void (*remove)(struct xenbus_device *dev);
    /* Before a save: quiesce, remember what is in flight. An error
     * refuses the suspend. Optional. */
    int (*suspend)(struct xenbus_device *dev);
    /* After the save (cancelled: same domain, back-end still there) or in
     * the new domain (everything Xen kept is gone: rings, grants, event
     * channels must be made again, in-flight work re-issued). Runs in the
     * bus thread. Optional. */
    void (*resume)(struct xenbus_device *dev, bool cancelled);
    /* The domain is going down: close politely if it is quick. Optional. */
    void (*shutdown)(struct xenbus_device *dev);
    /* Asked for with xenbus_dev_defer (e.g. from an event handler, which
     * cannot use XenStore). Optional. */
    void (*deferred)(struct xenbus_device *dev);
    /* private */
    struct list link;
};

struct xenbus_device {
    char nodename[48];        /* "device/vbd/51712" (relative to our home) */
    char otherend[128];       /* the back-end's folder, absolute */
    domid_t otherend_id;      /* the back-end's domain */
    const char *type;         /* the driver's type string */
    char id[16];              /* "51712" */
    struct xenbus_driver *drv;
    void *priv;               /* the driver's state */
    enum xenbus_state otherend_state; /* last back-end state delivered */
    /* private */
    struct xs_watch otherend_watch;
    char otherend_watch_path[136];
    bool otherend_pending;    /* the watch fired, not yet handled */
    bool deferred_pending;    /* xenbus_dev_defer was called */
    bool probed;              /* probe succeeded */
    bool gone;                /* node vanished: remove pending */
    struct list link;
};

void xenbus_driver_register(struct xenbus_driver *drv);
/* After xs_init and driver registration: probes what exists and starts
 * watching device/ for hot-plug. */
int xenbus_bus_init(void);

/* Our own node <nodename>/<node>. */
int xenbus_dev_write(struct xenbus_device *dev, xs_tx_t tx, const char *node, const char *val);
int xenbus_dev_printf(struct xenbus_device *dev, xs_tx_t tx, const char *node,
                      const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* <nodename>/<dir><name> = v, unless rc already holds an error (so that a
 * run of keys stops at the first failure): the per-queue keys of
 * multi-queue devices, dir "" or "queue-N/". Returns the new rc. */
int xenbus_dev_write_uint(struct xenbus_device *dev, xs_tx_t tx, int rc, const char *dir,
                          const char *name, unsigned v);
int xenbus_dev_switch_state(struct xenbus_device *dev, enum xenbus_state st);
/* The back-end's node <otherend>/<node>: strict decimal <= max. A missing
 * node gives -ENOENT (callers use it for "feature not offered"). */
int xenbus_dev_read_otherend_uint(struct xenbus_device *dev, const char *node, uint64_t max,
                                  uint64_t *out);
int xenbus_dev_read_otherend(struct xenbus_device *dev, const char *node, char *buf,
                             size_t cap);
/* Waits for the back-end to reach one of the states in mask
 * (1u << XenbusState*), or the deadline (logged with what was awaited). */
int xenbus_dev_wait_otherend(struct xenbus_device *dev, uint32_t mask, uint64_t deadline,
                             enum xenbus_state *seen);
/* A fatal error on this device: logs it (device, error, reason), writes
 * it to <nodename>/error for the toolstack, and switches to Closing. */
void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Any context: the bus thread calls the driver's deferred callback soon. */
void xenbus_dev_defer(struct xenbus_device *dev);

/* Calls fn for every known device (for the shell). */
void xenbus_for_each_device(void (*fn)(struct xenbus_device *dev, void *arg), void *arg);
#endif
