/* The one table of handler kinds (see device.h). */
#include "kvmrun-config.h"

#include "device.h"

#include <stdio.h>
#include <string.h>

extern const struct device dev_console, dev_exit, dev_constant, dev_log,
	dev_ignore, dev_uart8250, dev_debug_exit, dev_fw_cfg, dev_irq_line,
	dev_latch, dev_pm_timer, dev_iomem, dev_rtc, dev_acpi_pm,
	dev_hyperv_testdev;

const struct device *const devices[H_NKINDS] = {
	[H_CONSOLE] = &dev_console,
	[H_EXIT] = &dev_exit,
	[H_CONSTANT] = &dev_constant,
	[H_LOG] = &dev_log,
	[H_IGNORE] = &dev_ignore,
	[H_UART] = &dev_uart8250,
	[H_DEBUG_EXIT] = &dev_debug_exit,
	[H_FW_CFG] = &dev_fw_cfg,
	[H_IRQ_LINE] = &dev_irq_line,
	[H_LATCH] = &dev_latch,
	[H_PM_TIMER] = &dev_pm_timer,
	[H_IOMEM] = &dev_iomem,
	[H_RTC] = &dev_rtc,
	[H_ACPI_PM] = &dev_acpi_pm,
	[H_HYPERV_TESTDEV] = &dev_hyperv_testdev,
};

const char *const *device_names(void)
{
	static const char *names[H_NKINDS + 1];

	if (!names[0])
		for (int k = 0; k < H_NKINDS; k++)
			names[k] = devices[k]->name;
	return names;
}

size_t device_takers(bool (*takes)(const struct device *d), char *buf,
		     size_t size)
{
	size_t n = 0, total = 0, seen = 0;

	for (int k = 0; k < H_NKINDS; k++)
		total += takes(devices[k]);
	buf[0] = '\0';
	for (int k = 0; k < H_NKINDS && n < size; k++) {
		if (!takes(devices[k]))
			continue;
		seen++;
		const char *sep = seen == 1 ? "" : seen == total ? " and " : ", ";
		n += (size_t)snprintf(buf + n, size - n, "%s%s", sep,
				      devices[k]->name);
	}
	return total;
}

void dev_read_zero(void *s, const struct dev_env *env,
		   uint64_t offset, uint8_t *data, unsigned size, size_t count)
{
	(void)s, (void)env, (void)offset;
	memset(data, 0, (size_t)size * count);
}

uint64_t dev_last_value(const uint8_t *data, unsigned size, size_t count)
{
	uint64_t v = 0;

	memcpy(&v, data + (count - 1) * size, size < 8 ? size : 8);
	return v;
}

void dev_fill(uint8_t *data, unsigned size, size_t count, uint64_t v)
{
	for (size_t i = 0; i < count; i++) {
		memset(data + i * size, 0, size);
		memcpy(data + i * size, &v, size < 8 ? size : 8);
	}
}
