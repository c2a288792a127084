/* Port and MMIO handlers: one table, filled in one place. */
#ifndef KVMRUN_IO_H
#define KVMRUN_IO_H

#include <linux/kvm.h>

#include "config.h"
#include "device.h"
#include "plan.h"
#include "result.h"

struct io_handler {
	uint64_t base, size;
	const struct device *dev;
	void *state; /* dev->state_size bytes, the device's own */
};

struct io_table {
	struct io_handler *ports, *mmio;
	size_t nports, nmmio;
	/* Port number to 1 + its handler's index in (ports), 0 for none,
	 * by blocks of 256 ports (NULL: none handled): a port exit's handler
	 * in two loads, and start-up allocates only the blocks in use. */
	uint32_t *port_of[256];
	struct fwcfg_facts fwcfg;
	int vm_fd; /* irq-line handlers raise lines on it (vm_irq_line) */
	bool ignore_unhandled; /* unhandled-io: ignore */
};

/* Fill (t) with the handlers of plan (p)'s config and its facts, for the
 * VM (vm_fd). */
void io_register(struct io_table *t, const struct plan *p, int vm_fd);

void io_free(struct io_table *t);

/* The state of the first port handler of (kind), or NULL: what its
 * dev_*.h says it is. */
void *io_port_state(struct io_table *t, enum handler_kind kind);

enum io_action {
	IO_CONTINUE,
	IO_STOP,      /* the guest gave its exit status */
	IO_UNHANDLED, /* no handler there: res->access says what */
	IO_FAILED,    /* the handler's device failed: res->detail says why */
	IO_SLEEP,     /* the guest asked to sleep (ACPI S3) */
	IO_POWEROFF,  /* the guest asked to power off (ACPI S5) */
};

/* Handle the port exit in (run): all size * count bytes. */
enum io_action io_port(struct io_table *t, struct kvm_run *run,
		       size_t run_size, struct result *res);

/* Handle the MMIO exit in (run). */
enum io_action io_mmio(struct io_table *t, struct kvm_run *run,
		       struct result *res);

#endif
