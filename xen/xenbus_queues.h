#ifndef XEN_XENBUS_QUEUES_H
#define XEN_XENBUS_QUEUES_H
/* Pure: how many queues a multi-queue front-end uses. offered is the
 * back-end's multi-queue-max-queues (read_rc its read: non-zero = not
 * offered, one queue); ours is the driver's own maximum; limit the
 * command line's (0 = none). At least 1, at most each of them. */
unsigned xenbus_queues_negotiate(int read_rc, unsigned long long offered, unsigned ours,
                                 unsigned long long limit);
#endif
