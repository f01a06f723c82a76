#include "kern/errno.h"
#include "lib/string.h"
#include "net/inet.h"
#include "net/tcp_fetch.h"

int fetch_parse_url(const char *s, struct fetch_url *u)
{
    memset(u, 0, sizeof(*u));
    if (strncmp(s, "http://", 7) != 0)
        return -EINVAL;
    s += 7;
    size_t n = 0;
    while (*s && *s != ':' && *s != '/') {
        if (n + 1 >= sizeof(u->host))
            return -EINVAL;
        u->host[n++] = *s++;
    }
    if (inet_parse_addr(u->host, &u->addr))
        return -EINVAL;
    u->port = 80;
    if (*s == ':') {
        uint32_t p = 0;
        s++;
        if (*s < '0' || *s > '9')
            return -EINVAL;
        while (*s >= '0' && *s <= '9') {
            p = p * 10 + (uint32_t)(*s++ - '0');
            if (p > 65535)
                return -EINVAL;
        }
        if (!p)
            return -EINVAL;
        u->port = (uint16_t)p;
    }
    if (*s && *s != '/')
        return -EINVAL;
    if (!*s)
        s = "/";
    n = strlen(s);
    if (n >= sizeof(u->path))
        return -EINVAL;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= ' ' || (unsigned char)s[i] >= 0x7f)
            return -EINVAL; /* it goes into the request line as it is */
    memcpy(u->path, s, n + 1);
    return 0;
}

static size_t append(char *buf, size_t at, size_t cap, const char *s)
{
    size_t n = strlen(s);
    if (at == (size_t)-1 || at + n >= cap)
        return (size_t)-1;
    memcpy(buf + at, s, n + 1);
    return at + n;
}

size_t fetch_build_request(const struct fetch_url *u, char *buf, size_t cap)
{
    char port[8];
    size_t k = sizeof(port) - 1;
    port[k] = 0;
    uint32_t p = u->port;
    do {
        port[--k] = (char)('0' + p % 10);
        p /= 10;
    } while (p);
    size_t at = 0;
    at = append(buf, at, cap, "GET ");
    at = append(buf, at, cap, u->path);
    at = append(buf, at, cap, " HTTP/1.0\r\nHost: ");
    at = append(buf, at, cap, u->host);
    if (u->port != 80) {
        at = append(buf, at, cap, ":");
        at = append(buf, at, cap, port + k);
    }
    at = append(buf, at, cap, "\r\nUser-Agent: domu-fetch\r\nConnection: close\r\n\r\n");
    return at == (size_t)-1 ? 0 : at;
}

void fetch_resp_init(struct fetch_resp *r)
{
    memset(r, 0, sizeof(*r));
    r->content_length = -1;
}

static int lower(int c)
{
    return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* A complete line (without its CR LF) of the status or the headers. */
static int header_line(struct fetch_resp *r)
{
    const char *l = r->line;
    size_t n = r->line_len;
    if (r->phase == FETCH_STATUS) {
        /* "HTTP/1.x NNN reason" */
        if (n < 12 || memcmp(l, "HTTP/1.", 7) != 0 || l[8] != ' ')
            return -EBADMSG;
        int st = 0;
        for (int i = 9; i < 12; i++) {
            if (l[i] < '0' || l[i] > '9')
                return -EBADMSG;
            st = st * 10 + (l[i] - '0');
        }
        if (n > 12 && l[12] != ' ')
            return -EBADMSG;
        r->status = st;
        r->phase = FETCH_HEADERS;
        return 0;
    }
    if (!n) {
        r->phase = FETCH_BODY;
        return 0;
    }
    static const char cl[] = "content-length:";
    if (n >= sizeof(cl) - 1) {
        size_t i = 0;
        while (i < sizeof(cl) - 1 && lower(l[i]) == cl[i])
            i++;
        if (i == sizeof(cl) - 1) {
            while (i < n && (l[i] == ' ' || l[i] == '\t'))
                i++;
            if (i == n)
                return -EBADMSG;
            int64_t v = 0;
            for (; i < n && l[i] >= '0' && l[i] <= '9'; i++) {
                if (v > (INT64_MAX - 9) / 10)
                    return -EBADMSG;
                v = v * 10 + (l[i] - '0');
            }
            while (i < n && (l[i] == ' ' || l[i] == '\t'))
                i++;
            if (i != n || (r->content_length >= 0 && r->content_length != v))
                return -EBADMSG;
            r->content_length = v;
        }
    }
    return 0;
}

int fetch_resp_feed(struct fetch_resp *r, const uint8_t *d, size_t len)
{
    size_t i = 0;
    while (i < len && r->phase != FETCH_BODY) {
        uint8_t c = d[i++];
        if (c == '\n') {
            if (r->line_len && r->line[r->line_len - 1] == '\r')
                r->line_len--;
            r->line[r->line_len] = 0;
            int rc = header_line(r);
            if (rc)
                return rc;
            r->line_len = 0;
            continue;
        }
        if (r->line_len + 1 >= sizeof(r->line))
            return -EBADMSG;
        r->line[r->line_len++] = (char)c;
    }
    size_t n = len - i;
    if (!n)
        return 0;
    if (r->content_length >= 0 && r->body + n > (uint64_t)r->content_length)
        return -EBADMSG;
    r->crc = cksum_update(r->crc, d + i, n);
    r->body += n;
    return 0;
}

int fetch_resp_end(const struct fetch_resp *r)
{
    if (r->phase != FETCH_BODY)
        return -EBADMSG;
    if (r->content_length >= 0 && r->body != (uint64_t)r->content_length)
        return -EBADMSG;
    return 0;
}

static uint32_t crc_byte(uint32_t crc, uint8_t b)
{
    crc ^= (uint32_t)b << 24;
    for (int k = 0; k < 8; k++)
        crc = crc & 0x80000000u ? (crc << 1) ^ 0x04c11db7u : crc << 1;
    return crc;
}

uint32_t cksum_update(uint32_t crc, const uint8_t *d, size_t n)
{
    /* A table a nibble at a time: small, and fast enough for the link. */
    static uint32_t tab[16];
    if (!tab[1])
        for (uint32_t i = 0; i < 16; i++) {
            uint32_t c = i << 28;
            for (int k = 0; k < 4; k++)
                c = c & 0x80000000u ? (c << 1) ^ 0x04c11db7u : c << 1;
            tab[i] = c;
        }
    for (size_t i = 0; i < n; i++) {
        crc ^= (uint32_t)d[i] << 24;
        crc = (crc << 4) ^ tab[crc >> 28];
        crc = (crc << 4) ^ tab[crc >> 28];
    }
    return crc;
}

uint32_t cksum_final(uint32_t crc, uint64_t len)
{
    for (; len; len >>= 8)
        crc = crc_byte(crc, (uint8_t)len);
    return ~crc;
}
