#include "dev/netfront/netfront_rsp.h"
#include "kern/errno.h"

#define NETFRONT_PAGE 4096u
#define ETH_HEADER 14u

int netfront_rx_step(struct netfront_rx_chain *c, const struct netif_rx_response *r,
                     const bool *posted, unsigned n, bool sg, unsigned *copy_len,
                     const char **why)
{
    *copy_len = 0;
    if (r->id >= n || !posted[r->id]) {
        *why = r->id >= n ? "receive id out of range" : "receive id not posted";
        return -EBADMSG;
    }
    uint16_t allowed = NETFRONT_RX_FLAGS_CSUM | (sg ? NETRXF_more_data : 0);
    if (r->flags & ~allowed) {
        *why = (r->flags & NETRXF_more_data) && !sg
                   ? "receive chain (more data) without scatter-gather negotiated"
                   : "receive flags we did not negotiate (extra info, GSO prefix or unknown)";
        return -EBADMSG;
    }
    if (++c->slots > NETFRONT_RX_SLOTS_MAX) {
        *why = "receive chain longer than the slot bound";
        return -EBADMSG;
    }
    if (c->slots == 1)
        c->flags = r->flags;
    if (r->status < 0) {
        c->dropped = true; /* the back-end dropped it: not a violation */
    } else {
        if (r->offset >= NETFRONT_PAGE ||
            (unsigned)r->offset + (unsigned)r->status > NETFRONT_PAGE) {
            *why = "receive data beyond its page";
            return -EBADMSG;
        }
        if (c->len + (unsigned)r->status > NETFRONT_RX_FRAME_MAX) {
            *why = "receive chain longer than any frame we accept";
            return -EBADMSG;
        }
        c->len += (unsigned)r->status;
        if (!c->dropped)
            *copy_len = (unsigned)r->status;
    }
    if (r->flags & NETRXF_more_data)
        return NETFRONT_RX_MORE;
    if (!c->dropped && c->len < ETH_HEADER) {
        *why = "receive shorter than an Ethernet header";
        return -EBADMSG;
    }
    return NETFRONT_RX_FRAME;
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

int netfront_tx_slots(const size_t *len, unsigned nfrags, bool sg, unsigned max_slots,
                      unsigned *slots)
{
    size_t total = 0;
    unsigned used = 0;
    for (unsigned i = 0; i < nfrags; i++) {
        if (len[i] > NETFRONT_PAGE)
            return -EINVAL; /* a fragment never crosses a page of its buffer */
        total += len[i];
        used += len[i] != 0;
    }
    if (total < ETH_HEADER || total > 0xffff || (!sg && total > NETFRONT_PAGE))
        return -EINVAL;
    if (!sg)
        used = 1;
    if (used > max_slots)
        return -EINVAL;
    *slots = used;
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
