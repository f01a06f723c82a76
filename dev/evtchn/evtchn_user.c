/* Event-channel ports owned by kernel users and the shell (not drivers,
 * which bind their own through xen/evtchn.h). A fixed table: a user port
 * is a handle that survives a restore even when its number changes. */
#include "kern/kernel.h"
#include "kern/spinlock.h"
#include "kern/wait.h"
#include "kern/printf.h"
#include "xen/evtchn.h"
#include "xen/hypervisor.h"
#include "xen/suspend.h"
#include "xen/xenstore.h"
#include "dev/evtchn/evtchn_user.h"

static struct evtchn_user users[EVTCHN_USER_MAX];
/* The counts and echo_due, shared with the event handler. */
static struct spinlock users_lock = SPINLOCK_INIT("evtchn-user");
static struct waitq wq = WAITQ_INIT(wq);
static struct waitq echo_wq = WAITQ_INIT(echo_wq);
static bool echo_due[EVTCHN_USER_MAX]; /* an echo port's event not answered yet */

const char *evtchn_user_kind_name(enum evtchn_user_kind k)
{
    static const char *const names[] = { "unbound", "interdomain", "virq" };
    return (unsigned)k < ARRAY_SIZE(names) ? names[k] : "?";
}

/* Interrupt context: count, and wake the echo thread or the waiters.
 * Ports of other domains are lateeoi: they stay masked until the echo
 * is sent or the event is waited for, so a peer that floods its port
 * gets one event per answer. */
static void on_event(evtchn_port_t port, void *arg)
{
    struct evtchn_user *u = arg;
    unsigned long f = spin_lock_irqsave(&users_lock);
    u->received++;
    if (u->echo)
        echo_due[u - users] = true;
    else
        u->pending++;
    spin_unlock_irqrestore(&users_lock, f);
    waitq_wake_all(u->echo ? &echo_wq : &wq);
}

/* An echo port with an event to answer (taken if take): its index. */
static bool echo_find(bool take, unsigned *i)
{
    unsigned long f = spin_lock_irqsave(&users_lock);
    bool found = false;
    for (unsigned k = 0; k < EVTCHN_USER_MAX && !found; k++)
        if (echo_due[k]) {
            echo_due[k] = !take;
            *i = k;
            found = true;
        }
    spin_unlock_irqrestore(&users_lock, f);
    return found;
}

/* The ping servers' answers, one per event taken. */
static void echo_thread(void *arg)
{
    (void)arg;
    for (;;) {
        unsigned i;
        while (echo_find(true, &i)) {
            struct evtchn_user *u = &users[i];
            if (!u->used || !u->echo)
                continue;
            bool sent = evtchn_send(u->port) == 0;
            unsigned long f = spin_lock_irqsave(&users_lock);
            if (sent)
                u->sent++;
            spin_unlock_irqrestore(&users_lock, f);
            evtchn_eoi(u->port, true);
        }
        /* A minute at a time: nothing to do but wait for an event. */
        wait_event_until(&echo_wq, echo_find(false, &i), time_now_ns() + 60 * NS_PER_SEC);
    }
}

static struct evtchn_user *slot(void)
{
    for (unsigned i = 0; i < EVTCHN_USER_MAX; i++)
        if (!users[i].used) {
            users[i] = (struct evtchn_user){ .used = true };
            echo_due[i] = false;
            return &users[i];
        }
    printk("evtchn: all %u user ports are in use", EVTCHN_USER_MAX);
    return 0;
}

int evtchn_user_alloc_unbound(domid_t remote, bool echo, struct evtchn_user **out)
{
    struct evtchn_user *u = slot();
    if (!u)
        return -ENOSPC;
    u->kind = EU_UNBOUND;
    u->remote = remote;
    u->echo = echo;
    int rc = evtchn_alloc_unbound(remote, on_event, u, "user", &u->port);
    if (rc) {
        u->used = false;
        return rc;
    }
    evtchn_set_lateeoi(u->port);
    *out = u;
    return 0;
}

int evtchn_user_bind_interdomain(domid_t remote, evtchn_port_t remote_port,
                                 struct evtchn_user **out)
{
    struct evtchn_user *u = slot();
    if (!u)
        return -ENOSPC;
    u->kind = EU_INTERDOMAIN;
    u->remote = remote;
    u->remote_port = remote_port;
    int rc = evtchn_bind_interdomain(remote, remote_port, on_event, u, "user", &u->port);
    if (rc) {
        u->used = false;
        return rc;
    }
    evtchn_set_lateeoi(u->port);
    /* Xen marks a freshly bound interdomain port pending (in case the
     * peer sent before); that event is not the peer's: drop it. */
    evtchn_mask(u->port);
    evtchn_clear_pending(u->port);
    unsigned long f = spin_lock_irqsave(&users_lock);
    u->pending = 0;
    u->received = 0;
    spin_unlock_irqrestore(&users_lock, f);
    evtchn_unmask(u->port);
    *out = u;
    return 0;
}

int evtchn_user_bind_virq(uint32_t virq, struct evtchn_user **out)
{
    struct evtchn_user *u = slot();
    if (!u)
        return -ENOSPC;
    u->kind = EU_VIRQ;
    u->virq = virq;
    int rc = evtchn_bind_virq(virq, on_event, u, "user", &u->port);
    if (rc) {
        u->used = false;
        return rc;
    }
    *out = u;
    return 0;
}

int evtchn_user_notify(struct evtchn_user *u)
{
    if (u->closed)
        return -ENOTCONN;
    int rc = evtchn_send(u->port);
    unsigned long f = spin_lock_irqsave(&users_lock);
    if (rc == 0)
        u->sent++;
    spin_unlock_irqrestore(&users_lock, f);
    return rc;
}

bool evtchn_user_peer_closed(struct evtchn_user *u)
{
    if (u->closed)
        return true;
    struct evtchn_status st;
    if (evtchn_status(u->port, &st) != 0) {
        u->closed = true;
        return true;
    }
    /* An interdomain port whose peer closed falls back to unbound. */
    if (u->kind == EU_INTERDOMAIN && st.status != EVTCHNSTAT_interdomain)
        u->closed = true;
    if (u->closed)
        printk("evtchn: port %u: domain %u closed its end", u->port, u->remote);
    return u->closed;
}

int evtchn_user_wait(struct evtchn_user *u, uint64_t deadline)
{
    int rc = wait_event_until(&wq, u->pending > 0, deadline);
    if (rc == 0) {
        unsigned long f = spin_lock_irqsave(&users_lock);
        u->pending--;
        spin_unlock_irqrestore(&users_lock, f);
        if (u->kind != EU_VIRQ)
            evtchn_eoi(u->port, true); /* taken: the next event may come */
        return 0;
    }
    if (evtchn_user_peer_closed(u))
        return -ENOTCONN;
    printk("evtchn: port %u: no event from domain %u before the deadline", u->port, u->remote);
    return rc;
}

int evtchn_user_unbind(struct evtchn_user *u)
{
    /* A closed port may be gone from Xen already (lost in a restore). */
    int rc = evtchn_close(u->port);
    if (u->closed)
        rc = 0;
    if (u->publish[0])
        xs_rm(XS_TX_NONE, u->publish);
    u->used = false;
    return rc;
}

int evtchn_user_publish(struct evtchn_user *u, const char *path)
{
    int rc = xs_printf(XS_TX_NONE, path, "%u", u->port);
    if (rc)
        return rc;
    /* Ours to write, the remote's to read. */
    char owner[16], reader[16];
    k_snprintf(owner, sizeof(owner), "n%u", xen_info.domid);
    k_snprintf(reader, sizeof(reader), "r%u", u->remote);
    const char *perms[] = { owner, reader };
    rc = xs_set_perms(XS_TX_NONE, path, perms, 2);
    if (rc)
        printk("evtchn: cannot let domain %u read %s: %s", u->remote, path, errno_name(rc));
    strlcpy_k(u->publish, path, sizeof(u->publish));
    return rc;
}

struct evtchn_user *evtchn_user_find(evtchn_port_t port)
{
    for (unsigned i = 0; i < EVTCHN_USER_MAX; i++)
        if (users[i].used && users[i].port == port)
            return &users[i];
    return 0;
}

struct evtchn_user *evtchn_user_find_peer(domid_t remote, evtchn_port_t remote_port)
{
    for (unsigned i = 0; i < EVTCHN_USER_MAX; i++)
        if (users[i].used && users[i].kind == EU_INTERDOMAIN && !users[i].closed &&
            users[i].remote == remote && users[i].remote_port == remote_port)
            return &users[i];
    return 0;
}

void evtchn_user_for_each(void (*fn)(struct evtchn_user *u, void *arg), void *arg)
{
    for (unsigned i = 0; i < EVTCHN_USER_MAX; i++)
        if (users[i].used)
            fn(&users[i], arg);
}

static void user_resume(bool cancelled)
{
    if (cancelled)
        return;
    for (unsigned i = 0; i < EVTCHN_USER_MAX; i++) {
        struct evtchn_user *u = &users[i];
        if (!u->used)
            continue;
        evtchn_port_t old = u->port;
        int rc = 0;
        switch (u->kind) {
        case EU_VIRQ:
            /* evtchn_resume bound it again already: find where. */
            rc = -ENOENT;
            for (evtchn_port_t p = 0; p < EVTCHN_MAX_PORTS; p++) {
                struct evtchn_binding b;
                if (evtchn_binding_get(p, &b) && b.arg == u && b.handler == on_event) {
                    u->port = p;
                    rc = 0;
                }
            }
            break;
        case EU_UNBOUND:
            rc = evtchn_alloc_unbound(u->remote, on_event, u, "user", &u->port);
            if (rc == 0 && u->publish[0]) {
                char path[64];
                strlcpy_k(path, u->publish, sizeof(path));
                evtchn_user_publish(u, path);
            }
            break;
        case EU_INTERDOMAIN:
            /* The peer's end fell back to unbound for our old domain id:
             * binding again only works if the peer re-offers it. */
            rc = u->closed ? -ENOTCONN
                           : evtchn_bind_interdomain(u->remote, u->remote_port, on_event, u,
                                                     "user", &u->port);
            break;
        }
        if (rc == 0 && u->kind != EU_VIRQ)
            evtchn_set_lateeoi(u->port);
        if (rc) {
            u->closed = true;
            printk("evtchn: user port %u (%s, domain %u) did not survive the restore: %s", old,
                   evtchn_user_kind_name(u->kind), u->remote, errno_name(rc));
        } else if (u->port != old) {
            printk("evtchn: user port %u (%s) is port %u after the restore", old,
                   evtchn_user_kind_name(u->kind), u->port);
        }
    }
}

static struct suspend_hook hook = { "evtchn-user", 0, user_resume, { 0, 0 } };

void evtchn_user_init(void)
{
    suspend_hook_add(&hook);
    if (!thread_create("evtchn-echo", echo_thread, 0))
        printk("evtchn: no thread for the ping servers' answers");
}
