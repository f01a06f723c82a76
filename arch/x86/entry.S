/* Interrupt and exception entry: every vector gets a stub that makes the
 * stack look the same (error code, vector), then one common path saves
 * the registers as a struct trap_frame and calls trap_dispatch. */
    .text

.macro VECTOR n
    .balign 16
vector_\n:
    .if (\n == 8) || (\n >= 10 && \n <= 14) || (\n == 17) || (\n == 21) || (\n == 29) || (\n == 30)
    /* the CPU pushed an error code */
    .else
    pushq $0
    .endif
    pushq $\n
    jmp trap_common
.endm

.altmacro
.set i, 0
.rept 256
    VECTOR %i
    .set i, i + 1
.endr

trap_common:
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
    /* keep the C call 16-byte aligned whatever the interrupted rsp was */
    movq %rsp, %rbx
    andq $-16, %rsp
    cld
    call trap_dispatch
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
    iretq

/* The stub addresses, for building the IDT. */
.macro VECADDR n
    .quad vector_\n
.endm
    .section .rodata
    .balign 8
    .globl trap_vectors
trap_vectors:
.set i, 0
.rept 256
    VECADDR %i
    .set i, i + 1
.endr
