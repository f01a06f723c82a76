/* libFuzzer: netfront's receive-chain reassembly and transmit checks
 * against arbitrary back-end responses, consumed the way the driver does
 * (each response read once, its buffer posted again afterwards). Whatever
 * the input: only posted ids are accepted, every slot's data stays in its
 * page, a chain never exceeds the slot and byte bounds (the copy into the
 * frame buffer is checked by ASan), more data is refused without sg,
 * a complete frame is at least an Ethernet header; transmit responses
 * only for pending ids; slot counts within the bound; the flow hash is a
 * pure function of the frame. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include "dev/netfront/netfront_rsp.h"
#include "net/inet.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

enum { NBUF = 16 };
static uint8_t frame[NETFRONT_RX_FRAME_MAX];
static uint8_t page[4096];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 3)
        return 0;
    bool sg = data[0] & 1;
    bool posted[NBUF];
    for (unsigned i = 0; i < NBUF; i++)
        posted[i] = (data[1] >> (i % 8)) & 1 || i >= 8;
    /* The flow hash over the raw input, twice: the same answer. */
    CHECK(inet_flow_hash(data, size) == inet_flow_hash(data, size));
    data += 2;
    size -= 2;
    struct netfront_rx_chain c = { 0 };
    unsigned slots_seen = 0;
    while (size >= sizeof(struct netif_rx_response)) {
        struct netif_rx_response r;
        memcpy(&r, data, sizeof(r));
        data += sizeof(r);
        size -= sizeof(r);
        unsigned before = c.len, n = 12345;
        const char *why = NULL;
        int rc = netfront_rx_step(&c, &r, posted, NBUF, sg, &n, &why);
        if (rc < 0) {
            CHECK(rc == -EBADMSG && why);
            c = (struct netfront_rx_chain){ 0 }; /* the driver stops here: start over */
            slots_seen = 0;
            continue;
        }
        slots_seen++;
        CHECK(r.id < NBUF && posted[r.id]);
        CHECK(sg || !(r.flags & NETRXF_more_data));
        CHECK(!(r.flags & ~(NETRXF_more_data | NETFRONT_RX_FLAGS_CSUM)));
        CHECK(c.slots == slots_seen && c.slots <= NETFRONT_RX_SLOTS_MAX);
        CHECK(c.len <= NETFRONT_RX_FRAME_MAX);
        if (n) {
            CHECK(!c.dropped && r.status >= 0 && (unsigned)r.status == n);
            CHECK((unsigned)r.offset + n <= sizeof(page) && before + n == c.len);
            memcpy(frame + c.len - n, page + r.offset, n);
        }
        if (rc == NETFRONT_RX_FRAME) {
            CHECK(c.dropped || c.len >= 14);
            CHECK(!(r.flags & NETRXF_more_data));
            c = (struct netfront_rx_chain){ 0 };
            slots_seen = 0;
        } else {
            CHECK(rc == NETFRONT_RX_MORE && (r.flags & NETRXF_more_data));
        }
    }
    /* What is left: transmit responses and fragment lengths. */
    bool pending[NBUF];
    for (unsigned i = 0; i < NBUF; i++)
        pending[i] = posted[i];
    if (size >= sizeof(struct netif_tx_response)) {
        struct netif_tx_response t;
        memcpy(&t, data, sizeof(t));
        const char *why = NULL;
        int rc = netfront_tx_check(&t, pending, NBUF, &why);
        if (rc == 0)
            CHECK(t.id < NBUF && pending[t.id] && t.status <= 0 && t.status >= NETIF_RSP_DROPPED);
        else
            CHECK(rc == -EBADMSG && why);
    }
    size_t len[8];
    unsigned nfrags = (unsigned)(size % 9);
    for (unsigned i = 0; i < nfrags && i < size; i++)
        len[i] = (size_t)data[i] * 20;
    if (nfrags > size)
        nfrags = (unsigned)size;
    unsigned slots = 99;
    if (netfront_tx_slots(len, nfrags, sg, 4, &slots) == 0) {
        size_t total = 0;
        for (unsigned i = 0; i < nfrags; i++)
            total += len[i];
        CHECK(slots >= 1 && slots <= 4 && total >= 14 && total <= 0xffff);
        CHECK(sg || (slots == 1 && total <= 4096));
    }
    return 0;
}
