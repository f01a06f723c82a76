#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/wait.h"
#include "xen/xenbus.h"
#include "xen/xenstore.h"

int xenbus_read_state(const char *dir, enum xenbus_state *out)
{
    char path[256];
    k_snprintf(path, sizeof(path), "%s/state", dir);
    uint64_t v;
    int rc = xs_read_uint(XS_TX_NONE, path, XenbusStateReconfigured, &v);
    if (rc == 0)
        *out = (enum xenbus_state)v;
    return rc;
}

int xenbus_switch_state(const char *dir, enum xenbus_state s)
{
    char path[256];
    k_snprintf(path, sizeof(path), "%s/state", dir);
    int rc = xs_printf(XS_TX_NONE, path, "%d", (int)s);
    if (rc)
        printk("xenbus: %s: switching to %s failed: %s", dir, xenbus_state_name(s),
               errno_name(rc));
    return rc;
}

struct state_wait {
    struct xs_watch w;
    struct waitq wq;
    uint64_t fired;
};

static void state_changed(struct xs_watch *w, const char *path)
{
    (void)path;
    struct state_wait *sw = w->arg;
    sw->fired++;
    waitq_wake_all(&sw->wq);
}

int xenbus_wait_state(const char *dir, uint32_t mask, uint64_t deadline,
                      enum xenbus_state *seen)
{
    char path[256];
    k_snprintf(path, sizeof(path), "%s/state", dir);
    struct state_wait sw = { .w = { .path = path, .cb = state_changed } };
    sw.w.arg = &sw;
    waitq_init(&sw.wq);
    enum xenbus_state st = XenbusStateUnknown;
    int rc = xs_watch_add(&sw.w);
    if (rc)
        return rc;
    for (;;) {
        uint64_t before = sw.fired;
        rc = xenbus_read_state(dir, &st);
        if (rc == -ENOENT && (mask & (1u << XenbusStateUnknown))) {
            st = XenbusStateUnknown;
            rc = 0;
            break;
        }
        if (rc && rc != -ENOENT)
            break;
        if (rc == 0 && (mask & (1u << st)))
            break;
        rc = wait_event_until(&sw.wq, sw.fired != before, deadline);
        if (rc) {
            printk("xenbus: %s: timed out waiting for state mask 0x%x, last seen %s", path,
                   mask, xenbus_state_name(st));
            break;
        }
    }
    xs_watch_remove(&sw.w);
    if (seen)
        *seen = st;
    return rc;
}
