# 64-bit PV boot (arch/x86/pv): start_info parsing and the PV memory map,
# page-table entries and p2m look-ups.
UNIT_TESTS += pv_boot_info pv_pt
unit_src_pv_boot_info := arch/x86/pv/pv_boot_info.c kern/memmap.c lib/string.c
unit_src_pv_pt := arch/x86/pv/pv_pt.c
FUZZ_TARGETS += pv_boot_info
fuzz_src_pv_boot_info := arch/x86/pv/pv_boot_info.c arch/x86/pv/pv_pt.c kern/memmap.c lib/string.c
