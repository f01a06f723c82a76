/* libFuzzer: blkfront's response checks against arbitrary back-end
 * responses and ring indices. Whatever the input, a response is accepted
 * only if its id is outstanding with the same operation and its status
 * is known, and the count never exceeds the outstanding requests. */
#include <stdint.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dev/blkfront/blkfront_rsp.h"
#include "xen/ring_check.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    enum { NSLOTS = 32 };
    if (size < NSLOTS + 12 + sizeof(struct blkif_response))
        return 0;
    blkfront_slot_t slots[NSLOTS];
    for (unsigned i = 0; i < NSLOTS; i++)
        slots[i] = (data[i] % 8) | (data[i] & BLKFRONT_SLOT_INDIRECT); /* free or op + 1, some bogus */
    data += NSLOTS;
    RING_IDX cons, prod, req;
    memcpy(&cons, data, 4);
    memcpy(&prod, data + 4, 4);
    memcpy(&req, data + 8, 4);
    data += 12;
    const char *why = NULL;
    int n = ring_rsp_count(cons, prod, req, NSLOTS, &why);
    if (n >= 0)
        CHECK((RING_IDX)n <= NSLOTS && (RING_IDX)n <= req - cons && (RING_IDX)n == prod - cons);
    else
        CHECK(n == -EBADMSG && why);
    struct blkif_response r;
    memcpy(&r, data, sizeof(r));
    int st = 12345;
    why = NULL;
    int rc = blkfront_rsp_check(&r, slots, NSLOTS, &st, &why);
    if (rc == 0) {
        CHECK(r.id < NSLOTS && (slots[r.id] & ~BLKFRONT_SLOT_INDIRECT) != BLKFRONT_SLOT_FREE);
        CHECK(r.operation == (slots[r.id] & ~BLKFRONT_SLOT_INDIRECT) - 1 ||
              ((slots[r.id] & BLKFRONT_SLOT_INDIRECT) && r.operation == BLKIF_OP_INDIRECT));
        CHECK((r.status == 0 && st == 0) || (r.status == -1 && st == -EIO) ||
              (r.status == -2 && st == -EOPNOTSUPP));
    } else {
        CHECK(rc == -EBADMSG && why);
    }
    return 0;
}
