#include "kern/memmap.h"
#include "kern/errno.h"

/* The input index of a (not yet merged) region; the last of identical ones. */
static unsigned input_index(const struct hvm_memmap_table_entry *e, unsigned n,
                            const struct mem_region *r)
{
    unsigned k = 0;
    for (unsigned i = 0; i < n; i++)
        if (e[i].addr == r->start && e[i].addr + e[i].size == r->end && e[i].type == r->type)
            k = i;
    return k;
}

int memmap_from_pvh(struct memmap *m, const struct hvm_memmap_table_entry *e, unsigned n,
                    unsigned *bad)
{
    m->n = 0;
    for (unsigned i = 0; i < n; i++) {
        uint64_t start = e[i].addr, size = e[i].size;
        if (size == 0 || start + size < start) {
            *bad = i;
            return -EINVAL;
        }
        if (m->n == MEMMAP_MAX) {
            *bad = i;
            return -E2BIG;
        }
        /* insertion sort by start */
        unsigned j = m->n;
        while (j > 0 && m->r[j - 1].start > start) {
            m->r[j] = m->r[j - 1];
            j--;
        }
        m->r[j] = (struct mem_region){ start, start + size, e[i].type };
        m->n++;
    }
    for (unsigned i = 1; i < m->n; i++) {
        if (m->r[i].start < m->r[i - 1].end) {
            /* report the later input entry of the overlapping pair */
            unsigned a = input_index(e, n, &m->r[i - 1]), b = input_index(e, n, &m->r[i]);
            *bad = a > b ? a : b;
            return -EINVAL;
        }
    }
    /* merge touching regions of the same type */
    unsigned w = 0;
    for (unsigned i = 0; i < m->n; i++) {
        if (w > 0 && m->r[w - 1].type == m->r[i].type && m->r[w - 1].end == m->r[i].start)
            m->r[w - 1].end = m->r[i].end;
        else
            m->r[w++] = m->r[i];
    }
    m->n = w;
    return 0;
}

uint64_t memmap_ram_bytes(const struct memmap *m)
{
    uint64_t total = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].type == XEN_HVM_MEMMAP_TYPE_RAM)
            total += m->r[i].end - m->r[i].start;
    return total;
}

uint64_t memmap_ram_end(const struct memmap *m)
{
    uint64_t end = 0;
    for (unsigned i = 0; i < m->n; i++)
        if (m->r[i].type == XEN_HVM_MEMMAP_TYPE_RAM && m->r[i].end > end)
            end = m->r[i].end;
    return end;
}

int memmap_find_hole(const struct memmap *m, uint64_t size, uint64_t above, uint64_t below,
                     uint64_t *out)
{
    if (size == 0 || (size & (size - 1)) || below < size)
        return -EINVAL;
    uint64_t x = (below - size) & ~(size - 1);
    while (x >= above) {
        const struct mem_region *clash = 0;
        for (unsigned i = 0; i < m->n && !clash; i++)
            if (m->r[i].start < x + size && m->r[i].end > x)
                clash = &m->r[i];
        if (!clash) {
            *out = x;
            return 0;
        }
        /* Search on below the region in the way; x only ever decreases. */
        if (clash->start < size)
            break;
        x = (clash->start - size) & ~(size - 1);
    }
    return -ENOSPC;
}

const char *memmap_type_name(uint32_t type)
{
    switch (type) {
    case XEN_HVM_MEMMAP_TYPE_RAM:
        return "ram";
    case XEN_HVM_MEMMAP_TYPE_RESERVED:
        return "reserved";
    case XEN_HVM_MEMMAP_TYPE_ACPI:
        return "acpi";
    case XEN_HVM_MEMMAP_TYPE_NVS:
        return "nvs";
    case XEN_HVM_MEMMAP_TYPE_UNUSABLE:
        return "unusable";
    case XEN_HVM_MEMMAP_TYPE_DISABLED:
        return "disabled";
    case XEN_HVM_MEMMAP_TYPE_PMEM:
        return "pmem";
    default:
        return "unknown";
    }
}
