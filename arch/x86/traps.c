#include "kern/kernel.h"
#include "arch/x86/traps.h"
#include "arch/x86/boot_layout.h"
#include "arch/x86/cpu.h"
#include "arch/x86/tss.h"
#include "kern/percpu.h"
#include "kern/panic.h"

struct idt_entry {
    uint16_t off_lo, sel;
    uint8_t ist, type;
    uint16_t off_mid;
    uint32_t off_hi, zero;
} __attribute__((packed));

static struct idt_entry idt[256] __attribute__((aligned(16)));
extern const uint64_t trap_vectors[256];
extern char __image_start[], __image_end[];
static uint64_t spurious;
/* Interrupt vectors (32 and up) and what runs on them, set at start-up. */
static void (*vector_handler[256])(void);

static const char *const exc_names[32] = {
    "divide error", "debug", "NMI", "breakpoint", "overflow", "bound range",
    "invalid opcode", "device not available", "double fault", "coprocessor overrun",
    "invalid TSS", "segment not present", "stack fault", "general protection",
    "page fault", "reserved", "x87 FP error", "alignment check", "machine check",
    "SIMD FP error", "virtualization", "control protection",
};

void traps_init(void)
{
    tss_init();
    for (int v = 0; v < 256; v++) {
        uint64_t a = trap_vectors[v];
        idt[v] = (struct idt_entry){
            .off_lo = (uint16_t)a,
            .sel = BOOT_CS,
            .ist = v == 8 ? IST_DOUBLE_FAULT : v == 2 || v == 18 ? IST_NMI_MCE : 0,
            .type = 0x8e, /* present, DPL 0, 64-bit interrupt gate */
            .off_mid = (uint16_t)(a >> 16),
            .off_hi = (uint32_t)(a >> 32),
        };
    }
    struct {
        uint16_t limit;
        uint64_t base;
    } __attribute__((packed)) d = { sizeof(idt) - 1, (uint64_t)(uintptr_t)idt };
    __asm__ volatile("lidt %0" ::"m"(d));
}

static bool plausible_frame(uint64_t rbp)
{
    /* Stacks live in our RAM (boot stack in the image, threads in pages). */
    return rbp >= 0x1000 && rbp < (4ULL << 30) - 16 && (rbp & 7) == 0;
}

void print_backtrace(uint64_t rip, uint64_t rbp)
{
    printk("backtrace (addr2line -e build/domu ADDR):");
    printk("  #0 0x%llx", (unsigned long long)rip);
    for (int i = 1; i < 16 && plausible_frame(rbp); i++) {
        uint64_t *fp = (uint64_t *)(uintptr_t)rbp;
        uint64_t ret = fp[1];
        if (ret < (uint64_t)(uintptr_t)__image_start || ret >= (uint64_t)(uintptr_t)__image_end)
            break;
        printk("  #%d 0x%llx", i, (unsigned long long)ret);
        if (fp[0] <= rbp)
            break; /* frames grow upwards; anything else is corrupt */
        rbp = fp[0];
    }
}

static void fatal(struct trap_frame *f)
{
    const char *name = f->vector < 32 && exc_names[f->vector] ? exc_names[f->vector]
                                                                : "unexpected interrupt";
    printk("domu: fatal exception %llu (%s), error code 0x%llx",
           (unsigned long long)f->vector, name, (unsigned long long)f->error);
    if (f->vector == 8)
        printk("  a fault could not be delivered on the stack in use (rsp below); "
               "reported from the double-fault stack");
    if (f->vector == 14)
        printk("  page fault address (cr2) 0x%llx: %s %s", (unsigned long long)read_cr2(),
               f->error & 1 ? "protection violation" : "page not present",
               f->error & 2 ? "on write" : "on read");
    printk("  rip %016llx  rsp %016llx  rflags %016llx", (unsigned long long)f->rip,
           (unsigned long long)f->rsp, (unsigned long long)f->rflags);
    printk("  rax %016llx  rbx %016llx  rcx %016llx", (unsigned long long)f->rax,
           (unsigned long long)f->rbx, (unsigned long long)f->rcx);
    printk("  rdx %016llx  rsi %016llx  rdi %016llx", (unsigned long long)f->rdx,
           (unsigned long long)f->rsi, (unsigned long long)f->rdi);
    printk("  rbp %016llx  r8  %016llx  r9  %016llx", (unsigned long long)f->rbp,
           (unsigned long long)f->r8, (unsigned long long)f->r9);
    printk("  r10 %016llx  r11 %016llx  r12 %016llx", (unsigned long long)f->r10,
           (unsigned long long)f->r11, (unsigned long long)f->r12);
    printk("  r13 %016llx  r14 %016llx  r15 %016llx", (unsigned long long)f->r13,
           (unsigned long long)f->r14, (unsigned long long)f->r15);
    printk("  cs %04llx ss %04llx", (unsigned long long)f->cs, (unsigned long long)f->ss);
    print_backtrace(f->rip, f->rbp);
    panic_backtrace_printed = true;
    panic("fatal exception in kernel");
}

void traps_set_handler(uint8_t vector, void (*fn)(void))
{
    BUG_ON(vector < 32);
    vector_handler[vector] = fn;
}

void trap_dispatch(struct trap_frame *f)
{
    void (*fn)(void) = f->vector < 256 ? vector_handler[f->vector] : 0;
    if (fn) {
        this_cpu()->irq_depth++;
        fn();
        this_cpu()->irq_depth--;
        return;
    }
    if (f->vector < 32) {
        fatal(f);
        return;
    }
    /* No interrupt controller is programmed: anything else is stray. */
    if (spurious++ == 0)
        printk("traps: unexpected interrupt vector %llu ignored", (unsigned long long)f->vector);
}
