/* The ACPI PM1 event and control registers (see dev_acpi_pm.h). */
#include "kvmrun-config.h"

#include "dev_acpi_pm.h"

#include <string.h>

#include "device.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct pm_state {
	struct acpi_pm pm; /* first: io_port_state gives it (dev_acpi_pm.h) */
};

/* The handler's bytes: PM1 status, PM1 enable (the event block, 4
 * bytes), PM1 control (2). */
enum { AT_STATUS = 0, AT_ENABLE = 2, AT_CONTROL = 4, PM1_BYTES = 6 };

bool acpi_pm_rtc_wakes(const struct acpi_pm *pm)
{
	return pm->enable & ACPI_PM1_RTC;
}

void acpi_pm_woke_by_rtc(struct acpi_pm *pm)
{
	pm->status |= ACPI_PM1_WAK | ACPI_PM1_RTC;
}

static uint16_t *reg(struct acpi_pm *pm, unsigned at)
{
	return at < AT_ENABLE ? &pm->status
	       : at < AT_CONTROL ? &pm->enable : &pm->control;
}

static void pm_reset(void *state, uint64_t value, const char *input,
		     uint64_t size)
{
	struct pm_state *s = state;
	(void)value, (void)input, (void)size;
	memset(s, 0, sizeof *s);
	/* No SMI command port in the FADT: ACPI mode is always on. */
	s->pm.control = ACPI_PM1_SCI_EN;
}

static void pm_read(void *state, const struct dev_env *env,
		    uint64_t offset, uint8_t *data, unsigned size, size_t count)
{
	struct pm_state *s = state;
	(void)env;
	for (size_t i = 0; i < count; i++)
		for (unsigned b = 0; b < size; b++) {
			unsigned at = (unsigned)offset + b;
			data[i * size + b] = at < PM1_BYTES
				? (uint8_t)(*reg(&s->pm, at) >> (at % 2 * 8)) : 0;
		}
}

/* Status bits are cleared by writing ones; SLP_EN is acted on, never
 * kept. */
static enum dev_action pm_write(void *state, const struct dev_env *env,
				uint64_t offset, const uint8_t *data,
				unsigned size, size_t count)
{
	struct pm_state *s = state;
	(void)env;
	for (size_t i = 0; i < count; i++) {
		for (unsigned b = 0; b < size && offset + b < PM1_BYTES; b++) {
			unsigned at = (unsigned)offset + b, shift = at % 2 * 8;
			uint16_t bits = (uint16_t)(data[i * size + b] << shift);
			uint16_t *r = reg(&s->pm, at);
			if (at < AT_ENABLE)
				*r &= (uint16_t)~bits;
			else
				*r = (uint16_t)((*r & ~(0xff << shift)) | bits);
		}
		if (!(s->pm.control & ACPI_PM1_SLP_EN))
			continue;
		s->pm.control &= (uint16_t)~ACPI_PM1_SLP_EN;
		switch (ACPI_PM1_SLP_TYP(s->pm.control)) {
		case ACPI_SLP_TYP_S3: return DEV_SLEEP;
		case ACPI_SLP_TYP_S5: return DEV_POWEROFF;
		default: break; /* a state the DSDT does not offer */
		}
	}
	return DEV_CONTINUE;
}

const struct device dev_acpi_pm = {
	.name = "acpi-pm",
	.state_size = sizeof(struct pm_state),
	.about = "acpi-pm: the ACPI PM1 status, enable and control "
		 "registers; SLP_EN sleeps (S3) or powers off (S5)",
	.size = PM1_BYTES, .max_size = PM1_BYTES,
	.reset = pm_reset, .read = pm_read, .write = pm_write,
};
