#ifndef NET_STACK_H
#define NET_STACK_H
/* The small IPv4 stack: ARP with a cache, ICMP echo both ways, UDP ports.
 * Runs in the threads that call it (a driver's receive thread, the shell,
 * the TCP timer thread): cooperative threads. An IP packet goes down as
 * two fragments, its headers and the payload where the caller built it;
 * shared payload buffers (ICMP replies, UDP) are used under a mutex,
 * since a send may wait for a transmit slot. */
#include <stdint.h>
#include <stddef.h>
#include "net/netif.h"

#define ARP_CACHE_SIZE 16
#define ARP_TIMEOUT_NS (60ULL * 1000000000ULL)

/* flags: NETIF_RX_* from the driver. */
void net_stack_input(struct netif *nif, const uint8_t *frame, size_t len, unsigned flags);
void net_stack_forget(struct netif *nif);

/* Sends an IPv4 packet (payload already built); -EAGAIN when the next
 * hop's address is not known yet (an ARP request went out). */
int net_ip_send(uint32_t dst, uint8_t proto, const void *payload, size_t len);
/* Resolves dst's next hop, waiting up to the deadline. */
int net_arp_resolve(uint32_t dst, uint64_t deadline);

/* Pings dst once: the round trip in ns, or -ETIMEDOUT. */
int64_t net_ping(uint32_t dst, uint16_t seq, size_t size, uint64_t deadline);

typedef void (*udp_handler_t)(uint16_t port, uint32_t src, uint16_t sport, const uint8_t *data,
                              size_t len, void *arg);
int net_udp_bind(uint16_t port, udp_handler_t h, void *arg);
void net_udp_unbind(uint16_t port);
int net_udp_send(uint32_t dst, uint16_t sport, uint16_t dport, const void *data, size_t len);
/* Answers every datagram to port with the same data. */
int net_udp_echo(uint16_t port);

/* TCP (net/tcp.c): a listener's application callbacks run in the
 * receive path and may call tcp_respond. */
struct tcp_app;
struct tcp_conn;
struct tcp_stats;
struct ipv4_view;
int net_tcp_listen(uint16_t port, const struct tcp_app *app);
void net_tcp_input(const struct ipv4_view *ip);
void net_tcp_for_each(void (*fn)(const struct tcp_conn *c, void *arg), void *arg);
void net_tcp_stats(struct tcp_stats *st);
unsigned net_tcp_half_open(void);
/* The TCP state machine for net/socket.c: only under net_tcp_lock. */
struct tcp;
int net_tcp_lock(void);
void net_tcp_unlock(void);
struct tcp *net_tcp_core(void);
/* The status page: HTTP on port 80 (net/httpd.c). */
int net_httpd_start(uint16_t port);

struct arp_entry {
    uint32_t ip;
    uint8_t mac[6];
    uint64_t expires;
    struct netif *nif;
};
void net_arp_for_each(void (*fn)(const struct arp_entry *e, void *arg), void *arg);

struct net_counters {
    uint64_t arp_in, arp_out, icmp_in, icmp_out, udp_in, udp_out, udp_no_port;
    uint64_t bad_frames, fragments_dropped, not_for_us;
    uint64_t arp_held, arp_dropped; /* packets that waited for ARP; dropped waiting */
};
void net_get_counters(struct net_counters *c);
#endif
