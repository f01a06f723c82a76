/* The ELF notes the Xen domain builder reads. PHYS32_ENTRY makes this a
 * PVH kernel; GUEST_OS/LOADER, XEN_VERSION and the rest below make the
 * same file a 64-bit PV kernel too; xl's type = picks the entry. */
#include <xen/elfnote.h>

#define ELFNOTE(type, desctype, descdata)       \
    .pushsection .note.Xen, "a", @note;         \
    .balign 4;                                  \
    .long 2f - 1f;                              \
    .long 4f - 3f;                              \
    .long type;                                 \
1:  .asciz "Xen";                               \
2:  .balign 4;                                  \
3:  desctype descdata;                          \
4:  .balign 4;                                  \
    .popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz, "domu")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz, "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz, "xen-3.0")
ELFNOTE(XEN_ELFNOTE_PHYS32_ENTRY, .long, pvh_start32)
/* 64-bit PV (type = "pv"): the builder loads the same image at VA ==
 * physical address (VIRT_BASE 0), fills the hypercall page and enters at
 * pv_start; PHYS32_ENTRY above is used only for type = "pvh". */
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz, "generic")
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad, pv_start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad, hypercall_page)
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad, 0)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad, 0)
ELFNOTE(XEN_ELFNOTE_FEATURES, .asciz, "!writable_page_tables")
