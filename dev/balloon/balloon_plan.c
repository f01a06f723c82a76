#include "dev/balloon/balloon_plan.h"
#include "kern/errno.h"

size_t balloon_map_bytes(uint64_t max_pfn)
{
    return (size_t)((max_pfn + 63) / 64) * sizeof(uint64_t);
}

void balloon_map_init(struct balloon_map *m, uint64_t *bits, uint64_t max_pfn)
{
    m->bits = bits;
    m->max_pfn = max_pfn;
    m->out = 0;
    m->cursor = 0;
    for (uint64_t i = 0; i < (max_pfn + 63) / 64; i++)
        bits[i] = 0;
}

bool balloon_map_is_out(const struct balloon_map *m, uint64_t pfn)
{
    return pfn < m->max_pfn && (m->bits[pfn / 64] >> (pfn % 64)) & 1;
}

int balloon_map_set_out(struct balloon_map *m, uint64_t pfn)
{
    if (pfn >= m->max_pfn || balloon_map_is_out(m, pfn))
        return -EINVAL;
    m->bits[pfn / 64] |= 1ULL << (pfn % 64);
    m->out++;
    return 0;
}

int balloon_map_set_in(struct balloon_map *m, uint64_t pfn)
{
    if (!balloon_map_is_out(m, pfn))
        return -EINVAL;
    m->bits[pfn / 64] &= ~(1ULL << (pfn % 64));
    m->out--;
    return 0;
}

size_t balloon_map_find_out(struct balloon_map *m, uint64_t *pfns, size_t max)
{
    size_t n = 0;
    uint64_t pos = m->cursor < m->max_pfn ? m->cursor : 0;
    for (uint64_t scanned = 0; n < max && n < m->out && scanned < m->max_pfn;) {
        uint64_t off = pos % 64, span = 64 - off;
        if (pos + span > m->max_pfn)
            span = m->max_pfn - pos;
        uint64_t bits = m->bits[pos / 64] >> off;
        if (span < 64)
            bits &= (1ULL << span) - 1;
        while (bits && n < max) {
            pfns[n++] = pos + (uint64_t)__builtin_ctzll(bits);
            bits &= bits - 1;
        }
        scanned += span;
        pos += span;
        if (pos >= m->max_pfn)
            pos = 0;
    }
    if (n)
        m->cursor = pfns[n - 1] + 1 < m->max_pfn ? pfns[n - 1] + 1 : 0;
    return n;
}

size_t balloon_map_find_out_runs(const struct balloon_map *m, unsigned order, uint64_t *starts,
                                 size_t max)
{
    if (order < 6 || order > 20)
        return 0;
    uint64_t words_per_run = 1ULL << (order - 6), n = 0;
    uint64_t runs = m->max_pfn >> order; /* whole runs inside the map */
    for (uint64_t r = 0; r < runs && n < max; r++) {
        uint64_t w0 = r * words_per_run, w = 0;
        while (w < words_per_run && m->bits[w0 + w] == ~0ULL)
            w++;
        if (w == words_per_run)
            starts[n++] = r << order;
    }
    return (size_t)n;
}

uint64_t balloon_desired_pages(uint64_t target_kib, int64_t slack, uint64_t max_pages)
{
    int64_t want = (int64_t)(target_kib / 4) + slack;
    if (want < 0)
        want = 0;
    return (uint64_t)want > max_pages ? max_pages : (uint64_t)want;
}

struct balloon_step balloon_next_step(uint64_t current, uint64_t desired, uint64_t releasable,
                                      uint64_t out, uint64_t batch)
{
    struct balloon_step s = { 0, false, false };
    if (current > desired) {
        uint64_t n = current - desired;
        if (n > releasable) {
            n = releasable;
            s.at_floor = true;
        }
        s.pages = (int64_t)(n < batch ? n : batch);
    } else if (current < desired) {
        uint64_t n = desired - current;
        if (n > out) {
            n = out;
            s.at_max = true;
        }
        s.pages = -(int64_t)(n < batch ? n : batch);
    }
    return s;
}
