/*
 * 64-bit PV entry. The domain builder starts us in long mode on its own
 * page tables (everything it loaded is mapped at VA == pseudo-physical
 * address, page-table pages read-only), ring 3, events masked, rsi =
 * start_info's VA. No IDT and no cli/sti here: exceptions and events are
 * Xen's bounce frames, which also carry rcx and r11 (Xen clobbers them).
 */
#include <xen/xen.h>
#include "arch/x86/boot_layout.h"

    .section .text.boot, "ax"
    .code64
    .globl pv_start
pv_start:
    cld
    /* Guest time starts here, as at the PVH entry. */
    rdtsc
    shlq $32, %rdx
    orq %rdx, %rax
    movq %rax, boot_tsc(%rip)
    /* Our own boot stack (in .bss, which the builder zeroed). */
    leaq boot_stack_top(%rip), %rsp
    xorl %ebp, %ebp
    movq %rsi, %rdi
    call pv_main
1:  jmp 1b

    .text
/* Saves the registers as a struct trap_frame (vector and error code
 * already pushed), calls \fn(frame), restores them and returns through
 * HYPERVISOR_iret: it restores the event mask from the frame's IF (as Xen
 * recorded it), atomically with the return, so no event is lost between
 * unmasking and returning. */
.macro PV_FRAME_CALL fn
    pushq %rax
    pushq %rbx
    pushq %rcx
    pushq %rdx
    pushq %rsi
    pushq %rdi
    pushq %rbp
    pushq %r8
    pushq %r9
    pushq %r10
    pushq %r11
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, %rdi
    movq %rsp, %rbx
    andq $-16, %rsp
    call \fn
    movq %rbx, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %r11
    popq %r10
    popq %r9
    popq %r8
    popq %rbp
    popq %rdi
    popq %rsi
    popq %rdx
    popq %rcx
    popq %rbx
    popq %rax
    addq $16, %rsp
    pushq $0    /* iret flags: not from a syscall, so rcx/r11 come back too */
    jmp hypercall_page + __HYPERVISOR_iret * 32
.endm

pv_trap_common:
    PV_FRAME_CALL trap_dispatch

/* One stub per exception vector: drop Xen's rcx/r11 into place, make the
 * stack look like entry.S's (error code, vector). */
.macro PV_VECTOR n
    .balign 16
pv_vector_\n:
    popq %rcx
    popq %r11
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    .else
    pushq $0
    .endif
    pushq $\n
    jmp pv_trap_common
.endm

.altmacro
.set i, 0
.rept 32
    PV_VECTOR %i
    .set i, i + 1
.endr

/* The event callback (set_callbacks): Xen masked events before it came. */
    .globl pv_hypervisor_callback
pv_hypervisor_callback:
    popq %rcx
    popq %r11
    pushq $0
    pushq $256
    PV_FRAME_CALL pv_upcall

/* Xen could not load the segments of a frame it was returning to. */
    .globl pv_failsafe_callback
pv_failsafe_callback:
    popq %rcx
    popq %r11
    andq $-16, %rsp
    call pv_failsafe
2:  jmp 2b

.macro PV_VECADDR n
    .quad pv_vector_\n
.endm
    .section .rodata
    .balign 8
    .globl pv_trap_vectors
pv_trap_vectors:
.set i, 0
.rept 32
    PV_VECADDR %i
    .set i, i + 1
.endr
