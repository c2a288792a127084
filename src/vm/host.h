/*
 * What this machine's KVM can do: one probe of the host, asked lazily
 * and only what is needed. `kvmrun --host` prints every capability; a
 * run that needs one the host lacks exits 77 naming it; a test's
 * `# needs: CAPABILITY` asks the same probe (kvmrun --host CAPABILITY).
 */
#ifndef KVMRUN_HOST_H
#define KVMRUN_HOST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

enum host_cap {
	HOST_KVM,              /* /dev/kvm opens read-write, API 12 */
	HOST_REAL_MODE,
	HOST_PROTECTED_MODE,
	HOST_PAGING32,         /* 32-bit paging */
	HOST_PAE,              /* PAE paging */
	HOST_LONG_MODE,
	HOST_PAGES_1G,         /* 1 GiB pages offered to guests */
	HOST_IRQCHIP,
	HOST_SMP,              /* more than one vCPU */
	HOST_READONLY_MEM,
	HOST_HYPERV,
	HOST_EXCEPTIONS,       /* int3 reaches the guest's own handler */
	HOST_TRIPLE_FAULT,     /* an exception with no IDT shuts down */
	HOST_STATE_AFTER_SHUTDOWN, /* ... and leaves the registers as they were */
	HOST_GDT_FAULT_SHUTDOWN,   /* so does a fault after the GDT is zeroed */
	HOST_GUEST_DEBUG,
	HOST_SINGLE_STEP,
	HOST_SW_BREAKPOINTS,
	HOST_HW_BREAKPOINTS,
	HOST_DATA_BREAKPOINTS,
	HOST_NCAPS
};

/* The capability called (name) on the command line and in `# needs:`,
 * or -1. */
int host_cap_named(const char *name);
const char *host_cap_name(enum host_cap cap);

/*
 * Whether the host has (cap), probed on first asking (later askings
 * read the answer), with why in (why) either way: the fact measured
 * and, when it is missing, what would give it.
 */
bool host_has(enum host_cap cap, char *why, size_t whylen);

/* Which KVM this is ("kvm_amd (AMD SVM)", "kvm-pvm, ..."), with what
 * tells it; "" without /dev/kvm. */
const char *host_kvm_kind(void);

/* The most vCPUs a VM may have here (KVM_CAP_MAX_VCPUS), 0 if unknown. */
long host_max_vcpus(void);

/*
 * kvmrun --host [CAPABILITY...]: a line a capability (all when none are
 * named) to (out), and a JSON document to (json) when not NULL. Returns
 * 0 when guests can run and every named capability is there, 77 when
 * not, 2 for a name kvmrun does not know.
 */
int host_report(char *const names[], int nnames, FILE *out, FILE *json);

#endif
