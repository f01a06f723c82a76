#ifndef ARCH_X86_PV_PT_H
#define ARCH_X86_PV_PT_H
/* 4-level page-table entries for a 64-bit PV guest and p2m look-ups
 * (pure: unit tested on the host). Entries hold machine frames; the p2m
 * (start_info's mfn_list) turns domu's pfns into them. */
#include <stdint.h>
#include <stdbool.h>

#define PV_PTE_P    0x001ULL
#define PV_PTE_RW   0x002ULL
#define PV_PTE_USER 0x004ULL
#define PV_PTE_A    0x020ULL
#define PV_PTE_D    0x040ULL
#define PV_PTE_PS   0x080ULL
#define PV_PTE_NX   (1ULL << 63)
#define PV_PTE_ADDR 0x000ffffffffff000ULL
/* The highest machine frame an entry can hold (52-bit addresses). */
#define PV_MFN_MAX  (PV_PTE_ADDR >> 12)

#define PV_PT_ENTRIES 512
/* A data page: present, writable, accessed and dirty already set so
 * Xen never needs to fault them in. */
#define PV_PTE_DATA  (PV_PTE_P | PV_PTE_RW | PV_PTE_A | PV_PTE_D)
/* A page-table page seen through the map: Xen insists on read-only. */
#define PV_PTE_PTPAGE (PV_PTE_P | PV_PTE_A)
/* An entry pointing at a lower-level table. */
#define PV_PTE_TABLE (PV_PTE_P | PV_PTE_RW | PV_PTE_USER | PV_PTE_A | PV_PTE_D)

/* Index of va in the table of level (1 = L1 ... 4 = L4). */
static inline unsigned pv_pt_index(uint64_t va, int level)
{
    return (unsigned)(va >> (12 + 9 * (level - 1))) & (PV_PT_ENTRIES - 1);
}

/* The entry for machine frame mfn with flags; 0 (not present) for a frame
 * no entry can hold, so an invalid p2m slot never becomes a mapping. */
uint64_t pv_pte(uint64_t mfn, uint64_t flags);
/* The machine frame in a present entry; false for a not-present one. */
bool pv_pte_mfn(uint64_t pte, uint64_t *mfn);

/* p2m[pfn] for pfn < nr: 0, -ERANGE (beyond the p2m) or -ENOENT (the
 * slot is INVALID_P2M_ENTRY or holds a frame no entry can carry). */
int pv_p2m_get(const uint64_t *p2m, uint64_t nr, uint64_t pfn, uint64_t *mfn);

/* Xen's m2p answer for mfn is trusted only if the p2m maps it back. */
bool pv_m2p_consistent(const uint64_t *p2m, uint64_t nr, uint64_t mfn, uint64_t pfn);

/* Fills a fresh L1 for the 512 pages from first_pfn (a multiple of 512):
 * data entries for pfns below nr with a valid p2m slot, except pfn 0
 * (NULL faults); everything else not present (0: no address bits, safe
 * against L1TF). Returns how many entries are present. */
unsigned pv_l1_fill(uint64_t *l1, const uint64_t *p2m, uint64_t nr, uint64_t first_pfn);
#endif
