#ifndef ARCH_X86_BOOT_LAYOUT_H
#define ARCH_X86_BOOT_LAYOUT_H
/* Shared by boot.S and C: segment selectors and the boot stack. */
#define BOOT_CS 0x08
#define BOOT_DS 0x10
#define BOOT_STACK_SIZE 16384
#endif
