/* Shell commands for the Xen interfaces: XenBus devices, XenStore (grants:
 * cmd_grant.c). */
#include "kern/kernel.h"
#include "shell/shell.h"
#include "xen/evtchn.h"
#include "xen/xenstore.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/xs_wire_codec.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "kern/sched.h"

static int xs_op(int argc, char **argv)
{
    if (argc < 3)
        return -EINVAL;
    const char *op = argv[1], *path = argv[2];
    int rc;
    if (strcmp(op, "read") == 0) {
        char *v = xs_read_alloc(XS_TX_NONE, path, &rc);
        if (!v)
            return rc;
        shell_printf("%s\n", v);
        kfree(v);
        return 0;
    }
    if (strcmp(op, "write") == 0) {
        if (argc < 4)
            return -EINVAL;
        return xs_write(XS_TX_NONE, path, argv[3]);
    }
    if (strcmp(op, "rm") == 0)
        return xs_rm(XS_TX_NONE, path);
    if (strcmp(op, "ls") == 0) {
        size_t len = 0, off = 0;
        char *list = xs_directory(XS_TX_NONE, path, &len, &rc);
        if (!list)
            return rc;
        const char *name;
        while (xs_dir_next(list, len, &off, &name) == 1)
            shell_printf("%s\n", name);
        kfree(list);
        return 0;
    }
    return -EINVAL;
}

static int cmd_xs(int argc, char **argv)
{
    int rc = xs_op(argc, argv);
    if (rc && rc != -EINVAL) {
        shell_printf("xs: %s: %s\n", argv[2], errno_name(rc));
        return SHELL_ERR_REPORTED;
    }
    return rc;
}

static void print_device(struct xenbus_device *d, void *arg)
{
    enum xenbus_state ours = XenbusStateUnknown;
    xenbus_read_state(d->nodename, &ours);
    shell_printf("  %-20s %-12s %-12s %-9s domain %-5u %s%s\n", d->nodename,
                 xenbus_state_name(ours), xenbus_state_name(d->otherend_state),
                 xenbus_phase_name(d->phase), d->otherend_id,
                 d->otherend[0] ? d->otherend : "(no other end)", d->probed ? "" : " (not attached)");
}

static int cmd_devices(int argc, char **argv)
{
    shell_printf("  %-20s %-12s %-12s %-9s other end\n", "device", "state", "other end", "phase");
    xenbus_for_each_device(print_device, 0);
    return 0;
}

static struct shell_cmd cmds[] = {
    { "devices", "", "XenBus devices, their state and their back-end's", cmd_devices, { 0, 0 } },
    { "xs", "ls|read|write|rm PATH [VALUE]", "XenStore access", cmd_xs, { 0, 0 } },
};

void shell_cmds_xen_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
