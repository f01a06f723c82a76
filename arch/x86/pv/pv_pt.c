#include "arch/x86/pv/pv_pt.h"
#include "kern/errno.h"

#define P2M_INVALID (~0ULL)

uint64_t pv_pte(uint64_t mfn, uint64_t flags)
{
    if (mfn > PV_MFN_MAX)
        return 0;
    return (mfn << 12) | (flags & ~PV_PTE_ADDR);
}

bool pv_pte_mfn(uint64_t pte, uint64_t *mfn)
{
    if (!(pte & PV_PTE_P))
        return false;
    *mfn = (pte & PV_PTE_ADDR) >> 12;
    return true;
}

int pv_p2m_get(const uint64_t *p2m, uint64_t nr, uint64_t pfn, uint64_t *mfn)
{
    if (pfn >= nr)
        return -ERANGE;
    uint64_t m = p2m[pfn];
    if (m == P2M_INVALID || m > PV_MFN_MAX)
        return -ENOENT;
    *mfn = m;
    return 0;
}

bool pv_m2p_consistent(const uint64_t *p2m, uint64_t nr, uint64_t mfn, uint64_t pfn)
{
    uint64_t m;
    return pv_p2m_get(p2m, nr, pfn, &m) == 0 && m == mfn;
}

unsigned pv_l1_fill(uint64_t *l1, const uint64_t *p2m, uint64_t nr, uint64_t first_pfn)
{
    unsigned present = 0;
    for (unsigned i = 0; i < PV_PT_ENTRIES; i++) {
        uint64_t pfn = first_pfn + i, mfn;
        l1[i] = 0;
        if (pfn != 0 && pv_p2m_get(p2m, nr, pfn, &mfn) == 0) {
            l1[i] = pv_pte(mfn, PV_PTE_DATA);
            present++;
        }
    }
    return present;
}
