#include "dev/console/cons_stash.h"

size_t cons_stash_put(struct cons_stash *st, const char *s, size_t len)
{
    if (__atomic_exchange_n(&st->putting, 1, __ATOMIC_ACQUIRE)) {
        st->dropped += len; /* nested in a putter: interleaving would garble both */
        return 0;
    }
    uint32_t head = st->head;
    uint32_t tail = __atomic_load_n(&st->tail, __ATOMIC_ACQUIRE);
    size_t room = CONS_STASH_SIZE - (head - tail);
    if (len > room) {
        st->dropped += len;
        len = 0;
    } else {
        for (size_t i = 0; i < len; i++)
            st->buf[(head + i) % CONS_STASH_SIZE] = s[i];
        st->stashed += len;
        __atomic_store_n(&st->head, head + (uint32_t)len, __ATOMIC_RELEASE);
    }
    __atomic_store_n(&st->putting, 0, __ATOMIC_RELEASE);
    return len;
}

size_t cons_stash_take(struct cons_stash *st, char *buf, size_t cap)
{
    uint32_t tail = st->tail;
    uint32_t head = __atomic_load_n(&st->head, __ATOMIC_ACQUIRE);
    size_t n = head - tail;
    if (n > cap)
        n = cap;
    for (size_t i = 0; i < n; i++)
        buf[i] = st->buf[(tail + i) % CONS_STASH_SIZE];
    __atomic_store_n(&st->tail, tail + (uint32_t)n, __ATOMIC_RELEASE);
    return n;
}

bool cons_stash_empty(const struct cons_stash *st)
{
    return __atomic_load_n(&st->head, __ATOMIC_ACQUIRE) == st->tail;
}
