/* The small TCP: wire format, and the server state machine driven by
 * hand-made segments with a recording output and an explicit clock. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <string.h>

#include "net/tcp.h"
#include "kern/errno.h"

#define UNUSED_STATE (void)state
#define ME 0x0a000015u   /* 10.0.0.21 */
#define PEER 0x0a000001u /* 10.0.0.1 */
#define MS (1000ULL * 1000)

/* What the state machine put on the wire. */
struct sent {
    struct tcp_seg s;
    uint8_t data[TCP_MSS_MAX];
};
static struct sent out[256];
static unsigned nout;

static void record(struct tcp *t, const struct tcp_seg *s, void *arg)
{
    (void)t;
    (void)arg;
    assert_true(nout < 256);
    out[nout].s = *s;
    assert_true(s->len <= TCP_MSS_MAX);
    if (s->len)
        memcpy(out[nout].data, s->data, s->len);
    out[nout].s.data = out[nout].data;
    nout++;
}

/* The application: collects what arrives, answers "reply_len" bytes of
 * (offset & 0xff) once it has seen a '\n', counts closes. */
static uint8_t got[4096];
static size_t got_len;
static bool got_eof;
static int closes;
static uint64_t reply_len;

static void app_data(struct tcp_conn *c, const uint8_t *d, size_t len)
{
    if (!len) {
        got_eof = true;
        return;
    }
    memcpy(got + got_len, d, len);
    got_len += len;
    if (memchr(d, '\n', len))
        tcp_respond(c, reply_len, 0);
}

static size_t app_read(struct tcp_conn *c, uint64_t off, uint8_t *buf, size_t cap)
{
    (void)c;
    size_t n = 0;
    for (; n < cap && off + n < reply_len; n++)
        buf[n] = (uint8_t)(off + n);
    return n;
}

static void app_close(struct tcp_conn *c)
{
    (void)c;
    closes++;
}

static const struct tcp_app app = { app_data, app_read, app_close, 0, 0 };
static struct tcp t;

static int setup(void **state)
{
    UNUSED_STATE;
    nout = 0;
    got_len = 0;
    got_eof = false;
    closes = 0;
    reply_len = 0;
    tcp_init(&t, record, 0, 12345);
    assert_int_equal(tcp_listen(&t, 80, &app), 0);
    return 0;
}

static void seg_in(uint32_t seq, uint32_t ack, uint8_t flags, const char *data, uint16_t window,
                   uint64_t now)
{
    struct tcp_seg s = { .src = PEER, .dst = ME, .sport = 40000, .dport = 80, .seq = seq,
                         .ack = ack, .flags = flags, .window = window,
                         .data = (const uint8_t *)data, .len = data ? strlen(data) : 0 };
    tcp_input(&t, &s, now);
}

/* SYN, SYN-ACK, ACK: returns our ISS. The peer's ISS is 1000. */
static uint32_t handshake(uint16_t mss, uint16_t window)
{
    struct tcp_seg syn = { .src = PEER, .dst = ME, .sport = 40000, .dport = 80, .seq = 1000,
                           .flags = TCP_SYN, .window = window, .mss = mss };
    tcp_input(&t, &syn, 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(out[0].s.ack, 1001);
    assert_int_equal(out[0].s.mss, TCP_MSS_MAX);
    assert_int_equal(out[0].s.dst, PEER);
    assert_int_equal(out[0].s.dport, 40000);
    uint32_t iss = out[0].s.seq;
    seg_in(1001, iss + 1, TCP_ACK, 0, window, 0);
    assert_int_equal(t.conns[0].state, TCP_ESTABLISHED);
    assert_int_equal(t.st.accepted, 1);
    nout = 0;
    return iss;
}

static void test_wire_roundtrip(void **state)
{
    UNUSED_STATE;
    uint8_t pkt[128];
    struct tcp_seg s = { .src = PEER, .dst = ME, .sport = 1234, .dport = 80, .seq = 0xfffffff0,
                         .ack = 7, .flags = TCP_SYN, .window = 512, .mss = 1400,
                         .data = (const uint8_t *)"hi", .len = 2 };
    size_t n = tcp_build(pkt, &s);
    assert_int_equal(n, 26);
    struct ipv4_view ip = { .src = PEER, .dst = ME, .proto = IP_PROTO_TCP, .payload = pkt,
                            .len = n };
    struct tcp_seg p;
    assert_int_equal(tcp_parse(&ip, &p), 0);
    assert_int_equal(p.sport, 1234);
    assert_int_equal(p.dport, 80);
    assert_int_equal(p.seq, 0xfffffff0);
    assert_int_equal(p.ack, 7);
    assert_int_equal(p.flags, TCP_SYN);
    assert_int_equal(p.window, 512);
    assert_int_equal(p.mss, 1400);
    assert_int_equal(p.len, 2);
    assert_memory_equal(p.data, "hi", 2);
    /* from another address: the pseudo-header checksum no longer holds */
    ip.src = PEER + 1;
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG);
    ip.src = PEER;
    pkt[25] ^= 0x20; /* data changed */
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG);
}

static void test_wire_rejects_bad_lengths_and_options(void **state)
{
    UNUSED_STATE;
    uint8_t pkt[64] = { 0 };
    struct tcp_seg s = { .src = PEER, .dst = ME, .sport = 1, .dport = 2, .flags = TCP_ACK };
    size_t n = tcp_build(pkt, &s);
    struct ipv4_view ip = { .src = PEER, .dst = ME, .payload = pkt, .len = 19 };
    struct tcp_seg p;
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG); /* shorter than a header */
    ip.len = n;
    pkt[12] = 4 << 4; /* data offset 16 bytes */
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG);
    pkt[12] = 15 << 4; /* 60 bytes: beyond the packet */
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG);
    /* an option whose length runs past the header */
    s.mss = 1000;
    n = tcp_build(pkt, &s);
    pkt[21] = 9;
    pkt[16] = pkt[17] = 0;
    uint16_t c = inet_fold(inet_sum(pkt, n, inet_pseudo_sum(PEER, ME, IP_PROTO_TCP, n)));
    put16(pkt + 16, c);
    ip.len = n;
    assert_int_equal(tcp_parse(&ip, &p), -EBADMSG);
}

static void test_handshake_request_reply_close(void **state)
{
    UNUSED_STATE;
    reply_len = 3000;
    uint32_t iss = handshake(1000, 65535);
    seg_in(1001, iss + 1, TCP_ACK | TCP_PSH, "GET /\n", 65535, 1 * MS);
    assert_int_equal(got_len, 6);
    /* an ACK for the request, then 3000 bytes in MSS-sized segments, then FIN */
    assert_int_equal(nout, 5);
    assert_int_equal(out[0].s.flags, TCP_ACK);
    assert_int_equal(out[0].s.ack, 1007);
    for (unsigned i = 0; i < 3; i++) {
        assert_int_equal(out[1 + i].s.seq, iss + 1 + i * 1000);
        assert_int_equal(out[1 + i].s.len, 1000);
        assert_int_equal(out[1 + i].data[0], (uint8_t)(i * 1000));
    }
    assert_int_equal(out[4].s.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(out[4].s.seq, iss + 3001);
    assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_1);
    /* the peer acknowledges all, then closes its side */
    seg_in(1007, iss + 3002, TCP_ACK, 0, 65535, 2 * MS);
    assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_2);
    nout = 0;
    seg_in(1007, iss + 3002, TCP_ACK | TCP_FIN, 0, 65535, 3 * MS);
    assert_true(got_eof);
    assert_int_equal(t.conns[0].state, TCP_TIME_WAIT);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.ack, 1008);
    assert_int_equal(closes, 0);
    tcp_tick(&t, 3 * MS + TCP_TIME_WAIT_NS);
    assert_int_equal(t.conns[0].state, TCP_CLOSED);
    assert_int_equal(closes, 1);
}

static void test_window_limits_and_acks_release(void **state)
{
    UNUSED_STATE;
    reply_len = 5000;
    uint32_t iss = handshake(1460, 2000); /* the peer offers 2000 bytes */
    seg_in(1001, iss + 1, TCP_ACK, "x\n", 2000, 0);
    /* ACK, then 1460 + 540: the window is full */
    assert_int_equal(nout, 3);
    assert_int_equal(out[1].s.len, 1460);
    assert_int_equal(out[2].s.len, 540);
    nout = 0;
    seg_in(1003, iss + 1 + 2000, TCP_ACK, 0, 2000, 1 * MS);
    assert_int_equal(nout, 2);
    assert_int_equal(out[0].s.seq, iss + 2001);
    assert_int_equal(out[0].s.len, 1460);
    assert_int_equal(out[1].s.len, 540);
}

static void test_retransmit_backs_off_then_aborts(void **state)
{
    UNUSED_STATE;
    reply_len = 100;
    uint32_t iss = handshake(1460, 65535);
    seg_in(1001, iss + 1, TCP_ACK, "q\n", 65535, 0);
    assert_int_equal(nout, 3); /* ACK, data, FIN */
    nout = 0;
    tcp_tick(&t, TCP_RTO_INITIAL_NS - 1);
    assert_int_equal(nout, 0); /* not yet */
    tcp_tick(&t, TCP_RTO_INITIAL_NS);
    /* go back N: the data again, then the FIN */
    assert_int_equal(nout, 2);
    assert_int_equal(out[0].s.seq, iss + 1);
    assert_int_equal(out[0].s.len, 100);
    assert_int_equal(out[1].s.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(t.st.retransmits, 1);
    /* the next one waits twice as long */
    nout = 0;
    tcp_tick(&t, TCP_RTO_INITIAL_NS + 2 * TCP_RTO_INITIAL_NS - 1);
    assert_int_equal(nout, 0);
    uint64_t now = TCP_RTO_INITIAL_NS;
    for (unsigned i = 1; i < TCP_RETRIES_MAX; i++) {
        uint64_t rto = TCP_RTO_INITIAL_NS << i;
        now += rto < TCP_RTO_MAX_NS ? rto : TCP_RTO_MAX_NS;
        tcp_tick(&t, now);
    }
    assert_int_equal(t.st.retransmits, TCP_RETRIES_MAX);
    assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_1);
    nout = 0;
    tcp_tick(&t, now + TCP_RTO_MAX_NS);
    assert_int_equal(t.conns[0].state, TCP_CLOSED);
    assert_int_equal(t.st.timeouts, 1);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.flags, TCP_RST | TCP_ACK);
    assert_int_equal(closes, 1);
}

static void test_three_duplicate_acks_resend_at_once(void **state)
{
    UNUSED_STATE;
    reply_len = 4000;
    uint32_t iss = handshake(1000, 65535);
    seg_in(1001, iss + 1, TCP_ACK, "x\n", 65535, 0);
    assert_int_equal(nout, 6); /* ACK, 4 x 1000, FIN */
    /* the first segment was lost: the peer acknowledges byte 1 four times */
    nout = 0;
    seg_in(1003, iss + 1, TCP_ACK, 0, 65535, 1 * MS);
    seg_in(1003, iss + 1, TCP_ACK, 0, 65535, 2 * MS);
    assert_int_equal(nout, 0);
    seg_in(1003, iss + 1, TCP_ACK, 0, 65535, 3 * MS);
    assert_true(nout >= 1);
    assert_int_equal(out[0].s.seq, iss + 1);
    assert_int_equal(out[0].s.len, 1000);
    assert_int_equal(t.st.retransmits, 1);
    unsigned after = nout;
    seg_in(1003, iss + 1, TCP_ACK, 0, 65535, 4 * MS); /* a fourth: nothing more */
    assert_int_equal(nout, after);
    /* everything acknowledged: the connection carries on */
    seg_in(1003, iss + 4002, TCP_ACK, 0, 65535, 5 * MS);
    assert_int_equal(t.conns[0].state, TCP_FIN_WAIT_2);
}

static void test_out_of_order_is_dropped_and_reacked(void **state)
{
    UNUSED_STATE;
    uint32_t iss = handshake(1460, 65535);
    seg_in(1005, iss + 1, TCP_ACK, "late\n", 65535, 0); /* 4 bytes missing before it */
    assert_int_equal(got_len, 0);
    assert_int_equal(t.st.out_of_order, 1);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.ack, 1001);
    /* the missing bytes and a retransmission overlapping them */
    seg_in(1001, iss + 1, TCP_ACK, "abcd", 65535, 0);
    seg_in(1003, iss + 1, TCP_ACK, "cdef", 65535, 0); /* "cd" again, "ef" new */
    assert_int_equal(got_len, 6);
    assert_memory_equal(got, "abcdef", 6);
    /* a pure duplicate changes nothing */
    seg_in(1001, iss + 1, TCP_ACK, "ab", 65535, 0);
    assert_int_equal(got_len, 6);
}

static void test_peer_closes_first(void **state)
{
    UNUSED_STATE;
    reply_len = 10;
    uint32_t iss = handshake(1460, 65535);
    /* request and FIN in one segment: the reply still goes out */
    seg_in(1001, iss + 1, TCP_ACK | TCP_FIN, "GET\n", 65535, 0);
    assert_true(got_eof);
    assert_int_equal(got_len, 4);
    assert_int_equal(t.conns[0].state, TCP_LAST_ACK);
    assert_int_equal(out[nout - 1].s.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(out[nout - 2].s.len, 10);
    seg_in(1006, iss + 12, TCP_ACK, 0, 65535, 0);
    assert_int_equal(t.conns[0].state, TCP_CLOSED);
    assert_int_equal(closes, 1);
}

static void test_resets(void **state)
{
    UNUSED_STATE;
    /* a SYN to a port nobody listens on: RST|ACK */
    struct tcp_seg syn = { .src = PEER, .dst = ME, .sport = 5, .dport = 81, .seq = 77,
                           .flags = TCP_SYN, .window = 100 };
    tcp_input(&t, &syn, 0);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.flags, TCP_RST | TCP_ACK);
    assert_int_equal(out[0].s.ack, 78);
    /* a stray ACK: RST with its ack as our seq */
    nout = 0;
    struct tcp_seg ack = { .src = PEER, .dst = ME, .sport = 5, .dport = 80, .seq = 1, .ack = 999,
                           .flags = TCP_ACK };
    tcp_input(&t, &ack, 0);
    assert_int_equal(out[0].s.flags, TCP_RST);
    assert_int_equal(out[0].s.seq, 999);
    /* a RST never answers a RST */
    nout = 0;
    ack.flags = TCP_RST;
    tcp_input(&t, &ack, 0);
    assert_int_equal(nout, 0);
    /* in a connection: out of window ignored, at rcv_nxt closes */
    uint32_t iss = handshake(1460, 65535);
    seg_in(1001 + 100000, iss + 1, TCP_RST, 0, 0, 0);
    assert_int_equal(t.conns[0].state, TCP_ESTABLISHED);
    seg_in(1001, iss + 1, TCP_RST, 0, 0, 0);
    assert_int_equal(t.conns[0].state, TCP_CLOSED);
    assert_int_equal(t.st.resets_received, 1);
    assert_int_equal(closes, 1);
}

#define FLOODER 0x0a000042u /* 10.0.0.66 */

static void syn_from(uint32_t src, uint16_t sport, uint32_t seq, uint64_t now)
{
    struct tcp_seg syn = { .src = src, .dst = ME, .sport = sport, .dport = 80, .seq = seq,
                           .flags = TCP_SYN, .window = 65535, .mss = 1460 };
    tcp_input(&t, &syn, now);
}

static void test_half_open_bounded_and_bad_ack_resets(void **state)
{
    UNUSED_STATE;
    /* one address: two half-open connections, then cookies (no state) */
    for (unsigned i = 0; i < 50; i++)
        syn_from(FLOODER, (uint16_t)(100 + i), 1, 0);
    assert_int_equal(tcp_half_open(&t, FLOODER), TCP_HALF_OPEN_PER_PEER);
    assert_int_equal(t.st.cookies_sent, 50 - TCP_HALF_OPEN_PER_PEER);
    assert_int_equal(nout, 50);
    for (unsigned i = 0; i < nout; i++)
        assert_int_equal(out[i].s.flags, TCP_SYN | TCP_ACK);
    /* many addresses: never more than TCP_HALF_OPEN_MAX in all */
    for (unsigned i = 0; i < 20; i++)
        syn_from(FLOODER + 1 + i, 7, 1, 0);
    assert_int_equal(tcp_half_open_all(&t), TCP_HALF_OPEN_MAX);
    assert_int_equal(t.st.refused, 0);
    /* the handshake's ACK must acknowledge our SYN exactly */
    nout = 0;
    struct tcp_seg ack = { .src = FLOODER, .dst = ME, .sport = 100, .dport = 80, .seq = 2,
                           .ack = t.conns[0].iss + 5, .flags = TCP_ACK, .window = 100 };
    tcp_input(&t, &ack, 0);
    assert_int_equal(t.conns[0].state, TCP_SYN_RCVD);
    assert_int_equal(out[0].s.flags, TCP_RST);
    /* an unanswered SYN-ACK is sent again, then the attempt is given up
     * without a RST */
    nout = 0;
    tcp_tick(&t, TCP_RTO_INITIAL_NS);
    assert_int_equal(nout, TCP_HALF_OPEN_MAX);
    assert_int_equal(out[0].s.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(tcp_next_deadline(&t), 3 * TCP_RTO_INITIAL_NS);
    uint64_t now = TCP_RTO_INITIAL_NS;
    for (unsigned i = 1; i < TCP_SYN_RETRIES; i++) {
        now += TCP_RTO_INITIAL_NS << i;
        tcp_tick(&t, now);
    }
    assert_int_equal(tcp_half_open_all(&t), TCP_HALF_OPEN_MAX);
    nout = 0;
    tcp_tick(&t, now + (TCP_RTO_INITIAL_NS << TCP_SYN_RETRIES));
    assert_int_equal(tcp_half_open_all(&t), 0);
    assert_int_equal(t.st.half_open_expired, TCP_HALF_OPEN_MAX);
    assert_int_equal(nout, 0);
    assert_int_equal(closes, TCP_HALF_OPEN_MAX);
}

/* The peer completes a cookie's handshake and is served like any other. */
static void test_syn_cookie_serves_during_flood(void **state)
{
    UNUSED_STATE;
    reply_len = 500;
    for (unsigned i = 0; i < 40; i++)
        syn_from(FLOODER + (i & 3), (uint16_t)(100 + i), 1, 5 * MS);
    assert_int_equal(tcp_half_open_all(&t), TCP_HALF_OPEN_MAX);
    nout = 0;
    syn_from(PEER, 40000, 1000, 6 * MS);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(out[0].s.ack, 1001);
    assert_int_equal(out[0].s.mss, TCP_MSS_MAX);
    uint32_t cookie = out[0].s.seq;
    assert_int_equal(tcp_half_open(&t, PEER), 0); /* no state kept */
    /* a guessed ACK is refused */
    nout = 0;
    seg_in(1001, cookie + 2, TCP_ACK, 0, 65535, 7 * MS);
    assert_int_equal(t.st.cookies_bad, 1);
    assert_int_equal(out[0].s.flags, TCP_RST);
    /* the real ACK, a little later, carrying the request */
    nout = 0;
    seg_in(1001, cookie + 1, TCP_ACK | TCP_PSH, "GET /\n", 65535, 900 * MS);
    assert_int_equal(t.st.cookies_accepted, 1);
    assert_int_equal(got_len, 6);
    assert_int_equal(out[0].s.ack, 1007);
    assert_int_equal(out[1].s.seq, cookie + 1);
    assert_int_equal(out[1].s.len, 500);
    assert_int_equal(out[2].s.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(tcp_half_open_all(&t), TCP_HALF_OPEN_MAX);
}

static void test_syn_cookie_ages_and_evicts_the_oldest(void **state)
{
    UNUSED_STATE;
    /* a cookie from the slot before still opens; two slots back does not */
    uint64_t slot = 1ULL << 36;
    for (unsigned i = 0; i < 2; i++)
        syn_from(FLOODER, (uint16_t)(100 + i), 1, 10 * slot);
    nout = 0;
    syn_from(FLOODER, 500, 1000, 10 * slot);
    uint32_t cookie = out[0].s.seq;
    struct tcp_seg ack = { .src = FLOODER, .dst = ME, .sport = 500, .dport = 80, .seq = 1001,
                           .ack = cookie + 1, .flags = TCP_ACK, .window = 100 };
    tcp_input(&t, &ack, 12 * slot);
    assert_int_equal(t.st.cookies_bad, 1);
    tcp_input(&t, &ack, 11 * slot + 5);
    assert_int_equal(t.st.cookies_accepted, 1);
    /* fill the table with established connections and two half-open */
    for (unsigned i = 0; i < TCP_MAX_CONNS - 3; i++) {
        nout = 0;
        syn_from(PEER + 1 + i, 9, 50, 11 * slot + 10 + i);
        struct tcp_seg a = { .src = PEER + 1 + i, .dst = ME, .sport = 9, .dport = 80, .seq = 51,
                             .ack = out[0].s.seq + 1, .flags = TCP_ACK, .window = 100 };
        tcp_input(&t, &a, 11 * slot + 10 + i);
    }
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++)
        assert_int_not_equal(t.conns[i].state, TCP_CLOSED);
    /* one more cookie's ACK: the oldest half-open connection makes way */
    nout = 0;
    syn_from(PEER, 40000, 1000, 11 * slot + 100);
    cookie = out[0].s.seq;
    seg_in(1001, cookie + 1, TCP_ACK, 0, 65535, 11 * slot + 101);
    assert_int_equal(t.st.cookies_accepted, 2);
    assert_int_equal(t.st.half_open_evicted, 1);
    assert_int_equal(t.conns[0].state, TCP_ESTABLISHED);
    assert_int_equal(t.conns[0].remote, PEER);
    assert_int_equal(t.conns[1].state, TCP_SYN_RCVD);
}

/* Active open: a client with its own receive room. */
static int cl_est, cl_close_err = 1;
static size_t cl_room = 4000;
static void cl_established(struct tcp_conn *c) { (void)c; cl_est++; }
static void cl_close(struct tcp_conn *c) { cl_close_err = c->error; closes++; }
static size_t cl_room_fn(struct tcp_conn *c) { (void)c; return cl_room; }
static void cl_data(struct tcp_conn *c, const uint8_t *d, size_t len)
{
    (void)c;
    if (!len) {
        got_eof = true;
        return;
    }
    memcpy(got + got_len, d, len);
    got_len += len;
    cl_room -= len;
}
static const struct tcp_app client = { cl_data, app_read, cl_close, cl_established, cl_room_fn };

static struct tcp_conn *connect_to(uint16_t port, uint64_t now)
{
    struct tcp_conn *c = 0;
    cl_est = 0;
    cl_close_err = 1;
    cl_room = 4000;
    nout = 0;
    assert_int_equal(tcp_connect(&t, ME, PEER, port, &client, 0, now, &c), 0);
    assert_non_null(c);
    assert_int_equal(c->state, TCP_SYN_SENT);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.flags, TCP_SYN);
    assert_int_equal(out[0].s.mss, TCP_MSS_MAX);
    assert_int_equal(out[0].s.dport, port);
    assert_true(out[0].s.sport >= TCP_EPHEMERAL_FIRST);
    assert_int_equal(out[0].s.window, 4000);
    return c;
}

static void peer_seg(struct tcp_conn *c, uint32_t seq, uint32_t ack, uint8_t flags,
                     const char *data, uint16_t mss, uint64_t now)
{
    struct tcp_seg s = { .src = PEER, .dst = ME, .sport = c->rport, .dport = c->lport,
                         .seq = seq, .ack = ack, .flags = flags, .window = 65535, .mss = mss,
                         .data = (const uint8_t *)data, .len = data ? strlen(data) : 0 };
    tcp_input(&t, &s, now);
}

static void test_connect_send_receive_close(void **state)
{
    UNUSED_STATE;
    struct tcp_conn *c = connect_to(8080, 0);
    uint32_t iss = out[0].s.seq;
    /* the request is queued before the handshake completes */
    reply_len = 20;
    tcp_send(c, 20, false, 0);
    assert_int_equal(nout, 1);
    nout = 0;
    peer_seg(c, 5000, iss + 1, TCP_SYN | TCP_ACK, 0, 1000, 1 * MS);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    assert_int_equal(cl_est, 1);
    assert_int_equal(c->mss, 1000);
    assert_int_equal(out[0].s.flags, TCP_ACK);
    assert_int_equal(out[0].s.ack, 5001);
    assert_int_equal(out[1].s.len, 20);
    assert_int_equal(out[1].s.seq, iss + 1);
    /* the answer: no more than the room offered is taken */
    nout = 0;
    char big[4100];
    memset(big, 'a', sizeof(big) - 1);
    big[sizeof(big) - 1] = 0;
    peer_seg(c, 5001, iss + 21, TCP_ACK, big, 0, 2 * MS);
    assert_int_equal(got_len, 4000);
    assert_int_equal(out[0].s.ack, 9001);
    assert_int_equal(out[0].s.window, 0);
    /* the application takes it all: the window reopens */
    nout = 0;
    cl_room = 4000;
    tcp_window_update(c, 3 * MS);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.window, 4000);
    /* the server closes; we close too */
    peer_seg(c, 9001, iss + 21, TCP_ACK | TCP_FIN, 0, 0, 4 * MS);
    assert_true(got_eof);
    assert_int_equal(c->state, TCP_CLOSE_WAIT);
    nout = 0;
    tcp_send(c, 20, true, 5 * MS);
    assert_int_equal(out[0].s.flags, TCP_FIN | TCP_ACK);
    assert_int_equal(c->state, TCP_LAST_ACK);
    peer_seg(c, 9002, iss + 22, TCP_ACK, 0, 0, 6 * MS);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(cl_close_err, 0);
    assert_int_equal(t.st.connected, 1);
}

static void test_connect_refused_reset_and_timeout(void **state)
{
    UNUSED_STATE;
    /* RST|ACK to our SYN: refused */
    struct tcp_conn *c = connect_to(81, 0);
    uint32_t iss = out[0].s.seq;
    peer_seg(c, 0, iss + 2, TCP_RST | TCP_ACK, 0, 0, 0); /* a wrong ack: ignored */
    assert_int_equal(c->state, TCP_SYN_SENT);
    peer_seg(c, 0, iss + 1, TCP_RST | TCP_ACK, 0, 0, 0);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(cl_close_err, -ECONNREFUSED);
    assert_int_equal(t.st.connect_refused, 1);
    /* no answer at all: SYNs with back-off, then timed out */
    c = connect_to(82, 0);
    uint16_t lport = c->lport;
    uint64_t now = 0;
    for (unsigned i = 0; i < TCP_RETRIES_MAX; i++) {
        uint64_t rto = TCP_RTO_INITIAL_NS << i;
        now += rto < TCP_RTO_MAX_NS ? rto : TCP_RTO_MAX_NS;
        nout = 0;
        tcp_tick(&t, now);
        assert_int_equal(nout, 1);
        assert_int_equal(out[0].s.flags, TCP_SYN);
    }
    tcp_tick(&t, now + TCP_RTO_MAX_NS);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(cl_close_err, -ETIMEDOUT);
    /* a reset once established */
    c = connect_to(83, now);
    assert_int_not_equal(c->lport, lport);
    iss = out[0].s.seq;
    peer_seg(c, 700, iss + 1, TCP_SYN | TCP_ACK, 0, 0, now);
    assert_int_equal(c->mss, TCP_MSS_DEFAULT);
    peer_seg(c, 701, iss + 1, TCP_RST, 0, 0, now);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(cl_close_err, -ECONNRESET);
}

static void test_keepalive_probes_then_gives_up(void **state)
{
    UNUSED_STATE;
    struct tcp_conn *c = connect_to(8080, 0);
    uint32_t iss = out[0].s.seq;
    tcp_keepalive(c, true, 0);
    peer_seg(c, 5000, iss + 1, TCP_SYN | TCP_ACK, 0, 1460, 0);
    assert_int_equal(tcp_next_deadline(&t), TCP_KEEPALIVE_IDLE_NS);
    nout = 0;
    tcp_tick(&t, TCP_KEEPALIVE_IDLE_NS);
    assert_int_equal(nout, 1);
    assert_int_equal(out[0].s.seq, iss); /* one before snd_una */
    assert_int_equal(out[0].s.len, 0);
    /* the peer answers: quiet again for the idle time */
    uint64_t now = TCP_KEEPALIVE_IDLE_NS + 1 * MS;
    peer_seg(c, 5001, iss + 1, TCP_ACK, 0, 0, now);
    assert_int_equal(tcp_next_deadline(&t), now + TCP_KEEPALIVE_IDLE_NS);
    now += TCP_KEEPALIVE_IDLE_NS;
    for (unsigned i = 0; i < TCP_KEEPALIVE_PROBES; i++) {
        tcp_tick(&t, now);
        now += TCP_KEEPALIVE_INTVL_NS;
    }
    assert_int_equal(t.st.keepalive_probes, 1 + TCP_KEEPALIVE_PROBES);
    assert_int_equal(c->state, TCP_ESTABLISHED);
    nout = 0;
    tcp_tick(&t, now);
    assert_int_equal(c->state, TCP_CLOSED);
    assert_int_equal(cl_close_err, -ETIMEDOUT);
    assert_int_equal(out[0].s.flags, TCP_RST | TCP_ACK);
}

static void test_listen_table(void **state)
{
    UNUSED_STATE;
    assert_int_equal(tcp_listen(&t, 80, &app), -EBUSY);
    for (uint16_t p = 1; p < TCP_MAX_LISTENERS; p++)
        assert_int_equal(tcp_listen(&t, p, &app), 0);
    assert_int_equal(tcp_listen(&t, 9999, &app), -ENOSPC);
    tcp_unlisten(&t, 80);
    assert_int_equal(tcp_listen(&t, 9999, &app), 0);
    assert_string_equal(tcp_state_name(TCP_TIME_WAIT), "TIME_WAIT");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_wire_roundtrip, setup),
        cmocka_unit_test_setup(test_wire_rejects_bad_lengths_and_options, setup),
        cmocka_unit_test_setup(test_handshake_request_reply_close, setup),
        cmocka_unit_test_setup(test_window_limits_and_acks_release, setup),
        cmocka_unit_test_setup(test_retransmit_backs_off_then_aborts, setup),
        cmocka_unit_test_setup(test_three_duplicate_acks_resend_at_once, setup),
        cmocka_unit_test_setup(test_out_of_order_is_dropped_and_reacked, setup),
        cmocka_unit_test_setup(test_peer_closes_first, setup),
        cmocka_unit_test_setup(test_resets, setup),
        cmocka_unit_test_setup(test_half_open_bounded_and_bad_ack_resets, setup),
        cmocka_unit_test_setup(test_syn_cookie_serves_during_flood, setup),
        cmocka_unit_test_setup(test_syn_cookie_ages_and_evicts_the_oldest, setup),
        cmocka_unit_test_setup(test_connect_send_receive_close, setup),
        cmocka_unit_test_setup(test_connect_refused_reset_and_timeout, setup),
        cmocka_unit_test_setup(test_keepalive_probes_then_gives_up, setup),
        cmocka_unit_test_setup(test_listen_table, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
