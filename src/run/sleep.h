/*
 * ACPI S3, suspend to RAM, as the run stage does it when the guest writes
 * SLP_EN: the vCPU stops, kvmrun waits for the wake-up (the RTC's alarm,
 * when PM1's RTC_EN lets it wake the machine), and vCPU 0 starts again
 * in real mode at the FACS waking vector, as firmware resumes a PC; RAM
 * is kept. One vCPU only: waking application processors is not modelled.
 */
#ifndef KVMRUN_SLEEP_H
#define KVMRUN_SLEEP_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

#include "hook.h"
#include "io.h"
#include "vm.h"

enum sleep_end {
	SLEEP_WOKE,    /* vCPU 0 is at the waking vector */
	SLEEP_STOPPED, /* (*stop) was set while it slept: the run ends */
	SLEEP_NEVER,   /* nothing will wake it: (why) says what is missing */
	SLEEP_FAILED,  /* KVM refused to restart the vCPU: (why) */
};

/* Sleep now, vCPU (c) of (vm) having asked; (have_facs): acpi: true gave
 * the tables. */
enum sleep_end sleep_s3(struct vm *vm, struct vcpu *c, struct io_table *io,
			bool have_facs, volatile sig_atomic_t *stop,
			char *why, size_t whylen);

/* Take the guest's request to sleep (IO_SLEEP) on the exit loop of
 * (h). */
void sleep_register(struct run_hooks *h);

#endif
