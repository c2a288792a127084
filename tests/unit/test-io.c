/*
 * The handlers through io.c and the device table, without KVM: each kind
 * reads and writes as kvmrun.yaml(5) says, and a device whose request to
 * KVM fails (an irq-line on a VM descriptor that is not one) stops the
 * run with its own reason and the errno, not as an unhandled access;
 * the RTC's ports, ACPI PM1's sleep and power-off, hyperv-testdev.
 */
#include "kvmrun-config.h"

#include <errno.h>

#include "dev_acpi_pm.h"
#include "dev_hvtest.h"
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
	"         0x90: { handler: irq-line, value: 5 }, 0x70: rtc,\n"
	"         0x600: acpi-pm, 0x3000: hyperv-testdev,\n"
	"         0xfff0: { handler: constant, value: 0x77, size: 16 } }\n";

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
	struct plan p = { .facts = plan_facts(cfg) }; /* the facts alone */
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
	/* Ports nobody handles: beside a handler's range, in a block of
	 * 256 ports with handlers and in one without (the port table). */
	CHECK(port(&io, &res, 0x99, true, 1, 1) == IO_UNHANDLED);
	CHECK(port(&io, &res, 0x2f8 - 1, true, 1, 1) == IO_UNHANDLED);
	CHECK(port(&io, &res, 0x2f8 + 8, true, 1, 1) == IO_UNHANDLED);
	CHECK(port(&io, &res, 0x1234, true, 1, 1) == IO_UNHANDLED);
	CHECK(port(&io, &res, 0xffef, true, 1, 1) == IO_UNHANDLED);
	/* A range that ends at the last port: all of it is the handler's. */
	CHECK_U64(in(&io, &res, 0xfff0, 1), 0x77);
	CHECK_U64(in(&io, &res, 0xffff, 1), 0x77);
	/* exit: the value is the guest's status and the run stops. */
	CHECK(port(&io, &res, 0xF4, true, 1, 7) == IO_STOP);
	CHECK(res.has_status && res.status == 7);

	/* The RTC: an outw at the index port writes the index and the data
	 * (a CMOS byte); the data port gives it back. */
	CHECK(port(&io, &res, 0x70, true, 2, 0x5a40) == IO_CONTINUE);
	CHECK(port(&io, &res, 0x70, true, 1, 0x40) == IO_CONTINUE);
	CHECK_U64(in(&io, &res, 0x71, 1), 0x5a);
	CHECK_U64(in(&io, &res, 0x70, 1), 0xff);
	CHECK(port(&io, &res, 0x70, true, 1, 0x0d) == IO_CONTINUE);
	CHECK_U64(in(&io, &res, 0x71, 1), 0x80); /* register D: VRT */
	CHECK(io_port_state(&io, H_RTC) != NULL);

	/* ACPI PM1: SCI_EN on from the start; status bits are cleared by
	 * writing ones; SLP_EN sleeps or powers off by SLP_TYP, or does
	 * nothing for a type the DSDT does not offer; it never reads back. */
	struct acpi_pm *pm = io_port_state(&io, H_ACPI_PM);
	CHECK_U64(in(&io, &res, 0x604, 2), ACPI_PM1_SCI_EN);
	CHECK(port(&io, &res, 0x602, true, 2, ACPI_PM1_RTC) == IO_CONTINUE);
	CHECK(acpi_pm_rtc_wakes(pm));
	acpi_pm_woke_by_rtc(pm);
	CHECK_U64(in(&io, &res, 0x600, 4), (uint64_t)ACPI_PM1_RTC << 16 |
					     ACPI_PM1_WAK | ACPI_PM1_RTC);
	CHECK(port(&io, &res, 0x600, true, 2, ACPI_PM1_WAK) == IO_CONTINUE);
	CHECK_U64(in(&io, &res, 0x600, 2), ACPI_PM1_RTC);
	CHECK(port(&io, &res, 0x604, true, 2, ACPI_PM1_SLP_EN | 5 << 10) ==
	      IO_CONTINUE);
	CHECK_U64(in(&io, &res, 0x604, 2), 5 << 10);
	CHECK(port(&io, &res, 0x604, true, 2, ACPI_PM1_SLP_EN |
		   ACPI_SLP_TYP_S3 << 10) == IO_SLEEP);
	CHECK(port(&io, &res, 0x604, true, 2, ACPI_PM1_SLP_EN |
		   ACPI_SLP_TYP_S5 << 10) == IO_POWEROFF);
	CHECK_U64(in(&io, &res, 0x604, 2), ACPI_SLP_TYP_S5 << 10);

	/* hyperv-testdev: raising a SINT with no route does nothing; a
	 * route goes to KVM (which, with no VM here, refuses it by name);
	 * a message connection is refused as not modelled. */
	CHECK(port(&io, &res, 0x3000, true, 4, 3 << 16 | 2) == IO_CONTINUE);
	CHECK(port(&io, &res, 0x3000, true, 4, 1 << 16 | 1 << 8 | 2) == IO_FAILED);
	CHECK(strstr(res.detail, "KVM_SET_GSI_ROUTING (1 SynIC SINT routes) "
		      "for the hyperv-testdev handler at 0x3000") != NULL);
	CHECK(((struct hv_testdev *)io_port_state(&io, H_HYPERV_TESTDEV))->route[0].used);
	CHECK(port(&io, &res, 0x3000, true, 4, 4 << 16 | 2) == IO_FAILED);
	CHECK(strstr(res.detail, "not modelled (the handler at 0x3000)") != NULL);

	io_free(&io);
	result_free(&res);
	cfg_free(cfg);
	UNIT_DONE();
}
