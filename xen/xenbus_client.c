/* What every XenBus driver says to XenStore about its device: its own
 * keys, its state, the other end's keys (xenbus_bus.h). */
#include <stdarg.h>
#include "kern/kernel.h"
#include "kern/printf.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/xenbus_queues.h"
#include "xen/xs_wire_codec.h"
#include "xen/evtchn.h"
#include "kern/cmdline.h"

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
    int rc = xenbus_switch_state(dev->nodename, st);
    if (rc == 0)
        dev->state = st;
    return rc;
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

unsigned xenbus_dev_queues(struct xenbus_device *dev, unsigned ours, const char *cmdline_key,
                           unsigned *offered)
{
    uint64_t v = 0;
    int rc = xenbus_dev_read_otherend_uint(dev, "multi-queue-max-queues", 0xffff, &v);
    char buf[8];
    uint64_t limit = 0;
    if (cmdline_get(kernel_cmdline, cmdline_key, buf, sizeof(buf)) > 0 &&
        xs_parse_uint(buf, ours, &limit))
        limit = 0;
    if (offered)
        *offered = rc || !v ? 1 : (unsigned)v;
    return xenbus_queues_negotiate(rc, v, ours, limit);
}

void xenbus_dev_ports_close(evtchn_port_t *ports, bool *have, unsigned n, bool xen_forgot)
{
    for (unsigned i = 0; i < n; i++) {
        if (!have[i])
            continue;
        if (xen_forgot)
            evtchn_unbind(ports[i]); /* the port died with the old domain */
        else
            evtchn_close(ports[i]);
        have[i] = false;
    }
}
