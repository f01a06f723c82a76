#ifndef ARCH_X86_TSS_H
#define ARCH_X86_TSS_H
/* GDT and TSS with an interrupt stack table (see tss.c). */
#define TSS_SELECTOR 0x18
#define IST_DOUBLE_FAULT 1 /* IST slot (1-based, as in an IDT entry) */
#define IST_NMI_MCE 2

void tss_init(void);
#endif
