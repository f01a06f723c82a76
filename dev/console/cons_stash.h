#ifndef DEV_CONSOLE_CONS_STASH_H
#define DEV_CONSOLE_CONS_STASH_H
/* Where a console writer that finds the console already being written
 * (nested in the writer on its own vCPU: a fault, an NMI, a hook that
 * prints) leaves its text instead of touching the ring; the writer that
 * holds the console sends it after its own. One taker (the holder), any
 * number of putters: a putter nested in another putter is dropped and
 * counted, never interleaved. Pure: only atomics. */
#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define CONS_STASH_SIZE 1024

struct cons_stash {
    char buf[CONS_STASH_SIZE];
    uint32_t head;     /* total bytes put (only putters write it) */
    uint32_t tail;     /* total bytes taken (only the taker writes it) */
    uint32_t putting;  /* a putter is between its reads and its publish */
    uint64_t stashed;  /* bytes that went through the stash */
    uint64_t dropped;  /* bytes that did not fit, or came nested in a putter */
};

/* Puts all of s or none of it (a line is never cut). Returns len or 0. */
size_t cons_stash_put(struct cons_stash *st, const char *s, size_t len);
/* Takes up to cap stashed bytes, oldest first. Returns the count. */
size_t cons_stash_take(struct cons_stash *st, char *buf, size_t cap);
bool cons_stash_empty(const struct cons_stash *st);
#endif
