/* libFuzzer: netfront's checks of back-end responses against a shadow
 * model written from the protocol, not from the code. Receive: a stream of
 * responses (each read once, its buffer posted again afterwards) is fed to
 * netfront_rx_step and to the model; they must agree on every verdict
 * (more, frame, or refused), on the chain's slots, length, first flags and
 * dropped mark, and on each slot's copy length; the frame assembled where
 * netfront_rx_step says each slot belongs must be byte for byte the
 * model's concatenation of the slots' data (every buffer page holds a
 * pattern of its own id, so a slot taken from the wrong buffer or put at
 * the wrong place shows). Transmit: responses for pending ids are taken
 * once (a repeat is refused), with known statuses only; the slot count of
 * a frame matches the model's layout. The flow hash: zero exactly for
 * frames that are not IPv4, and unchanged by every byte outside the flow's
 * key (addresses, protocol, ports), which is what keeps a flow on one
 * queue. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include "dev/netfront/netfront_rsp.h"
#include "net/inet.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

enum { NBUF = 16, PAGE = 4096, ETH_HDR = 14 };

static uint8_t pages[NBUF][PAGE];
static uint8_t frame[NETFRONT_RX_FRAME_MAX];   /* where netfront_rx_step says */
static uint8_t shadow[NETFRONT_RX_FRAME_MAX];  /* the model's concatenation */

/* Bytes the fuzzer hands out in order; zeros once they run out. */
struct input {
    const uint8_t *p;
    size_t left;
};

static uint8_t take(struct input *in)
{
    if (!in->left)
        return 0;
    in->left--;
    return *in->p++;
}

static uint16_t take16(struct input *in)
{
    uint16_t lo = take(in);
    return (uint16_t)(lo | (uint16_t)take(in) << 8);
}

/* The receive chain as the protocol describes it. */
struct model_chain {
    unsigned slots, len, copied;
    uint16_t flags;
    bool dropped;
};

enum { M_REFUSED = -1, M_MORE = NETFRONT_RX_MORE, M_FRAME = NETFRONT_RX_FRAME };

/* What a response must do to chain m; *copy: the bytes it adds to the
 * frame. A response is refused when: its id is not one of our posted
 * buffers; it has a flag we never negotiated (more data needs sg; extra
 * info, GSO prefix and unknown bits never); it is slot 19 of a chain; its
 * data (status >= 0 bytes at offset) leaves its page; the chain's data
 * passes the largest frame; or it ends a frame that was not dropped with
 * less than an Ethernet header. A negative status drops the frame: no data
 * is copied from then on, yet the chain goes on to its last slot. */
static int model_rx(struct model_chain *m, const struct netif_rx_response *r,
                    const bool *posted, bool sg, unsigned *copy)
{
    *copy = 0;
    if (r->id >= NBUF || !posted[r->id])
        return M_REFUSED;
    uint16_t ok = NETRXF_data_validated | NETRXF_csum_blank;
    if (sg)
        ok |= NETRXF_more_data;
    if ((r->flags | ok) != ok)
        return M_REFUSED;
    if (m->slots == XEN_NETIF_NR_SLOTS_MIN)
        return M_REFUSED;
    m->slots++;
    if (m->slots == 1)
        m->flags = r->flags;
    if (r->status < 0) {
        m->dropped = true;
    } else {
        unsigned end = (unsigned)r->offset + (unsigned)r->status;
        if (r->offset >= PAGE || end > PAGE)
            return M_REFUSED;
        if (m->len + (unsigned)r->status > NETFRONT_RX_FRAME_MAX)
            return M_REFUSED;
        if (!m->dropped) {
            memcpy(shadow + m->copied, pages[r->id] + r->offset, (size_t)r->status);
            m->copied += (unsigned)r->status;
            *copy = (unsigned)r->status;
        }
        m->len += (unsigned)r->status;
    }
    if (r->flags & NETRXF_more_data)
        return M_MORE;
    if (!m->dropped && m->len < ETH_HDR)
        return M_REFUSED;
    return M_FRAME;
}

/* A response from the input: mostly near the ranges that matter (ids
 * around NBUF, offsets and lengths around a page), or raw bytes. */
static void take_rx(struct input *in, bool raw, struct netif_rx_response *r)
{
    if (raw) {
        r->id = take16(in);
        r->offset = take16(in);
        r->flags = take16(in);
        r->status = (int16_t)take16(in);
        return;
    }
    r->id = (uint16_t)(take(in) % (NBUF + 2));
    r->flags = take(in) & 0x3f;
    r->offset = (uint16_t)(take16(in) % (PAGE + 64));
    int16_t st = (int16_t)take16(in);
    r->status = st < 0 ? st : (int16_t)(st % (PAGE + 64));
}

static void check_rx(struct input *in, bool sg, bool raw, const bool *posted)
{
    struct netfront_rx_chain c = { 0 };
    struct model_chain m = { 0 };
    unsigned nrsp = take(in);
    for (unsigned k = 0; k < nrsp && in->left; k++) {
        struct netif_rx_response r;
        take_rx(in, raw, &r);
        unsigned want_copy, got_copy = 12345;
        const char *why = NULL;
        int want = model_rx(&m, &r, posted, sg, &want_copy);
        int rc = netfront_rx_step(&c, &r, posted, NBUF, sg, &got_copy, &why);
        if (want == M_REFUSED) {
            CHECK(rc == -EBADMSG && why && *why);
            /* netfront takes the interface down: a new connection starts
             * with a new chain. */
            c = (struct netfront_rx_chain){ 0 };
            m = (struct model_chain){ 0 };
            continue;
        }
        CHECK(rc == want);
        CHECK(got_copy == want_copy);
        CHECK(c.slots == m.slots && c.len == m.len && c.dropped == m.dropped);
        CHECK(c.flags == m.flags);
        if (got_copy) {
            /* The slot's data goes where netfront_rx_step says. */
            CHECK(c.len >= got_copy);
            memcpy(frame + c.len - got_copy, pages[r.id] + r.offset, got_copy);
        }
        if (rc == NETFRONT_RX_FRAME) {
            if (!m.dropped) {
                CHECK(m.copied == c.len);
                CHECK(memcmp(frame, shadow, c.len) == 0);
            }
            c = (struct netfront_rx_chain){ 0 };
            m = (struct model_chain){ 0 };
        }
    }
}

/* Transmit responses: each pending id answered once, with a status the
 * protocol knows (OKAY, ERROR, DROPPED); netfront frees the id after. */
static void check_tx(struct input *in, const bool *posted)
{
    bool pending[NBUF];
    memcpy(pending, posted, sizeof(pending));
    unsigned nrsp = take(in) % 32;
    for (unsigned k = 0; k < nrsp && in->left; k++) {
        struct netif_tx_response t;
        t.id = (uint16_t)(take(in) % (NBUF + 2));
        t.status = (int16_t)((int)(take(in) % 6) - 3); /* -3 .. 2 */
        const char *why = NULL;
        bool want = t.id < NBUF && pending[t.id] && t.status >= NETIF_RSP_DROPPED &&
                    t.status <= NETIF_RSP_OKAY;
        int rc = netfront_tx_check(&t, pending, NBUF, &why);
        if (want) {
            CHECK(rc == 0);
            pending[t.id] = false;
        } else {
            CHECK(rc == -EBADMSG && why && *why);
        }
    }
}

/* A frame's transmit slots: the model lays the frame out and counts. With
 * sg every non-empty fragment takes a slot of its own and must fit a page;
 * without, the whole frame is copied into one page. The first slot's size
 * field (16 bits) holds the frame's length, which is at least an Ethernet
 * header; more slots than the ring allows a frame is refused. */
static void check_tx_slots(struct input *in, bool sg)
{
    size_t len[12];
    unsigned nfrags = take(in) % 12, max_slots = 1 + take(in) % 20;
    for (unsigned i = 0; i < nfrags; i++)
        len[i] = take16(in) % (PAGE + PAGE / 4);
    unsigned want_slots = 0;
    size_t total = 0;
    bool fits = true;
    for (unsigned i = 0; i < nfrags; i++) {
        total += len[i];
        if (len[i] > PAGE)
            fits = false;
        if (len[i])
            want_slots++;
    }
    if (!sg) {
        want_slots = 1;
        if (total > PAGE)
            fits = false;
    }
    fits = fits && total >= ETH_HDR && total <= 0xffff && want_slots <= max_slots;
    unsigned slots = 99;
    int rc = netfront_tx_slots(len, nfrags, sg, max_slots, &slots);
    if (fits) {
        CHECK(rc == 0 && slots == want_slots);
    } else {
        CHECK(rc == -EINVAL && slots == 99);
    }
}

/* The flow hash: zero iff the frame is not IPv4 (with a sane header
 * length); the same for every frame of a flow, so a copy that differs in
 * everything but the key (MACs, TOS, length, id, TTL, checksum, options,
 * payload after the ports) hashes the same. */
static void check_flow_hash(struct input *in)
{
    uint8_t f[128], g[128];
    size_t n = take(in) % sizeof(f);
    for (size_t i = 0; i < n; i++)
        f[i] = take(in);
    if (take(in) & 1 && n >= ETH_HDR + 20) {
        f[12] = 0x08; /* mostly IPv4, to get past the first test */
        f[13] = 0x00;
        f[ETH_HDR] = (uint8_t)(0x40 | (f[ETH_HDR] & 15));
    }
    uint32_t h = inet_flow_hash(f, n);
    const uint8_t *ip = f + ETH_HDR;
    size_t ihl = n > ETH_HDR ? (size_t)(ip[0] & 15) * 4 : 0;
    bool ipv4 = n >= ETH_HDR + 20 && f[12] == 0x08 && f[13] == 0x00 && ip[0] >> 4 == 4 && ihl >= 20;
    CHECK((h != 0) == ipv4);
    if (!ipv4)
        return;
    /* Which bytes are the key. */
    bool key[128] = { false };
    key[12] = key[13] = true;                 /* the Ethernet type */
    key[ETH_HDR] = true;                       /* version, header length */
    key[ETH_HDR + 6] = key[ETH_HDR + 7] = true; /* fragment flags, offset */
    key[ETH_HDR + 9] = true;                   /* protocol */
    for (size_t i = 12; i < 20; i++)
        key[ETH_HDR + i] = true;               /* source and destination */
    for (size_t i = 0; i < 4 && ETH_HDR + ihl + i < sizeof(key); i++)
        key[ETH_HDR + ihl + i] = true;         /* the ports (if any) */
    uint8_t salt = take(in) | 1;
    for (size_t i = 0; i < n; i++)
        g[i] = key[i] ? f[i] : (uint8_t)(f[i] ^ salt ^ (uint8_t)i);
    CHECK(inet_flow_hash(g, n) == h);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct input in = { data, size };
    uint8_t mode = take(&in);
    bool sg = mode & 1, raw = mode & 2;
    uint16_t mask = take16(&in);
    bool posted[NBUF];
    for (unsigned i = 0; i < NBUF; i++)
        posted[i] = (mask >> i) & 1;
    static bool pages_made;
    if (!pages_made) {
        for (unsigned id = 0; id < NBUF; id++)
            for (unsigned k = 0; k < PAGE; k++)
                pages[id][k] = (uint8_t)(id * 37 + k * 7 + (k >> 8));
        pages_made = true;
    }
    check_rx(&in, sg, raw, posted);
    check_tx(&in, posted);
    check_tx_slots(&in, sg);
    check_flow_hash(&in);
    return 0;
}
