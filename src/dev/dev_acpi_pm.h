/*
 * The ACPI PM1 registers of QEMU's pc machine (PIIX4), where the FADT of
 * acpi: true puts them: the event block (status, enable) and the control
 * block. Writing SLP_EN with the SLP_TYP of \_S3_ puts the machine to
 * sleep, with that of \_S5_ powers it off (the run stage does both).
 * No SCI is raised.
 */
#ifndef KVMRUN_DEV_ACPI_PM_H
#define KVMRUN_DEV_ACPI_PM_H

#include <stdbool.h>
#include <stdint.h>

/* PM1 registers' bits (ACPI 6.x, 4.8.3). */
#define ACPI_PM1_RTC 0x0400   /* status and enable: the RTC alarm */
#define ACPI_PM1_WAK 0x8000   /* status: the machine woke */
#define ACPI_PM1_SCI_EN 0x0001 /* control: ACPI mode, always on */
#define ACPI_PM1_SLP_EN 0x2000 /* control: sleep now */
#define ACPI_PM1_SLP_TYP(cnt) (((cnt) >> 10) & 7)

/* The SLP_TYP of each sleep state, as the DSDT's \_S3_ and \_S5_ say
 * (QEMU's values). */
#define ACPI_SLP_TYP_S3 1
#define ACPI_SLP_TYP_S5 0

/* An acpi-pm handler's state, as io_port_state gives it. */
struct acpi_pm {
	uint16_t status, enable, control;
};

/* Whether the RTC's alarm may wake the machine (RTC_EN). */
bool acpi_pm_rtc_wakes(const struct acpi_pm *pm);

/* The machine woke from sleep, by the RTC's alarm. */
void acpi_pm_woke_by_rtc(struct acpi_pm *pm);

#endif
