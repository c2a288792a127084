/* ACPI S3: sleep, wait for the RTC alarm, resume at the waking vector
 * (see sleep.h). */
#include "kvmrun-config.h"

#include "sleep.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "acpi.h"
#include "dev_acpi_pm.h"
#include "dev_rtc.h"
#include "run.h"
#include "vcpu.h"

#define NS 1000000000LL
#define REAL_MODE_TOP 0x100000 /* what CS:IP reaches, less the HMA */
/* The longest nap between two looks at (*stop): a signal that comes
 * just before a nap is seen this late at worst. */
#define NAP_NS (100 * 1000000LL)

/* When the machine wakes, in host time: false, with (why), if never. */
static bool wake_time(struct io_table *io, int64_t *at, char *why,
		      size_t whylen)
{
	struct acpi_pm *pm = io_port_state(io, H_ACPI_PM);
	struct rtc *rtc = io_port_state(io, H_RTC);

	if (!pm || !acpi_pm_rtc_wakes(pm))
		snprintf(why, whylen, "the guest slept (ACPI S3) with RTC_EN "
			 "clear in PM1 enable: the RTC alarm may not wake it "
			 "and nothing else can");
	else if (!rtc)
		snprintf(why, whylen, "the guest slept (ACPI S3) with no rtc "
			 "handler: no alarm can wake it");
	else if (!rtc_next_alarm(rtc, rtc_host_now(), at))
		snprintf(why, whylen, "the guest slept (ACPI S3) with the RTC "
			 "alarm off (AIE clear in register B) or set to no "
			 "time of day: nothing will wake it");
	else
		return true;
	return false;
}

/* Where the guest asked to be woken: the FACS's 64-bit vector when it
 * set one, else the 32-bit one; 0, with (why), if none is usable. */
static uint64_t waking_vector(const struct vm *vm, bool have_facs, char *why,
			      size_t whylen)
{
	const uint8_t *facs = have_facs ? vm_gpa(vm, ACPI_FACS, 64) : NULL;
	uint32_t v32;
	uint64_t v64;

	if (!facs) {
		snprintf(why, whylen, "the guest slept (ACPI S3) with no FACS "
			 "to give a waking vector (acpi: true makes one)");
		return 0;
	}
	memcpy(&v32, facs + ACPI_FACS_WAKING_VECTOR, 4);
	memcpy(&v64, facs + ACPI_FACS_X_WAKING_VECTOR, 8);
	uint64_t v = v64 ? v64 : v32;
	if (v == 0 || v >= REAL_MODE_TOP) {
		snprintf(why, whylen, "the guest slept (ACPI S3) with the FACS "
			 "waking vector at 0x%llx: %s", (unsigned long long)v,
			 v ? "beyond real mode's 1 MiB" : "nowhere to wake");
		return 0;
	}
	return v;
}

/* The vCPU as a PC's firmware hands it to the waking vector: the state
 * after RESET (kept from the VM's creation), at CS:IP = vector >> 4 :
 * vector & 15. */
static int restart(struct vm *vm, struct vcpu *c, uint64_t vector)
{
	struct kvm_regs regs = { .rflags = 0x2, .rip = vector & 15 };
	struct kvm_sregs sregs = vm->reset;

	sregs.cs.selector = (uint16_t)(vector >> 4);
	sregs.cs.base = vector & ~15ULL;
	if (vm_set_sregs(c, &sregs) != 0 || vm_set_regs(c, &regs) != 0)
		return -1;
	return 0;
}

/* KVM finishes the OUT that asked to sleep before state is set from
 * outside (its API's rule): a KVM_RUN that returns at once. The exit
 * stays recorded as the OUT. */
static int finish_exit(struct vcpu *c)
{
	struct kvm_run *run = c->run;
	uint32_t reason = run->exit_reason;
	uint8_t io[sizeof run->io];

	memcpy(io, &run->io, sizeof io);
	run->immediate_exit = 1;
	int ran = vm_run(c);
	run->immediate_exit = 0;
	run->exit_reason = reason;
	memcpy(&run->io, io, sizeof io);
	return ran == 0 || errno == EINTR ? 0 : -1;
}

enum sleep_end sleep_s3(struct vm *vm, struct vcpu *c, struct io_table *io,
			bool have_facs, volatile sig_atomic_t *stop,
			char *why, size_t whylen)
{
	int64_t at;

	if (vm->ncpus > 1) {
		snprintf(why, whylen, "the guest slept (ACPI S3) with %zu "
			 "vCPUs: kvmrun wakes one-vCPU machines only",
			 vm->ncpus);
		return SLEEP_NEVER;
	}
	uint64_t vector = waking_vector(vm, have_facs, why, whylen);
	if (!vector || !wake_time(io, &at, why, whylen))
		return SLEEP_NEVER;
	if (finish_exit(c) != 0) {
		snprintf(why, whylen, "KVM_RUN (to finish the exit before "
			 "sleeping): %s", strerror(errno));
		return SLEEP_FAILED;
	}
	/* A signal (the timeout's too) ends the wait, and the run. */
	for (int64_t now; (now = rtc_host_now()) < at;) {
		if (*stop)
			return SLEEP_STOPPED;
		int64_t until = at - now > NAP_NS ? now + NAP_NS : at;
		struct timespec ts = { .tv_sec = (time_t)(until / NS),
				       .tv_nsec = (long)(until % NS) };
		clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &ts, NULL);
	}
	if (*stop)
		return SLEEP_STOPPED;
	acpi_pm_woke_by_rtc(io_port_state(io, H_ACPI_PM));
	int failed = restart(vm, c, vector);
	c->regs_synced = false; /* kvm_run's copy is of before the sleep */
	if (failed) {
		snprintf(why, whylen, "KVM_SET_SREGS or KVM_SET_REGS (to wake "
			 "at 0x%llx): %s", (unsigned long long)vector,
			 strerror(errno));
		return SLEEP_FAILED;
	}
	return SLEEP_WOKE;
}

/* The guest asked for ACPI S3: true if the run ends there. */
static bool sleep_until_woken(struct run *r, struct vcpu *c)
{
	struct result *res = r->res;
	char why[sizeof res->detail];

	enum sleep_end end = sleep_s3(r->vm, c, r->io, r->plan->acpi != NULL,
				      r->stop_signal, why, sizeof why);
	r->asleep = end == SLEEP_STOPPED; /* the timeout's report says so */
	if (end == SLEEP_WOKE || end == SLEEP_STOPPED)
		return false;
	res->stop = end == SLEEP_NEVER ? STOPPED_ASLEEP : STOPPED_KVM_ERROR;
	snprintf(res->detail, sizeof res->detail, "%s", why);
	return true;
}

void sleep_register(struct run_hooks *h)
{
	hook_io(h, IO_SLEEP, sleep_until_woken);
}
