#ifndef NET_TCP_H
#define NET_TCP_H
/* A small TCP: passive and active open, in-order delivery (a
 * segment that does not start at the next expected byte is dropped and
 * the expected byte ACKed again), go-back-N retransmission with an
 * exponential timeout, orderly close from either side, RST for strays.
 *
 * Pure: no globals and no clock of its own. The caller feeds segments
 * (tcp_input) and the time (tcp_tick), and gives an output function that
 * puts a segment on the wire. Replies are pulled from the application by
 * offset (tcp_respond), so nothing is buffered here and a retransmission
 * asks the application for the same bytes again. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include "net/inet.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_RST 0x04
#define TCP_PSH 0x08
#define TCP_ACK 0x10

#define TCP_MAX_CONNS 8
#define TCP_MAX_LISTENERS 4
#define TCP_MSS_DEFAULT 536   /* when the peer names none (RFC 879) */
#define TCP_MSS_MAX 1460      /* ours: a 1500-byte MTU */
#define TCP_WINDOW 8192       /* what we offer: requests are small */
#define TCP_INFLIGHT_MAX 16   /* segments sent and not yet acknowledged */
#define TCP_RTO_INITIAL_NS (1000ULL * 1000 * 1000)
#define TCP_RTO_MAX_NS (8000ULL * 1000 * 1000)
#define TCP_RETRIES_MAX 6     /* then the connection is reset */
#define TCP_DUP_ACKS 3        /* duplicate ACKs that resend at once (fast retransmit) */
#define TCP_TIME_WAIT_NS (2000ULL * 1000 * 1000)
#define TCP_IDLE_MAX_NS (60000ULL * 1000 * 1000) /* no progress at all: reset */
/* SYN flood defence: at most this many half-open (SYN_RCVD) connections,
 * and this many from one peer address; a SYN beyond either limit (or with
 * the table full) is answered with a SYN cookie and no state is kept. A
 * half-open connection gives up after TCP_SYN_RETRIES SYN-ACKs. */
#define TCP_HALF_OPEN_MAX 4
#define TCP_HALF_OPEN_PER_PEER 2
#define TCP_SYN_RETRIES 3
/* Keep-alive (tcp_keepalive): a probe after this long without a segment
 * from the peer, then every interval; reset after so many unanswered. */
#define TCP_KEEPALIVE_IDLE_NS (10000ULL * 1000 * 1000)
#define TCP_KEEPALIVE_INTVL_NS (2000ULL * 1000 * 1000)
#define TCP_KEEPALIVE_PROBES 3
#define TCP_EPHEMERAL_FIRST 49152

/* A segment, parsed or to build. Addresses in host order. */
struct tcp_seg {
    uint32_t src, dst;
    uint16_t sport, dport;
    uint32_t seq, ack;
    uint8_t flags;
    uint16_t window;
    uint16_t mss;             /* the MSS option (SYNs only), 0 if absent */
    const uint8_t *data;
    size_t len;
};

/* Checks lengths, the data offset and the checksum (pseudo header of the
 * IPv4 packet it came in). -EBADMSG when anything is wrong. */
int tcp_parse(const struct ipv4_view *ip, struct tcp_seg *s);
/* Header (20 bytes, 24 with an MSS option) and data at p; the length. */
size_t tcp_build(uint8_t *p, const struct tcp_seg *s);

enum tcp_state {
    TCP_CLOSED, TCP_SYN_RCVD, TCP_ESTABLISHED, TCP_CLOSE_WAIT, TCP_LAST_ACK,
    TCP_FIN_WAIT_1, TCP_FIN_WAIT_2, TCP_CLOSING, TCP_TIME_WAIT, TCP_SYN_SENT,
};
const char *tcp_state_name(enum tcp_state s);

struct tcp;
struct tcp_conn;

/* The application's side of a connection. */
struct tcp_app {
    /* Bytes received in order (len 0: the peer closed its side). */
    void (*on_data)(struct tcp_conn *c, const uint8_t *data, size_t len);
    /* Up to cap bytes of the reply from offset off; returns how many. */
    size_t (*read)(struct tcp_conn *c, uint64_t off, uint8_t *buf, size_t cap);
    /* The connection is gone (closed, reset or timed out): c->error says
     * why (0, -ECONNREFUSED, -ECONNRESET, -ETIMEDOUT). */
    void (*on_close)(struct tcp_conn *c);
    /* Optional: an active open completed. */
    void (*on_established)(struct tcp_conn *c);
    /* Optional: bytes the application can take now (the window we
     * offer); without it TCP_WINDOW. */
    size_t (*room)(struct tcp_conn *c);
};

struct tcp_conn {
    enum tcp_state state;
    uint32_t local, remote;      /* host order */
    uint16_t lport, rport;
    uint32_t iss, snd_una, snd_nxt, rcv_nxt;
    uint32_t snd_wnd;            /* the peer's window */
    uint16_t mss;
    uint64_t reply_len;          /* bytes the application will send */
    bool replying, fin_after;    /* tcp_respond called; FIN when sent */
    bool fin_sent, fin_acked, peer_fin;
    uint64_t rto_ns, rto_at, idle_at, time_wait_at;
    uint64_t opened_at;          /* the oldest half-open one is evicted first */
    unsigned retries, dup_acks;
    int error;                   /* why it closed (see on_close) */
    bool keepalive;
    unsigned probes;             /* keep-alive probes unanswered */
    uint32_t wnd_adv;            /* the window last offered */
    uint32_t wnd_taken;          /* accepted, not yet given to the application */
    const struct tcp_app *app;
    void *app_ctx;
    struct tcp *owner;
};

struct tcp_stats {
    uint64_t segs_in, segs_out, bad_segs, resets_sent, resets_received;
    uint64_t retransmits, out_of_order, accepted, refused, timeouts;
    uint64_t cookies_sent, cookies_accepted, cookies_bad, half_open_evicted, half_open_expired;
    uint64_t connects, connected, connect_refused, keepalive_probes;
};

struct tcp {
    struct tcp_conn conns[TCP_MAX_CONNS];
    struct {
        uint16_t port;
        const struct tcp_app *app;
    } listeners[TCP_MAX_LISTENERS];
    /* Puts a segment on the wire (the caller fills addresses). */
    void (*output)(struct tcp *t, const struct tcp_seg *s, void *arg);
    void *output_arg;
    uint32_t isn_seed;
    uint16_t next_port;          /* the next ephemeral port to try */
    struct tcp_stats st;
};

void tcp_init(struct tcp *t, void (*output)(struct tcp *, const struct tcp_seg *, void *),
              void *arg, uint32_t isn_seed);
/* 0, -EBUSY if the port has a listener, -ENOSPC if the table is full. */
int tcp_listen(struct tcp *t, uint16_t port, const struct tcp_app *app);
void tcp_unlisten(struct tcp *t, uint16_t port);
void tcp_input(struct tcp *t, const struct tcp_seg *s, uint64_t now);
/* Retransmissions and timeouts due by now. */
void tcp_tick(struct tcp *t, uint64_t now);
/* The earliest time tcp_tick has something to do, 0 if none. */
uint64_t tcp_next_deadline(const struct tcp *t);
/* The application will send len bytes (pulled through app->read), then
 * close its side. */
void tcp_respond(struct tcp_conn *c, uint64_t len, uint64_t now);
/* The application will have sent len bytes in all (pulled through
 * app->read; len only grows), then close its side if fin. */
void tcp_send(struct tcp_conn *c, uint64_t len, bool fin, uint64_t now);
/* Active open from local to remote:rport: SYN_SENT (*out), -ENOSPC if
 * the table is full, -EADDRINUSE if no ephemeral port is free. */
int tcp_connect(struct tcp *t, uint32_t local, uint32_t remote, uint16_t rport,
                const struct tcp_app *app, void *ctx, uint64_t now, struct tcp_conn **out);
/* The application took data (app->room grew): tell the peer if the
 * window opened enough to matter. */
void tcp_window_update(struct tcp_conn *c, uint64_t now);
void tcp_keepalive(struct tcp_conn *c, bool on, uint64_t now);
/* Abort: RST to the peer, the connection is forgotten. */
void tcp_abort(struct tcp_conn *c);
/* Connections in SYN_RCVD: all, and from one address. */
unsigned tcp_half_open(const struct tcp *t, uint32_t peer);
unsigned tcp_half_open_all(const struct tcp *t);
#endif
