# The front-ends' shared response-count check (xen/ring_check.h, header only).
UNIT_TESTS += ring_check
unit_src_ring_check :=
