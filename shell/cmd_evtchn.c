/* Shell commands for event channels: the list, a self-test, and the user
 * ports of dev/evtchn (serve, bind, ping, unbind, virq). */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/sched.h"
#include "shell/shell.h"
#include "xen/evtchn.h"
#include "xen/hypervisor.h"
#include "xen/time.h"
#include "xen/xenstore.h"
#include "xen/xs_wire_codec.h"
#include "dev/evtchn/evtchn_user.h"

static void print_user(struct evtchn_user *u, void *arg)
{
    evtchn_user_peer_closed(u);
    shell_printf("  user port %u: %s", u->port, evtchn_user_kind_name(u->kind));
    if (u->kind == EU_VIRQ)
        shell_printf(" virq %u", u->virq);
    else
        shell_printf(" domain %u", u->remote);
    if (u->kind == EU_INTERDOMAIN)
        shell_printf(" port %u", u->remote_port);
    shell_printf("%s%s, received %llu, sent %llu%s%s\n", u->echo ? ", echo" : "",
                 u->closed ? ", closed by the peer" : "", (unsigned long long)u->received,
                 (unsigned long long)u->sent, u->publish[0] ? ", published at " : "", u->publish);
}

static int parse_num(const char *s, uint64_t max, uint64_t *out, const char *what)
{
    if (xs_parse_uint(s, max, out) == 0)
        return 0;
    shell_printf("evtchn: '%s' is not a %s\n", s, what);
    return SHELL_ERR_REPORTED;
}

static int sort_u64(uint64_t *v, unsigned n)
{
    for (unsigned i = 1; i < n; i++)
        for (unsigned j = i; j > 0 && v[j - 1] > v[j]; j--) {
            uint64_t t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return 0;
}

#define PING_MAX 100000

/* evtchn ping DOMID PORT|xs N: binds (once) to the peer's port and
 * measures N round trips, each with a 1 s deadline. */
static int evtchn_ping(domid_t dom, const char *port_arg, unsigned n)
{
    uint64_t rport;
    if (strcmp(port_arg, "xs") == 0) {
        char path[64];
        k_snprintf(path, sizeof(path), "/local/domain/%u/data/evtchn/%u", dom, xen_info.domid);
        int rc = xs_read_uint(XS_TX_NONE, path, EVTCHN_MAX_PORTS * 64, &rport);
        if (rc) {
            shell_printf("evtchn: no port published at %s: %s\n", path, errno_name(rc));
            return SHELL_ERR_REPORTED;
        }
    } else if (parse_num(port_arg, EVTCHN_MAX_PORTS * 64, &rport, "port number")) {
        return SHELL_ERR_REPORTED;
    }
    struct evtchn_user *u = evtchn_user_find_peer(dom, (evtchn_port_t)rport);
    if (!u) {
        int rc = evtchn_user_bind_interdomain(dom, (evtchn_port_t)rport, &u);
        if (rc) {
            shell_printf("evtchn: cannot bind to domain %u port %llu: %s\n", dom,
                         (unsigned long long)rport, errno_name(rc));
            return SHELL_ERR_REPORTED;
        }
        shell_printf("evtchn: bound to domain %u port %llu as port %u\n", dom,
                     (unsigned long long)rport, u->port);
    }
    uint64_t *rtt_ns = kmalloc(n * sizeof(*rtt_ns));
    if (!rtt_ns)
        return -ENOMEM;
    unsigned done = 0;
    int rc = 0;
    for (; done < n; done++) {
        uint64_t t0 = time_now_ns();
        rc = evtchn_user_notify(u);
        if (rc == 0)
            rc = evtchn_user_wait(u, t0 + NS_PER_SEC);
        if (rc)
            break;
        rtt_ns[done] = time_now_ns() - t0;
    }
    if (done) {
        sort_u64(rtt_ns, done);
        shell_printf("evtchn ping: %u/%u round trips to domain %u port %llu, median %llu us, "
                     "min %llu us, max %llu us\n", done, n, dom, (unsigned long long)rport,
                     (unsigned long long)rtt_ns[done / 2] / 1000,
                     (unsigned long long)rtt_ns[0] / 1000,
                     (unsigned long long)rtt_ns[done - 1] / 1000);
    }
    kfree(rtt_ns);
    if (rc) {
        shell_printf("evtchn ping: stopped after %u: %s\n", done,
                     rc == -ENOTCONN ? "the peer closed the port" : errno_name(rc));
        return SHELL_ERR_REPORTED;
    }
    return 0;
}

static int evtchn_user_cmd(int argc, char **argv)
{
    uint64_t a, b;
    const char *op = argv[1];
    if (strcmp(op, "serve") == 0 && argc == 3) {
        if (parse_num(argv[2], DOMID_FIRST_RESERVED - 1, &a, "domain id"))
            return SHELL_ERR_REPORTED;
        struct evtchn_user *u;
        int rc = evtchn_user_alloc_unbound((domid_t)a, true, &u);
        if (rc)
            return rc;
        char path[64];
        k_snprintf(path, sizeof(path), "data/evtchn/%llu", (unsigned long long)a);
        rc = evtchn_user_publish(u, path);
        shell_printf("evtchn: serving domain %llu on port %u, published at %s%s\n",
                     (unsigned long long)a, u->port, path, rc ? " (publishing failed)" : "");
        return rc ? SHELL_ERR_REPORTED : 0;
    }
    if (strcmp(op, "bind") == 0 && argc == 4) {
        if (parse_num(argv[2], DOMID_FIRST_RESERVED - 1, &a, "domain id") ||
            parse_num(argv[3], EVTCHN_MAX_PORTS * 64, &b, "port number"))
            return SHELL_ERR_REPORTED;
        struct evtchn_user *u;
        int rc = evtchn_user_bind_interdomain((domid_t)a, (evtchn_port_t)b, &u);
        if (rc)
            return rc;
        shell_printf("evtchn: bound to domain %llu port %llu as port %u\n",
                     (unsigned long long)a, (unsigned long long)b, u->port);
        return 0;
    }
    if (strcmp(op, "ping") == 0 && (argc == 4 || argc == 5)) {
        uint64_t n = 10;
        if (parse_num(argv[2], DOMID_FIRST_RESERVED - 1, &a, "domain id") ||
            (argc == 5 && parse_num(argv[4], PING_MAX, &n, "count")))
            return SHELL_ERR_REPORTED;
        return evtchn_ping((domid_t)a, argv[3], (unsigned)(n ? n : 1));
    }
    if (strcmp(op, "virq") == 0 && argc == 3) {
        if (parse_num(argv[2], NR_VIRQS - 1, &a, "VIRQ number"))
            return SHELL_ERR_REPORTED;
        struct evtchn_user *u;
        int rc = evtchn_user_bind_virq((uint32_t)a, &u);
        if (rc)
            return rc;
        shell_printf("evtchn: VIRQ %llu bound to port %u\n", (unsigned long long)a, u->port);
        return 0;
    }
    if ((strcmp(op, "unbind") == 0 || strcmp(op, "close") == 0) && argc == 3) {
        if (parse_num(argv[2], EVTCHN_MAX_PORTS, &a, "port number"))
            return SHELL_ERR_REPORTED;
        struct evtchn_user *u = evtchn_user_find((evtchn_port_t)a);
        if (!u) {
            shell_printf("evtchn: port %llu is not a user port\n", (unsigned long long)a);
            return SHELL_ERR_REPORTED;
        }
        int rc = evtchn_user_unbind(u);
        shell_printf("evtchn: port %llu unbound\n", (unsigned long long)a);
        return rc;
    }
    return -EINVAL;
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

static void many_event(evtchn_port_t port, void *arg)
{
    (void)port;
    (*(volatile uint64_t *)arg)++;
}

#define MANY_MAX 100000

/* evtchn many N: N unbound ports at once (to ourselves), then each
 * closed: more than the 2-level ABI's 4096 proves the FIFO array grew. */
static int cmd_evtchn_many(unsigned n)
{
    evtchn_port_t *p = kmalloc(n * sizeof(*p));
    if (!p)
        return -ENOMEM;
    uint64_t events = 0;
    unsigned got = 0, bad_close = 0;
    evtchn_port_t highest = 0;
    int rc = 0;
    uint64_t t0 = time_now_ns();
    for (; got < n; got++) {
        rc = evtchn_alloc_unbound(xen_info.domid, many_event, &events, "many", &p[got]);
        if (rc)
            break;
        if (p[got] > highest)
            highest = p[got];
    }
    uint64_t t1 = time_now_ns();
    unsigned bound = evtchn_bound_count();
    for (unsigned i = 0; i < got; i++)
        if (evtchn_close(p[i]))
            bad_close++;
    kfree(p);
    shell_printf("evtchn many: %u/%u ports allocated (%s ABI), highest port %u, %llu ms, "
                 "%u bound then, %u closes failed, %u bound now%s%s\n",
                 got, n, evtchn_abi_name(), highest,
                 (unsigned long long)((t1 - t0) / NS_PER_MS), bound, bad_close,
                 evtchn_bound_count(), rc ? ": " : "", rc ? errno_name(rc) : "");
    if (rc == 0 && bad_close)
        rc = -EIO;
    return rc ? SHELL_ERR_REPORTED : 0;
}

static int cmd_evtchn(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "many") == 0) {
        uint64_t n;
        if (parse_num(argv[2], MANY_MAX, &n, "count (at most 100000)"))
            return SHELL_ERR_REPORTED;
        return cmd_evtchn_many((unsigned)(n ? n : 1));
    }
    if (argc >= 2 && strcmp(argv[1], "selftest") == 0) {
        uint64_t n = 100;
        if (argc >= 3 && xs_parse_uint(argv[2], 100000, &n))
            return -EINVAL;
        return cmd_evtchn_selftest((unsigned)n);
    }
    if (argc >= 2)
        return evtchn_user_cmd(argc, argv);
    /* eoi: late (masked from the upcall to its owner's evtchn_eoi);
     * spurious: events that brought no work; rescued: work found by the
     * owner's rescue poll that no event had announced; of those, pending:
     * Xen had the port pending (sent, no upcall yet), late: an event that
     * found no work came after (the rescue's own event, late not lost). */
    char abi[160];
    evtchn_abi_describe(abi, sizeof(abi));
    shell_printf("  event channel ABI: %s\n", abi);
    shell_printf("  port kind         detail  events eoi  spurious rescued pending late  name\n");
    for (evtchn_port_t p = 0; p < EVTCHN_MAX_PORTS; p++) {
        struct evtchn_binding b;
        if (evtchn_binding_get(p, &b))
            shell_printf("  %4u %-12s %6u %7llu %-4s %8llu %7llu %7llu %4llu  %s\n", p,
                         evtchn_kind_name(b.kind), b.detail, (unsigned long long)b.count,
                         b.lateeoi ? "late" : "-", (unsigned long long)b.spurious,
                         (unsigned long long)b.rescued, (unsigned long long)b.rescued_pending,
                         (unsigned long long)b.rescued_late, b.name ? b.name : "");
    }
    struct evtchn_stats st;
    evtchn_get_stats(&st);
    shell_printf("  %llu upcalls, %llu stopped at the budget of %u ports, %llu unmasks of a "
                 "pending port through Xen, %llu stray events\n",
                 (unsigned long long)st.upcalls, (unsigned long long)st.over_budget,
                 EVTCHN_UPCALL_BUDGET, (unsigned long long)st.xen_unmasks,
                 (unsigned long long)st.stray);
    shell_printf("  %u ports bound\n", evtchn_bound_count());
    evtchn_user_for_each(print_user, 0);
    return 0;
}


static struct shell_cmd cmds[] = {
    { "evtchn",
      "[selftest [N] | many N | serve DOMID | bind DOMID PORT | ping DOMID PORT|xs [N] | virq N | "
      "unbind PORT]",
      "event channels: list and counts, ping-pong with another domain", cmd_evtchn, { 0, 0 } },
};

void shell_cmds_evtchn_init(void)
{
    for (unsigned i = 0; i < ARRAY_SIZE(cmds); i++)
        shell_register(&cmds[i]);
}
