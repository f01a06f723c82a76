/* Thread context switch: callee-saved registers on the old stack, then
 * the stack pointer swaps. ctx_switch(uint64_t *save_rsp, uint64_t rsp) */
    .text
    .globl ctx_switch
ctx_switch:
    pushq %rbp
    pushq %rbx
    pushq %r12
    pushq %r13
    pushq %r14
    pushq %r15
    movq %rsp, (%rdi)
    movq %rsi, %rsp
    popq %r15
    popq %r14
    popq %r13
    popq %r12
    popq %rbx
    popq %rbp
    ret

/* First return of a new thread: r12 holds the struct thread pointer. */
    .globl thread_trampoline
thread_trampoline:
    movq %r12, %rdi
    xorl %ebp, %ebp
    call thread_main
    ud2
