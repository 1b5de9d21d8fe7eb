# io_uring, clean room: build, boot, test and benchmark entry points.
# See README.md and ../shared/DESIGN.md.

KERNEL ?= ours
VARIANT ?= default
CMD ?=
T ?=

H := ./harness

.PHONY: all deps kernel run check check-harness fuzz bench patches check-patches uapi-compare clean help

all: kernel

deps:
	@$(H)/deps.sh

kernel: deps
	@$(H)/build.sh $(KERNEL) $(VARIANT)

run: deps
	@test -f build/$(KERNEL)/o-$(VARIANT)/arch/x86/boot/bzImage || $(H)/build.sh $(KERNEL) $(VARIANT)
	@$(H)/qemu.sh $(KERNEL) $(VARIANT)

check: deps
	@$(H)/check.sh $(KERNEL) $(T)

fuzz: deps
	@$(H)/fuzz.sh $(KERNEL)

bench: deps
	@$(H)/bench.sh

patches: deps
	@$(H)/patches.sh

check-patches: deps
	@$(H)/check-patches.sh

uapi-compare: deps
	@$(H)/tree.sh stock >/dev/null
	@$(H)/uapi-compare.sh build/stock/include/uapi/linux/io_uring.h include/uapi/linux/io_uring.h

clean:
	rm -rf build/ours/o-* build/stock/o-* build/check build/run build/patches

help:
	@echo "make [KERNEL=ours|stock] [VARIANT=default|debug|perf]   build bzImage"
	@echo "make run [KERNEL=..] [VARIANT=..] [CMD='...']          boot it (shell, or run CMD)"
	@echo "make check [KERNEL=ours|stock] [T='nop setup']         debug kernel + kselftests"
	@echo "make fuzz [KERNEL=ours|stock]                          fuzzer, kmemleak, fail-nth (FUZZ_SQES FUZZ_SECS FUZZ_SEED)"
	@echo "make bench                                             stock vs ours, perf kernels: build/bench/results.md"
	@echo "make patches | check-patches                           the series, and its check"
