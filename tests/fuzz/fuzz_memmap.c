/* libFuzzer: arbitrary PVH memory maps through memmap_from_pvh, the result
 * checked for its invariants, and memmap_find_hole against a model. */
#include <stdint.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <stdio.h>

#include "kern/memmap.h"
#include "kern/errno.h"

#include "tests/fuzz/fuzz_check.h"

static uint64_t rd(const uint8_t *p, size_t n)
{
    uint64_t v = 0;
    memcpy(&v, p, n);
    return v;
}

static int clashes(const struct memmap *m, uint64_t x, uint64_t size)
{
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].start < x + size && m->r[i].end > x)
            return 1;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 12)
        return 0;
    /* header: mode, hole size shift, above, below */
    uint8_t mode = data[0];
    unsigned shift = data[1] % 40;
    uint64_t above = rd(data + 2, 5), below = rd(data + 7, 5);
    data += 12;
    size -= 12;

    /* entries: raw 24-byte table entries, or compact ones (page numbers in
     * a small space, so that overlaps and touching are common) */
    struct hvm_memmap_table_entry e[MEMMAP_MAX + 8];
    unsigned n = 0;
    size_t esz = mode & 1 ? sizeof(struct hvm_memmap_table_entry) : 5;
    while (size >= esz && n < MEMMAP_MAX + 8) {
        if (mode & 1) {
            memcpy(&e[n], data, sizeof(e[n]));
        } else {
            e[n].addr = rd(data, 2) << 12;
            e[n].size = rd(data + 2, 2) << (data[4] & 0x80 ? 0 : 12);
            e[n].type = 1 + data[4] % 4;
            e[n].reserved = 0;
        }
        n++;
        data += esz;
        size -= esz;
    }

    struct memmap m;
    unsigned bad = 0xdeadbeef;
    int r = memmap_from_pvh(&m, e, n, &bad);
    if (r != 0) {
        CHECK(r == -EINVAL || r == -E2BIG);
        CHECK(bad < n);
        if (r == -E2BIG)
            CHECK(bad == MEMMAP_MAX && n > MEMMAP_MAX);
        else if (e[bad].size != 0 && e[bad].addr + e[bad].size >= e[bad].addr) {
            /* an overlap: the reported entry overlaps an earlier-or-later one */
            int found = 0;
            for (unsigned j = 0; j < n; j++)
                if (j != bad && e[j].addr < e[bad].addr + e[bad].size &&
                    e[bad].addr < e[j].addr + e[j].size)
                    found = 1;
            CHECK(found);
        }
        return 0;
    }
    CHECK(n <= MEMMAP_MAX && m.n <= n);
    uint64_t ram = 0, ram_end = 0;
    for (unsigned i = 0; i < n; i++) {
        CHECK(e[i].size != 0 && e[i].addr + e[i].size > e[i].addr);
        if (e[i].type == XEN_HVM_MEMMAP_TYPE_RAM) {
            ram += e[i].size;
            if (e[i].addr + e[i].size > ram_end)
                ram_end = e[i].addr + e[i].size;
        }
        /* every input byte range is inside a region of its type */
        int inside = 0;
        for (unsigned k = 0; k < m.n; k++)
            if (m.r[k].start <= e[i].addr && e[i].addr + e[i].size <= m.r[k].end &&
                m.r[k].type == e[i].type)
                inside = 1;
        CHECK(inside);
    }
    for (unsigned i = 0; i < m.n; i++) {
        CHECK(m.r[i].start < m.r[i].end);
        if (i) {
            CHECK(m.r[i - 1].end <= m.r[i].start);
            CHECK(!(m.r[i - 1].end == m.r[i].start && m.r[i - 1].type == m.r[i].type));
        }
    }
    CHECK(memmap_ram_bytes(&m) == ram);
    CHECK(memmap_ram_end(&m) == ram_end);
    for (unsigned i = 0; i < m.n; i++)
        CHECK(memmap_type_name(m.r[i].type) != NULL);

    /* find_hole against the model: the answer is the top slot or just
     * below some region's start, whichever is highest and free */
    uint64_t hsize = 1ULL << (12 + shift % 28);
    if (mode & 2) {
        above <<= 12;
        below <<= 12;
    }
    uint64_t x = 0x5a5a;
    r = memmap_find_hole(&m, hsize, above, below, &x);
    if (below < hsize) {
        CHECK(r == -EINVAL && x == 0x5a5a);
        return 0;
    }
    uint64_t mask = ~(hsize - 1);
    int have = 0;
    uint64_t best = 0;
    uint64_t cand[MEMMAP_MAX + 1];
    unsigned nc = 0;
    cand[nc++] = (below - hsize) & mask;
    for (unsigned i = 0; i < m.n; i++)
        if (m.r[i].start >= hsize && ((m.r[i].start - hsize) & mask) <= cand[0])
            cand[nc++] = (m.r[i].start - hsize) & mask;
    for (unsigned i = 0; i < nc; i++)
        if (cand[i] >= above && !clashes(&m, cand[i], hsize) && (!have || cand[i] > best)) {
            best = cand[i];
            have = 1;
        }
    if (have) {
        CHECK(r == 0);
        CHECK(x == best);
        CHECK(x % hsize == 0 && x >= above && x + hsize <= below);
        CHECK(!clashes(&m, x, hsize));
    } else {
        CHECK(r == -ENOSPC && x == 0x5a5a);
    }
    return 0;
}
