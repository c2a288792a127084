/*
 * Handler kinds as descriptors: each kind of port or MMIO handler is one
 * struct device (its name, what --explain says of it, its default size,
 * the config keys it takes, and how it reads and writes), in a dev_*.c of
 * its own where it has state, and listed once in devices.c, which the
 * config, io and explain stages all read. A device's state is its own:
 * the descriptor gives its size, the I/O stage allocates it per handler
 * and hands it to the device's functions, and only the device (and what
 * its dev_*.h offers, such as sleep.c's look at the RTC) knows its layout.
 */
#ifndef KVMRUN_DEVICE_H
#define KVMRUN_DEVICE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dev_fwcfg.h"  /* struct fwcfg_facts, in struct dev_env */
#include "dev_hvtest.h" /* struct hv_sint_route, in struct dev_env */

/* The kinds, in the order of the table in devices.c. */
enum handler_kind { H_CONSOLE, H_EXIT, H_CONSTANT, H_LOG, H_IGNORE, H_UART,
		    H_DEBUG_EXIT, H_FW_CFG, H_IRQ_LINE, H_LATCH, H_PM_TIMER,
		    H_IOMEM, H_RTC, H_ACPI_PM, H_HYPERV_TESTDEV, H_NKINDS };

/* What a device may do to the run beyond its own state: given by io.c. */
struct dev_env {
	void (*console)(void *ctx, const char *data, size_t len);
	void (*status)(void *ctx, uint64_t status); /* the guest's exit status */
	void (*log)(void *ctx, uint64_t addr, uint64_t value);
	/* Raise or lower an IRQ line: 0, or -1 with errno. */
	int (*irq_line)(void *ctx, uint32_t irq, bool level);
	/* Route lines HV_SINT_GSI + i to the SynIC SINTs of (routes) that
	 * are used, beside the irqchip's own: 0, or -1 with errno. */
	int (*hv_routes)(void *ctx, const struct hv_sint_route *routes, size_t n);
	/* Why the device stops the run (DEV_FAILED without an errno). */
	void (*refuse)(void *ctx, const char *why);
	const struct fwcfg_facts *fwcfg;
	void *ctx;
};

enum dev_action {
	DEV_CONTINUE,
	DEV_STOP,   /* the guest's status was given: the run ends */
	DEV_FAILED, /* the host refused what the device asked; errno says why */
	DEV_SLEEP,    /* the guest asked for ACPI S3: the run stage sleeps */
	DEV_POWEROFF, /* the guest asked for ACPI S5: the run ends */
};

/* Which config keys a kind takes. */
enum dev_value { VALUE_NONE, VALUE_OPTIONAL, VALUE_REQUIRED };

struct device {
	const char *name;      /* the config's word: "uart8250" */
	const char *about;     /* one line for --explain */
	uint64_t size;         /* addresses it spans; 0: the bus's default */
	enum dev_value value;  /* whether `value:` is taken or needed */
	uint64_t max_value;    /* with value: its largest (0: any) */
	const char *value_is;  /* with value: what it means, for messages */
	bool input;            /* takes `input:` */
	uint64_t max_size;     /* the largest size: it holds that much; 0: any */
	bool needs_irqchip;
	size_t state_size;     /* bytes of state per handler (0: none) */
	/* Make (s) from the config's value, input (may be NULL) and the
	 * handler's size. */
	void (*reset)(void *s, uint64_t value, const char *input,
		      uint64_t size);
	/* Free what (reset) took, if anything (may be NULL). */
	void (*release)(void *s);
	/* Fill (data): (count) items of (size) bytes read at (offset). */
	void (*read)(void *s, const struct dev_env *env,
		     uint64_t offset, uint8_t *data, unsigned size, size_t count);
	/* Take (count) items of (size) bytes written at (offset). */
	enum dev_action (*write)(void *s, const struct dev_env *env,
				 uint64_t offset, const uint8_t *data,
				 unsigned size, size_t count);
};

/* Every kind, by enum handler_kind. */
extern const struct device *const devices[H_NKINDS];

/* Their names, by kind, NULL-terminated (for the config's schema). */
const char *const *device_names(void);

/* The names of the kinds for which (takes) is true, as "constant and
 * irq-line", into (buf); how many there are. */
size_t device_takers(bool (*takes)(const struct device *d), char *buf,
		     size_t size);

/* A device's read that gives zeros. */
void dev_read_zero(void *s, const struct dev_env *env,
		   uint64_t offset, uint8_t *data, unsigned size, size_t count);

/* The last of (count) items of (size) bytes, little-endian. */
uint64_t dev_last_value(const uint8_t *data, unsigned size, size_t count);

/* Each item of (count) of (size) bytes in (data) set to (v), low bytes
 * first. */
void dev_fill(uint8_t *data, unsigned size, size_t count, uint64_t v);

#endif
