#ifndef XEN_XENBUS_BUS_H
#define XEN_XENBUS_BUS_H
/* The XenBus device model, for front-ends and back-ends alike. The core
 * (xenbus_core.c) owns the device tree, each device's life-cycle state
 * machine (xenbus_fsm.h) and its reference count; two halves enumerate:
 *   front (xenbus_front.c): device/<type>/<id>, the other end is the
 *     back-end named by its backend / backend-id keys;
 *   back (xenbus_back.c): backend/<type>/<frontend-domid>/<id>, the other
 *     end is the front-end named by frontend / frontend-id; `online` = 0
 *     from the toolstack closes the device, and after Closed its folder
 *     is removed.
 *
 * A driver registers the type it serves with one half. The core calls
 * it in the XenBus thread, one device at a time, never while a save is
 * in progress (suspend and resume hold the bus). Callbacks must not wait
 * for the other end: every step is driven by its state changes.
 *
 *   probe     is this node mine? Allocate the driver's state (dev->priv,
 *             taking a reference with xenbus_dev_get), read this node's
 *             own keys; nothing granted, nothing waited for. An error:
 *             the device stays unattached until its node goes away.
 *   attach    publish our side. Front: rings, grants, event channels,
 *             keys, then switch our state (Initialised or Connected).
 *             Back: feature keys (the core then switches to InitWait).
 *             An error means "not now": undo everything; the core tries
 *             again later with a growing delay (logged). A driver that
 *             finds the other end unusable calls xenbus_dev_fatal.
 *   connect   the other end is ready (front: back-end Connected; back:
 *             front-end Initialised or Connected): finish (front: read
 *             what it offers, start I/O; back: map its rings, bind its
 *             ports, switch to Connected). An error closes the device.
 *   detach    the other end started again (front: a back-end back in
 *             InitWait; back: a front-end back in Initialising): undo
 *             attach/connect, keep in-flight work to re-issue; attach
 *             follows at once.
 *   close     stop I/O: new work fails. The core then says Closing
 *             (front: and Closed, which is what lets a back-end unmap).
 *   closed    the other end has closed (or it did not within 5 s): end
 *             every grant with gnttab_end_or_park (back: unmap all),
 *             complete what is left, free what is free.
 *   remove    the node is gone (after closed). Drop the reference probe
 *             took once nothing uses it any more (dev->priv may stay:
 *             see release).
 *   suspend   before a save, for the whole tree: quiesce. An error
 *             refuses the save.
 *   resume    after it: cancelled (same domain) carries on; otherwise
 *             everything Xen kept is gone: forget rings, grants and
 *             ports (in-flight work kept to re-issue); the core then
 *             attaches the device again and waits until every device
 *             that was connected is connected again (or closed), so
 *             "domu: resumed" means the devices are back.
 *   shutdown  the domain is going down: finish quickly. Optional.
 *   deferred  asked for with xenbus_dev_defer. Optional.
 *   otherend_changed  told of every other-end state (after the core's
 *             own step). Optional.
 *   release   the device's last reference is gone (removed, and nobody
 *             holds it any more): free dev->priv. Not in the bus
 *             thread's step: any context that drops a reference. Optional.
 *
 * Lifetime: users of a device outside these callbacks (the shell's blk
 * and net commands, the stack's senders, a thread of the driver) hold a
 * reference (xenbus_dev_get/put) while they use it; a hot-detach then
 * runs close, closed and remove, and the driver's state goes with the
 * last reference (release), never under someone holding it.
 */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/io/xenbus.h>
#include <xen/event_channel.h>
#include "kern/list.h"
#include "xen/xenstore.h"
#include "xen/xenbus_fsm.h"
#include "xen/xenbus_enum.h"

struct xenbus_device;
struct xenbus_half;

struct xenbus_driver {
    const char *type;  /* "vbd", "vif" */
    int (*probe)(struct xenbus_device *dev);
    int (*attach)(struct xenbus_device *dev);
    int (*connect)(struct xenbus_device *dev);
    void (*detach)(struct xenbus_device *dev);
    void (*close)(struct xenbus_device *dev);
    void (*closed)(struct xenbus_device *dev);
    void (*remove)(struct xenbus_device *dev);
    int (*suspend)(struct xenbus_device *dev);
    void (*resume)(struct xenbus_device *dev, bool cancelled);
    void (*shutdown)(struct xenbus_device *dev);
    void (*deferred)(struct xenbus_device *dev);
    void (*otherend_changed)(struct xenbus_device *dev, enum xenbus_state st);
    void (*release)(struct xenbus_device *dev);
    /* private */
    struct xenbus_half *half;
    struct list link;
};

struct xenbus_device {
    char nodename[64];        /* "device/vbd/51712", "backend/vbd/5/51712" (relative to our home) */
    char otherend[128];       /* the other end's folder, absolute */
    domid_t otherend_id;      /* the other end's domain */
    const char *type;         /* the driver's type string */
    char id[XENBUS_ID_MAX];   /* "51712" */
    struct xenbus_driver *drv;
    void *priv;               /* the driver's state */
    enum xenbus_state otherend_state; /* last other-end state delivered */
    enum xenbus_state state;  /* ours, as last switched */
    enum xenbus_phase phase;  /* the core's life-cycle phase */
    bool online;              /* back half: the toolstack's `online` */
    /* private: the core's and the halves' */
    char key[XENBUS_KEY_MAX]; /* "51712" or "5/51712": its name in the half's listing */
    unsigned refs;            /* the tree's one, plus the driver's and the shell's */
    struct xs_watch otherend_watch;
    char otherend_watch_path[136];
    struct xs_watch own_watch; /* back half: our own state and online */
    char own_watch_path[72];
    bool otherend_pending;    /* the other end's watch fired, not yet handled */
    bool own_pending;         /* our own node changed (back half) */
    bool deferred_pending;    /* xenbus_dev_defer was called */
    bool close_requested;     /* xenbus_dev_fatal: close at the next step */
    bool probed;              /* probe succeeded */
    bool in_tree;
    bool wanted_back;         /* connected when the save began */
    uint64_t retry_at;        /* attach failed: try again then (0: no retry due) */
    uint64_t retry_ns;        /* the delay after the next failure */
    uint64_t close_deadline;  /* closing: the other end's Closed awaited until then */
    unsigned attach_failures;
    struct list link;
};

/* Front-end drivers (device/<type>/) and back-end drivers (backend/<type>/). */
void xenbus_driver_register(struct xenbus_driver *drv);
void xenbus_back_driver_register(struct xenbus_driver *drv);
/* After xs_init and driver registration: enumerates what exists and
 * starts watching for hot-plug. */
int xenbus_bus_init(void);

/* The device's lifetime: whoever keeps a pointer past the callback it
 * came with holds a reference. The last put frees it. */
void xenbus_dev_get(struct xenbus_device *dev);
void xenbus_dev_put(struct xenbus_device *dev);

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
/* The other end's node <otherend>/<node>: strict decimal <= max. A
 * missing node gives -ENOENT (callers use it for "feature not offered"). */
int xenbus_dev_read_otherend_uint(struct xenbus_device *dev, const char *node, uint64_t max,
                                  uint64_t *out);
int xenbus_dev_read_otherend(struct xenbus_device *dev, const char *node, char *buf,
                             size_t cap);
/* Shared front-end helpers (xenbus_client.c). The queues to use: the
 * back-end's multi-queue-max-queues, at most ours and cmdline_key=N
 * (offered: what the back-end said, 1 without). */
unsigned xenbus_dev_queues(struct xenbus_device *dev, unsigned ours, const char *cmdline_key,
                           unsigned *offered);
/* Closes (or after a restore only forgets) the event channels whose
 * have[i] is set, and clears them. */
void xenbus_dev_ports_close(evtchn_port_t *ports, bool *have, unsigned n, bool xen_forgot);
/* A fatal error on this device: logs it (device, error, reason), writes
 * it to <nodename>/error for the toolstack; the core closes the device
 * at its next step. */
void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Any context: the bus thread calls the driver's deferred callback soon. */
void xenbus_dev_defer(struct xenbus_device *dev);

/* Calls fn for every device in the tree, each held by a reference while
 * fn runs (fn may sleep; a device removed meanwhile is freed after). */
void xenbus_for_each_device(void (*fn)(struct xenbus_device *dev, void *arg), void *arg);
#endif
