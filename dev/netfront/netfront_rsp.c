#include "dev/netfront/netfront_rsp.h"
#include "kern/errno.h"

#define NETFRONT_PAGE 4096u

int netfront_rx_check(const struct netif_rx_response *r, const bool *posted, unsigned n,
                      unsigned *len, const char **why)
{
    if (r->id >= n || !posted[r->id]) {
        *why = r->id >= n ? "receive id out of range" : "receive id not posted";
        return -EBADMSG;
    }
    if (r->flags & (NETRXF_more_data | NETRXF_extra_info)) {
        *why = "receive flags we did not negotiate (more data / extra info)";
        return -EBADMSG;
    }
    if (r->status < 0) {
        *len = 0; /* the back-end dropped it: not a violation */
        return 0;
    }
    if (r->offset >= NETFRONT_PAGE || (unsigned)r->offset + (unsigned)r->status > NETFRONT_PAGE) {
        *why = "receive data beyond its page";
        return -EBADMSG;
    }
    if (r->status < 14) {
        *why = "receive shorter than an Ethernet header";
        return -EBADMSG;
    }
    *len = (unsigned)r->status;
    return 0;
}

int netfront_tx_check(const struct netif_tx_response *r, const bool *pending, unsigned n,
                      const char **why)
{
    if (r->id >= n || !pending[r->id]) {
        *why = r->id >= n ? "transmit id out of range" : "transmit id not pending";
        return -EBADMSG;
    }
    if (r->status != NETIF_RSP_OKAY && r->status != NETIF_RSP_ERROR &&
        r->status != NETIF_RSP_DROPPED) {
        *why = "unknown transmit status";
        return -EBADMSG;
    }
    return 0;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

int netfront_parse_mac(const char *s, uint8_t mac[6])
{
    for (int i = 0; i < 6; i++) {
        int hi = hexval(s[0]), lo = hi < 0 ? -1 : hexval(s[1]);
        if (hi < 0 || lo < 0)
            return -EINVAL;
        mac[i] = (uint8_t)(hi << 4 | lo);
        s += 2;
        if (i < 5 && *s++ != ':')
            return -EINVAL;
    }
    return *s ? -EINVAL : 0;
}
