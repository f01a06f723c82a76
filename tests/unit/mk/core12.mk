# The front-ends' shared response-count check (xen/ring_check.h, header only).
UNIT_TESTS += ring_check
unit_src_ring_check :=
# Map, unmap and copy of foreign grants against a fake Xen (the test
# implements the hypercall: stub_hypercall/ shadows xen/hypercall.h).
UNIT_TESTS += gnttab_map
unit_src_gnttab_map := xen/gnttab_map.c xen/gnttab_check.c xen/gfn_window.c kern/memmap.c \
	kern/printf.c kern/errno.c lib/string.c tests/unit/host_kern.c
$(UNIT_DIR)/obj/xen/gnttab_map.o $(UNIT_DIR)/obj/tests/unit/test_gnttab_map.o: \
	UNIT_CFLAGS := -iquote tests/unit/stub_hypercall $(UNIT_CFLAGS)
# The front-ends' shared close: the grant rule's order in one place.
UNIT_TESTS += xenbus_front_close
unit_src_xenbus_front_close := xen/xenbus_front_close.c kern/printf.c lib/string.c \
	tests/unit/host_kern.c
