/*
 * The handlers through io.c and the device table, without KVM: each kind
 * reads and writes as kvmrun.yaml(5) says, and a device whose request to
 * KVM fails (an irq-line on a VM descriptor that is not one) stops the
 * run with its own reason and the errno, not as an unhandled access.
 */
#include "kvmrun-config.h"

#include <errno.h>

#include "io.h"
#include "plan.h"
#include "unit.h"

static const char config_text[] =
	"memory: 2M\n"
	"cpu: { mode: long }\n"
	"load: [ { raw: /dev/null, at: 0x1000 } ]\n"
	"irqchip: true\n"
	"ports: { 0xE9: console, 0xF4: exit, 0x61: { handler: constant, value: 0x5A },\n"
	"         0x80: log, 0x3f8: { handler: uart8250, input: \"hi\" },\n"
	"         0x2f8: { handler: ignore, size: 8 }, 0x510: fw-cfg,\n"
	"         0x90: { handler: irq-line, value: 5 } }\n";

static uint8_t page[4096] __attribute__((aligned(64)));

/* One port access of (size) bytes with (value), as KVM would leave it. */
static enum io_action port(struct io_table *io, struct result *res,
			   uint16_t addr, bool write, unsigned size,
			   uint64_t value)
{
	struct kvm_run *run = (struct kvm_run *)page;

	memset(page, 0, sizeof page);
	run->exit_reason = KVM_EXIT_IO;
	run->io.direction = write ? KVM_EXIT_IO_OUT : KVM_EXIT_IO_IN;
	run->io.size = (uint8_t)size;
	run->io.port = addr;
	run->io.count = 1;
	run->io.data_offset = 1024;
	memcpy(page + 1024, &value, size);
	return io_port(io, run, sizeof page, res);
}

static uint64_t in(struct io_table *io, struct result *res, uint16_t addr,
		   unsigned size)
{
	uint64_t v = 0;

	CHECK(port(io, res, addr, false, size, 0) == IO_CONTINUE);
	memcpy(&v, page + 1024, size);
	return v;
}

int main(void)
{
	struct config *cfg = cfg_load_text("io.yaml", config_text,
					   sizeof config_text - 1, NULL, 0);
	struct plan p = { .cfg = cfg, .facts = plan_facts(cfg) };
	struct io_table io;
	struct result res = { .quiet = true };

	CHECK_U64(cfg->diag.count, 0);
	io_register(&io, &p, -1); /* no VM: KVM_IRQ_LINE fails with EBADF */

	CHECK(port(&io, &res, 0xE9, true, 1, 'A') == IO_CONTINUE);
	CHECK_U64(res.console_len, 1);
	CHECK_U64(in(&io, &res, 0x61, 1), 0x5A);
	CHECK_U64(in(&io, &res, 0x2f8 + 7, 2), 0xffff);
	CHECK(port(&io, &res, 0x80, true, 4, 0x1234) == IO_CONTINUE);
	CHECK_U64(res.nlog, 1);
	CHECK_U64(res.log[0].addr, 0x80);
	CHECK_U64(res.log[0].value, 0x1234);
	/* The UART: its input byte by byte, and what it transmits. */
	CHECK_U64(in(&io, &res, 0x3f8, 1), 'h');
	CHECK_U64(in(&io, &res, 0x3f8, 1), 'i');
	CHECK(port(&io, &res, 0x3f8, true, 1, 'B') == IO_CONTINUE);
	CHECK_U64(res.console_len, 2);
	CHECK(memcmp(res.console, "AB", 2) == 0);
	/* fw-cfg: select the signature, read "QEMU" at the data port. */
	CHECK(port(&io, &res, 0x510, true, 2, 0) == IO_CONTINUE);
	CHECK_U64(in(&io, &res, 0x511, 1), 'Q');
	CHECK_U64(in(&io, &res, 0x511, 1), 'E');
	/* irq-line with no VM: its own failure, with the errno. */
	CHECK(port(&io, &res, 0x90, true, 1, 1) == IO_FAILED);
	CHECK(strstr(res.detail, "KVM_IRQ_LINE 5") != NULL);
	CHECK(strstr(res.detail, strerror(EBADF)) != NULL);
	/* A port nobody handles. */
	CHECK(port(&io, &res, 0x99, true, 1, 1) == IO_UNHANDLED);
	/* exit: the value is the guest's status and the run stops. */
	CHECK(port(&io, &res, 0xF4, true, 1, 7) == IO_STOP);
	CHECK(res.has_status && res.status == 7);

	io_free(&io);
	result_free(&res);
	cfg_free(cfg);
	UNIT_DONE();
}
