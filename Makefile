# domu: a small Xen guest kernel.
#   make          build build/domu (freestanding ELF64, PVH and PV entries)
#   make run      build, boot the Xen test host, run domu on its console
#   make test     unit tests (cmocka, host) + scenarios on the Xen test host
#   make unit     unit tests only
#   make xentest  Xen scenarios only
#   make bench    benchmarks against a stock Linux guest on the same host
#   make doccheck the manual (docs/domu.4) and the bench report against the sources

BUILD      ?= build
CC         ?= gcc
HOSTCC     ?= gcc
XEN_INCDIR ?= /usr/include

KERNEL := $(BUILD)/domu

# make V=1 shows the full commands
ifeq ($(V),1)
Q :=
else
Q := @
endif

# Kernel sources: every .c/.S below these folders, minus host-only files.
# Every driver folder under dev/ counts; a new subsystem adds its folder here.
KSRC_DIRS := arch/x86 arch/x86/pv kern lib xen $(sort $(wildcard dev/*)) blk net shell init
KSRC := $(foreach d,$(KSRC_DIRS),$(wildcard $(d)/*.c) $(wildcard $(d)/*.S))
KOBJ := $(patsubst %,$(BUILD)/k/%.o,$(basename $(KSRC)))

GCC_INC := $(shell $(CC) -print-file-name=include)

# The Xen interface version must be set before any Xen header is read:
# otherwise xen-compat.h picks version 0 and hypercall numbers go wrong.
XEN_DEFS := -D__XEN_INTERFACE_VERSION__=__XEN_LATEST_INTERFACE_VERSION__

KCFLAGS := -std=gnu11 -O2 -g -Wall -Wextra -Werror -Wno-unused-parameter \
	-ffreestanding -fno-pie -fno-stack-protector -fno-omit-frame-pointer \
	-fno-strict-aliasing -fno-asynchronous-unwind-tables \
	-mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-nostdinc -isystem $(GCC_INC) -isystem $(BUILD)/include -iquote . \
	$(XEN_DEFS) -MMD -MP
KLDFLAGS := -nostdlib -static -no-pie -Wl,-T,arch/x86/link.ld \
	-Wl,-z,max-page-size=0x1000 -Wl,--build-id=none -Wl,-z,noexecstack

.PHONY: all run test unit xentest bench testhost clean deps
all: $(KERNEL)

# Xen's public headers, seen alone: the kernel must not pick up libc's.
$(BUILD)/include/xen/xen.h:
	@if [ ! -f $(XEN_INCDIR)/xen/xen.h ] || [ ! -f $(XEN_INCDIR)/xen/io/xs_wire.h ]; then \
	  echo "error: Xen public headers not found in $(XEN_INCDIR)/xen (install libxen-dev: tools/deps.sh)"; exit 1; fi
	@mkdir -p $(BUILD)/include
	@ln -sfn $(abspath $(XEN_INCDIR))/xen $(BUILD)/include/xen

$(BUILD)/k/%.o: %.c $(BUILD)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(KCFLAGS) -c $< -o $@

$(BUILD)/k/%.o: %.S $(BUILD)/include/xen/xen.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(KCFLAGS) -D__ASSEMBLY__ -c $< -o $@

$(KERNEL): $(KOBJ) arch/x86/link.ld
	@echo "  LD      $@"
	$(Q)$(CC) $(KCFLAGS) $(KLDFLAGS) $(KOBJ) -o $@ -lgcc
	@size $@ | tail -1 | awk '{printf "domu: text %d data %d bss %d bytes\n", $$1, $$2, $$3}'

-include $(KOBJ:.o=.d)

# --- tests ---------------------------------------------------------------
-include tests/unit/unit.mk

deps:
	tools/deps.sh

testhost: deps
	tools/testhost/build.sh

run: deps $(KERNEL)
	tools/testhost/run.sh $(KERNEL)

# Test tools for Dom0 and the Linux reference guests, built here against
# Debian's libxen-dev (the same Xen 4.17 libraries the test host runs),
# static so that they also run in the Linux guest's busybox initramfs;
# copied into each job. memwatch runs only in Dom0 and links libxenlight
# (whose static archive wants libraries Debian ships only shared), so it
# is dynamic: Dom0 has the same libxenlight/libxenctrl 4.17 as xl uses.
DOM0_TOOLS := $(BUILD)/dom0-tools/evtchn-peer $(BUILD)/dom0-tools/blkbench \
	$(BUILD)/dom0-tools/udpcheck $(BUILD)/dom0-tools/memwatch $(BUILD)/dom0-tools/synflood
$(BUILD)/dom0-tools/%: tools/dom0/%.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -static -s -pthread -o $@ $< \
		-lxenevtchn -lxentoolcore -lxentoollog
# blkfront-evil (a hostile front-end for domu's blkback) also shares
# pages (libxengntshr) and writes XenStore.
DOM0_TOOLS += $(BUILD)/dom0-tools/blkfront-evil
$(BUILD)/dom0-tools/blkfront-evil: tools/dom0/blkfront-evil.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -static -s -pthread -o $@ $< \
		-lxengnttab -lxenevtchn -lxenstore -lxentoolcore -lxentoollog
$(BUILD)/dom0-tools/memwatch: tools/dom0/memwatch.c
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $<"
	$(Q)$(HOSTCC) -O2 -Wall -Wextra -Werror -s -pthread -o $@ $< \
		-lxenlight -lxenctrl -lxenstore -lxentoollog

xentest: deps $(KERNEL) $(DOM0_TOOLS)
	tools/testhost/scenarios.sh $(KERNEL) $(sort $(wildcard tests/xen/[0-9]*.sh))

test: deps
	tools/test-all.sh

bench: deps $(KERNEL) $(DOM0_TOOLS)
	tools/bench/bench.sh $(KERNEL)

# The manual against the sources (every command-line word and shell command
# documented) and the bench report rendered from a saved log; no test host.
.PHONY: doccheck
doccheck: deps
	tools/doccheck.sh

clean:
	rm -rf $(BUILD)
