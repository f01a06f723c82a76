/* The registry of network interfaces. */
#include "kern/kernel.h"
#include "net/netif.h"
#include "net/stack.h"

static struct list ifaces = LIST_INIT(ifaces);

int netif_register(struct netif *nif)
{
    if (netif_find(nif->name))
        return -EEXIST;
    list_add_tail(&ifaces, &nif->link);
    nif->registered = true;
    printk("net: %s: %02x:%02x:%02x:%02x:%02x:%02x, mtu %u", nif->name, nif->mac[0],
           nif->mac[1], nif->mac[2], nif->mac[3], nif->mac[4], nif->mac[5], nif->mtu);
    return 0;
}

void netif_unregister(struct netif *nif)
{
    if (!nif->registered)
        return;
    list_del(&nif->link);
    nif->registered = false;
    net_stack_forget(nif);
    printk("net: %s: gone", nif->name);
}

struct netif *netif_find(const char *name)
{
    struct list *pos;
    list_for_each(pos, &ifaces) {
        struct netif *n = list_entry(pos, struct netif, link);
        if (strcmp(n->name, name) == 0)
            return n;
    }
    return 0;
}

struct netif *netif_route(uint32_t dst)
{
    struct netif *gw = 0;
    struct list *pos;
    list_for_each(pos, &ifaces) {
        struct netif *n = list_entry(pos, struct netif, link);
        if (!n->up || !n->ip)
            continue;
        if ((dst & n->netmask) == (n->ip & n->netmask))
            return n;
        if (n->gateway && !gw)
            gw = n;
    }
    return gw;
}

void netif_for_each(void (*fn)(struct netif *nif, void *arg), void *arg)
{
    struct list *pos;
    list_for_each(pos, &ifaces)
        fn(list_entry(pos, struct netif, link), arg);
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
    int rc = n && n <= NETIF_FRAGS_MAX ? nif->ops->xmit_frags(nif, frags, n) : -EINVAL;
    if (rc) {
        nif->st.tx_dropped++;
        return rc;
    }
    nif->st.tx_packets++;
    nif->st.tx_bytes += len;
    return 0;
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
