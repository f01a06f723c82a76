/* Pure: queue-count negotiation (xenbus_queues.h). */
#include "xen/xenbus_queues.h"

unsigned xenbus_queues_negotiate(int read_rc, unsigned long long offered, unsigned ours,
                                 unsigned long long limit)
{
    unsigned long long n = read_rc || offered == 0 ? 1 : offered;
    if (ours && n > ours)
        n = ours;
    if (limit && n > limit)
        n = limit;
    return n ? (unsigned)n : 1;
}
