/* The kernel's GDT and TSS. The TSS is there for its interrupt stack
 * table only: double faults, NMIs and machine checks switch to stacks of
 * their own, so a fault taken while the current stack is unusable is
 * reported by the kernel instead of ending in a silent triple fault. */
#include "kern/kernel.h"
#include "arch/x86/boot_layout.h"
#include "arch/x86/tss.h"

struct tss64 {
    uint32_t reserved0;
    uint64_t rsp[3];
    uint64_t reserved1;
    uint64_t ist[7];
    uint64_t reserved2;
    uint16_t reserved3;
    uint16_t iomap_base;
} __attribute__((packed));

_Static_assert(sizeof(struct tss64) == 104, "64-bit TSS layout");

#define IST_STACK_SIZE 8192

static struct tss64 tss __attribute__((aligned(16)));
static uint8_t ist_stacks[2][IST_STACK_SIZE] __attribute__((aligned(16)));

/* Same selectors as the boot GDT (BOOT_CS, BOOT_DS), then the TSS, which
 * takes two slots in long mode. Writable: ltr marks the TSS busy here. */
static uint64_t gdt[5] __attribute__((aligned(16))) = {
    0,
    0x00af9b000000ffffULL, /* BOOT_CS: 64-bit code, DPL 0, accessed */
    0x00cf93000000ffffULL, /* BOOT_DS: flat data, accessed */
};

_Static_assert(BOOT_CS == 0x08 && BOOT_DS == 0x10, "selectors shared with boot.S");

void tss_init(void)
{
    tss.iomap_base = sizeof(tss); /* no I/O bitmap */
    for (unsigned i = 0; i < ARRAY_SIZE(ist_stacks); i++)
        tss.ist[i] = (uint64_t)(uintptr_t)(ist_stacks[i] + IST_STACK_SIZE);
    uint64_t base = (uint64_t)(uintptr_t)&tss, limit = sizeof(tss) - 1;
    gdt[TSS_SELECTOR / 8] = (limit & 0xffff) | ((base & 0xffffff) << 16) |
                            (0x89ULL << 40) /* present, 64-bit TSS available */ |
                            (((limit >> 16) & 0xf) << 48) | (((base >> 24) & 0xff) << 56);
    gdt[TSS_SELECTOR / 8 + 1] = base >> 32;
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) d = { sizeof(gdt) - 1, (uint64_t)(uintptr_t)gdt };
    /* The segment registers keep their selectors; the descriptors behind
     * them are identical, so nothing needs reloading but TR. */
    __asm__ volatile("lgdt %0; ltr %w1" ::"m"(d), "r"(TSS_SELECTOR) : "memory");
}
