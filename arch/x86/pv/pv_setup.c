/* 64-bit PV: the platform after the PV entry (pv_head.S). The builder's
 * page tables map only what it loaded; domu's allocator wants every page
 * at VA == pseudo-physical address, so the missing L1 tables are made here
 * (frames taken right after the builder's, filled, made read-only, pinned
 * and hooked in with mmu_update). Traps go through set_trap_table, events
 * through set_callbacks, and evtchn_upcall_mask is the interrupt flag. */
#include "kern/kernel.h"
#include "kern/memmap.h"
#include "kern/mm.h"
#include "kern/panic.h"
#include "kern/percpu.h"
#include "arch/x86/cpu.h"
#include "arch/x86/traps.h"
#include "arch/x86/pv/pv_boot_info.h"
#include "arch/x86/pv/pv_pt.h"
#include "arch/x86/pv/pv_hypercall.h"
#include "xen/hypervisor.h"
#include "xen/platform.h"

void kmain(uintptr_t start_info);
void trap_dispatch(struct trap_frame *f);
void pv_main(const struct start_info *si);
void pv_upcall(struct trap_frame *f);
void pv_failsafe(void);
extern const uint64_t pv_trap_vectors[32];
extern void pv_hypervisor_callback(void), pv_failsafe_callback(void);
extern char __image_start[], __image_end[];

bool cpu_pv;

static struct pv_boot_info bi;
static const struct start_info *boot_si;
static const uint64_t *p2m;   /* the builder's mfn_list, kept where it is */
static uint64_t next_pt_pfn;  /* the next free frame for a page table */
static uint64_t new_tables;   /* page-table pages made here */
static void (*upcall_fn)(void);
/* Its VA is remapped to Xen's shared_info frame (the frame under it stays ours, unused). */
static uint8_t shared_info_page[4096] __attribute__((aligned(4096)));

#define M2P ((const uint64_t *)MACH2PHYS_VIRT_START)

static uint64_t mfn_of(uint64_t pfn)
{
    uint64_t mfn;
    if (pv_p2m_get(p2m, bi.nr_pages, pfn, &mfn))
        panic("pv: pfn 0x%llx has no machine frame in the p2m", (unsigned long long)pfn);
    return mfn;
}

/* The pfn Xen's m2p gives for a machine frame, if ours (checked against the p2m). */
static int pfn_of(uint64_t mfn, uint64_t *pfn)
{
    if (mfn >= MACH2PHYS_NR_ENTRIES)
        return -ERANGE;
    uint64_t p = M2P[mfn];
    if (!pv_m2p_consistent(p2m, bi.nr_pages, mfn, p))
        return -ENOENT;
    *pfn = p;
    return 0;
}

static uint64_t *table_of(uint64_t pte)
{
    uint64_t mfn = 0, pfn;
    if (!pv_pte_mfn(pte, &mfn) || pfn_of(mfn, &pfn))
        panic("pv: page-table entry 0x%llx is not a frame of ours", (unsigned long long)pte);
    return (uint64_t *)(uintptr_t)(pfn << 12);
}

static uint64_t *l4(void)
{
    return (uint64_t *)(uintptr_t)bi.pt_base;
}

/* The L1 entry that maps va, or 0 if an upper level is missing. */
static uint64_t pte_of(uint64_t va)
{
    uint64_t *t = l4();
    for (int level = 4; level > 1; level--) {
        uint64_t e = t[pv_pt_index(va, level)];
        if (!(e & PV_PTE_P) || (e & PV_PTE_PS))
            return 0;
        t = table_of(e);
    }
    return t[pv_pt_index(va, 1)];
}

static void update_va(uint64_t va, uint64_t pte, const char *what)
{
    long rc = HYPERVISOR_update_va_mapping(va, pte, UVMF_INVLPG | UVMF_LOCAL);
    if (rc)
        panic("pv: update_va_mapping of %s at 0x%llx: %ld", what, (unsigned long long)va, rc);
}

/* Queued entry writes, sent in one mmu_update each batch. */
static struct mmu_update queue[64];
static unsigned queued;

static void queue_flush(void)
{
    unsigned done = 0;
    long rc = queued ? HYPERVISOR_mmu_update(queue, queued, &done, DOMID_SELF) : 0;
    if (rc)
        panic("pv: mmu_update: %ld after %u of %u entries (first 0x%llx = 0x%llx)", rc, done,
              queued, (unsigned long long)queue[0].ptr, (unsigned long long)queue[0].val);
    queued = 0;
}

static void queue_set(uint64_t *table, unsigned idx, uint64_t val)
{
    uint64_t maddr = (mfn_of((uintptr_t)table >> 12) << 12) + idx * 8;
    queue[queued++] = (struct mmu_update){ .ptr = maddr | MMU_NORMAL_PT_UPDATE, .val = val };
    if (queued == ARRAY_SIZE(queue))
        queue_flush();
}

/* A new table of this level: for an L1 the 512 pages from first_pfn
 * mapped, else empty; then read-only and pinned, as Xen wants it before
 * it is hooked in. */
static uint64_t *table_new(int level, uint64_t first_pfn)
{
    uint64_t pfn = next_pt_pfn++;
    uint64_t va = pfn << 12;
    if (pfn >= bi.nr_pages || !(pte_of(va) & PV_PTE_P))
        panic("pv: no mapped frame left for a page table (pfn 0x%llx of 0x%llx)",
              (unsigned long long)pfn, (unsigned long long)bi.nr_pages);
    /* Never a frame the new L1 maps itself: that mapping would be writable. */
    if (level == 1 && pfn >= first_pfn)
        panic("pv: page-table frame 0x%llx inside the range it maps", (unsigned long long)pfn);
    uint64_t *t = (uint64_t *)(uintptr_t)va;
    if (level == 1)
        pv_l1_fill(t, p2m, bi.nr_pages, first_pfn);
    else
        memset(t, 0, PAGE_SIZE);
    uint64_t mfn = mfn_of(pfn);
    update_va(va, pv_pte(mfn, PV_PTE_PTPAGE), "a new page table");
    struct mmuext_op op = { .cmd = MMUEXT_PIN_L1_TABLE + (unsigned)(level - 1), .arg1.mfn = mfn };
    long rc = HYPERVISOR_mmuext_op(&op, 1, 0, DOMID_SELF);
    if (rc)
        panic("pv: pinning a new L%d table (mfn 0x%llx): %ld", level, (unsigned long long)mfn, rc);
    new_tables++;
    return t;
}

/* The table below t's entry for va, made if missing. */
static uint64_t *table_below(uint64_t *t, int level, uint64_t va)
{
    unsigned i = pv_pt_index(va, level);
    if (t[i] & PV_PTE_P) {
        if (t[i] & PV_PTE_PS)
            panic("pv: a large page at 0x%llx in the builder's tables", (unsigned long long)va);
        return table_of(t[i]);
    }
    uint64_t *n = table_new(level - 1, (va >> 12) & ~(uint64_t)(PV_PT_ENTRIES - 1));
    queue_set(t, i, pv_pte(mfn_of((uintptr_t)n >> 12), PV_PTE_TABLE));
    queue_flush();
    return n;
}

/* Every pfn below nr_pages at VA pfn << 12, page 0 unmapped. In VA
 * order, so each new table's frame is mapped before it is needed. */
static void map_ram(void)
{
    for (uint64_t chunk = 0; chunk < bi.nr_pages; chunk += PV_PT_ENTRIES) {
        uint64_t va = chunk << 12;
        uint64_t *l2 = table_below(table_below(l4(), 4, va), 3, va);
        unsigned i2 = pv_pt_index(va, 2);
        if (!(l2[i2] & PV_PTE_P)) {
            table_below(l2, 2, va); /* a new L1, filled */
            continue;
        }
        uint64_t *l1 = table_below(l2, 2, va);
        for (unsigned i = 0; i < PV_PT_ENTRIES; i++) {
            uint64_t pfn = chunk + i;
            if (pfn == 0 || pfn >= bi.nr_pages || (l1[i] & PV_PTE_P))
                continue;
            queue_set(l1, i, pv_pte(mfn_of(pfn), PV_PTE_DATA));
        }
        queue_flush();
    }
    if (pte_of(0) & PV_PTE_P)
        update_va(0, 0, "page 0 (NULL faults)");
}

static void pv_traps_init(void)
{
    static struct trap_info table[33];
    unsigned n = 0;
    for (unsigned v = 0; v < 32; v++) {
        if (v == 2 || v == 15) /* NMI has a callback of its own; 15 is reserved */
            continue;
        table[n++] = (struct trap_info){
            .vector = (uint8_t)v,
            .flags = (v == 3 || v == 4) ? 3 : 0, /* int3/into allowed from any ring */
            .cs = FLAT_KERNEL_CS,
            .address = pv_trap_vectors[v],
        };
    }
    table[n] = (struct trap_info){ 0 };
    long rc = HYPERVISOR_set_trap_table(table);
    if (rc)
        panic("pv: set_trap_table: %ld", rc);
}

void pv_main(const struct start_info *si)
{
    platform = &platform_pv;
    cpu_pv = true;
    boot_si = si;
    kmain((uintptr_t)si);
}

static void pv_platform_start(uintptr_t arg, struct memmap *map, char *cmdline, size_t size)
{
    pv_traps_init(); /* from here on a fault is reported, not a silent crash */
    const struct start_info *si = (const void *)arg;
    static struct start_info copy; /* read once: Xen's page is not ours to trust twice */
    memcpy(&copy, si, sizeof(copy));
    const char *why = "?";
    int rc = pv_boot_info_parse(&copy, arg, (uint64_t)(uintptr_t)__image_end, &bi, cmdline, size,
                                &why);
    if (rc)
        panic("start: start_info at 0x%llx is invalid (%s): not started as a 64-bit PV guest?",
              (unsigned long long)arg, why);
    if (bi.cmdline_cut)
        printk("start: command line longer than %zu bytes, cut", size - 1);
    p2m = (const uint64_t *)(uintptr_t)bi.mfn_list;
    next_pt_pfn = bi.boot_end_pfn;
    map_ram();
    rc = pv_boot_memmap(&bi, (uint64_t)(uintptr_t)__image_end, next_pt_pfn, map);
    if (rc)
        panic("start: cannot describe PV memory (%s)", errno_name(rc));
    printk("pv: %llu pages, p2m at 0x%llx, builder's frames up to pfn 0x%llx, %llu page "
           "tables added",
           (unsigned long long)bi.nr_pages, (unsigned long long)bi.mfn_list,
           (unsigned long long)bi.boot_end_pfn, (unsigned long long)new_tables);
}

static int pv_map_shared_info(void)
{
    update_va((uintptr_t)shared_info_page, pv_pte(bi.shared_info_maddr >> 12, PV_PTE_DATA),
              "shared_info");
    HYPERVISOR_shared_info = (struct shared_info *)(void *)shared_info_page;
    this_cpu()->vcpu_info = &HYPERVISOR_shared_info->vcpu_info[0];
    return 0;
}

static int pv_events_init(void (*fn)(void))
{
    upcall_fn = fn;
    /* Xen gives a PV vCPU a 100 Hz periodic timer on VIRQ_TIMER; domu's
     * clock arms one-shots, so that one would only wake an idle domu. */
    HYPERVISOR_vcpu_op(VCPUOP_stop_periodic_timer, 0, 0);
    long rc = HYPERVISOR_set_callbacks((uintptr_t)pv_hypervisor_callback,
                                       (uintptr_t)pv_failsafe_callback, 0);
    if (rc)
        printk("evtchn: set_callbacks failed: %ld", rc);
    return (int)rc;
}

void pv_upcall(struct trap_frame *f)
{
    (void)f;
    this_cpu()->irq_depth++;
    if (upcall_fn)
        upcall_fn();
    this_cpu()->irq_depth--;
}

void pv_failsafe(void)
{
    panic("pv: Xen's failsafe callback (it could not load a frame's segments)");
}

static int pv_get_param(uint32_t index, uint64_t *value)
{
    uint64_t mfn;
    switch (index) {
    case HVM_PARAM_STORE_EVTCHN:
        *value = bi.store_evtchn;
        return 0;
    case HVM_PARAM_CONSOLE_EVTCHN:
        *value = bi.console_evtchn;
        return 0;
    case HVM_PARAM_STORE_PFN:
        mfn = bi.store_mfn;
        break;
    case HVM_PARAM_CONSOLE_PFN:
        mfn = bi.console_mfn;
        break;
    default:
        return -EINVAL;
    }
    /* The ring's frame is one the builder loaded: mapped at VA == pfn. */
    return pfn_of(mfn, value);
}

/* The builder filled the page (XEN_ELFNOTE_HYPERCALL_PAGE). */
static int pv_hypercalls_init(void)
{
    return 0;
}

static void pv_debug_write(const char *s, size_t len)
{
    (void)s;
    (void)len; /* no debug port in ring 3 */
}

const struct platform_ops platform_pv = {
    .name = "PV",
    .machine_frames = true,
    .hypercalls_init = pv_hypercalls_init,
    .start = pv_platform_start,
    .traps_init = pv_traps_init,
    .map_shared_info = pv_map_shared_info,
    .events_init = pv_events_init,
    .get_param = pv_get_param,
    .debug_write = pv_debug_write,
};

/* --- the interrupt flag, as arch/x86/cpu.h wants it on PV ---------------- */

static struct vcpu_info *vcpu(void)
{
    return this_cpu()->vcpu_info;
}

/* A hypercall returns through Xen's event check: a pending upcall runs. */
static void force_upcall(void)
{
    HYPERVISOR_xen_version(XENVER_version, 0);
}

unsigned long pv_irq_save(void)
{
    struct vcpu_info *v = vcpu();
    if (!v)
        return 0; /* before shared_info: Xen started us masked */
    unsigned long flags = v->evtchn_upcall_mask ? 0 : 0x200;
    v->evtchn_upcall_mask = 1;
    barrier();
    return flags;
}

void pv_irq_restore(unsigned long flags)
{
    struct vcpu_info *v = vcpu();
    if (!v || !(flags & 0x200))
        return;
    barrier();
    v->evtchn_upcall_mask = 0;
    barrier();
    if (v->evtchn_upcall_pending)
        force_upcall();
}

bool pv_irqs_enabled(void)
{
    struct vcpu_info *v = vcpu();
    return v && !v->evtchn_upcall_mask;
}

void pv_irq_enable_and_block(void)
{
    struct vcpu_info *v = vcpu();
    if (!v)
        return;
    /* Blocking with events masked: Xen unmasks and checks for pending
     * events atomically, so no wake-up is lost. */
    v->evtchn_upcall_mask = 1;
    barrier();
    HYPERVISOR_sched_op(SCHEDOP_block, 0);
    barrier();
    if (v->evtchn_upcall_pending)
        force_upcall();
}

uint64_t pv_read_cr2(void)
{
    struct vcpu_info *v = vcpu();
    return v ? v->arch.cr2 : 0;
}
