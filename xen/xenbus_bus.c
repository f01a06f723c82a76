/* The front-end half of XenBus: device discovery, hot-plug, back-end state
 * changes, save/restore. Watch callbacks only set flags and wake the bus
 * thread; the bus thread does everything that may block. */
#include <stdarg.h>
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "kern/wait.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/suspend.h"
#include "xen/shutdown.h"

static struct list drivers = LIST_INIT(drivers);
static struct list devices = LIST_INIT(devices);
static struct waitq bus_wq = WAITQ_INIT(bus_wq);
static bool scan_pending;
static bool resume_pending, resume_cancelled;
static bool started;

void xenbus_driver_register(struct xenbus_driver *drv)
{
    list_add_tail(&drivers, &drv->link);
}

static void bus_kick(void)
{
    waitq_wake_all(&bus_wq);
}

static void otherend_fired(struct xs_watch *w, const char *path)
{
    struct xenbus_device *dev = w->arg;
    dev->otherend_pending = true;
    bus_kick();
}

static void device_dir_fired(struct xs_watch *w, const char *path)
{
    scan_pending = true;
    bus_kick();
}

static struct xs_watch device_watch = { .path = "device", .cb = device_dir_fired };

/* Reads <nodename>/backend and backend-id strictly. */
static int read_otherend(struct xenbus_device *dev)
{
    char path[96];
    k_snprintf(path, sizeof(path), "%s/backend", dev->nodename);
    int rc = xs_read(XS_TX_NONE, path, dev->otherend, sizeof(dev->otherend));
    if (rc < 0) {
        if (rc != -ENOENT)
            printk("xenbus: %s: cannot read %s: %s", dev->nodename, path, errno_name(rc));
        dev->otherend[0] = 0;
        return rc;
    }
    if (dev->otherend[0] != '/') {
        printk("xenbus: %s: back-end path '%.64s' is not absolute", dev->nodename,
               dev->otherend);
        dev->otherend[0] = 0;
        return -EINVAL;
    }
    uint64_t id;
    k_snprintf(path, sizeof(path), "%s/backend-id", dev->nodename);
    rc = xs_read_uint(XS_TX_NONE, path, DOMID_FIRST_RESERVED - 1, &id);
    if (rc) {
        dev->otherend[0] = 0;
        return rc;
    }
    dev->otherend_id = (domid_t)id;
    return 0;
}

static int watch_otherend(struct xenbus_device *dev)
{
    k_snprintf(dev->otherend_watch_path, sizeof(dev->otherend_watch_path), "%s/state",
               dev->otherend);
    dev->otherend_watch.path = dev->otherend_watch_path;
    dev->otherend_watch.cb = otherend_fired;
    dev->otherend_watch.arg = dev;
    return xs_watch_add(&dev->otherend_watch);
}

static struct xenbus_device *find_device(const char *type, const char *id)
{
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (strcmp(d->type, type) == 0 && strcmp(d->id, id) == 0)
            return d;
    }
    return 0;
}

static void device_add(struct xenbus_driver *drv, const char *id)
{
    struct xenbus_device *dev = kzalloc(sizeof(*dev));
    if (!dev) {
        printk("xenbus: no memory for device/%s/%s", drv->type, id);
        return;
    }
    dev->drv = drv;
    dev->type = drv->type;
    strlcpy_k(dev->id, id, sizeof(dev->id));
    k_snprintf(dev->nodename, sizeof(dev->nodename), "device/%s/%s", drv->type, id);
    list_init(&dev->otherend_watch.link);
    list_add_tail(&devices, &dev->link);
    if (read_otherend(dev))
        return; /* half-written by the toolstack: the next scan tries again */
    enum xenbus_state st = XenbusStateUnknown;
    xenbus_read_state(dev->otherend, &st);
    printk("xenbus: %s: back-end %s (domain %u, %s)", dev->nodename, dev->otherend,
           dev->otherend_id, xenbus_state_name(st));
    int rc = drv->probe(dev);
    if (rc) {
        printk("xenbus: %s: %s driver did not attach: %s", dev->nodename, drv->type,
               errno_name(rc));
        return;
    }
    dev->probed = true;
    if (watch_otherend(dev))
        printk("xenbus: %s: cannot watch the back-end's state; changes will be missed",
               dev->nodename);
}

static void device_remove(struct xenbus_device *dev)
{
    if (list_linked(&dev->otherend_watch.link))
        xs_watch_remove(&dev->otherend_watch);
    if (dev->probed && dev->drv->remove)
        dev->drv->remove(dev);
    printk("xenbus: %s: removed", dev->nodename);
    list_del(&dev->link);
    kfree(dev);
}

static bool listed(const char *names, size_t len, const char *id)
{
    for (size_t off = 0; off < len; off += strlen(names + off) + 1)
        if (strcmp(names + off, id) == 0)
            return true;
    return false;
}

/* Compares device/<type>/ with what we know: adds the new, removes the gone. */
static void scan_type(struct xenbus_driver *drv)
{
    char path[32];
    k_snprintf(path, sizeof(path), "device/%s", drv->type);
    size_t len = 0;
    int err = 0;
    char *names = xs_directory(XS_TX_NONE, path, &len, &err);
    if (!names && err != -ENOENT) {
        printk("xenbus: cannot list %s: %s", path, errno_name(err));
        return;
    }
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->drv == drv && !(names && listed(names, len, d->id)))
            device_remove(d);
    }
    for (size_t off = 0; names && off < len; off += strlen(names + off) + 1) {
        const char *id = names + off;
        if (!id[0] || strlen(id) >= sizeof(((struct xenbus_device *)0)->id)) {
            printk("xenbus: %s: bad device name '%.24s' ignored", path, id);
            continue;
        }
        struct xenbus_device *d = find_device(drv->type, id);
        if (!d) {
            device_add(drv, id);
        } else if (!d->probed && !d->otherend[0]) {
            /* Seen before the toolstack finished writing it. */
            list_del(&d->link);
            kfree(d);
            device_add(drv, id);
        }
    }
    kfree(names);
}

static void deliver_otherend(struct xenbus_device *dev)
{
    dev->otherend_pending = false;
    enum xenbus_state st;
    int rc = xenbus_read_state(dev->otherend, &st);
    if (rc == -ENOENT)
        st = XenbusStateClosed; /* the back-end's folder is gone: as good as closed */
    else if (rc)
        return;
    if (st == dev->otherend_state)
        return;
    dev->otherend_state = st;
    if (dev->drv->otherend_changed)
        dev->drv->otherend_changed(dev, st);
}

static void resume_devices(bool cancelled)
{
    struct list *pos, *tmp;
    list_for_each_safe(pos, tmp, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (!d->probed)
            continue;
        if (!cancelled) {
            /* The back-end's path names our domain id, which has changed. */
            if (list_linked(&d->otherend_watch.link))
                xs_watch_remove(&d->otherend_watch);
            if (read_otherend(d)) {
                printk("xenbus: %s: gone after the restore", d->nodename);
                device_remove(d);
                continue;
            }
            d->otherend_state = XenbusStateUnknown;
            watch_otherend(d);
        }
        if (d->drv->resume)
            d->drv->resume(d, cancelled);
    }
}

static void bus_thread(void *arg)
{
    for (;;) {
        int rc = wait_event_until(&bus_wq, scan_pending || resume_pending || ({
            bool any = false;
            struct list *p;
            list_for_each(p, &devices)
                any |= list_entry(p, struct xenbus_device, link)->otherend_pending ||
                       list_entry(p, struct xenbus_device, link)->deferred_pending;
            any;
        }), time_now_ns() + 60 * NS_PER_SEC);
        if (rc)
            continue; /* nothing to do for a minute: wait again */
        if (resume_pending) {
            bool c = resume_cancelled;
            resume_pending = false;
            resume_devices(c);
        }
        if (scan_pending) {
            scan_pending = false;
            struct list *pos;
            list_for_each(pos, &drivers)
                scan_type(list_entry(pos, struct xenbus_driver, link));
        }
        struct list *pos, *tmp;
        list_for_each_safe(pos, tmp, &devices) {
            struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
            if (d->otherend_pending && d->probed)
                deliver_otherend(d);
            if (d->deferred_pending && d->probed) {
                d->deferred_pending = false;
                if (d->drv->deferred)
                    d->drv->deferred(d);
            }
        }
    }
}

static int bus_suspend(void)
{
    struct list *pos;
    list_for_each(pos, &devices) {
        struct xenbus_device *d = list_entry(pos, struct xenbus_device, link);
        if (d->probed && d->drv->suspend) {
            int rc = d->drv->suspend(d);
            if (rc) {
                printk("xenbus: %s refused to suspend: %s", d->nodename, errno_name(rc));
                /* Those already suspended get a cancelled resume. */
                resume_cancelled = true;
                resume_pending = true;
                bus_kick();
                return rc;
            }
        }
    }
    return 0;
}

static void bus_resume(bool cancelled)
{
    resume_cancelled = cancelled;
    resume_pending = true;
    bus_kick();
}

static struct suspend_hook bus_suspend_hook = { "xenbus", bus_suspend, bus_resume, { 0, 0 } };

static void bus_shutdown(unsigned reason)
{
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
    /* The watch fires once at once: that first scan probes what exists. */
    return xs_watch_add(&device_watch);
}

int xenbus_dev_write(struct xenbus_device *dev, xs_tx_t tx, const char *node, const char *val)
{
    char path[128];
    k_snprintf(path, sizeof(path), "%s/%s", dev->nodename, node);
    int rc = xs_write(tx, path, val);
    if (rc && rc != -EAGAIN)
        printk("xenbus: %s: cannot write %s: %s", dev->nodename, node, errno_name(rc));
    return rc;
}

int xenbus_dev_printf(struct xenbus_device *dev, xs_tx_t tx, const char *node,
                      const char *fmt, ...)
{
    char val[128];
    va_list ap;
    va_start(ap, fmt);
    k_vsnprintf(val, sizeof(val), fmt, ap);
    va_end(ap);
    return xenbus_dev_write(dev, tx, node, val);
}

int xenbus_dev_write_uint(struct xenbus_device *dev, xs_tx_t tx, int rc, const char *dir,
                          const char *name, unsigned v)
{
    if (rc)
        return rc;
    char node[48];
    k_snprintf(node, sizeof(node), "%s%s", dir, name);
    return xenbus_dev_printf(dev, tx, node, "%u", v);
}

int xenbus_dev_switch_state(struct xenbus_device *dev, enum xenbus_state st)
{
    return xenbus_switch_state(dev->nodename, st);
}

int xenbus_dev_read_otherend_uint(struct xenbus_device *dev, const char *node, uint64_t max,
                                  uint64_t *out)
{
    char path[192];
    k_snprintf(path, sizeof(path), "%s/%s", dev->otherend, node);
    return xs_read_uint(XS_TX_NONE, path, max, out);
}

int xenbus_dev_read_otherend(struct xenbus_device *dev, const char *node, char *buf,
                             size_t cap)
{
    char path[192];
    k_snprintf(path, sizeof(path), "%s/%s", dev->otherend, node);
    return xs_read(XS_TX_NONE, path, buf, cap);
}

int xenbus_dev_wait_otherend(struct xenbus_device *dev, uint32_t mask, uint64_t deadline,
                             enum xenbus_state *seen)
{
    return xenbus_wait_state(dev->otherend, mask, deadline, seen);
}

void xenbus_dev_fatal(struct xenbus_device *dev, int err, const char *fmt, ...)
{
    char why[128];
    va_list ap;
    va_start(ap, fmt);
    k_vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    printk("xenbus: %s: fatal: %s (%s); closing the device", dev->nodename, why,
           errno_name(err));
    xenbus_dev_printf(dev, XS_TX_NONE, "error", "%d %s", -err, why);
    xenbus_dev_switch_state(dev, XenbusStateClosing);
}

void xenbus_dev_defer(struct xenbus_device *dev)
{
    dev->deferred_pending = true;
    bus_kick();
}

void xenbus_for_each_device(void (*fn)(struct xenbus_device *dev, void *arg), void *arg)
{
    struct list *pos;
    list_for_each(pos, &devices)
        fn(list_entry(pos, struct xenbus_device, link), arg);
}
