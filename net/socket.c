/* Sockets over net/tcp.c: a receive ring whose free space is the window
 * we offer, and a send buffer TCP pulls from by offset (dropped once
 * acknowledged). The TCP callbacks run under net_tcp_lock (in the receive
 * path or the timer thread); the socket calls take it too. */
#include "kern/kernel.h"
#include "kern/wait.h"
#include "kern/sched.h"
#include "xen/time.h"
#include "net/netif.h"
#include "net/stack.h"
#include "net/tcp.h"
#include "net/socket.h"

struct sock {
    bool used, closing, established, eof, gone;
    int error;
    struct tcp_conn *c;
    struct waitq wq;
    uint8_t rx[SOCK_RX];
    size_t rx_head, rx_len;
    uint8_t tx[SOCK_TX];
    uint64_t tx_base;   /* the stream offset of tx[0] */
    size_t tx_len;
};

static struct sock socks[SOCK_MAX];

static void s_data(struct tcp_conn *c, const uint8_t *d, size_t len)
{
    struct sock *s = c->app_ctx;
    if (!len) {
        s->eof = true;
    } else if (!s->closing) {
        /* TCP takes no more than room() offered. */
        size_t room = SOCK_RX - s->rx_len;
        if (len > room)
            len = room;
        for (size_t i = 0; i < len; i++)
            s->rx[(s->rx_head + s->rx_len + i) % SOCK_RX] = d[i];
        s->rx_len += len;
    }
    waitq_wake_all(&s->wq);
}

static size_t s_read(struct tcp_conn *c, uint64_t off, uint8_t *buf, size_t cap)
{
    struct sock *s = c->app_ctx;
    if (off < s->tx_base || off >= s->tx_base + s->tx_len)
        return 0;
    size_t at = (size_t)(off - s->tx_base), n = s->tx_len - at;
    if (n > cap)
        n = cap;
    memcpy(buf, s->tx + at, n);
    return n;
}

static void s_close(struct tcp_conn *c)
{
    struct sock *s = c->app_ctx;
    s->gone = true;
    s->error = c->error;
    s->c = 0;
    if (s->closing)
        s->used = false;
    waitq_wake_all(&s->wq);
}

static void s_established(struct tcp_conn *c)
{
    struct sock *s = c->app_ctx;
    s->established = true;
    waitq_wake_all(&s->wq);
}

static size_t s_room(struct tcp_conn *c)
{
    struct sock *s = c->app_ctx;
    return SOCK_RX - s->rx_len;
}

static const struct tcp_app sock_app = {
    .on_data = s_data, .read = s_read, .on_close = s_close,
    .on_established = s_established, .room = s_room,
};

const char *sock_strerror(int err)
{
    switch (err) {
    case 0: return "closed";
    case -ECONNREFUSED: return "connection refused";
    case -ECONNRESET: return "connection reset by peer";
    case -ETIMEDOUT: return "timed out";
    case -ENXIO: return "no route to host";
    case -ENOSPC: return "no free socket";
    case -EADDRINUSE: return "no free local port";
    case -ENOTCONN: return "not connected";
    case -EBADMSG: return "malformed response";
    default: return errno_name(err);
    }
}

int sock_connect(uint32_t dst, uint16_t port, uint64_t deadline, struct sock **out)
{
    struct netif *nif = netif_route(dst);
    if (!nif || !nif->ip)
        return -ENXIO;
    int rc = net_arp_resolve(dst, deadline);
    if (rc)
        return rc;
    if ((rc = net_tcp_lock()))
        return rc;
    struct sock *s = 0;
    for (unsigned i = 0; i < SOCK_MAX && !s; i++)
        if (!socks[i].used)
            s = &socks[i];
    if (!s) {
        net_tcp_unlock();
        return -ENOSPC;
    }
    memset(s, 0, sizeof(*s));
    waitq_init(&s->wq);
    s->used = true;
    uint64_t now = time_now_ns();
    rc = tcp_connect(net_tcp_core(), nif->ip, dst, port, &sock_app, s, now, &s->c);
    if (rc) {
        s->used = false;
        net_tcp_unlock();
        return rc;
    }
    tcp_keepalive(s->c, true, now);
    net_tcp_unlock();
    wait_event_until(&s->wq, s->established || s->gone, deadline);
    if ((rc = net_tcp_lock()))
        return rc; /* the socket stays: TCP frees it when the attempt ends */
    if (s->established && !s->gone) {
        net_tcp_unlock();
        *out = s;
        return 0;
    }
    if (!s->gone) {
        s->c->error = -ETIMEDOUT;
        tcp_abort(s->c); /* s_close runs: gone */
    }
    rc = s->error ? s->error : -ECONNRESET;
    s->used = false;
    net_tcp_unlock();
    return rc;
}

long sock_send(struct sock *s, const void *buf, size_t len, uint64_t deadline)
{
    size_t done = 0;
    while (done < len) {
        int rc = net_tcp_lock();
        if (rc)
            return done ? (long)done : rc;
        if (s->gone || !s->c) {
            rc = s->error ? s->error : -ENOTCONN;
            net_tcp_unlock();
            return done ? (long)done : rc;
        }
        /* Drop what the peer acknowledged. */
        struct tcp_conn *c = s->c;
        int32_t acked = (int32_t)(c->snd_una - (c->iss + 1));
        if (acked > 0 && (uint64_t)acked > s->tx_base) {
            size_t drop = (size_t)((uint64_t)acked - s->tx_base);
            if (drop > s->tx_len)
                drop = s->tx_len;
            memmove(s->tx, s->tx + drop, s->tx_len - drop);
            s->tx_len -= drop;
            s->tx_base += drop;
        }
        size_t n = len - done < SOCK_TX - s->tx_len ? len - done : SOCK_TX - s->tx_len;
        memcpy(s->tx + s->tx_len, (const uint8_t *)buf + done, n);
        s->tx_len += n;
        done += n;
        if (n)
            tcp_send(c, s->tx_base + s->tx_len, false, time_now_ns());
        net_tcp_unlock();
        if (done < len) {
            if (time_now_ns() >= deadline)
                return done ? (long)done : -ETIMEDOUT;
            thread_sleep_ns(5 * NS_PER_MS); /* for ACKs to make room */
        }
    }
    return (long)done;
}

long sock_recv(struct sock *s, void *buf, size_t cap, uint64_t deadline)
{
    for (;;) {
        int rc = net_tcp_lock();
        if (rc)
            return rc;
        if (s->rx_len) {
            size_t n = cap < s->rx_len ? cap : s->rx_len;
            for (size_t i = 0; i < n; i++)
                ((uint8_t *)buf)[i] = s->rx[(s->rx_head + i) % SOCK_RX];
            s->rx_head = (s->rx_head + n) % SOCK_RX;
            s->rx_len -= n;
            if (s->c)
                tcp_window_update(s->c, time_now_ns());
            net_tcp_unlock();
            return (long)n;
        }
        if (s->eof) {
            net_tcp_unlock();
            return 0;
        }
        if (s->gone) {
            rc = s->error ? s->error : -ECONNRESET;
            net_tcp_unlock();
            return rc;
        }
        net_tcp_unlock();
        if (wait_event_until(&s->wq, s->rx_len || s->eof || s->gone, deadline) &&
            !s->rx_len && !s->eof && !s->gone)
            return -ETIMEDOUT;
    }
}

void sock_close(struct sock *s)
{
    if (net_tcp_lock()) {
        s->closing = true; /* TCP frees it when the connection ends */
        return;
    }
    s->closing = true;
    s->rx_len = 0;
    if (s->c) {
        tcp_keepalive(s->c, false, time_now_ns());
        tcp_send(s->c, s->tx_base + s->tx_len, true, time_now_ns());
    } else {
        s->used = false;
    }
    net_tcp_unlock();
}
