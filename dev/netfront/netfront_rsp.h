#ifndef DEV_NETFRONT_NETFRONT_RSP_H
#define DEV_NETFRONT_NETFRONT_RSP_H
/* netfront's checks of what an untrusted back-end puts on the rings, and
 * the MAC address parser. Pure. */
#include <stdint.h>
#include <stdbool.h>
#include <xen/xen.h>
#include <xen/io/netif.h>

/* A receive response for one of our posted buffers (posted[id] true):
 * in range, outstanding, data within the page, no flags we did not
 * negotiate. 0 (then *len is the frame length, 0 for a dropped one) or
 * -EBADMSG with *why. */
int netfront_rx_check(const struct netif_rx_response *r, const bool *posted, unsigned n,
                      unsigned *len, const char **why);
/* A transmit response: id in range and outstanding, status known. */
int netfront_tx_check(const struct netif_tx_response *r, const bool *pending, unsigned n,
                      const char **why);
/* "00:16:3e:01:02:03" strictly; -EINVAL otherwise. */
int netfront_parse_mac(const char *s, uint8_t mac[6]);
#endif
