/* The XenBus back half: backend/<type>/<frontend-domid>/<id>, written by
 * the toolstack for a driver domain (see xenbus_bus.h for the drivers'
 * interface). The other end is the front-end named by frontend and
 * frontend-id (which must be the domid in our path). The toolstack asks
 * for a detach with online = 0 (and our state Closing); once the device
 * is Closed and offline its folder is removed, which is what xl waits
 * for. A front-end that closes with online = 1 may initialise again. */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "xen/xenbus.h"
#include "xen/xenbus_half.h"

static void scan(struct xenbus_half *h);
static int read_otherend(struct xenbus_device *dev);
static void own_changed(struct xenbus_device *dev);
static void after_closed(struct xenbus_device *dev);
static int start(struct xenbus_half *h);

static struct xenbus_half back = {
    .folder = "backend",
    .otherend_name = "front-end",
    .drivers = LIST_INIT(back.drivers),
    .next = xenbus_back_next,
    .after_attach = XenbusStateInitWait,
    .closed_at_close = false, /* Closed once the front-end is */
    .scan = scan,
    .read_otherend = read_otherend,
    .own_changed = own_changed,
    .after_closed = after_closed,
    .start = start,
};

void xenbus_back_driver_register(struct xenbus_driver *drv)
{
    xenbus_core_driver_add(&back, drv);
}

/* Watch thread. A device folder (or above) changed: scan; one of a
 * device's own keys (online, state): that device looks again. */
static void backend_fired(struct xs_watch *w, const char *path)
{
    (void)w;
    const char *rel = path;
    if (rel[0] == '/') { /* an absolute path: from our home on */
        const char *b = strstr(rel, "/backend");
        rel = b ? b + 1 : rel;
    }
    char type[XENBUS_ID_MAX], id[XENBUS_ID_MAX];
    uint16_t fe;
    const char *rest = "";
    unsigned depth;
    int rc = xenbus_back_parse(rel, type, sizeof(type), &fe, id, sizeof(id), &rest, &depth);
    if (rc == 0 && (strcmp(rest, "/online") == 0 || strcmp(rest, "/state") == 0)) {
        char node[64];
        k_snprintf(node, sizeof(node), "backend/%s/%u/%s", type, fe, id);
        if (xenbus_core_own_changed(node))
            return;
    }
    if (rc == -ENOENT || (rc == 0 && (!rest[0] || strcmp(rest, "/online") == 0 ||
                                      strcmp(rest, "/state") == 0))) {
        back.scan_pending = true;
        xenbus_core_kick();
    }
}

static struct xs_watch backend_watch = { .path = "backend", .cb = backend_fired };

static int start(struct xenbus_half *h)
{
    (void)h;
    return xs_watch_add(&backend_watch); /* fires once: the first scan */
}

/* The key from our path (backend/<type>/<fe>/<id>). */
static int path_frontend_id(struct xenbus_device *dev, uint16_t *fe)
{
    return xenbus_back_parse(dev->nodename, 0, 0, fe, 0, 0, 0, 0);
}

static bool read_online(struct xenbus_device *dev)
{
    char path[96];
    uint64_t v = 0;
    k_snprintf(path, sizeof(path), "%s/online", dev->nodename);
    return xs_read_uint(XS_TX_NONE, path, 1, &v) == 0 && v == 1; /* absent: offline */
}

/* Reads <nodename>/frontend and frontend-id strictly: the id must be the
 * domain our path names (the toolstack writes both; a mismatch is not
 * served). */
static int read_otherend(struct xenbus_device *dev)
{
    int rc = xenbus_core_read_otherend(dev, "frontend", "frontend-id");
    uint16_t fe;
    if (rc == 0 && (path_frontend_id(dev, &fe) || fe != dev->otherend_id)) {
        printk("xenbus: %s: frontend-id %u is not the domain of its path", dev->nodename,
               dev->otherend_id);
        dev->otherend[0] = 0;
        rc = -EINVAL;
    }
    if (rc == 0)
        dev->online = read_online(dev);
    return rc;
}

/* Bus thread: online or our state changed under us (the toolstack's
 * detach writes online = 0 and state = Closing). */
static void own_changed(struct xenbus_device *dev)
{
    dev->online = read_online(dev);
    enum xenbus_state ours = XenbusStateUnknown;
    xenbus_read_state(dev->nodename, &ours);
    bool active = dev->phase == XB_PHASE_OFFERED || dev->phase == XB_PHASE_CONNECTED;
    if (active && (!dev->online || ours == XenbusStateClosing || ours == XenbusStateClosed)) {
        printk("xenbus: %s: the toolstack detaches it (online %d, state %s)", dev->nodename,
               dev->online, xenbus_state_name(ours));
        dev->close_requested = true;
    } else if (dev->phase == XB_PHASE_CLOSED) {
        after_closed(dev);
    }
}

/* Closed: an offline device's folder goes (xl waits for that). */
static void after_closed(struct xenbus_device *dev)
{
    dev->online = read_online(dev);
    if (dev->online)
        return; /* the front-end may initialise again */
    int rc = xs_rm(XS_TX_NONE, dev->nodename);
    if (rc && rc != -ENOENT)
        printk("xenbus: %s: cannot remove the closed device's folder: %s", dev->nodename,
               errno_name(rc));
    xenbus_core_remove_later(dev);
}

/* Appends "<fe>/<id>" keys of backend/<type>/<fe>/ to the buffer. */
static int list_frontend(const char *type, const char *fe, char **buf, size_t *used,
                         size_t *cap)
{
    char path[48];
    k_snprintf(path, sizeof(path), "backend/%s/%s", type, fe);
    size_t len = 0;
    int err = 0;
    char *ids = xs_directory(XS_TX_NONE, path, &len, &err);
    if (!ids)
        return err == -ENOENT ? 0 : err;
    for (size_t off = 0; off < len; off = xenbus_names_next(ids, len, off)) {
        char key[XENBUS_KEY_MAX];
        if (xenbus_back_key(fe, ids + off, key, sizeof(key))) {
            printk("xenbus: %s: bad device name '%.24s' ignored", path, ids + off);
            continue;
        }
        size_t n = strlen(key) + 1;
        if (*used + n > *cap) {
            size_t ncap = (*cap ? *cap * 2 : 256) + n;
            char *nb = kmalloc(ncap);
            if (!nb) {
                kfree(ids);
                return -ENOMEM;
            }
            if (*buf)
                memcpy(nb, *buf, *used);
            kfree(*buf);
            *buf = nb;
            *cap = ncap;
        }
        memcpy(*buf + *used, key, n);
        *used += n;
    }
    kfree(ids);
    return 0;
}

static void scan(struct xenbus_half *h)
{
    struct list *pos;
    list_for_each(pos, &h->drivers) {
        struct xenbus_driver *drv = list_entry(pos, struct xenbus_driver, link);
        char path[32];
        k_snprintf(path, sizeof(path), "backend/%s", drv->type);
        size_t len = 0;
        int err = 0;
        char *fes = xs_directory(XS_TX_NONE, path, &len, &err);
        if (!fes && err != -ENOENT) {
            printk("xenbus: cannot list %s: %s", path, errno_name(err));
            continue;
        }
        char *keys = 0;
        size_t used = 0, cap = 0;
        int rc = 0;
        for (size_t off = 0; fes && !rc && off < len; off = xenbus_names_next(fes, len, off)) {
            uint16_t d;
            if (xenbus_parse_domid(fes + off, &d)) {
                printk("xenbus: %s: '%.24s' is not a domain id; ignored", path, fes + off);
                continue;
            }
            rc = list_frontend(drv->type, fes + off, &keys, &used, &cap);
        }
        kfree(fes);
        if (rc) {
            /* A partial listing would remove devices that are there. */
            printk("xenbus: cannot list %s: %s", path, errno_name(rc));
            kfree(keys);
            continue;
        }
        xenbus_core_sync(h, drv, keys, used);
        kfree(keys);
    }
}
