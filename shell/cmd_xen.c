/* Shell commands for the Xen interfaces: event channels, grants, XenStore. */
#include "kern/kernel.h"
#include "shell/shell.h"
#include "xen/evtchn.h"
#include "xen/gnttab.h"
#include "xen/xenstore.h"
#include "xen/xenbus.h"
#include "xen/xenbus_bus.h"
#include "xen/xs_wire_codec.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "kern/sched.h"

static int cmd_evtchn_selftest(unsigned n);

static int cmd_evtchn(int argc, char **argv)
{
    if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
        uint64_t n = 100;
        if (argc >= 3 && xs_parse_uint(argv[2], 100000, &n))
            return -EINVAL;
        return cmd_evtchn_selftest((unsigned)n);
    }
    shell_printf("  port kind         detail  events  name\n");
    for (evtchn_port_t p = 0; p < EVTCHN_MAX_PORTS; p++) {
        const struct evtchn_binding *b = evtchn_binding(p);
        if (b)
            shell_printf("  %4u %-12s %6u %7llu  %s\n", p, evtchn_kind_name(b->kind), b->detail,
                         (unsigned long long)b->count, b->name ? b->name : "");
    }
    shell_printf("  %u ports bound\n", evtchn_bound_count());
    return 0;
}

static int cmd_gnttab(int argc, char **argv)
{
    struct gnttab_stats st;
    gnttab_get_stats(&st);
    shell_printf("grant table v1: %u of max %u frames, %u refs, %u in use, %u free\n", st.frames,
                 st.max_frames, st.refs, st.in_use, st.free);
    return 0;
}

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

/* Exercises the binding kinds against real Xen: a loopback interdomain
 * channel (an unbound port of ours, bound by ourselves) and an IPI to
 * this vCPU; each sends n events and counts what arrives. */
struct selftest {
    volatile uint64_t got;
};

static void selftest_event(evtchn_port_t port, void *arg)
{
    ((struct selftest *)arg)->got++;
}

static int wait_count(struct selftest *st, uint64_t want, uint64_t deadline)
{
    while (st->got < want) {
        if (time_now_ns() >= deadline)
            return -ETIMEDOUT;
        thread_sleep_ns(NS_PER_MS);
    }
    return 0;
}

static int cmd_evtchn_selftest(unsigned n)
{
    struct selftest a = { 0 }, b = { 0 }, ipi = { 0 };
    evtchn_port_t pa, pb, pi;
    int rc = evtchn_alloc_unbound(xen_info.domid, selftest_event, &a, "selftest-a", &pa);
    if (rc)
        return rc;
    rc = evtchn_bind_interdomain(xen_info.domid, pa, selftest_event, &b, "selftest-b", &pb);
    if (rc) {
        evtchn_close(pa);
        return rc;
    }
    rc = evtchn_bind_ipi(0, selftest_event, &ipi, "selftest-ipi", &pi);
    if (rc) {
        evtchn_close(pb);
        evtchn_close(pa);
        return rc;
    }
    /* Binding raises an event on the new port; let it land, then count. */
    thread_sleep_ns(10 * NS_PER_MS);
    a.got = b.got = ipi.got = 0;
    uint64_t deadline = time_now_ns() + 10 * NS_PER_SEC;
    /* One event at a time, each awaited: pending bits do not queue. */
    for (unsigned i = 0; i < n && rc == 0; i++) {
        evtchn_send(pa); /* arrives on pb */
        rc = wait_count(&b, i + 1, deadline);
        if (rc == 0) {
            evtchn_send(pb); /* arrives on pa */
            rc = wait_count(&a, i + 1, deadline);
        }
        if (rc == 0) {
            evtchn_send(pi);
            rc = wait_count(&ipi, i + 1, deadline);
        }
    }
    shell_printf("evtchn selftest: interdomain %u->%u %llu/%u, %u->%u %llu/%u, ipi %u %llu/%u%s\n",
                 pa, pb, (unsigned long long)b.got, n, pb, pa, (unsigned long long)a.got, n, pi,
                 (unsigned long long)ipi.got, n, rc ? " (timed out)" : "");
    int c1 = evtchn_close(pb), c2 = evtchn_close(pa), c3 = evtchn_close(pi);
    if (rc == 0 && (c1 || c2 || c3))
        rc = -EIO;
    shell_printf("evtchn selftest: %s, %u ports bound now\n", rc ? errno_name(rc) : "ok",
                 evtchn_bound_count());
    return rc;
}

static void print_device(struct xenbus_device *d, void *arg)
{
    enum xenbus_state ours = XenbusStateUnknown;
    xenbus_read_state(d->nodename, &ours);
    shell_printf("  %-20s %-12s %-12s domain %-5u %s%s\n", d->nodename, xenbus_state_name(ours),
                 xenbus_state_name(d->otherend_state), d->otherend_id,
                 d->otherend[0] ? d->otherend : "(no back-end)", d->probed ? "" : " (not attached)");
}

static int cmd_devices(int argc, char **argv)
{
    shell_printf("  %-20s %-12s %-12s back-end\n", "device", "state", "back-end");
    xenbus_for_each_device(print_device, 0);
    return 0;
}

static struct shell_cmd cmds[] = {
    { "devices", "", "XenBus devices, their state and their back-end's", cmd_devices, { 0, 0 } },
    { "evtchn", "[selftest [N]]", "bound event channels and their counts", cmd_evtchn, { 0, 0 } },
    { "gnttab", "", "grant table use", cmd_gnttab, { 0, 0 } },
    { "xs", "ls|read|write|rm PATH [VALUE]", "XenStore access", cmd_xs, { 0, 0 } },
};

void shell_cmds_xen_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
