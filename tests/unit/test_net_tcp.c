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

static const struct tcp_app app = { app_data, app_read, app_close };
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

static void test_full_table_refuses_and_bad_ack_resets(void **state)
{
    UNUSED_STATE;
    for (unsigned i = 0; i < TCP_MAX_CONNS + 1; i++) {
        struct tcp_seg syn = { .src = PEER, .dst = ME, .sport = (uint16_t)(100 + i), .dport = 80,
                               .seq = 1, .flags = TCP_SYN, .window = 100 };
        tcp_input(&t, &syn, 0);
    }
    assert_int_equal(t.st.refused, 1);
    assert_int_equal(out[nout - 1].s.flags, TCP_RST | TCP_ACK);
    /* the handshake's ACK must acknowledge our SYN exactly */
    nout = 0;
    struct tcp_seg ack = { .src = PEER, .dst = ME, .sport = 100, .dport = 80, .seq = 2,
                           .ack = t.conns[0].iss + 5, .flags = TCP_ACK, .window = 100 };
    tcp_input(&t, &ack, 0);
    assert_int_equal(t.conns[0].state, TCP_SYN_RCVD);
    assert_int_equal(out[0].s.flags, TCP_RST);
    /* an unanswered SYN-ACK is sent again, then the attempt is given up */
    nout = 0;
    tcp_tick(&t, TCP_RTO_INITIAL_NS);
    assert_int_equal(nout, TCP_MAX_CONNS);
    assert_int_equal(out[0].s.flags, TCP_SYN | TCP_ACK);
    assert_int_equal(tcp_next_deadline(&t), 3 * TCP_RTO_INITIAL_NS);
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
        cmocka_unit_test_setup(test_full_table_refuses_and_bad_ack_resets, setup),
        cmocka_unit_test_setup(test_listen_table, setup),
    };
    return cmocka_run_group_tests(tests, 0, 0);
}
