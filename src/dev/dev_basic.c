/* The handler kinds with no state, one value or plain bytes: console,
 * exit, constant, log, ignore, debug-exit, irq-line, latch, pm-timer and
 * iomem. */
#include "kvmrun-config.h"

#include "device.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "status.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct basic_state {
	uint64_t value;  /* the config's value (constant, irq-line, latch) */
	uint8_t *bytes;  /* iomem: what was written, its size */
};

static enum dev_action write_nothing(void *s, const struct dev_env *env,
				     uint64_t offset, const uint8_t *data,
				     unsigned size, size_t count)
{
	(void)s, (void)env, (void)offset, (void)data, (void)size, (void)count;
	return DEV_CONTINUE;
}

static void keep_value(void *state, uint64_t value, const char *input,
		       uint64_t size)
{
	struct basic_state *s = state;
	(void)input, (void)size;
	memset(s, 0, sizeof *s);
	s->value = value;
}

/* ---- console ---- */

static enum dev_action console_write(void *s, const struct dev_env *env,
				     uint64_t offset, const uint8_t *data,
				     unsigned size, size_t count)
{
	(void)s, (void)offset;
	env->console(env->ctx, (const char *)data, (size_t)size * count);
	return DEV_CONTINUE;
}

const struct device dev_console = {
	.name = "console",
	.state_size = sizeof(struct basic_state),
	.about = "console: writes go to stdout; reads give 0",
	.reset = keep_value, .read = dev_read_zero, .write = console_write,
};

/* ---- exit and debug-exit ---- */

static enum dev_action exit_write(void *s, const struct dev_env *env,
				  uint64_t offset, const uint8_t *data,
				  unsigned size, size_t count)
{
	(void)s, (void)offset;
	env->status(env->ctx, dev_last_value(data, size, count));
	return DEV_STOP;
}

const struct device dev_exit = {
	.name = "exit",
	.state_size = sizeof(struct basic_state),
	.about = "exit: a write is the guest status and stops the VM",
	.reset = keep_value, .read = dev_read_zero, .write = exit_write,
};

/* QEMU's isa-debug-exit: kvmrun keeps the value as written (QEMU would
 * exit with value * 2 + 1); expect.status compares it. */
const struct device dev_debug_exit = {
	.name = "debug-exit",
	.state_size = sizeof(struct basic_state),
	.about = "debug-exit: QEMU's isa-debug-exit; the value written "
		 "ends the run as the guest's status",
	.reset = keep_value, .read = dev_read_zero, .write = exit_write,
};

/* ---- constant and ignore ---- */

static void constant_read(void *state, const struct dev_env *env,
			  uint64_t offset, uint8_t *data, unsigned size,
			  size_t count)
{
	struct basic_state *s = state;
	(void)env, (void)offset;
	dev_fill(data, size, count, s->value);
}

const struct device dev_constant = {
	.name = "constant",
	.state_size = sizeof(struct basic_state),
	.about = "constant: reads give the value; writes are ignored",
	.value = VALUE_OPTIONAL, .value_is = "what reads give",
	.reset = keep_value, .read = constant_read, .write = write_nothing,
};

/* A PC's empty bus: reads float to all ones. */
static void ones_read(void *s, const struct dev_env *env,
		      uint64_t offset, uint8_t *data, unsigned size, size_t count)
{
	(void)s, (void)env, (void)offset;
	memset(data, 0xff, (size_t)size * count);
}

const struct device dev_ignore = {
	.name = "ignore",
	.state_size = sizeof(struct basic_state),
	.about = "ignore: reads give all ones; writes are ignored",
	.reset = keep_value, .read = ones_read, .write = write_nothing,
};

/* ---- log ---- */

static enum dev_action log_write(void *s, const struct dev_env *env,
				 uint64_t offset, const uint8_t *data,
				 unsigned size, size_t count)
{
	(void)s;
	for (size_t i = 0; i < count; i++)
		env->log(env->ctx, offset, dev_last_value(data + i * size, size, 1));
	return DEV_CONTINUE;
}

const struct device dev_log = {
	.name = "log",
	.state_size = sizeof(struct basic_state),
	.about = "log: writes are recorded and reported; reads give 0",
	.reset = keep_value, .read = dev_read_zero, .write = log_write,
};

/* ---- irq-line ---- */

/* Non-zero raises the line, zero lowers it. */
static enum dev_action irq_write(void *state, const struct dev_env *env,
				 uint64_t offset, const uint8_t *data,
				 unsigned size, size_t count)
{
	struct basic_state *s = state;
	(void)offset;
	bool level = dev_last_value(data, size, count) != 0;
	return env->irq_line(env->ctx, (uint32_t)s->value, level) == 0
		? DEV_CONTINUE : DEV_FAILED;
}

#define MAX_IRQ 23 /* the IOAPIC's last input */

const struct device dev_irq_line = {
	.name = "irq-line",
	.state_size = sizeof(struct basic_state),
	.about = "irq-line: a write raises (non-zero) or lowers (zero) "
		 "its IRQ line on the irqchip",
	.value = VALUE_REQUIRED, .max_value = MAX_IRQ, .value_is = "its IRQ",
	.needs_irqchip = true,
	.reset = keep_value, .read = dev_read_zero, .write = irq_write,
};

/* ---- latch ---- */

static enum dev_action latch_write(void *state, const struct dev_env *env,
				   uint64_t offset, const uint8_t *data,
				   unsigned size, size_t count)
{
	struct basic_state *s = state;
	(void)env, (void)offset;
	s->value = dev_last_value(data, size, count);
	return DEV_CONTINUE;
}

/* QEMU's pc-testdev at port 0xe0: kvm-unit-tests' emulator test moves
 * data through it with in, out and string I/O. */
const struct device dev_latch = {
	.name = "latch",
	.state_size = sizeof(struct basic_state),
	.about = "latch: reads give back the last value written (at first "
		 "the value, default 0)",
	.value = VALUE_OPTIONAL, .value_is = "what reads give before a write",
	.reset = keep_value, .read = constant_read, .write = latch_write,
};

/* ---- pm-timer ---- */

#define PM_TIMER_HZ 3579545 /* the ACPI PM timer's clock */

/* The ACPI PM timer: a 24-bit count at 3.579545 MHz, from the host's
 * monotonic clock (the FADT of acpi: true says it is at port 0x608). */
static void pm_timer_read(void *s, const struct dev_env *env,
			  uint64_t offset, uint8_t *data, unsigned size,
			  size_t count)
{
	struct timespec t;

	(void)s, (void)env, (void)offset;
	clock_gettime(CLOCK_MONOTONIC, &t);
	uint64_t ticks = (uint64_t)t.tv_sec * PM_TIMER_HZ +
			 (uint64_t)t.tv_nsec * PM_TIMER_HZ / 1000000000u;
	dev_fill(data, size, count, ticks & 0xffffff);
}

const struct device dev_pm_timer = {
	.name = "pm-timer",
	.state_size = sizeof(struct basic_state),
	.about = "pm-timer: the ACPI PM timer, a 24-bit count at 3.579545 "
		 "MHz; writes are ignored",
	.reset = keep_value, .read = pm_timer_read, .write = write_nothing,
};

/* ---- iomem ---- */

#define IOMEM_MAX (16u << 20) /* bytes an iomem handler holds at most */

static void iomem_reset(void *state, uint64_t value, const char *input,
			uint64_t size)
{
	struct basic_state *s = state;
	(void)value, (void)input;
	memset(s, 0, sizeof *s);
	s->bytes = calloc(1, size);
	if (!s->bytes)
		err(EXIT_USAGE, "calloc");
}

static void iomem_release(void *state)
{
	struct basic_state *s = state;
	free(s->bytes);
	s->bytes = NULL;
}

/* The bus keeps [offset, offset + size) inside the handler; the items of
 * string I/O on a port all go to that one place, as on a real port. */
static void iomem_read(void *state, const struct dev_env *env,
		       uint64_t offset, uint8_t *data, unsigned size, size_t count)
{
	struct basic_state *s = state;
	(void)env;
	for (size_t i = 0; i < count; i++)
		memcpy(data + i * size, s->bytes + offset, size);
}

static enum dev_action iomem_write(void *state, const struct dev_env *env,
				   uint64_t offset, const uint8_t *data,
				   unsigned size, size_t count)
{
	struct basic_state *s = state;
	(void)env;
	if (count)
		memcpy(s->bytes + offset, data + (count - 1) * size, size);
	return DEV_CONTINUE;
}

/* QEMU's pc-testdev memory at 0xff000000: RAM that every access reaches
 * through an MMIO exit, so that KVM's instruction emulator does the
 * access (kvm-unit-tests' emulator and lam tests). */
const struct device dev_iomem = {
	.name = "iomem",
	.state_size = sizeof(struct basic_state),
	.about = "iomem: memory behind MMIO exits: reads give back what was "
		 "written (at first zeros)",
	.size = 0x10000, .max_size = IOMEM_MAX,
	.reset = iomem_reset, .release = iomem_release,
	.read = iomem_read, .write = iomem_write,
};
