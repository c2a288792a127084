/* What a run left behind: why it stopped, the guest's status and output,
 * its registers, the failure analysis. Data only: the report stage turns
 * it into text, TAP and JSON. */
#ifndef KVMRUN_RESULT_H
#define KVMRUN_RESULT_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "paging.h"
#include "symbols.h"

enum stop_reason {
	STOPPED_HLT,
	STOPPED_EXIT,       /* an exit handler received a status */
	STOPPED_SHUTDOWN,   /* triple fault */
	STOPPED_POWEROFF,   /* ACPI S5 */
	STOPPED_TIMEOUT,
	STOPPED_EXIT_LIMIT,
	STOPPED_INTERRUPTED,
	STOPPED_UNHANDLED_IO,
	STOPPED_UNHANDLED_MMIO,
	STOPPED_FAIL_ENTRY,
	STOPPED_INTERNAL_ERROR,
	STOPPED_UNKNOWN_EXIT,
	STOPPED_KVM_ERROR,
	STOPPED_DEVICE_ERROR, /* a handler's request to KVM failed (detail) */
	STOPPED_ASLEEP,     /* ACPI S3 with no wake-up to come (detail) */
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

/* One VM exit as kvmrun saw it. */
struct exit_rec {
	uint32_t reason; /* KVM_EXIT_* */
	bool write, have_rip;
	uint8_t size;
	uint32_t count;
	uint64_t addr;   /* port or guest-physical address */
	uint64_t data;   /* the first bytes moved, little-endian */
	uint64_t rip;    /* when KVM reported it (KVM_CAP_SYNC_REGS) */
	unsigned cpu;    /* the vCPU that exited */
	/* KVM_EXIT_INTERNAL_ERROR only: the exception kvmrun delivered in
	 * KVM's place (-1: none) and the instruction that raised it. */
	int delivered;
	const char *delivered_by;
};

#define EXIT_RING 16     /* the last exits kept for the failure report */
#define EXIT_REASONS 64  /* exit reasons counted one by one */

/* --trace: exits of one reason at one port or address, and where the
 * time went: in the guest before them, in kvmrun handling them. */
struct trace_row {
	uint32_t reason;
	bool write;
	uint64_t addr;
	uint64_t count, guest_ns, host_ns;
};

#define CODE_BYTES 16  /* bytes kept from RIP on */
#define CODE_BEFORE 15 /* bytes kept before RIP: the longest instruction */

/* A page walk of one linear address, as the failure report shows it. */
struct walk_record {
	bool made;         /* false: paging is off or of a kind not decoded */
	uint64_t linear, cr3;
	enum pt_kind kind;
	bool ok;           /* it translated */
	struct pt_walk w;
};

/* What a failure report shows of one vCPU beyond its registers, read
 * from guest memory when the run ends, so that the report needs no VM. */
struct cpu_diagnosis {
	int code_bits;               /* 16, 32 or 64, from CS */
	uint64_t code_linear, code_phys;
	bool code_mapped;            /* else (code_why) says why */
	char code_why[64];
	uint8_t code[CODE_BYTES];    /* (ncode) bytes at RIP, in RAM */
	unsigned ncode;
	uint8_t before[CODE_BEFORE]; /* the (nbefore) bytes that end at RIP, */
	unsigned nbefore;            /* at the end of (before) */
	struct walk_record rip_walk, cr2_walk;
	struct code_place rip_place; /* RIP's function and line, if known */
};

/* An exception the guest had no handler for, as kvmrun's diagnostic IDT
 * caught it (idt.h): the frame the CPU pushed. */
struct exception_rec {
	bool caught;        /* the run stopped in a stub of the IDT */
	bool frame_read;    /* the frame below was read from the stack */
	unsigned vector;
	bool has_error_code;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss; /* where the exception came from */
	uint64_t cr2;       /* for #PF: the address that faulted */
};

/* A vCPU as the run left it (cpu.count above 1). */
struct vcpu_state {
	bool have_regs;
	uint32_t mp_state; /* KVM_MP_STATE_*, when KVM said */
	bool have_mp_state;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct cpu_diagnosis diag;
};

/* Guest-physical [gpa, gpa + len) as the run left it: what an
 * expect.memory item reads. (bytes) is NULL when the range is not all
 * RAM. */
struct mem_bytes {
	uint64_t gpa;
	size_t len;
	uint8_t *bytes;
};

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
	/* Several configs at once: console lines go out whole, each
	 * labelled "(label)| " (console.c). */
	const char *label;
	char pending[1024];
	size_t npending;

	struct { uint64_t addr, value; } log[LOG_KEEP];
	uint64_t nlog;

	/* The registers of the vCPU that stopped the run: (cpu), 0 unless
	 * there are several; (cpus) has every one of them then. */
	bool have_regs;
	struct kvm_regs regs;
	struct kvm_sregs sregs;
	struct cpu_diagnosis diag;
	/* The host reset the vCPU when the guest shut down (KVM on AMD SVM
	 * does): (regs) and (sregs) are the reset state, not the failure's. */
	bool reset_at_shutdown;
	/* The exception that stopped the run, if the diagnostic IDT caught
	 * one: (regs) then show RIP, RSP and RFLAGS from before it. */
	struct exception_rec exception;
	unsigned cpu;
	struct vcpu_state *cpus;
	size_t ncpus;

	struct exit_rec ring[EXIT_RING]; /* exit n is at (n - 1) % EXIT_RING */
	uint64_t by_reason[EXIT_REASONS]; /* the last counts all others */

	/* The ranges the plan's checks read (plan->reads), in order. */
	struct mem_bytes *memory;
	size_t nmemory;

	bool trace;
	struct trace_row *rows;
	size_t nrows, rows_cap;
};

/* A short name for (stop), such as "hlt" or "unhandled port I/O". */
const char *result_stop_name(enum stop_reason stop);

/* (stop) as a token, such as "hlt" or "unhandled-io". */
const char *result_stop_token(enum stop_reason stop);

/* What KVM_MP_STATE (state) means, such as "halted". */
const char *result_mp_state_name(uint32_t state);

/* The name of KVM exit (reason), such as "IO" or "HLT"; "?" if unknown. */
const char *result_exit_name(uint32_t reason);

/* The most recent exits, oldest first: up to EXIT_RING of them. */
size_t result_last_exits(const struct result *res,
			 const struct exit_rec *out[EXIT_RING]);

/* Count exit (e) and its times in the --trace table. */
void result_trace_add(struct result *res, const struct exit_rec *e,
		      uint64_t guest_ns, uint64_t host_ns);

void result_free(struct result *res);

#endif
