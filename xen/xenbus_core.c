/* The XenBus core: the device tree, each device's life-cycle (the pure
 * tables of xenbus_fsm.c, driven by the other end's state changes), its
 * reference count, and save/restore over the whole tree. The halves
 * (xenbus_front.c, xenbus_back.c) only enumerate. Watch callbacks set
 * flags and wake the bus thread; the bus thread does everything that may
 * block, holding bus_lock, which a save holds from suspend to resume. */
#include <stdarg.h>
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/spinlock.h"
#include "kern/wait.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"
#include "xen/gnttab_park.h"
#include "xen/suspend.h"
#include "xen/shutdown.h"

#define RETRY_FIRST_NS (1 * NS_PER_SEC)
#define RETRY_MAX_NS (30 * NS_PER_SEC)
#define CLOSE_TIMEOUT_NS (5 * NS_PER_SEC)   /* for the other end's Closed */
#define SUSPEND_LOCK_NS (10 * NS_PER_SEC)   /* for the bus thread to finish a step */
#define RESUME_TIMEOUT_NS (30 * NS_PER_SEC) /* for the devices to be back */
#define PARK_RETRY_NS (1 * NS_PER_SEC)
#define SNAPSHOT_MAX 64

static struct list halves = LIST_INIT(halves);
static struct list devices = LIST_INIT(devices);   /* the tree (tree_lock) */
static struct spinlock tree_lock = SPINLOCK_INIT("xenbus_tree");
static struct waitq bus_wq = WAITQ_INIT(bus_wq);
static struct mutex bus_lock = MUTEX_INIT(bus_lock); /* one step at a time; a save holds it */
static bool started;

void xenbus_core_driver_add(struct xenbus_half *h, struct xenbus_driver *drv)
{
    if (list_empty(&h->drivers))
        list_add_tail(&halves, &h->link); /* a half without drivers is never started */
    drv->half = h;
    list_add_tail(&h->drivers, &drv->link);
}

void xenbus_core_kick(void)
{
    waitq_wake_all(&bus_wq);
}

void xenbus_dev_get(struct xenbus_device *dev)
{
    unsigned long f = spin_lock_irqsave(&tree_lock);
    dev->refs++;
    spin_unlock_irqrestore(&tree_lock, f);
}

void xenbus_dev_put(struct xenbus_device *dev)
{
    unsigned long f = spin_lock_irqsave(&tree_lock);
    BUG_ON(dev->refs == 0);
    bool last = --dev->refs == 0;
    spin_unlock_irqrestore(&tree_lock, f);
    if (last) {
        BUG_ON(dev->in_tree);
        if (dev->probed && dev->drv->release)
            dev->drv->release(dev);
        kfree(dev);
    }
}

static void otherend_fired(struct xs_watch *w, const char *path)
{
    (void)path;
    struct xenbus_device *dev = w->arg;
    dev->otherend_pending = true;
    xenbus_core_kick();
}

static int watch_otherend(struct xenbus_device *dev)
{
    k_snprintf(dev->otherend_watch_path, sizeof(dev->otherend_watch_path), "%s/state",
               dev->otherend);
    dev->otherend_watch.path = dev->otherend_watch_path;
    dev->otherend_watch.cb = otherend_fired;
    dev->otherend_watch.arg = dev;
    int rc = xs_watch_add(&dev->otherend_watch);
    if (rc)
        printk("xenbus: %s: cannot watch the %s's state: %s; changes will be missed",
               dev->nodename, dev->drv->half->otherend_name, errno_name(rc));
    return rc;
}

static void unwatch_otherend(struct xenbus_device *dev)
{
    if (list_linked(&dev->otherend_watch.link))
        xs_watch_remove(&dev->otherend_watch);
}

bool xenbus_core_own_changed(const char *nodename)
{
    bool found = false;
    unsigned long f = spin_lock_irqsave(&tree_lock);
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->probed && strcmp(d->nodename, nodename) == 0) {
            d->own_pending = true;
            found = true;
        }
    }
    spin_unlock_irqrestore(&tree_lock, f);
    if (found)
        xenbus_core_kick();
    return found;
}

/* A cleared key matches no listing and is the sweep's mark: the end of
 * the round removes the device. */
void xenbus_core_remove_later(struct xenbus_device *dev)
{
    dev->close_requested = false;
    dev->retry_at = 0;
    dev->key[0] = 0;
    xenbus_core_kick();
}

int xenbus_core_read_otherend(struct xenbus_device *dev, const char *path_key,
                              const char *id_key)
{
    char path[96];
    k_snprintf(path, sizeof(path), "%s/%s", dev->nodename, path_key);
    int rc = xs_read(XS_TX_NONE, path, dev->otherend, sizeof(dev->otherend));
    if (rc >= 0 && dev->otherend[0] != '/') {
        printk("xenbus: %s: %s path '%.64s' is not absolute", dev->nodename,
               dev->drv->half->otherend_name, dev->otherend);
        rc = -EINVAL;
    } else if (rc < 0 && rc != -ENOENT) {
        printk("xenbus: %s: cannot read %s: %s", dev->nodename, path, errno_name(rc));
    }
    uint64_t id;
    if (rc >= 0) {
        k_snprintf(path, sizeof(path), "%s/%s", dev->nodename, id_key);
        rc = xs_read_uint(XS_TX_NONE, path, DOMID_FIRST_RESERVED - 1, &id);
    }
    if (rc < 0) {
        dev->otherend[0] = 0;
        return rc;
    }
    dev->otherend_id = (domid_t)id;
    return 0;
}

/* --- the life-cycle ------------------------------------------------------ */

static bool node_writable(struct xenbus_device *d)
{
    return d->key[0] != 0; /* a device being removed: its node may be gone */
}

static void switch_state(struct xenbus_device *d, enum xenbus_state st)
{
    if (node_writable(d))
        xenbus_dev_switch_state(d, st);
    else
        d->state = st;
}

static void attach_failed(struct xenbus_device *d, int rc)
{
    uint64_t now = time_now_ns();
    d->attach_failures++;
    d->retry_ns = d->retry_ns ? MIN(d->retry_ns * 2, (uint64_t)RETRY_MAX_NS) : RETRY_FIRST_NS;
    d->retry_at = now + d->retry_ns;
    printk("xenbus: %s: attach failed (%s), attempt %u; trying again in %llu ms", d->nodename,
           errno_name(rc), d->attach_failures, (unsigned long long)(d->retry_ns / NS_PER_MS));
}

/* Performs one action: true if the device moved on (ask again). */
static bool act(struct xenbus_device *d, enum xenbus_action a)
{
    struct xenbus_driver *drv = d->drv;
    struct xenbus_half *h = drv->half;
    int rc;
    switch (a) {
    case XB_ACT_NONE:
        return false;
    case XB_ACT_RECONNECT:
        printk("xenbus: %s: the %s started again (%s); reconnecting", d->nodename,
               h->otherend_name, xenbus_state_name(d->otherend_state));
        if (drv->detach)
            drv->detach(d);
        d->phase = XB_PHASE_IDLE;
        return true;
    case XB_ACT_ATTACH:
        if (d->retry_at && time_now_ns() < d->retry_at)
            return false; /* a retry is due later */
        rc = drv->attach ? drv->attach(d) : 0;
        if (rc) {
            if (!d->close_requested)
                attach_failed(d, rc);
            return d->close_requested;
        }
        if (d->attach_failures)
            printk("xenbus: %s: attached after %u failed attempts", d->nodename,
                   d->attach_failures);
        d->retry_at = d->retry_ns = 0;
        d->attach_failures = 0;
        if (h->after_attach != XenbusStateUnknown)
            switch_state(d, h->after_attach);
        d->phase = XB_PHASE_OFFERED;
        return true;
    case XB_ACT_CONNECT:
        rc = drv->connect ? drv->connect(d) : 0;
        if (rc) {
            printk("xenbus: %s: connecting failed (%s); closing", d->nodename, errno_name(rc));
            d->close_requested = true;
            d->phase = XB_PHASE_CONNECTED; /* so that the close undoes it all */
            return true;
        }
        d->phase = XB_PHASE_CONNECTED;
        return true;
    case XB_ACT_CLOSE:
        d->close_requested = false;
        d->retry_at = 0;
        if (drv->close)
            drv->close(d);
        switch_state(d, XenbusStateClosing);
        if (h->closed_at_close)
            switch_state(d, XenbusStateClosed);
        d->phase = XB_PHASE_CLOSING;
        d->close_deadline = time_now_ns() + CLOSE_TIMEOUT_NS;
        return true;
    case XB_ACT_CLOSED:
        if (drv->closed)
            drv->closed(d);
        if (!h->closed_at_close)
            switch_state(d, XenbusStateClosed);
        d->phase = XB_PHASE_CLOSED;
        d->close_deadline = 0;
        if (h->after_closed)
            h->after_closed(d);
        return true;
    }
    return false;
}

/* Runs the device's state machine for the other end's current state
 * until it settles. */
static void step(struct xenbus_device *d)
{
    if (d->phase == XB_PHASE_CLOSING || d->phase == XB_PHASE_CLOSED)
        d->close_requested = false; /* closing already */
    for (unsigned guard = 0; guard < 8 && d->key[0]; guard++) {
        enum xenbus_action a;
        if (d->close_requested)
            a = XB_ACT_CLOSE;
        else if (d->phase == XB_PHASE_CLOSING && d->close_deadline &&
                 time_now_ns() >= d->close_deadline) {
            printk("xenbus: %s: the %s did not close within %u s (state %s); ending its "
                   "grants anyway (any still mapped are parked)", d->nodename,
                   d->drv->half->otherend_name, (unsigned)(CLOSE_TIMEOUT_NS / NS_PER_SEC),
                   xenbus_state_name(d->otherend_state));
            a = XB_ACT_CLOSED;
        } else
            a = d->drv->half->next(d->phase, d->otherend_state);
        if (!act(d, a))
            break;
    }
}

static void deliver_otherend(struct xenbus_device *d)
{
    d->otherend_pending = false;
    enum xenbus_state st;
    int rc = xenbus_read_state(d->otherend, &st);
    if (rc == -ENOENT)
        st = XenbusStateUnknown; /* its folder is gone, or not written yet */
    else if (rc)
        return;
    if (st == d->otherend_state)
        return;
    d->otherend_state = st;
    step(d);
    if (d->drv->otherend_changed && d->key[0])
        d->drv->otherend_changed(d, st);
}

/* --- the tree ---------------------------------------------------------- */

static void tree_add(struct xenbus_device *d)
{
    unsigned long f = spin_lock_irqsave(&tree_lock);
    list_add_tail(&devices, &d->link);
    d->in_tree = true;
    spin_unlock_irqrestore(&tree_lock, f);
}

static void tree_del(struct xenbus_device *d)
{
    unsigned long f = spin_lock_irqsave(&tree_lock);
    list_del(&d->link);
    d->in_tree = false;
    spin_unlock_irqrestore(&tree_lock, f);
}

/* Bus thread. The node is gone: close without writing to it, then the
 * driver lets go, then the tree's reference. */
static void device_remove(struct xenbus_device *d)
{
    unwatch_otherend(d);
    d->key[0] = 0;
    if (d->probed) {
        if (d->phase == XB_PHASE_OFFERED || d->phase == XB_PHASE_CONNECTED)
            act(d, XB_ACT_CLOSE);
        if (d->phase == XB_PHASE_CLOSING)
            act(d, XB_ACT_CLOSED);
        if (d->drv->remove)
            d->drv->remove(d);
    }
    printk("xenbus: %s: removed", d->nodename);
    tree_del(d);
    xenbus_dev_put(d);
}

static void device_add(struct xenbus_half *h, struct xenbus_driver *drv, const char *key)
{
    struct xenbus_device *d = kzalloc(sizeof(*d));
    if (!d) {
        printk("xenbus: no memory for %s/%s/%s", h->folder, drv->type, key);
        return;
    }
    d->refs = 1; /* the tree's */
    d->drv = drv;
    d->type = drv->type;
    strlcpy_k(d->key, key, sizeof(d->key));
    const char *slash = strchr(key, '/');
    strlcpy_k(d->id, slash ? slash + 1 : key, sizeof(d->id));
    k_snprintf(d->nodename, sizeof(d->nodename), "%s/%s/%s", h->folder, drv->type, key);
    list_init(&d->otherend_watch.link);
    tree_add(d);
    if (h->read_otherend(d)) {
        d->otherend[0] = 0;
        return; /* half-written by the toolstack: the next scan tries again */
    }
    enum xenbus_state st = XenbusStateUnknown;
    xenbus_read_state(d->otherend, &st);
    printk("xenbus: %s: %s %s (domain %u, %s)", d->nodename, h->otherend_name, d->otherend,
           d->otherend_id, xenbus_state_name(st));
    int rc = drv->probe(d);
    if (rc) {
        printk("xenbus: %s: %s driver did not take it: %s", d->nodename, drv->type,
               errno_name(rc));
        return;
    }
    d->probed = true;
    d->otherend_state = XenbusStateUnknown;
    d->otherend_pending = true; /* this round delivers the state seen now */
    d->own_pending = h->own_changed != 0;
    watch_otherend(d);
}

static struct xenbus_device *find_device(struct xenbus_driver *drv, const char *key)
{
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->drv == drv && strcmp(d->key, key) == 0)
            return d;
    }
    return 0;
}

void xenbus_core_sync(struct xenbus_half *h, struct xenbus_driver *drv, const char *names,
                      size_t len)
{
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->drv == drv && d->key[0] && !xenbus_names_has(names, len, d->key))
            device_remove(d);
    }
    for (size_t off = 0; names && off < len; off = xenbus_names_next(names, len, off)) {
        const char *key = names + off;
        if (!xenbus_key_valid(key))
            continue;
        struct xenbus_device *d = find_device(drv, key);
        if (!d) {
            device_add(h, drv, key);
        } else if (!d->probed && !d->otherend[0]) {
            /* Seen before the toolstack finished writing it. */
            tree_del(d);
            xenbus_dev_put(d);
            device_add(h, drv, key);
        }
    }
}

/* --- the bus thread -------------------------------------------------------- */

static bool work_pending(void)
{
    struct list *p;
    list_for_each(p, &halves)
        if (list_entry(p, struct xenbus_half, link)->scan_pending)
            return true;
    list_for_each(p, &devices) {
        struct xenbus_device *d = list_entry(p, struct xenbus_device, link);
        if (d->otherend_pending || d->own_pending || d->deferred_pending || d->close_requested ||
            !d->key[0])
            return true;
    }
    return false;
}

/* When a retry, a close deadline or a parked grant needs the thread. */
static uint64_t next_deadline(uint64_t now)
{
    uint64_t t = now + 60 * NS_PER_SEC;
    struct gnttab_park_stats ps;
    gnttab_park_get_stats(&ps);
    if (ps.parked)
        t = MIN(t, now + PARK_RETRY_NS);
    unsigned long f = spin_lock_irqsave(&tree_lock);
    struct list *p;
    list_for_each(p, &devices) {
        struct xenbus_device *d = list_entry(p, struct xenbus_device, link);
        if (d->retry_at)
            t = MIN(t, d->retry_at);
        if (d->phase == XB_PHASE_CLOSING && d->close_deadline)
            t = MIN(t, d->close_deadline);
    }
    spin_unlock_irqrestore(&tree_lock, f);
    return t;
}

/* One round over everything pending; bus_lock held. */
static void process_all(void)
{
    struct list *pos, *tmp;
    list_for_each(pos, &halves) {
        struct xenbus_half *h = list_entry(pos, struct xenbus_half, link);
        if (h->scan_pending) {
            h->scan_pending = false;
            h->scan(h);
        }
    }
    uint64_t now = time_now_ns();
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (!d->key[0])
            continue;
        if (!d->probed) { /* not ours: nothing to step */
            d->own_pending = d->otherend_pending = d->deferred_pending = false;
            d->close_requested = false;
            continue;
        }
        if (d->own_pending) {
            d->own_pending = false;
            if (d->drv->half->own_changed)
                d->drv->half->own_changed(d);
        }
        if (d->otherend_pending)
            deliver_otherend(d);
        if (d->deferred_pending && d->key[0]) {
            d->deferred_pending = false;
            if (d->drv->deferred)
                d->drv->deferred(d);
        }
        if (d->close_requested || (d->retry_at && now >= d->retry_at) ||
            (d->phase == XB_PHASE_CLOSING && now >= d->close_deadline))
            step(d);
    }
    /* Devices marked for removal (their key cleared). */
    list_for_each_safe(pos, tmp, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (!d->key[0])
            device_remove(d);
    }
    gnttab_park_retry();
}

void xenbus_core_run_once(void)
{
    if (mutex_lock_within(&bus_lock, SUSPEND_LOCK_NS))
        return;
    process_all();
    mutex_unlock(&bus_lock);
}

static void bus_thread(void *arg)
{
    (void)arg;
    for (;;) {
        wait_event_until(&bus_wq, work_pending(), next_deadline(time_now_ns()));
        if (mutex_lock_until(&bus_lock, time_now_ns() + 3600 * NS_PER_SEC))
            continue;
        process_all();
        mutex_unlock(&bus_lock);
    }
}

/* --- save and restore: the whole tree, synchronously --------------------- */

static void resume_tree(bool cancelled)
{
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (!d->probed || !d->key[0])
            continue;
        if (cancelled) {
            if (d->drv->resume)
                d->drv->resume(d, true);
            continue;
        }
        /* The other end's path names our old domain id: read it again. */
        unwatch_otherend(d);
        if (d->drv->half->read_otherend(d)) {
            printk("xenbus: %s: gone after the restore", d->nodename);
            xenbus_core_remove_later(d);
            continue;
        }
        if (d->phase == XB_PHASE_CLOSING) /* Xen forgot the grants with the old domain */
            act(d, XB_ACT_CLOSED);
        if (d->drv->resume)
            d->drv->resume(d, false);
        if (d->phase == XB_PHASE_OFFERED || d->phase == XB_PHASE_CONNECTED)
            d->phase = XB_PHASE_IDLE;
        d->retry_at = d->retry_ns = 0;
        d->otherend_state = XenbusStateUnknown;
        d->otherend_pending = true;
        d->own_pending = d->drv->half->own_changed != 0;
        watch_otherend(d);
    }
}

/* Steps the tree until every device connected before the save is
 * connected again (or closed), or the deadline. bus_lock held. */
static void settle(uint64_t deadline)
{
    for (;;) {
        process_all();
        unsigned waiting = 0;
        struct list *pos;
        list_for_each(pos, &devices) {
            struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
            waiting += d->wanted_back && d->phase != XB_PHASE_CONNECTED &&
                       d->phase != XB_PHASE_CLOSED && d->key[0];
        }
        uint64_t now = time_now_ns();
        if (!waiting)
            break;
        if (now >= deadline) {
            list_for_each(pos, &devices) {
                struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
                if (d->wanted_back && d->phase != XB_PHASE_CONNECTED &&
                    d->phase != XB_PHASE_CLOSED)
                    printk("xenbus: %s: not back %u s after the restore (%s, the %s %s); "
                           "carrying on", d->nodename,
                           (unsigned)(RESUME_TIMEOUT_NS / NS_PER_SEC), xenbus_phase_name(d->phase),
                           d->drv->half->otherend_name, xenbus_state_name(d->otherend_state));
            }
            break;
        }
        wait_event_until(&bus_wq, work_pending(), MIN(deadline, next_deadline(now)));
    }
    struct list *pos;
    list_for_each(pos, &devices)
        list_entry(pos, struct xenbus_device, link)->wanted_back = false;
}

static void bus_resume(bool cancelled)
{
    resume_tree(cancelled);
    if (cancelled)
        process_all();
    else
        settle(time_now_ns() + RESUME_TIMEOUT_NS);
    mutex_unlock(&bus_lock);
}

/* Holds the bus (no probe, attach, hot-plug or reconnect in the middle
 * of a save) until bus_resume. */
static int bus_suspend(void)
{
    if (mutex_lock_within(&bus_lock, SUSPEND_LOCK_NS)) {
        printk("xenbus: the bus thread did not finish its step within %u s; refusing the save",
               (unsigned)(SUSPEND_LOCK_NS / NS_PER_SEC));
        return -EBUSY;
    }
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        d->wanted_back = d->probed && d->phase == XB_PHASE_CONNECTED;
        if (d->probed && d->key[0] && d->drv->suspend) {
            int rc = d->drv->suspend(d);
            if (rc) {
                printk("xenbus: %s refused to suspend: %s", d->nodename, errno_name(rc));
                /* Those already suspended get a cancelled resume. */
                for (struct list *p = devices.next; p != pos; p = p->next) {
                    struct xenbus_device *e = list_entry(p, struct xenbus_device, link);
                    if (e->probed && e->key[0] && e->drv->resume)
                        e->drv->resume(e, true);
                }
                mutex_unlock(&bus_lock);
                return rc;
            }
        }
    }
    return 0;
}

static struct suspend_hook bus_suspend_hook = { "xenbus", bus_suspend, bus_resume, { 0, 0 } };

static void bus_shutdown(unsigned reason)
{
    (void)reason;
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->probed && d->drv->shutdown)
            d->drv->shutdown(d);
    }
}

static struct shutdown_hook bus_shutdown_hook = { "xenbus", bus_shutdown, { 0, 0 } };

int xenbus_bus_init(void)
{
    if (started)
        return 0;
    started = true;
    suspend_hook_add(&bus_suspend_hook);
    shutdown_hook_add(&bus_shutdown_hook);
    if (!thread_create("xenbus", bus_thread, 0))
        return -ENOMEM;
    int rc = 0;
    struct list *pos;
    list_for_each(pos, &halves) {
        struct xenbus_half *h = list_entry(pos, struct xenbus_half, link);
        int r = list_empty(&h->drivers) ? 0 : h->start(h);
        if (r && !rc)
            rc = r;
    }
    return rc;
}

/* --- for the drivers and the shell --------------------------------------- */

void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
{
    char why[128];
    va_list ap;
    va_start(ap, fmt);
    k_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    printk("xenbus: %s: fatal: %s (%s); closing the device", dev->nodename, why,
           errno_name(err));
    if (node_writable(dev))
        xenbus_dev_printf(dev, XS_TX_NONE, "error", "%d %s", -err, why);
    dev->close_requested = true;
    xenbus_core_kick();
}

void xenbus_dev_defer(struct xenbus_device *dev)
{
    dev->deferred_pending = true;
    xenbus_core_kick();
}

void xenbus_for_each_device(void (*fn)(struct xenbus_device *dev, void *arg), void *arg)
{
    struct xenbus_device *snap[SNAPSHOT_MAX];
    unsigned n = 0;
    unsigned long f = spin_lock_irqsave(&tree_lock);
    struct list *pos;
    list_for_each(pos, &devices) {
        if (n == SNAPSHOT_MAX)
            break;
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        d->refs++;
        snap[n++] = d;
    }
    spin_unlock_irqrestore(&tree_lock, f);
    for (unsigned i = 0; i < n; i++) {
        fn(snap[i], arg);
        xenbus_dev_put(snap[i]);
    }
}
