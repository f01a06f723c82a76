/* libFuzzer: a hostile peer talking to the small TCP. The input is a
 * series of segments (each: 1 length byte, then a TCP header and data,
 * with the checksum mended so they reach the state machine) and clock
 * steps. Whatever arrives: every segment we send is one we could parse,
 * its data lies inside what the application offered, unacknowledged data
 * never exceeds what was sent, and each connection is closed once. */
#include <stdint.h>
#include <stddef.h>
#include <string.h>

#include "net/tcp.h"
#include "kern/errno.h"
#include "tests/fuzz/fuzz_check.h"

#define ME 0x0a000015u
#define PEER 0x0a000001u
#define REPLY 5000

static int opened, closed;

static void output(struct tcp *t, const struct tcp_seg *s, void *arg)
{
    (void)t;
    (void)arg;
    static uint8_t pkt[24 + TCP_MSS_MAX];
    CHECK(s->len <= TCP_MSS_MAX);
    size_t n = tcp_build(pkt, s);
    struct ipv4_view ip = { .src = s->src, .dst = s->dst, .payload = pkt, .len = n };
    struct tcp_seg back;
    CHECK(tcp_parse(&ip, &back) == 0);
    CHECK(back.len == s->len && back.flags == s->flags);
}

static void on_data(struct tcp_conn *c, const uint8_t *d, size_t len)
{
    (void)d;
    if (!c->app_ctx) {
        c->app_ctx = c;
        opened++;
    }
    if (len && d[0] == 'G')
        tcp_respond(c, REPLY, 0);
}

static size_t on_read(struct tcp_conn *c, uint64_t off, uint8_t *buf, size_t cap)
{
    (void)c;
    CHECK(off < REPLY);
    size_t n = REPLY - off < cap ? REPLY - off : cap;
    memset(buf, 'x', n);
    return n;
}

static void on_close(struct tcp_conn *c)
{
    if (c->app_ctx)
        closed++;
    c->app_ctx = 0;
}

static const struct tcp_app app = { on_data, on_read, on_close, 0, 0 };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct tcp t;
    tcp_init(&t, output, 0, 1);
    tcp_listen(&t, 80, &app);
    opened = closed = 0;
    uint64_t now = 0;
    size_t i = 0;
    while (i < size) {
        size_t len = data[i++];
        if (len == 0) { /* a clock step */
            now += 500ULL * 1000 * 1000;
            tcp_tick(&t, now);
            continue;
        }
        if (len > size - i)
            len = size - i;
        uint8_t pkt[256];
        memcpy(pkt, data + i, len);
        i += len;
        if (len >= 4)
            pkt[2] = 0, pkt[3] = 80; /* mostly to the listener */
        if (len >= 18)
            pkt[16] = pkt[17] = 0;
        if (len >= 20) {
            uint16_t c = inet_fold(inet_sum(pkt, len, inet_pseudo_sum(PEER, ME, IP_PROTO_TCP, len)));
            pkt[16] = (uint8_t)(c >> 8);
            pkt[17] = (uint8_t)c;
        }
        struct ipv4_view ip = { .src = PEER, .dst = ME, .payload = pkt, .len = len };
        struct tcp_seg s;
        if (tcp_parse(&ip, &s) == 0) {
            CHECK(s.data >= pkt && s.data + s.len <= pkt + len);
            tcp_input(&t, &s, now);
        }
        for (unsigned k = 0; k < TCP_MAX_CONNS; k++) {
            const struct tcp_conn *c = &t.conns[k];
            if (c->state == TCP_CLOSED)
                continue;
            CHECK((uint32_t)(c->snd_nxt - c->snd_una) <= REPLY + 2);
        }
    }
    /* everything ends: time runs out for whoever is left */
    for (unsigned k = 0; k < 40; k++) {
        now += 2000ULL * 1000 * 1000;
        tcp_tick(&t, now);
    }
    for (unsigned k = 0; k < TCP_MAX_CONNS; k++)
        CHECK(t.conns[k].state == TCP_CLOSED);
    CHECK(closed == opened);
    return 0;
}
