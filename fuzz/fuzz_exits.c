/*
 * libFuzzer: a synthetic kvm_run exit record (the fuzz bytes, as KVM would
 * leave them) against the handlers of a config and its guest memory, some
 * of it given to KVM lazily: port I/O of any size and count, MMIO reads
 * and writes, first touches of RAM and writes to ROM.
 */
#include "kvmrun-config.h"

#include <linux/kvm.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "io.h"
#include "mem.h"
#include "plan.h"
#include "result.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define RUN_SIZE 12288

static const char config_text[] =
	"memory: [ { base: 0, size: 128M }, { base: 0xfff00000, size: 1M, readonly: true } ]\n"
	"cpu: { mode: long }\n"
	"load: [ { raw: /dev/null, at: 0 } ]\n"
	"ports: { 0xE9: console, 0xF4: exit, 0x61: { handler: constant, value: 0x5A },\n"
	"         0x80: log, 0x3f8: uart8250, 0x2f8: { handler: ignore, size: 8 },\n"
	"         0x510: fw-cfg, 0x501: debug-exit, 0x90: { handler: irq-line, value: 5 },\n"
	"         0x70: rtc, 0x600: acpi-pm, 0xe0: latch, 0x608: pm-timer,\n"
	"         0x3000: hyperv-testdev }\n"
	"irqchip: true\n"
	"mmio: { 0xd0000000: console, 0xd0001000: { handler: constant, value: 7, size: 4K },\n"
	"        0xfff00000: log }\n";

static struct config *cfg;
static struct plan plan; /* the config and its facts: io needs no more */
static struct io_table io;

static int no_kvm(void *ctx, const struct kvm_userspace_memory_region *slot)
{
	(void)ctx, (void)slot;
	return 0;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	cfg = cfg_load_text("fuzz.yaml", config_text, sizeof config_text - 1,
			    NULL, 0);
	if (cfg->diag.count)
		abort(); /* the config above must stay valid */
	plan = (struct plan){ .facts = plan_facts(cfg) };
	io_register(&io, &plan, -1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t page[RUN_SIZE] __attribute__((aligned(64)));
	struct kvm_run *run = (struct kvm_run *)page;
	struct result res = { .quiet = true };
	struct mem_ops ops = { no_kvm, NULL };
	struct memory mem;
	char why[160];

	memset(page, 0, sizeof page);
	memcpy(page, data, size < sizeof page ? size : sizeof page);
	if (mem_map(&mem, &ops, 32764, plan.facts.regions,
		    plan.facts.nregions, why, sizeof why) < 0)
		abort();
	switch (run->exit_reason % 3) {
	case 0:
		run->exit_reason = KVM_EXIT_IO;
		io_port(&io, run, RUN_SIZE, &res);
		break;
	case 1:
		run->exit_reason = KVM_EXIT_MMIO;
		if (!mem_complete_mmio(&mem, run))
			io_mmio(&io, run, &res);
		break;
	default:
		mem_fault(&mem, run->mmio.phys_addr);
		break;
	}
	mem_unmap(&mem);
	result_free(&res);
	return 0;
}
