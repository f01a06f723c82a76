/* The status page: a tiny HTTP/1.0 server on TCP, so that Dom0 (or any
 * peer) can `curl` or `wget` what domu is doing. One request per
 * connection, then the server closes.
 *
 *   GET /          a plain-text status page (domain, uptime, memory,
 *                  interfaces, TCP counters)
 *   GET /bytes/N   N bytes of a fixed 64-byte line, repeated: a transfer
 *                  test that the peer can check with `yes LINE | head -c N` */
#include "kern/kernel.h"
#include "kern/printf.h"
#include "kern/mm.h"
#include "xen/time.h"
#include "xen/hypervisor.h"
#include "net/netif.h"
#include "net/stack.h"
#include "net/tcp.h"

#define REQ_MAX 1024
#define PAGE_MAX 3072
#define BYTES_MAX (1ULL << 30)

/* 63 characters and a newline. */
static const char line[] = "domu tcp test pattern 0123456789 abcdefghijklmnopqrstuvwxyz ABC\n";
_Static_assert(sizeof(line) - 1 == 64, "the pattern line is 64 bytes");

extern const char *domain_name;

struct http_conn {
    char req[REQ_MAX];
    size_t req_len;
    char head[PAGE_MAX]; /* headers, and the whole body for the status page */
    size_t head_len;
    uint64_t body_len;   /* /bytes/N: body bytes after head */
    bool answered;
};

static struct http_conn conns[TCP_MAX_CONNS];

static struct http_conn *ctx(struct tcp_conn *c)
{
    return c->app_ctx;
}

struct page {
    char *p;
    size_t len, cap;
};

static void put(struct page *pg, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = k_vsnprintf(pg->p + pg->len, pg->cap - pg->len, fmt, ap);
    va_end(ap);
    if (n > 0)
        pg->len += (size_t)n < pg->cap - pg->len ? (size_t)n : pg->cap - pg->len - 1;
}

static void put_if(struct netif *n, void *arg)
{
    put(arg, "%s: %s mac %02x:%02x:%02x:%02x:%02x:%02x ip %u.%u.%u.%u rx %llu packets, tx %llu "
             "packets\n",
        n->name, n->up ? "up" : "down", n->mac[0], n->mac[1], n->mac[2], n->mac[3], n->mac[4],
        n->mac[5], n->ip >> 24, (n->ip >> 16) & 255, (n->ip >> 8) & 255, n->ip & 255,
        (unsigned long long)n->st.rx_packets, (unsigned long long)n->st.tx_packets);
}

static size_t status_body(char *buf, size_t cap)
{
    struct page pg = { buf, 0, cap };
    struct mm_stats m;
    struct tcp_stats t;
    mm_get_stats(&m);
    net_tcp_stats(&t);
    uint64_t up_ms = time_since_entry_ns() / NS_PER_MS;
    put(&pg, "domu status\n");
    put(&pg, "domain: %u '%s' on Xen %u.%u\n", xen_info.domid, domain_name, xen_info.major,
        xen_info.minor);
    put(&pg, "uptime: %llu.%03llu s\n", (unsigned long long)(up_ms / 1000),
        (unsigned long long)(up_ms % 1000));
    put(&pg, "memory: %llu KiB, %llu KiB free\n", (unsigned long long)(m.total_pages * 4),
        (unsigned long long)(m.free_pages * 4));
    netif_for_each(put_if, &pg);
    put(&pg, "tcp: %llu accepted, %llu segments in, %llu out, %llu retransmitted, %llu resets "
             "sent\n",
        (unsigned long long)t.accepted, (unsigned long long)t.segs_in,
        (unsigned long long)t.segs_out, (unsigned long long)t.retransmits,
        (unsigned long long)t.resets_sent);
    return pg.len;
}

static void answer(struct tcp_conn *c, struct http_conn *h)
{
    struct page pg = { h->head, 0, sizeof(h->head) };
    char path[64] = "";
    /* "GET /path HTTP/1.x" */
    if (h->req_len > 4 && memcmp(h->req, "GET ", 4) == 0) {
        size_t i = 4, n = 0;
        while (i < h->req_len && h->req[i] != ' ' && h->req[i] != '\r' && h->req[i] != '\n' &&
               n + 1 < sizeof(path))
            path[n++] = h->req[i++];
        path[n] = 0;
    }
    h->body_len = 0;
    if (strcmp(path, "/") == 0) {
        char body[PAGE_MAX - 200];
        size_t n = status_body(body, sizeof(body));
        put(&pg, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                 "Connection: close\r\n\r\n%s",
            n, body);
    } else if (strncmp(path, "/bytes/", 7) == 0 && path[7]) {
        uint64_t n = 0;
        const char *d = path + 7;
        while (*d >= '0' && *d <= '9' && n <= BYTES_MAX)
            n = n * 10 + (uint64_t)(*d++ - '0');
        if (*d || n > BYTES_MAX) {
            put(&pg, "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
        } else {
            h->body_len = n;
            put(&pg, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %llu\r\n"
                     "Connection: close\r\n\r\n",
                (unsigned long long)n);
        }
    } else if (!path[0]) {
        put(&pg, "HTTP/1.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n");
    } else {
        put(&pg, "HTTP/1.0 404 Not Found\r\nContent-Length: 0\r\n\r\n");
    }
    h->head_len = pg.len;
    h->answered = true;
    tcp_respond(c, h->head_len + h->body_len, time_now_ns());
}

static void on_data(struct tcp_conn *c, const uint8_t *data, size_t len)
{
    if (!c->app_ctx) {
        c->app_ctx = &conns[c - c->owner->conns];
        memset(c->app_ctx, 0, sizeof(struct http_conn));
    }
    struct http_conn *h = ctx(c);
    if (h->answered)
        return;
    size_t n = len < REQ_MAX - 1 - h->req_len ? len : REQ_MAX - 1 - h->req_len;
    memcpy(h->req + h->req_len, data, n);
    h->req_len += n;
    h->req[h->req_len] = 0;
    /* The request ends at an empty line, when the peer closes its side,
     * or when it no longer fits. */
    if (!len || strstr(h->req, "\r\n\r\n") || strstr(h->req, "\n\n") || h->req_len == REQ_MAX - 1)
        answer(c, h);
}

static size_t read_reply(struct tcp_conn *c, uint64_t off, uint8_t *buf, size_t cap)
{
    struct http_conn *h = ctx(c);
    size_t n = 0;
    while (n < cap && off < h->head_len + h->body_len) {
        if (off < h->head_len)
            buf[n] = (uint8_t)h->head[off];
        else
            buf[n] = (uint8_t)line[(off - h->head_len) % 64];
        n++;
        off++;
    }
    return n;
}

static void on_close(struct tcp_conn *c)
{
    c->app_ctx = 0;
}

static const struct tcp_app app = { .on_data = on_data, .read = read_reply, .on_close = on_close };

int net_httpd_start(uint16_t port)
{
    return net_tcp_listen(port, &app);
}
