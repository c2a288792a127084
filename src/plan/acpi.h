/* ACPI tables as QEMU's pc machine gives them to a kernel: RSDP, RSDT,
 * XSDT, FADT (with the PM timer and PM1 blocks), FACS, DSDT and a MADT of
 * the vCPUs' local APICs and the IOAPIC. Built as bytes by the plan. */
#ifndef KVMRUN_ACPI_H
#define KVMRUN_ACPI_H

#include <stddef.h>
#include <stdint.h>

#define ACPI_BASE 0xe0000  /* the RSDP is searched for in 0xe0000-0xfffff */
#define ACPI_SIZE 0x1000   /* one page holds them all */
#define ACPI_PM_BASE 0x600 /* PM1a event (4 bytes), control (+4), timer (+8) */
#define ACPI_PM_TIMER (ACPI_PM_BASE + 8)
#define ACPI_SCI_IRQ 9

/* The FACS, where a sleeping guest leaves its waking vector. */
#define ACPI_FACS (ACPI_BASE + 0x1c0)
#define ACPI_FACS_WAKING_VECTOR 12   /* 32-bit, entered in real mode */
#define ACPI_FACS_X_WAKING_VECTOR 24 /* 64-bit; used when not zero */

/* The tables for (cpus) vCPUs, at guest-physical ACPI_BASE, into
 * (page), ACPI_SIZE bytes. */
void acpi_build(uint8_t page[ACPI_SIZE], unsigned cpus);

#endif
