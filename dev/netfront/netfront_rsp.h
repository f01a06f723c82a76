#ifndef DEV_NETFRONT_NETFRONT_RSP_H
#define DEV_NETFRONT_NETFRONT_RSP_H
/* netfront's checks of what an untrusted back-end puts on the rings, the
 * reassembly of multi-slot receive chains, and the MAC address parser.
 * Pure. */
#include <stdint.h>
#include <stdbool.h>
#include <stddef.h>
#include <xen/xen.h>
#include <xen/io/netif.h>

/* A receive chain (NETRXF_more_data) never has more slots than this (the
 * slots netback may use for one packet, XEN_NETIF_NR_SLOTS_MIN) ... */
#define NETFRONT_RX_SLOTS_MAX XEN_NETIF_NR_SLOTS_MIN
/* ... nor more bytes: we negotiate no GSO, so no frame is larger than a
 * jumbo Ethernet frame (VLAN header included). */
#define NETFRONT_RX_FRAME_MAX 9022u

/* Receive flags that may appear at all: the checksum notes always (the
 * back-end may tell us a checksum was validated or left blank), more
 * data only with feature-sg. Extra info and the GSO prefix never: we
 * negotiate neither. */
#define NETFRONT_RX_FLAGS_CSUM (NETRXF_data_validated | NETRXF_csum_blank)

/* A frame being reassembled from receive responses. Zero it to start. */
struct netfront_rx_chain {
    unsigned slots;   /* responses in the frame so far */
    unsigned len;     /* bytes so far */
    uint16_t flags;   /* the first slot's flags (checksum notes) */
    bool dropped;     /* a slot said the back-end dropped the frame */
};

enum { NETFRONT_RX_MORE = 0, NETFRONT_RX_FRAME = 1 };

/* One receive response, read once from the ring, for one of our posted
 * buffers (posted[id] true), added to chain c. Checks: id in range and
 * posted, only flags allowed (more data only if sg), data inside its page,
 * a chain of at most NETFRONT_RX_SLOTS_MAX slots and NETFRONT_RX_FRAME_MAX
 * bytes, a complete frame no shorter than an Ethernet header. Returns
 * NETFRONT_RX_MORE (the frame goes on in the next response),
 * NETFRONT_RX_FRAME (complete: c->len bytes, unless c->dropped), or
 * -EBADMSG with *why. *copy_len is this slot's data (0 when dropped);
 * it belongs at byte c->len - *copy_len of the frame. */
int netfront_rx_step(struct netfront_rx_chain *c, const struct netif_rx_response *r,
                     const bool *posted, unsigned n, bool sg, unsigned *copy_len,
                     const char **why);

/* A transmit response: id in range and outstanding, status known. */
int netfront_tx_check(const struct netif_tx_response *r, const bool *pending, unsigned n,
                      const char **why);

/* Transmit ring requests for a frame of nfrags fragments (lengths len[]):
 * with scatter-gather one slot per non-empty fragment (each must fit a
 * page), else one. 0 (then *slots) or -EINVAL for a frame we cannot send
 * (shorter than an Ethernet header, longer than a slot's size field or,
 * without sg, than one page; more than max_slots fragments). */
int netfront_tx_slots(const size_t *len, unsigned nfrags, bool sg, unsigned max_slots,
                      unsigned *slots);

/* "00:16:3e:01:02:03" strictly; -EINVAL otherwise. */
int netfront_parse_mac(const char *s, uint8_t mac[6]);
#endif
