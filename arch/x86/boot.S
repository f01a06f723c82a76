/*
 * PVH entry. Xen starts us in 32-bit protected mode, paging off, flat
 * segments, %ebx = physical address of struct hvm_start_info, no stack.
 * We build identity page tables for the low 4 GiB (2 MiB pages, except
 * the first 2 MiB in 4 KiB pages so that page 0 stays unmapped and a NULL
 * dereference faults), enter long mode and call kmain(start_info).
 */
#include "arch/x86/boot_layout.h"

#define PTE_P   0x001
#define PTE_W   0x002
#define PTE_PS  0x080

    .section .text.boot, "ax"
    .code32
    .globl pvh_start32
pvh_start32:
    cli
    cld
    /* Guest time starts here: boot-time figures are measured from this TSC. */
    rdtsc
    movl %eax, boot_tsc
    movl %edx, boot_tsc + 4
    movl %ebx, boot_start_info

    /* Zero .bss (page tables and stacks live there). */
    movl $__bss_start, %edi
    movl $__bss_end, %ecx
    subl %edi, %ecx
    shrl $2, %ecx
    xorl %eax, %eax
    rep stosl

    movl $boot_stack_top, %esp

    /* PML4[0] -> PDPT */
    movl $boot_pdpt, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pml4

    /* PDPT[0..3] -> four page directories */
    movl $boot_pd, %eax
    orl $(PTE_P | PTE_W), %eax
    xorl %ecx, %ecx
1:  movl %eax, boot_pdpt(,%ecx,8)
    addl $4096, %eax
    incl %ecx
    cmpl $4, %ecx
    jb 1b

    /* PD entries: 2 MiB pages for 0..4 GiB. Entry i maps i << 21; the
     * high dword holds bits 32+ of the address (i >> 11). */
    xorl %ecx, %ecx
2:  movl %ecx, %eax
    shll $21, %eax
    orl $(PTE_P | PTE_W | PTE_PS), %eax
    movl %eax, boot_pd(,%ecx,8)
    movl %ecx, %edx
    shrl $11, %edx
    movl %edx, boot_pd + 4(,%ecx,8)
    incl %ecx
    cmpl $(4 * 512), %ecx
    jb 2b

    /* First 2 MiB: 4 KiB pages, page 0 not present. */
    movl $boot_pt0, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pd
    movl $1, %ecx
3:  movl %ecx, %eax
    shll $12, %eax
    orl $(PTE_P | PTE_W), %eax
    movl %eax, boot_pt0(,%ecx,8)
    incl %ecx
    cmpl $512, %ecx
    jb 3b

    /* CR4.PAE, CR3, EFER.LME, CR0.PG|WP: long mode. */
    movl %cr4, %eax
    orl $0x20, %eax
    movl %eax, %cr4
    movl $boot_pml4, %eax
    movl %eax, %cr3
    movl $0xc0000080, %ecx
    rdmsr
    orl $0x100, %eax
    wrmsr
    movl %cr0, %eax
    orl $0x80010001, %eax
    movl %eax, %cr0

    lgdt boot_gdt_desc
    ljmp $BOOT_CS, $long_entry

    .code64
long_entry:
    movl $BOOT_DS, %eax
    movl %eax, %ds
    movl %eax, %es
    movl %eax, %ss
    xorl %eax, %eax
    movl %eax, %fs
    movl %eax, %gs
    movq $boot_stack_top, %rsp
    xorl %ebp, %ebp
    movl boot_start_info(%rip), %edi
    call kmain
4:  hlt
    jmp 4b

    .section .rodata
    .balign 16
    .globl boot_gdt
boot_gdt:
    .quad 0                         /* null */
    .quad 0x00af9a000000ffff        /* BOOT_CS: 64-bit code, DPL 0 */
    .quad 0x00cf92000000ffff        /* BOOT_DS: flat data */
boot_gdt_end:
    .globl boot_gdt_desc
boot_gdt_desc:
    .word boot_gdt_end - boot_gdt - 1
    .quad boot_gdt

    .data
    .balign 8
    .globl boot_tsc
boot_tsc:
    .quad 0
    .globl boot_start_info
boot_start_info:
    .long 0

    .bss
    .balign 4096
    .globl boot_pml4
boot_pml4:  .skip 4096
boot_pdpt:  .skip 4096
boot_pd:    .skip 4 * 4096
boot_pt0:   .skip 4096
    .globl boot_stack
boot_stack: .skip BOOT_STACK_SIZE
    .globl boot_stack_top
boot_stack_top:

    /* Xen writes its hypercall stubs here (one 32-byte stub per call). */
    .section .text
    .balign 4096
    .globl hypercall_page
hypercall_page:
    .skip 4096
