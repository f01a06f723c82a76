#ifndef NET_NETIF_H
#define NET_NETIF_H
/* The generic network-interface layer: drivers (netfront now, a back-end
 * or a bridge later) register interfaces and hand received frames up;
 * the stack (net/stack.c) sends through netif_xmit. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kern/list.h"

struct netif;
struct netif_ops {
    /* One whole Ethernet frame; 0 or -errno (the frame is then dropped). */
    int (*xmit)(struct netif *nif, const void *frame, size_t len);
    /* Optional: the driver's own state in one line (rings, events), for
     * `net stats`. */
    void (*describe)(struct netif *nif, char *buf, size_t cap);
};

struct netif_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

struct netif {
    char name[8];             /* "eth0" */
    uint8_t mac[6];
    uint16_t mtu;
    bool up;                  /* link up: the driver is connected */
    uint32_t ip, netmask, gateway; /* host order; 0 = none */
    const struct netif_ops *ops;
    void *priv;
    struct netif_stats st;
    /* private */
    struct list link;
    bool registered;
};

int netif_register(struct netif *nif);
void netif_unregister(struct netif *nif);
struct netif *netif_find(const char *name);
/* The interface a destination is reached through (on-link first). */
struct netif *netif_route(uint32_t dst);
void netif_for_each(void (*fn)(struct netif *nif, void *arg), void *arg);
/* Drivers: a received frame (thread context). */
void netif_rx(struct netif *nif, const uint8_t *frame, size_t len);
int netif_xmit(struct netif *nif, const void *frame, size_t len);
/* "a.b.c.d/len" and "gw=" from the kernel command line or XenStore. */
void netif_set_addr(struct netif *nif, uint32_t ip, unsigned prefix, uint32_t gw);
#endif
