/* What a run left behind: why it stopped, the guest's status and output,
 * its registers. Data only; report.c turns it into text. */
#ifndef KVMRUN_RESULT_H
#define KVMRUN_RESULT_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum stop_reason {
	STOPPED_HLT,
	STOPPED_EXIT,       /* an exit handler received a status */
	STOPPED_SHUTDOWN,   /* triple fault */
	STOPPED_TIMEOUT,
	STOPPED_EXIT_LIMIT,
	STOPPED_INTERRUPTED,
	STOPPED_UNHANDLED_IO,
	STOPPED_UNHANDLED_MMIO,
	STOPPED_FAIL_ENTRY,
	STOPPED_INTERNAL_ERROR,
	STOPPED_UNKNOWN_EXIT,
	STOPPED_KVM_ERROR,
};

/* An I/O access as the guest made it. */
struct access {
	bool mmio, write;
	uint64_t addr;
	unsigned size;
	uint32_t count;
	uint64_t value;
};

#define LOG_KEEP 64 /* log values kept; the count goes on */

struct result {
	enum stop_reason stop;
	char detail[160];     /* more about the stop, such as a KVM error */
	struct access access; /* the access that stopped the guest */
	uint64_t exits, ns;
	bool has_status;
	uint64_t status;

	char *console;        /* everything the guest printed, up to a cap */
	size_t console_len, console_cap;
	bool console_truncated;
	bool quiet;           /* do not pass the console through */

	struct { uint64_t addr, value; } log[LOG_KEEP];
	uint64_t nlog;

	bool have_regs;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
};

/* A short name for (stop), such as "hlt" or "timeout". */
const char *result_stop_name(enum stop_reason stop);

void result_free(struct result *res);

#endif
