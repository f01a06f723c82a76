/* The XenBus front half: device/<type>/<id>, whose other end is the
 * back-end named by its backend and backend-id keys. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"

static void scan(struct xenbus_half *h);
static int read_otherend(struct xenbus_device *dev);
static int start(struct xenbus_half *h);

static struct xenbus_half front = {
    .folder = "device",
    .otherend_name = "back-end",
    .drivers = LIST_INIT(front.drivers),
    .next = xenbus_front_next,
    .after_attach = XenbusStateUnknown, /* the driver says Initialised or Connected */
    .closed_at_close = true,
    .scan = scan,
    .read_otherend = read_otherend,
    .start = start,
};

void xenbus_driver_register(struct xenbus_driver *drv)
{
    xenbus_core_driver_add(&front, drv);
}

static void device_dir_fired(struct xs_watch *w, const char *path)
{
    (void)w, (void)path;
    front.scan_pending = true;
    xenbus_core_kick();
}

static struct xs_watch device_watch = { .path = "device", .cb = device_dir_fired };

static int start(struct xenbus_half *h)
{
    (void)h;
    /* The watch fires once at once: that first scan probes what exists. */
    return xs_watch_add(&device_watch);
}

static int read_otherend(struct xenbus_device *dev)
{
    return xenbus_core_read_otherend(dev, "backend", "backend-id");
}

/* Every driver's device/<type>/ against the tree. */
static void scan(struct xenbus_half *h)
{
    struct list *pos;
    list_for_each(pos, &h->drivers) {
        struct xenbus_driver *drv = list_entry(pos, struct xenbus_driver, link);
        char path[32];
        k_snprintf(path, sizeof(path), "device/%s", drv->type);
        size_t len = 0;
        int err = 0;
        char *names = xs_directory(XS_TX_NONE, path, &len, &err);
        if (!names && err != -ENOENT) {
            printk("xenbus: cannot list %s: %s", path, errno_name(err));
            continue;
        }
        /* The core skips names that are not keys; say which. */
        for (size_t off = 0; names && off < len; off = xenbus_names_next(names, len, off))
            if (!xenbus_id_valid(names + off))
                printk("xenbus: %s: bad device name '%.24s' ignored", path, names + off);
        xenbus_core_sync(h, drv, names, names ? len : 0);
        kfree(names);
    }
}
