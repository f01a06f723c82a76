# Host unit tests (cmocka) and fuzz targets (libFuzzer) for the pure modules.
# Included by the top-level Makefile, which defines BUILD, HOSTCC, XEN_DEFS, Q.
#
#   make unit                   build every test program, run them all, fail
#                               at the end if any failed
#   make fuzz [FUZZ_SECONDS=n]  build the libFuzzer targets and run each for
#                               n seconds (default 20); not part of `unit`

UNIT_DIR    := $(BUILD)/unit
UNIT_CFLAGS := -std=gnu11 -O1 -g -Wall -Wextra -Werror -DHOST_UNIT_TEST \
	-fsanitize=address,undefined -fno-omit-frame-pointer -iquote . $(XEN_DEFS) -MMD -MP
UNIT_LDLIBS := -lcmocka

# test_<name>.c is linked with unit_src_<name> only.
UNIT_TESTS := printf memmap page_alloc heap cmdline errno xs_wire_codec xs_client evtchn_scan \
	gnttab_freelist cons_ring pvclock line_edit xenbus_state balloon_plan blkfront_rsp blkfront_alloc net_inet net_tcp \
	gfn_window gnttab_check xenbus_fsm xenbus_enum xenbus_queues xenbus_back xenbus_front gnttab_park \
	timer wait

unit_src_printf          := kern/printf.c
unit_src_memmap          := kern/memmap.c
unit_src_page_alloc      := kern/page_alloc.c lib/string.c
unit_src_heap            := kern/heap.c lib/string.c
unit_src_cmdline         := kern/cmdline.c lib/string.c
unit_src_errno           := kern/errno.c
unit_src_xs_wire_codec   := xen/xs_wire_codec.c lib/string.c
unit_src_xs_client       := xen/xs_client.c xen/xs_wire_codec.c lib/string.c
unit_src_evtchn_scan     := xen/evtchn_scan.c
unit_src_gnttab_freelist := xen/gnttab_freelist.c
unit_src_cons_ring       := dev/console/cons_ring.c dev/console/cons_stash.c
unit_src_pvclock         := xen/pvclock.c
unit_src_line_edit       := shell/line_edit.c shell/args.c lib/string.c
unit_src_xenbus_state    := xen/xenbus_state.c
unit_src_xenbus_fsm      := xen/xenbus_fsm.c
unit_src_xenbus_enum     := xen/xenbus_enum.c lib/string.c
unit_src_xenbus_queues   := xen/xenbus_queues.c
# The back half and the core against a stub XenStore (in the test); the
# stub arch/x86/cpu.h makes "interrupts off" a counter on the host.
unit_src_xenbus_back     := tests/unit/xenbus_stub.c xen/xenbus_core.c xen/xenbus_back.c xen/xenbus_fsm.c xen/xenbus_enum.c \
	xen/xenbus_client.c xen/xenbus_queues.c xen/xenbus.c xen/xenbus_state.c xen/xs_wire_codec.c \
	kern/printf.c kern/errno.c lib/string.c
UNIT_STUB_OBJS := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,tests/unit/test_xenbus_back.c tests/unit/xenbus_stub.c \
	tests/unit/test_xenbus_front.c xen/xenbus_core.c xen/xenbus_front.c \
	xen/xenbus_back.c xen/xenbus_client.c xen/xenbus.c)
unit_src_xenbus_front    := $(subst xen/xenbus_back.c,xen/xenbus_front.c,$(unit_src_xenbus_back))
unit_src_gnttab_park     := xen/gnttab_park.c lib/string.c
UNIT_STUB_OBJS += $(patsubst %.c,$(UNIT_DIR)/obj/%.o,tests/unit/test_gnttab_park.c xen/gnttab_park.c)
$(UNIT_STUB_OBJS): UNIT_CFLAGS := -iquote tests/unit/stub $(UNIT_CFLAGS)
unit_src_balloon_plan    := dev/balloon/balloon_plan.c
unit_src_blkfront_rsp    := dev/blkfront/blkfront_rsp.c blk/blk_check.c
unit_src_blkfront_alloc  := dev/blkfront/blkfront_alloc.c
unit_src_net_inet        := net/inet.c dev/netfront/netfront_rsp.c
unit_src_net_tcp         := net/tcp.c net/inet.c
unit_src_gfn_window      := xen/gfn_window.c kern/memmap.c
unit_src_gnttab_check    := xen/gnttab_check.c
unit_src_timer           := kern/timer.c kern/clock.c kern/percpu.c tests/unit/host_kern.c lib/string.c
unit_src_wait            := kern/wait.c kern/clock.c kern/percpu.c tests/unit/host_kern.c lib/string.c

# A subsystem may keep its tests' lines in tests/unit/mk/<name>.mk
# (UNIT_TESTS += ..., unit_src_<t> := ..., FUZZ_TARGETS += ..., fuzz_src_<t> := ...).
FUZZ_TARGETS :=
include $(sort $(wildcard tests/unit/mk/*.mk))

UNIT_BINS := $(addprefix $(UNIT_DIR)/test_,$(UNIT_TESTS))
UNIT_SRCS := $(sort $(foreach t,$(UNIT_TESTS),tests/unit/test_$(t).c $(unit_src_$(t))))
UNIT_OBJS := $(patsubst %.c,$(UNIT_DIR)/obj/%.o,$(UNIT_SRCS))

$(UNIT_DIR)/obj/%.o: %.c tests/unit/unit.mk $(wildcard tests/unit/mk/*.mk)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) -c $< -o $@

define unit_link
$(UNIT_DIR)/test_$(1): $(patsubst %.c,$(UNIT_DIR)/obj/%.o,tests/unit/test_$(1).c $(unit_src_$(1)))
	@echo "  HOSTLD  $$@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $$^ -o $$@ $(UNIT_LDLIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_link,$(t))))

-include $(UNIT_OBJS:.o=.d)

# Every program runs even if an earlier one failed; the target fails at the end.
# UBSan is made fatal so that undefined behaviour fails the test.
UNIT_ENV := ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1

.PHONY: unit unit-build fuzz fuzz-build
unit-build: $(UNIT_BINS)

unit: unit-build
	@failed=""; \
	for t in $(UNIT_BINS); do \
	  echo "=== $$t"; \
	  $(UNIT_ENV) $$t || failed="$$failed $$(basename $$t)"; \
	done; \
	if [ -n "$$failed" ]; then echo "unit: FAILED:$$failed"; exit 1; fi; \
	echo "unit: all $(words $(UNIT_BINS)) test programs passed"

# --- fuzzing ---------------------------------------------------------------
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 20
FUZZ_DIR     := $(BUILD)/fuzz
FUZZ_CFLAGS  := -std=gnu11 -O1 -g -Wall -Wextra -Werror \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
	-fno-omit-frame-pointer -iquote . $(XEN_DEFS)

FUZZ_TARGETS += xs_wire memmap cmdline blkfront_rsp blkfront_alloc net_inet net_tcp netfront_rsp
fuzz_src_xs_wire := xen/xs_wire_codec.c lib/string.c
fuzz_src_memmap  := kern/memmap.c
fuzz_src_cmdline := kern/cmdline.c lib/string.c
fuzz_src_blkfront_rsp := dev/blkfront/blkfront_rsp.c
fuzz_src_blkfront_alloc := dev/blkfront/blkfront_alloc.c
fuzz_src_net_inet := net/inet.c
fuzz_src_net_tcp := net/tcp.c net/inet.c
fuzz_src_netfront_rsp := dev/netfront/netfront_rsp.c net/inet.c

FUZZ_BINS := $(addprefix $(FUZZ_DIR)/fuzz_,$(FUZZ_TARGETS))

define fuzz_link
$(FUZZ_DIR)/fuzz_$(1): tests/fuzz/fuzz_$(1).c $(fuzz_src_$(1)) tests/unit/unit.mk
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$(filter %.c,$$^) -o $$@
endef
$(foreach t,$(FUZZ_TARGETS),$(eval $(call fuzz_link,$(t))))

fuzz-build: $(FUZZ_BINS)

fuzz: fuzz-build
	@failed=""; \
	for t in $(FUZZ_TARGETS); do \
	  corpus=$(FUZZ_DIR)/corpus_$$t; log=$(FUZZ_DIR)/fuzz_$$t.log; mkdir -p $$corpus; \
	  echo "=== fuzz_$$t for $(FUZZ_SECONDS)s (log: $$log)"; \
	  if $(FUZZ_DIR)/fuzz_$$t -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	       -artifact_prefix=$(FUZZ_DIR)/crash_$$t- $$corpus >$$log 2>&1; then \
	    grep -E '^(Done|stat::number_of_executed_units|stat::peak_rss)|INITED' $$log; \
	  else \
	    tail -n 60 $$log; failed="$$failed fuzz_$$t"; \
	  fi; \
	done; \
	if [ -n "$$failed" ]; then echo "fuzz: FAILED:$$failed"; exit 1; fi; \
	echo "fuzz: all $(words $(FUZZ_TARGETS)) targets ran $(FUZZ_SECONDS)s without a finding"
