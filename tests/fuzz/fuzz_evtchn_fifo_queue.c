/* libFuzzer: the FIFO queue walk over an arbitrary event array, control
 * block and queue heads (all guest-writable memory): it stays inside the
 * array, serves at most the budget, and only ports that were pending and
 * unmasked. Input: budget byte, then the array's words and the block. */
#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>
#include <string.h>

#include "xen/evtchn_fifo_queue.h"

#include "tests/fuzz/fuzz_check.h"

#define NPAGES 2
static event_word_t pages[NPAGES][EVTCHN_FIFO_WORDS_PER_PAGE];
static event_word_t before[NPAGES][EVTCHN_FIFO_WORDS_PER_PAGE];

struct ctx {
    unsigned served;
};

static void served(evtchn_port_t port, void *arg)
{
    struct ctx *c = arg;
    CHECK(port < NPAGES * EVTCHN_FIFO_WORDS_PER_PAGE);
    event_word_t b = before[port / EVTCHN_FIFO_WORDS_PER_PAGE][port % EVTCHN_FIFO_WORDS_PER_PAGE];
    CHECK(b & ((event_word_t)1 << EVTCHN_FIFO_PENDING));
    c->served++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    unsigned budget = data[0] % 70;
    data++;
    size--;
    struct evtchn_fifo_control_block cb;
    struct evtchn_fifo_queues q = { 0 };
    memset(&cb, 0, sizeof(cb));
    size_t n = size < sizeof(cb) ? size : sizeof(cb);
    memcpy(&cb, data, n);
    data += n;
    size -= n;
    n = size < sizeof(q.head) ? size : sizeof(q.head);
    memcpy(q.head, data, n);
    /* The local heads are private memory: only ever ports in the array. */
    for (unsigned i = 0; i < EVTCHN_FIFO_MAX_QUEUES; i++)
        q.head[i] %= NPAGES * EVTCHN_FIFO_WORDS_PER_PAGE;
    data += n;
    size -= n;
    memset(pages, 0, sizeof(pages));
    n = size < sizeof(pages) ? size : sizeof(pages);
    memcpy(pages, data, n);
    memcpy(before, pages, sizeof(pages));
    struct evtchn_fifo_array a = { .npages = NPAGES };
    for (unsigned i = 0; i < NPAGES; i++)
        a.page[i] = pages[i];
    struct ctx c = { 0 };
    bool more;
    unsigned got = evtchn_fifo_consume(&cb, &q, &a, budget, served, &c, &more);
    CHECK(got == c.served);
    CHECK(got <= budget);
    for (unsigned i = 0; i < EVTCHN_FIFO_MAX_QUEUES; i++)
        CHECK(q.head[i] == 0 || evtchn_fifo_word(&a, q.head[i]));
    return 0;
}
