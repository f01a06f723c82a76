/* The registry of network interfaces. */
#include "kern/kernel.h"
#include "kern/spinlock.h"
#include "net/netif.h"
#include "net/stack.h"

#define SNAPSHOT_MAX 8

static struct list ifaces = LIST_INIT(ifaces);  /* registry_lock */
static struct spinlock registry_lock = SPINLOCK_INIT("netif_registry");

static void hold(struct netif *nif)
{
    if (nif->ops->get)
        nif->ops->get(nif);
}

void netif_put(struct netif *nif)
{
    if (nif->ops->put)
        nif->ops->put(nif);
}

static struct netif *find_locked(const char *name)
{
    struct list *pos;
    list_for_each(pos, &ifaces) {
        struct netif *n = list_entry(pos, struct netif, link);
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return 0;
}

int netif_register(struct netif *nif)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    bool taken = find_locked(nif->name) != 0;
    if (!taken) {
        list_add_tail(&ifaces, &nif->link);
        nif->registered = true;
    }
    spin_unlock_irqrestore(&registry_lock, f);
    if (taken)
        return -EEXIST;
    printk("net: %s: %02x:%02x:%02x:%02x:%02x:%02x, mtu %u", nif->name, nif->mac[0],
           nif->mac[1], nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5], nif->mtu);
    return 0;
}

void netif_unregister(struct netif *nif)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    bool was = nif->registered;
    if (was) {
        list_del(&nif->link);
        nif->registered = false;
    }
    spin_unlock_irqrestore(&registry_lock, f);
    if (!was)
        return;
    net_stack_forget(nif);
    printk("net: %s: gone", nif->name);
}

struct netif *netif_find(const char *name)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct netif *n = find_locked(name);
    spin_unlock_irqrestore(&registry_lock, f);
    return n;
}

struct netif *netif_get(const char *name)
{
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct netif *n = find_locked(name);
    if (n)
        hold(n);
    spin_unlock_irqrestore(&registry_lock, f);
    return n;
}

struct netif *netif_route(uint32_t dst)
{
    struct netif *gw = 0, *found = 0;
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct list *pos;
    list_for_each(pos, &ifaces) {
        struct netif *n = list_entry(pos, struct netif, link);
        if (!n->up || !n->ip)
            continue;
        if ((dst & n->netmask) == (n->ip & n->netmask)) {
            found = n;
            break;
        }
        if (n->gateway && !gw)
            gw = n;
    }
    spin_unlock_irqrestore(&registry_lock, f);
    return found ? found : gw;
}

void netif_for_each(void (*fn)(struct netif *nif, void *arg), void *arg)
{
    struct netif *snap[SNAPSHOT_MAX];
    unsigned n = 0;
    unsigned long f = spin_lock_irqsave(&registry_lock);
    struct list *pos;
    list_for_each(pos, &ifaces) {
        if (n == SNAPSHOT_MAX)
            break;
        snap[n] = list_entry(pos, struct netif, link);
        hold(snap[n++]);
    }
    spin_unlock_irqrestore(&registry_lock, f);
    for (unsigned i = 0; i < n; i++) {
        fn(snap[i], arg);
        netif_put(snap[i]);
    }
}

void netif_rx_flags(struct netif *nif, const uint8_t *frame, size_t len, unsigned flags)
{
    nif->st.rx_packets++;
    nif->st.rx_bytes += len;
    net_stack_input(nif, frame, len, flags);
}

void netif_rx(struct netif *nif, const uint8_t *frame, size_t len)
{
    netif_rx_flags(nif, frame, len, 0);
}

int netif_xmit_frags(struct netif *nif, const struct netif_frag *frags, unsigned n)
{
    size_t len = 0;
    for (unsigned i = 0; i < n; i++)
        len += frags[i].len;
    if (!nif->up) {
        nif->st.tx_dropped++;
        return -ENOTCONN;
    }
    if (!n || n > NETIF_FRAGS_MAX) {
        nif->st.tx_dropped++;
        return -EINVAL;
    }
    hold(nif); /* the driver may wait for slots; a hot-detach must not free it meanwhile */
    int rc = nif->ops->xmit_frags(nif, frags, n);
    if (rc) {
        nif->st.tx_dropped++;
    } else {
        nif->st.tx_packets++;
        nif->st.tx_bytes += len;
    }
    netif_put(nif); /* last: it may free nif */
    return rc;
}

int netif_xmit(struct netif *nif, const void *frame, size_t len)
{
    struct netif_frag f = { frame, len };
    return netif_xmit_frags(nif, &f, 1);
}

void netif_set_addr(struct netif *nif, uint32_t ip, unsigned prefix, uint32_t gw)
{
    nif->ip = ip;
    nif->netmask = prefix ? ~0u << (32 - prefix) : 0;
    nif->gateway = gw;
    printk("net: %s: %u.%u.%u.%u/%u%s", nif->name, ip >> 24, (ip >> 16) & 255, (ip >> 8) & 255,
           ip & 255, prefix, gw ? " with a gateway" : "");
}
