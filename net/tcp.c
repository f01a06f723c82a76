#include "kern/errno.h"
#include "lib/string.h"
#include "net/tcp.h"

/* Sequence numbers compare modulo 2^32. */
static inline bool seq_lt(uint32_t a, uint32_t b) { return (int32_t)(a - b) < 0; }
static inline bool seq_le(uint32_t a, uint32_t b) { return (int32_t)(a - b) <= 0; }

const char *tcp_state_name(enum tcp_state s)
{
    static const char *const names[] = { "CLOSED",     "SYN_RCVD",   "ESTABLISHED",
                                         "CLOSE_WAIT", "LAST_ACK",   "FIN_WAIT_1",
                                         "FIN_WAIT_2", "CLOSING",    "TIME_WAIT",
                                         "SYN_SENT" };
    return (unsigned)s < sizeof(names) / sizeof(names[0]) ? names[s] : "?";
}

int tcp_parse(const struct ipv4_view *ip, struct tcp_seg *s)
{
    const uint8_t *p = ip->payload;
    if (ip->len < 20)
        return -EBADMSG;
    size_t doff = (size_t)(p[12] >> 4) * 4;
    if (doff < 20 || doff > ip->len)
        return -EBADMSG;
    if (!ip->l4_csum_ok &&
        inet_fold(inet_sum(p, ip->len, inet_pseudo_sum(ip->src, ip->dst, IP_PROTO_TCP, ip->len))) != 0)
        return -EBADMSG;
    *s = (struct tcp_seg){
        .src = ip->src, .dst = ip->dst,
        .sport = net16(p), .dport = net16(p + 2),
        .seq = net32(p + 4), .ack = net32(p + 8),
        .flags = p[13] & 0x3f, .window = net16(p + 14),
        .data = p + doff, .len = ip->len - doff,
    };
    /* Options: only the MSS matters to us; anything malformed is an error. */
    for (size_t i = 20; i < doff;) {
        uint8_t kind = p[i];
        if (kind == 0)
            break;
        if (kind == 1) {
            i++;
            continue;
        }
        if (i + 1 >= doff || p[i + 1] < 2 || i + p[i + 1] > doff)
            return -EBADMSG;
        if (kind == 2 && p[i + 1] == 4)
            s->mss = net16(p + i + 2);
        i += p[i + 1];
    }
    return 0;
}

size_t tcp_build(uint8_t *p, const struct tcp_seg *s)
{
    size_t hlen = s->mss ? 24 : 20;
    put16(p, s->sport);
    put16(p + 2, s->dport);
    put32(p + 4, s->seq);
    put32(p + 8, s->ack);
    p[12] = (uint8_t)((hlen / 4) << 4);
    p[13] = s->flags;
    put16(p + 14, s->window);
    put16(p + 16, 0);
    put16(p + 18, 0);
    if (s->mss) {
        p[20] = 2;
        p[21] = 4;
        put16(p + 22, s->mss);
    }
    if (s->len)
        memmove(p + hlen, s->data, s->len);
    size_t n = hlen + s->len;
    put16(p + 16, inet_fold(inet_sum(p, n, inet_pseudo_sum(s->src, s->dst, IP_PROTO_TCP, n))));
    return n;
}

void tcp_init(struct tcp *t, void (*output)(struct tcp *, const struct tcp_seg *, void *),
              void *arg, uint32_t isn_seed)
{
    memset(t, 0, sizeof(*t));
    t->output = output;
    t->output_arg = arg;
    t->isn_seed = isn_seed;
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++)
        t->conns[i].owner = t;
}

int tcp_listen(struct tcp *t, uint16_t port, const struct tcp_app *app)
{
    for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
        if (t->listeners[i].app && t->listeners[i].port == port)
            return -EBUSY;
    for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
        if (!t->listeners[i].app) {
            t->listeners[i].port = port;
            t->listeners[i].app = app;
            return 0;
        }
    return -ENOSPC;
}

void tcp_unlisten(struct tcp *t, uint16_t port)
{
    for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
        if (t->listeners[i].app && t->listeners[i].port == port)
            t->listeners[i].app = 0;
}

static void emit_w(struct tcp *t, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                   uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t len,
                   uint16_t window)
{
    struct tcp_seg o = { .src = src, .dst = dst, .sport = sport, .dport = dport, .seq = seq,
                         .ack = ack, .flags = flags, .window = window,
                         .mss = (flags & TCP_SYN) ? TCP_MSS_MAX : 0, .data = data, .len = len };
    t->st.segs_out++;
    t->output(t, &o, t->output_arg);
}

static void emit(struct tcp *t, uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                 uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *data, size_t len)
{
    emit_w(t, src, dst, sport, dport, seq, ack, flags, data, len, TCP_WINDOW);
}

/* The window we offer: what the application can take, less what was
 * accepted and not yet handed to it. */
static uint32_t conn_window(const struct tcp_conn *c)
{
    if (!c->app || !c->app->room)
        return TCP_WINDOW;
    size_t r = c->app->room((struct tcp_conn *)c);
    r = r > c->wnd_taken ? r - c->wnd_taken : 0;
    return r > 65535 ? 65535 : (uint32_t)r;
}

static void conn_emit(struct tcp_conn *c, uint32_t seq, uint8_t flags, const uint8_t *data,
                      size_t len)
{
    uint32_t w = conn_window(c);
    c->wnd_adv = w;
    uint32_t ack = (flags & TCP_SYN) && !(flags & TCP_ACK) ? 0 : c->rcv_nxt;
    emit_w(c->owner, c->local, c->remote, c->lport, c->rport, seq, ack, flags, data, len,
           (uint16_t)w);
}

static void send_ctl(struct tcp_conn *c, uint32_t seq, uint8_t flags)
{
    conn_emit(c, seq, flags, 0, 0);
}

/* An answer to a segment no connection wants (RFC 793, "reset generation"). */
static void send_reset_for(struct tcp *t, const struct tcp_seg *s)
{
    if (s->flags & TCP_RST)
        return;
    t->st.resets_sent++;
    if (s->flags & TCP_ACK)
        emit(t, s->dst, s->src, s->dport, s->sport, s->ack, 0, TCP_RST, 0, 0);
    else
        emit(t, s->dst, s->src, s->dport, s->sport, 0,
             s->seq + (uint32_t)s->len + !!(s->flags & TCP_SYN) + !!(s->flags & TCP_FIN),
             TCP_RST | TCP_ACK, 0, 0);
}

static void release(struct tcp_conn *c)
{
    const struct tcp_app *app = c->app;
    c->state = TCP_CLOSED;
    if (app && app->on_close)
        app->on_close(c);
    struct tcp *owner = c->owner;
    memset(c, 0, sizeof(*c));
    c->owner = owner;
}

void tcp_abort(struct tcp_conn *c)
{
    if (c->state == TCP_CLOSED)
        return;
    c->owner->st.resets_sent++;
    send_ctl(c, c->snd_nxt, TCP_RST | TCP_ACK);
    release(c);
}

static uint32_t fin_seq(const struct tcp_conn *c)
{
    return c->iss + 1 + (uint32_t)c->reply_len;
}

static void enter_time_wait(struct tcp_conn *c, uint64_t now)
{
    c->state = TCP_TIME_WAIT;
    c->rto_at = 0;
    c->time_wait_at = now + TCP_TIME_WAIT_NS;
}

/* Sends what the window allows of the reply, then the FIN. force: one
 * segment even into a closed window (a probe, on a retransmission). */
static void send_pending(struct tcp_conn *c, uint64_t now, bool force)
{
    if (!c->replying || (c->state != TCP_ESTABLISHED && c->state != TCP_CLOSE_WAIT &&
                         c->state != TCP_FIN_WAIT_1 && c->state != TCP_LAST_ACK &&
                         c->state != TCP_CLOSING))
        return;
    uint8_t buf[TCP_MSS_MAX];
    for (;;) {
        uint32_t inflight = c->snd_nxt - c->snd_una;
        uint64_t off = (uint32_t)(c->snd_nxt - (c->iss + 1));
        if (off < c->reply_len) {
            uint64_t n = c->reply_len - off;
            uint32_t room = c->snd_wnd > inflight ? c->snd_wnd - inflight : 0;
            if (force && !room)
                room = 1;
            if (n > c->mss)
                n = c->mss;
            if (n > room)
                n = room;
            if (!n || inflight >= (uint32_t)TCP_INFLIGHT_MAX * c->mss)
                break;
            size_t got = c->app->read(c, off, buf, (size_t)n);
            if (!got)
                break;
            conn_emit(c, c->snd_nxt, TCP_ACK | TCP_PSH, buf, got);
            c->snd_nxt += (uint32_t)got;
        } else if (c->fin_after && c->snd_nxt == fin_seq(c)) {
            send_ctl(c, c->snd_nxt, TCP_FIN | TCP_ACK);
            c->snd_nxt++;
            if (!c->fin_sent) {
                c->fin_sent = true;
                c->state = c->state == TCP_CLOSE_WAIT ? TCP_LAST_ACK : TCP_FIN_WAIT_1;
            }
        } else {
            break;
        }
        force = false;
        if (!c->rto_at)
            c->rto_at = now + c->rto_ns;
    }
}

void tcp_respond(struct tcp_conn *c, uint64_t len, uint64_t now)
{
    if (c->state == TCP_CLOSED || c->replying)
        return;
    tcp_send(c, len, true, now);
}

void tcp_send(struct tcp_conn *c, uint64_t len, bool fin, uint64_t now)
{
    if (c->state == TCP_CLOSED || c->fin_after || len < c->reply_len)
        return;
    c->reply_len = len;
    c->replying = true;
    c->fin_after = fin;
    send_pending(c, now, false);
}

void tcp_keepalive(struct tcp_conn *c, bool on, uint64_t now)
{
    c->keepalive = on;
    c->probes = 0;
    c->idle_at = now + (on ? TCP_KEEPALIVE_IDLE_NS : TCP_IDLE_MAX_NS);
}

void tcp_window_update(struct tcp_conn *c, uint64_t now)
{
    (void)now;
    if (c->state != TCP_ESTABLISHED && c->state != TCP_FIN_WAIT_1 && c->state != TCP_FIN_WAIT_2)
        return;
    uint32_t w = conn_window(c);
    /* Not for every byte taken (silly window syndrome): when the window
     * reopens from below a segment, or grew by two. */
    if ((c->wnd_adv < c->mss && w >= c->mss) || w >= c->wnd_adv + 2u * c->mss)
        send_ctl(c, c->snd_nxt, TCP_ACK);
}

static struct tcp_conn *find(struct tcp *t, const struct tcp_seg *s)
{
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &t->conns[i];
        if (c->state != TCP_CLOSED && c->remote == s->src && c->rport == s->sport &&
            c->lport == s->dport && c->local == s->dst)
            return c;
    }
    return 0;
}

unsigned tcp_half_open(const struct tcp *t, uint32_t peer)
{
    unsigned n = 0;
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++)
        n += t->conns[i].state == TCP_SYN_RCVD && t->conns[i].remote == peer;
    return n;
}

unsigned tcp_half_open_all(const struct tcp *t)
{
    unsigned n = 0;
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++)
        n += t->conns[i].state == TCP_SYN_RCVD;
    return n;
}

/* SYN cookies: the ISS of a SYN-ACK for which no state is kept encodes a
 * keyed hash of the connection's addresses, ports, the peer's ISN and a
 * 68-second time slot, and (low 2 bits) the MSS the peer asked for. The
 * handshake's ACK proves the peer saw it: ack - 1 must be the cookie of
 * this slot or the one before. */
static const uint16_t cookie_mss[4] = { 536, 1220, 1440, 1460 };
#define COOKIE_SLOT_SHIFT 36 /* ns >> 36: ~68.7 s */

static uint32_t mix(uint32_t h, uint32_t v)
{
    h ^= v;
    h *= 0x9e3779b1u;
    h ^= h >> 15;
    h *= 0x85ebca77u;
    h ^= h >> 13;
    return h;
}

static uint32_t cookie_hash(const struct tcp *t, const struct tcp_seg *s, uint32_t peer_isn,
                            uint32_t slot)
{
    uint32_t h = mix(t->isn_seed ^ 0x5bd1e995u, s->src);
    h = mix(h, s->dst);
    h = mix(h, (uint32_t)s->sport << 16 | s->dport);
    h = mix(h, peer_isn);
    return mix(h, slot);
}

static uint32_t cookie_make(const struct tcp *t, const struct tcp_seg *syn, uint64_t now)
{
    unsigned idx = 0;
    for (unsigned i = 0; i < 4; i++)
        if (syn->mss >= cookie_mss[i])
            idx = i;
    return (cookie_hash(t, syn, syn->seq, (uint32_t)(now >> COOKIE_SLOT_SHIFT)) & ~3u) | idx;
}

/* The MSS the cookie in an ACK carries, or 0 if it is no cookie of ours. */
static uint16_t cookie_check(const struct tcp *t, const struct tcp_seg *ack, uint64_t now)
{
    uint32_t c = ack->ack - 1, peer_isn = ack->seq - 1;
    uint32_t slot = (uint32_t)(now >> COOKIE_SLOT_SHIFT);
    for (unsigned back = 0; back < 2; back++)
        if (((cookie_hash(t, ack, peer_isn, slot - back) ^ c) & ~3u) == 0)
            return cookie_mss[c & 3];
    return 0;
}

static struct tcp_conn *free_slot(struct tcp *t, bool evict)
{
    struct tcp_conn *oldest = 0;
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &t->conns[i];
        if (c->state == TCP_CLOSED)
            return c;
        if (c->state == TCP_SYN_RCVD && (!oldest || c->opened_at < oldest->opened_at))
            oldest = c;
    }
    if (!evict || !oldest)
        return 0;
    /* A half-open connection (perhaps a flood's) makes way for one whose
     * peer completed the handshake. */
    t->st.half_open_evicted++;
    release(oldest);
    return oldest;
}

static void conn_setup(struct tcp_conn *c, struct tcp *t, const struct tcp_seg *s,
                       const struct tcp_app *app, enum tcp_state st, uint32_t iss,
                       uint32_t rcv_nxt, uint16_t mss, uint64_t now)
{
    *c = (struct tcp_conn){
        .state = st,
        .local = s->dst, .remote = s->src, .lport = s->dport, .rport = s->sport,
        .iss = iss, .snd_una = iss, .snd_nxt = iss + 1, .rcv_nxt = rcv_nxt,
        .snd_wnd = s->window,
        .mss = mss ? (mss < TCP_MSS_MAX ? mss : TCP_MSS_MAX) : TCP_MSS_DEFAULT,
        .rto_ns = TCP_RTO_INITIAL_NS, .rto_at = now + TCP_RTO_INITIAL_NS,
        .idle_at = now + TCP_IDLE_MAX_NS, .opened_at = now,
        .app = app, .owner = t,
    };
    if (c->mss < 64)
        c->mss = 64; /* a tiny MSS would only multiply segments */
}

int tcp_connect(struct tcp *t, uint32_t local, uint32_t remote, uint16_t rport,
                const struct tcp_app *app, void *ctx, uint64_t now, struct tcp_conn **out)
{
    struct tcp_conn *c = free_slot(t, false);
    if (!c)
        return -ENOSPC;
    uint16_t lport = 0;
    for (unsigned tries = 0; tries < 16384 && !lport; tries++) {
        uint16_t p = (uint16_t)(TCP_EPHEMERAL_FIRST + (t->next_port++ % 16384));
        bool used = false;
        for (unsigned i = 0; i < TCP_MAX_CONNS; i++)
            used |= t->conns[i].state != TCP_CLOSED && t->conns[i].lport == p;
        for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
            used |= t->listeners[i].app && t->listeners[i].port == p;
        if (!used)
            lport = p;
    }
    if (!lport)
        return -EADDRINUSE;
    struct tcp_seg s = { .src = remote, .dst = local, .sport = rport, .dport = lport };
    uint32_t iss = mix(mix(t->isn_seed, remote), (uint32_t)lport << 16 | rport) +
                   (uint32_t)(now >> 12);
    conn_setup(c, t, &s, app, TCP_SYN_SENT, iss, 0, TCP_MSS_DEFAULT, now);
    c->app_ctx = ctx;
    c->snd_wnd = 0;
    t->st.connects++;
    conn_emit(c, iss, TCP_SYN, 0, 0);
    *out = c;
    return 0;
}

/* A segment for a connection in SYN_SENT (RFC 793, "SEGMENT ARRIVES"). */
static void syn_sent_input(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
    struct tcp *t = c->owner;
    bool ack_ok = (s->flags & TCP_ACK) && s->ack == c->iss + 1;
    if ((s->flags & TCP_ACK) && !ack_ok) {
        send_reset_for(t, s);
        return;
    }
    if (s->flags & TCP_RST) {
        if (ack_ok) {
            t->st.resets_received++;
            t->st.connect_refused++;
            c->error = -ECONNREFUSED;
            release(c);
        }
        return;
    }
    if (!(s->flags & TCP_SYN) || !ack_ok)
        return; /* a simultaneous open is not supported: the SYN is retransmitted */
    c->rcv_nxt = s->seq + 1;
    c->snd_una = s->ack;
    c->snd_wnd = s->window;
    c->mss = s->mss ? (s->mss < TCP_MSS_MAX ? s->mss : TCP_MSS_MAX) : TCP_MSS_DEFAULT;
    if (c->mss < 64)
        c->mss = 64;
    c->state = TCP_ESTABLISHED;
    c->retries = 0;
    c->rto_ns = TCP_RTO_INITIAL_NS;
    c->rto_at = 0;
    c->idle_at = now + (c->keepalive ? TCP_KEEPALIVE_IDLE_NS : TCP_IDLE_MAX_NS);
    t->st.connected++;
    send_ctl(c, c->snd_nxt, TCP_ACK);
    if (c->app->on_established)
        c->app->on_established(c);
    if (c->state != TCP_CLOSED)
        send_pending(c, now, false);
}

static void passive_open(struct tcp *t, const struct tcp_seg *s, const struct tcp_app *app,
                         uint64_t now)
{
    struct tcp_conn *c = 0;
    if (tcp_half_open_all(t) < TCP_HALF_OPEN_MAX &&
        tcp_half_open(t, s->src) < TCP_HALF_OPEN_PER_PEER)
        c = free_slot(t, false);
    if (!c) {
        /* Over a limit: answer statelessly; the ACK, if a real peer sends
         * one, opens the connection. */
        t->st.cookies_sent++;
        emit(t, s->dst, s->src, s->dport, s->sport, cookie_make(t, s, now), s->seq + 1,
             TCP_SYN | TCP_ACK, 0, 0);
        return;
    }
    uint32_t iss = t->isn_seed ^ (s->src * 2654435761u) ^ ((uint32_t)s->sport << 16 | s->dport) ^
                   (uint32_t)(now >> 12);
    conn_setup(c, t, s, app, TCP_SYN_RCVD, iss, s->seq + 1, s->mss, now);
    emit(t, c->local, c->remote, c->lport, c->rport, iss, c->rcv_nxt, TCP_SYN | TCP_ACK, 0, 0);
}

/* An ACK for no connection to a listening port: a SYN cookie's handshake
 * completing? true if it opened a connection (c set). */
static bool cookie_open(struct tcp *t, const struct tcp_seg *s, const struct tcp_app *app,
                        uint64_t now, struct tcp_conn **out)
{
    if ((s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) != TCP_ACK)
        return false;
    uint16_t mss = cookie_check(t, s, now);
    if (!mss) {
        t->st.cookies_bad++;
        return false;
    }
    struct tcp_conn *c = free_slot(t, true);
    if (!c) {
        t->st.refused++;
        return false;
    }
    conn_setup(c, t, s, app, TCP_ESTABLISHED, s->ack - 1, s->seq, mss, now);
    c->rto_at = 0;
    t->st.cookies_accepted++;
    t->st.accepted++;
    *out = c;
    return true;
}

/* An acknowledgment in any synchronized state. false: the segment is to
 * be dropped (acknowledges what was never sent). */
static bool process_ack(struct tcp_conn *c, const struct tcp_seg *s, uint64_t now)
{
    if (seq_lt(c->snd_nxt, s->ack)) {
        send_ctl(c, c->snd_nxt, TCP_ACK);
        return false;
    }
    if (s->ack == c->snd_una && c->snd_nxt != c->snd_una && !s->len &&
        !(s->flags & (TCP_SYN | TCP_FIN)) && s->window == c->snd_wnd &&
        ++c->dup_acks == TCP_DUP_ACKS) {
        /* The peer keeps asking for the same byte: resend from there now
         * rather than after the timeout (go back N, as on a timeout). */
        c->owner->st.retransmits++;
        c->snd_nxt = c->snd_una;
        c->rto_at = now + c->rto_ns;
        send_pending(c, now, true);
    }
    if (seq_lt(c->snd_una, s->ack)) {
        c->snd_una = s->ack;
        c->dup_acks = 0;
        c->retries = 0;
        c->rto_ns = TCP_RTO_INITIAL_NS;
        c->rto_at = c->snd_una == c->snd_nxt ? 0 : now + c->rto_ns;
        c->idle_at = now + TCP_IDLE_MAX_NS;
    }
    if (seq_le(c->snd_una, s->ack))
        c->snd_wnd = s->window;
    if (c->fin_sent && c->snd_una == fin_seq(c) + 1 && !c->fin_acked) {
        c->fin_acked = true;
        if (c->state == TCP_FIN_WAIT_1)
            c->state = TCP_FIN_WAIT_2;
        else if (c->state == TCP_CLOSING)
            enter_time_wait(c, now);
        else if (c->state == TCP_LAST_ACK) {
            release(c);
            return false;
        }
    }
    return true;
}

void tcp_input(struct tcp *t, const struct tcp_seg *s, uint64_t now)
{
    t->st.segs_in++;
    struct tcp_conn *c = find(t, s);
    if (!c) {
        const struct tcp_app *app = 0;
        for (unsigned i = 0; i < TCP_MAX_LISTENERS; i++)
            if (t->listeners[i].app && t->listeners[i].port == s->dport)
                app = t->listeners[i].app;
        if (app && (s->flags & (TCP_SYN | TCP_ACK | TCP_RST)) == TCP_SYN) {
            passive_open(t, s, app, now);
            return;
        }
        if (!app || !cookie_open(t, s, app, now, &c)) {
            send_reset_for(t, s);
            return;
        }
    }
    if (c->state == TCP_SYN_SENT) {
        syn_sent_input(c, s, now);
        return;
    }
    if (s->flags & TCP_RST) {
        /* Only a reset at (or inside our window from) the expected byte counts. */
        if (seq_le(c->rcv_nxt, s->seq) && seq_lt(s->seq, c->rcv_nxt + TCP_WINDOW)) {
            t->st.resets_received++;
            c->error = -ECONNRESET;
            release(c);
        }
        return;
    }
    if (c->keepalive) {
        /* Anything from the peer shows it is there. */
        c->probes = 0;
        c->idle_at = now + TCP_KEEPALIVE_IDLE_NS;
    }
    if (s->flags & TCP_SYN) {
        if (c->state == TCP_SYN_RCVD && s->seq + 1 == c->rcv_nxt)
            emit(t, c->local, c->remote, c->lport, c->rport, c->iss, c->rcv_nxt,
                 TCP_SYN | TCP_ACK, 0, 0); /* our SYN-ACK was lost */
        else
            send_ctl(c, c->snd_nxt, TCP_ACK); /* a challenge ACK (RFC 5961) */
        return;
    }
    if (!(s->flags & TCP_ACK))
        return;
    if (c->state == TCP_SYN_RCVD) {
        if (s->ack != c->iss + 1) {
            send_reset_for(t, s);
            return;
        }
        c->state = TCP_ESTABLISHED;
        t->st.accepted++;
    }
    if (!process_ack(c, s, now))
        return;
    if (c->state == TCP_TIME_WAIT) {
        if (s->flags & TCP_FIN) {
            send_ctl(c, c->snd_nxt, TCP_ACK);
            c->time_wait_at = now + TCP_TIME_WAIT_NS;
        }
        return;
    }
    const uint8_t *data = s->data;
    size_t len = s->len;
    uint32_t seq = s->seq;
    bool fin = s->flags & TCP_FIN;
    if (len || fin) {
        /* Drop what we have had already; keep what starts at rcv_nxt. */
        if (seq_lt(seq, c->rcv_nxt)) {
            uint32_t old = c->rcv_nxt - seq;
            if (old >= len + fin) {
                send_ctl(c, c->snd_nxt, TCP_ACK); /* a duplicate */
                send_pending(c, now, false);
                return;
            }
            data += old;
            len -= old;
            seq += old;
        }
        if (seq != c->rcv_nxt) {
            t->st.out_of_order++;
            send_ctl(c, c->snd_nxt, TCP_ACK);
            return;
        }
        bool open = c->state == TCP_ESTABLISHED || c->state == TCP_FIN_WAIT_1 ||
                    c->state == TCP_FIN_WAIT_2;
        if (!open) {
            /* The peer closed already; anything more is a retransmission. */
            send_ctl(c, c->snd_nxt, TCP_ACK);
            return;
        }
        uint32_t wnd = conn_window(c);
        if (len > wnd)
            len = wnd, fin = false; /* more than we offered: take the window */
        if (!len && !fin) {
            send_ctl(c, c->snd_nxt, TCP_ACK); /* a zero-window probe */
            return;
        }
        c->rcv_nxt += (uint32_t)len;
        c->wnd_taken = (uint32_t)len; /* the ACK offers what remains */
        c->idle_at = now + TCP_IDLE_MAX_NS;
        if (fin) {
            c->rcv_nxt++;
            c->peer_fin = true;
            if (c->state == TCP_ESTABLISHED)
                c->state = TCP_CLOSE_WAIT;
            else if (c->state == TCP_FIN_WAIT_2 || (c->state == TCP_FIN_WAIT_1 && c->fin_acked))
                enter_time_wait(c, now);
            else if (c->state == TCP_FIN_WAIT_1)
                c->state = TCP_CLOSING;
        }
        send_ctl(c, c->snd_nxt, TCP_ACK);
        c->wnd_taken = 0;
        if (len)
            c->app->on_data(c, data, len);
        if (fin && c->state != TCP_CLOSED)
            c->app->on_data(c, 0, 0);
    }
    if (c->state != TCP_CLOSED)
        send_pending(c, now, false);
}

void tcp_tick(struct tcp *t, uint64_t now)
{
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++) {
        struct tcp_conn *c = &t->conns[i];
        if (c->state == TCP_CLOSED)
            continue;
        if (c->state == TCP_TIME_WAIT) {
            if (now >= c->time_wait_at)
                release(c);
            continue;
        }
        if (now >= c->idle_at) {
            if (c->keepalive && c->state != TCP_SYN_SENT && c->probes < TCP_KEEPALIVE_PROBES) {
                /* A byte before the window: the peer answers with an ACK. */
                c->probes++;
                t->st.keepalive_probes++;
                send_ctl(c, c->snd_una - 1, TCP_ACK);
                c->idle_at = now + TCP_KEEPALIVE_INTVL_NS;
                continue;
            }
            t->st.timeouts++;
            c->error = -ETIMEDOUT;
            tcp_abort(c);
            continue;
        }
        if (!c->rto_at || now < c->rto_at)
            continue;
        if (c->state == TCP_SYN_RCVD && c->retries >= TCP_SYN_RETRIES) {
            /* Never completed (a flood, or a peer gone): no RST to it. */
            t->st.half_open_expired++;
            release(c);
            continue;
        }
        if (c->retries >= TCP_RETRIES_MAX) {
            t->st.timeouts++;
            c->error = -ETIMEDOUT;
            tcp_abort(c);
            continue;
        }
        c->retries++;
        t->st.retransmits++;
        c->rto_ns = c->rto_ns * 2 > TCP_RTO_MAX_NS ? TCP_RTO_MAX_NS : c->rto_ns * 2;
        c->rto_at = now + c->rto_ns;
        if (c->state == TCP_SYN_RCVD) {
            emit(t, c->local, c->remote, c->lport, c->rport, c->iss, c->rcv_nxt,
                 TCP_SYN | TCP_ACK, 0, 0);
            continue;
        }
        if (c->state == TCP_SYN_SENT) {
            conn_emit(c, c->iss, TCP_SYN, 0, 0);
            continue;
        }
        c->snd_nxt = c->snd_una; /* go back N */
        send_pending(c, now, true);
    }
}

uint64_t tcp_next_deadline(const struct tcp *t)
{
    uint64_t next = 0;
    for (unsigned i = 0; i < TCP_MAX_CONNS; i++) {
        const struct tcp_conn *c = &t->conns[i];
        if (c->state == TCP_CLOSED)
            continue;
        uint64_t d = c->state == TCP_TIME_WAIT ? c->time_wait_at
                     : c->rto_at && c->rto_at < c->idle_at ? c->rto_at
                                                           : c->idle_at;
        if (!next || d < next)
            next = d;
    }
    return next;
}
