/* ACPI tables, laid out as the ACPI specification (6.x, section 5.2)
 * describes them, each with its checksum. */
#include "kvmrun-config.h"

#include "acpi.h"

#include <string.h>

#include "dev_acpi_pm.h"
#include "x86.h"

/* Where each table goes in the page: the RSDP first (16-byte aligned),
 * the FACS 64-byte aligned, the MADT last (it grows with the vCPUs). */
enum {
	AT_RSDP = 0x000, AT_RSDT = 0x040, AT_XSDT = 0x080, AT_FADT = 0x100,
	AT_FACS = ACPI_FACS - ACPI_BASE, AT_DSDT = 0x200, AT_MADT = 0x240,
};

#define HEADER 36   /* a table's header, before its own fields */
#define FADT_LEN 116 /* the ACPI 1.0 FADT, which kvm-unit-tests reads */

static void put16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static void put32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static void put64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* The byte that makes (len) bytes at (p) sum to zero. */
static uint8_t checksum(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return (uint8_t)-sum;
}

/* A table's header; its checksum is made once its body is written. */
static void header(uint8_t *t, const char sig[4], uint32_t len, uint8_t rev)
{
	memcpy(t, sig, 4);
	put32(t + 4, len);
	t[8] = rev;
	memcpy(t + 10, "KVMRUN", 6);   /* OEM ID */
	memcpy(t + 16, "KVMRUNTB", 8); /* OEM table ID */
	put32(t + 24, 1);              /* OEM revision */
	memcpy(t + 28, "KVMR", 4);     /* creator ID */
	put32(t + 32, 1);              /* creator revision */
}

static void seal(uint8_t *t)
{
	uint32_t len;

	memcpy(&len, t + 4, 4);
	t[9] = 0;
	t[9] = checksum(t, len);
}

/* The DSDT's AML: the sleep states there are, each Name (_Sx_,
 * Package () { SLP_TYPa, SLP_TYPb, 0, 0 }). No devices. */
static uint32_t dsdt_aml(uint8_t *t)
{
	static const uint8_t states[][2] = { { '3', ACPI_SLP_TYP_S3 },
					     { '5', ACPI_SLP_TYP_S5 } };
	uint8_t *e = t + HEADER;

	for (size_t i = 0; i < sizeof states / sizeof *states; i++) {
		const uint8_t aml[] = {
			0x08, '_', 'S', states[i][0], '_', /* NameOp, name */
			0x12, 8, 4,  /* PackageOp, its length, 4 elements */
			0x0a, states[i][1], 0x0a, states[i][1], /* BytePrefix */
			0x00, 0x00,  /* ZeroOp ZeroOp */
		};
		memcpy(e, aml, sizeof aml);
		e += sizeof aml;
	}
	return (uint32_t)(e - t);
}

static uint32_t madt(uint8_t *t, unsigned cpus)
{
	uint8_t *e = t + HEADER + 8;

	put32(t + HEADER, X86_LAPIC_BASE);
	put32(t + HEADER + 4, 1); /* PCAT_COMPAT: there are 8259 PICs */
	for (unsigned i = 0; i < cpus; i++, e += 8) {
		e[0] = 0; /* processor local APIC */
		e[1] = 8;
		e[2] = (uint8_t)i; /* processor UID */
		e[3] = (uint8_t)i; /* APIC ID */
		put32(e + 4, 1);   /* enabled */
	}
	e[0] = 1; /* I/O APIC */
	e[1] = 12;
	e[2] = 0; /* its ID */
	put32(e + 4, X86_IOAPIC_BASE);
	put32(e + 8, 0); /* GSI base */
	e += 12;
	e[0] = 2; /* interrupt source override: ISA IRQ 0 is GSI 2 */
	e[1] = 10;
	e[2] = 0, e[3] = 0;
	put32(e + 4, 2);
	put16(e + 8, 0);
	e += 10;
	e[0] = 2; /* the SCI: level-triggered, active high */
	e[1] = 10;
	e[2] = 0, e[3] = ACPI_SCI_IRQ;
	put32(e + 4, ACPI_SCI_IRQ);
	put16(e + 8, 0xd);
	e += 10;
	return (uint32_t)(e - t);
}

void acpi_build(uint8_t page[ACPI_SIZE], unsigned cpus)
{
	uint8_t *rsdp = page + AT_RSDP, *rsdt = page + AT_RSDT,
		*xsdt = page + AT_XSDT, *fadt = page + AT_FADT,
		*facs = page + AT_FACS, *dsdt = page + AT_DSDT,
		*apic = page + AT_MADT;
	const uint32_t tables[] = { ACPI_BASE + AT_FADT, ACPI_BASE + AT_MADT };
	const size_t ntables = sizeof tables / sizeof *tables;

	memset(page, 0, ACPI_SIZE);
	memcpy(rsdp, "RSD PTR ", 8);
	memcpy(rsdp + 9, "KVMRUN", 6);
	rsdp[15] = 2; /* ACPI 2.0 and later: the XSDT too */
	put32(rsdp + 16, ACPI_BASE + AT_RSDT);
	put32(rsdp + 20, 36);
	put64(rsdp + 24, ACPI_BASE + AT_XSDT);
	rsdp[8] = checksum(rsdp, 20);
	rsdp[32] = checksum(rsdp, 36);

	header(rsdt, "RSDT", (uint32_t)(HEADER + 4 * ntables), 1);
	header(xsdt, "XSDT", (uint32_t)(HEADER + 8 * ntables), 1);
	for (size_t i = 0; i < ntables; i++) {
		put32(rsdt + HEADER + 4 * i, tables[i]);
		put64(xsdt + HEADER + 8 * i, tables[i]);
	}

	header(fadt, "FACP", FADT_LEN, 1);
	put32(fadt + 36, ACPI_BASE + AT_FACS);
	put32(fadt + 40, ACPI_BASE + AT_DSDT);
	put16(fadt + 46, ACPI_SCI_IRQ);
	put32(fadt + 56, ACPI_PM_BASE);     /* PM1a event block */
	put32(fadt + 64, ACPI_PM_BASE + 4); /* PM1a control block */
	put32(fadt + 76, ACPI_PM_TIMER);    /* PM timer block */
	fadt[88] = 4; /* PM1 event block length */
	fadt[89] = 2; /* PM1 control block length */
	fadt[91] = 4; /* PM timer length */
	put32(fadt + 112, 1u << 0 | 1u << 4); /* WBINVD; power button is a
						 control method */

	memcpy(facs, "FACS", 4);
	put32(facs + 4, 64);
	facs[32] = 1; /* version */

	header(dsdt, "DSDT", dsdt_aml(dsdt), 1);
	header(apic, "APIC", madt(apic, cpus), 1);
	seal(rsdt);
	seal(xsdt);
	seal(fadt);
	seal(dsdt);
	seal(apic);
}
