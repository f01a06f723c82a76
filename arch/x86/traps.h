#ifndef ARCH_X86_TRAPS_H
#define ARCH_X86_TRAPS_H
#include <stdint.h>

/* As entry.S leaves it on the stack. */
struct trap_frame {
    uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
    uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
    uint64_t vector, error;
    uint64_t rip, cs, rflags, rsp, ss;
};

void traps_init(void);
/* Runs fn on interrupt vector (32..255), interrupts off (the upcall of
 * the hypervisor's event delivery, registered by init/). */
void traps_set_handler(uint8_t vector, void (*fn)(void));
/* Prints a backtrace following frame pointers from rbp. */
void print_backtrace(uint64_t rip, uint64_t rbp);
#endif
