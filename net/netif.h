#ifndef NET_NETIF_H
#define NET_NETIF_H
/* The generic network-interface layer: drivers (netfront now, a back-end
 * or a bridge later) register interfaces and hand received frames up;
 * the stack (net/stack.c) sends through netif_xmit. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "kern/list.h"

/* A piece of a frame to send: the stack hands a frame over as a chain of
 * these (header built on its own, payload where it already is) and the
 * driver gathers them, so nobody copies the payload just to prepend a
 * header. */
struct netif_frag {
    const void *data;
    size_t len;
};
#define NETIF_FRAGS_MAX 8

/* Flags a driver passes up with a received frame. */
#define NETIF_RX_L4_CSUM_OK 1u /* the UDP/TCP checksum was validated or left blank on purpose */

struct netif;
struct netif_ops {
    /* One Ethernet frame as n (<= NETIF_FRAGS_MAX) fragments in order;
     * the driver copies them before returning. 0 or -errno (the frame is
     * then dropped). */
    int (*xmit_frags)(struct netif *nif, const struct netif_frag *frags, unsigned n);
    /* Optional: the driver's own state in one line (rings, events), for
     * `net stats`. */
    void (*describe)(struct netif *nif, char *buf, size_t cap);
    /* Optional: a reference on what lies under the interface (netfront:
     * its XenBus device), held by senders and the shell while they use
     * it, so that a hot-detach never frees it under them. put may free nif. */
    void (*get)(struct netif *nif);
    void (*put)(struct netif *nif);
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
/* No reference taken: for the registry and the stack (which forgets an
 * interface when it is unregistered); users keep one with netif_get. */
struct netif *netif_find(const char *name);
/* The interface named name, held until netif_put (NULL if none). */
struct netif *netif_get(const char *name);
void netif_put(struct netif *nif);
/* The interface a destination is reached through (on-link first). */
struct netif *netif_route(uint32_t dst);
/* fn for every interface, each held while fn runs. */
void netif_for_each(void (*fn)(struct netif *nif, void *arg), void *arg);
/* Drivers: a received frame (thread context). */
void netif_rx(struct netif *nif, const uint8_t *frame, size_t len);
void netif_rx_flags(struct netif *nif, const uint8_t *frame, size_t len, unsigned flags);
/* A frame as a chain of fragments, and a whole frame (one fragment); the
 * interface is held while its driver sends. */
int netif_xmit_frags(struct netif *nif, const struct netif_frag *frags, unsigned n);
int netif_xmit(struct netif *nif, const void *frame, size_t len);
/* "a.b.c.d/len" and "gw=" from the kernel command line or XenStore. */
void netif_set_addr(struct netif *nif, uint32_t ip, unsigned prefix, uint32_t gw);
#endif
