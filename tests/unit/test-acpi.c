/* Unit tests of the ACPI tables: found as a kernel finds them (the RSDP
 * on a 16-byte boundary from 0xe0000, the tables through the RSDT and
 * the XSDT), every checksum good, the FADT's PM blocks and FACS, and a
 * MADT entry for each vCPU. */
#include "kvmrun-config.h"

#include <stdbool.h>

#include "acpi.h"
#include "dev_acpi_pm.h"
#include "unit.h"

static uint8_t page[ACPI_SIZE];

static uint32_t get32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t get64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static bool sums_to_zero(const uint8_t *p, size_t len)
{
	uint8_t sum = 0;

	for (size_t i = 0; i < len; i++)
		sum = (uint8_t)(sum + p[i]);
	return sum == 0;
}

/* The table at guest-physical (gpa), checked: in the page, its length
 * inside it, its checksum good. */
static const uint8_t *table(uint64_t gpa, const char *sig)
{
	if (gpa < ACPI_BASE || gpa + 36 > ACPI_BASE + ACPI_SIZE)
		return NULL;
	const uint8_t *t = page + (gpa - ACPI_BASE);
	uint32_t len = get32(t + 4);
	if (memcmp(t, sig, 4) != 0 || gpa + len > ACPI_BASE + ACPI_SIZE ||
	    !sums_to_zero(t, len))
		return NULL;
	return t;
}

/* SLP_TYPa of the sleep state (name) in the DSDT's AML, as an OS reads
 * it: Name (_Sx_, Package () { a, b, ... }), each a Zero, One or
 * BytePrefix value; -1 if it is not there. */
static int sleep_type(const uint8_t *dsdt, const char *name)
{
	uint32_t len = get32(dsdt + 4);

	for (uint32_t at = 36; at + 8 <= len; at++) {
		const uint8_t *p = dsdt + at;
		if (p[0] != 0x08 || memcmp(p + 1, name, 4) != 0 || p[5] != 0x12)
			continue;
		const uint8_t *e = p + 8; /* past PkgLength and NumElements */
		if (p[6] >= 0x40 || p[7] < 2 || e + 2 > dsdt + len)
			return -1;
		return e[0] == 0x0a ? e[1] : e[0] == 0x01 ? 1 : e[0] == 0x00 ? 0 : -1;
	}
	return -1;
}

static void test_tables(unsigned cpus)
{
	acpi_build(page, cpus);
	const uint8_t *rsdp = NULL;
	for (size_t at = 0; at < ACPI_SIZE && !rsdp; at += 16)
		if (memcmp(page + at, "RSD PTR ", 8) == 0)
			rsdp = page + at;
	CHECK(rsdp && sums_to_zero(rsdp, 20) && sums_to_zero(rsdp, 36));
	CHECK(rsdp[15] == 2);
	const uint8_t *rsdt = table(get32(rsdp + 16), "RSDT");
	const uint8_t *xsdt = table(get64(rsdp + 24), "XSDT");
	CHECK(rsdt && xsdt);
	if (!rsdt || !xsdt)
		return;
	CHECK_U64(get32(rsdt + 4), 36 + 4 * 2);
	CHECK_U64(get32(xsdt + 4), 36 + 8 * 2);
	CHECK_U64(get32(rsdt + 36), get64(xsdt + 36));
	const uint8_t *fadt = table(get32(rsdt + 36), "FACP");
	const uint8_t *madt = table(get32(rsdt + 40), "APIC");
	CHECK(fadt && madt);
	if (!fadt || !madt)
		return;
	CHECK_U64(get32(fadt + 56), ACPI_PM_BASE);
	CHECK_U64(get32(fadt + 64), ACPI_PM_BASE + 4);
	CHECK_U64(get32(fadt + 76), ACPI_PM_TIMER);
	CHECK(fadt[91] == 4);
	const uint8_t *dsdt = table(get32(fadt + 40), "DSDT");
	CHECK(dsdt != NULL);
	if (dsdt) {
		CHECK(sleep_type(dsdt, "_S3_") == ACPI_SLP_TYP_S3);
		CHECK(sleep_type(dsdt, "_S5_") == ACPI_SLP_TYP_S5);
		CHECK(sleep_type(dsdt, "_S4_") == -1);
	}
	uint32_t facs = get32(fadt + 36);
	CHECK(facs % 64 == 0 && memcmp(page + (facs - ACPI_BASE), "FACS", 4) == 0);
	CHECK_U64(get32(madt + 36), 0xfee00000);
	/* One enabled local APIC per vCPU, IDs 0..cpus-1; one IOAPIC. */
	unsigned lapics = 0, ioapics = 0;
	for (uint32_t at = 44; at < get32(madt + 4); at += madt[at + 1]) {
		const uint8_t *e = madt + at;
		CHECK(e[1] >= 2);
		if (e[1] < 2)
			break;
		if (e[0] == 0) {
			CHECK(e[3] == lapics && get32(e + 4) == 1);
			lapics++;
		}
		if (e[0] == 1) {
			CHECK_U64(get32(e + 4), 0xfec00000);
			ioapics++;
		}
	}
	CHECK(lapics == cpus && ioapics == 1);
}

int main(void)
{
	test_tables(1);
	test_tables(4);
	test_tables(255);
	UNIT_DONE();
}
