/* What a run left behind. */
#include "kvmrun-config.h"

#include "result.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>

#include "status.h"

/* Each stop reason's words for people and its token for machines (the
 * JSON report's stop.reason, enumerated in kvmrun-report.schema.json). */
static const struct {
	const char *name, *token;
} stops[] = {
	[STOPPED_HLT] = { "hlt", "hlt" },
	[STOPPED_EXIT] = { "exit", "exit" },
	[STOPPED_SHUTDOWN] = { "shutdown", "shutdown" },
	[STOPPED_POWEROFF] = { "poweroff", "poweroff" },
	[STOPPED_TIMEOUT] = { "timeout", "timeout" },
	[STOPPED_EXIT_LIMIT] = { "exit limit", "exit-limit" },
	[STOPPED_INTERRUPTED] = { "interrupted", "interrupted" },
	[STOPPED_UNHANDLED_IO] = { "unhandled port I/O", "unhandled-io" },
	[STOPPED_UNHANDLED_MMIO] = { "unhandled MMIO", "unhandled-mmio" },
	[STOPPED_FAIL_ENTRY] = { "entry failure", "entry-failure" },
	[STOPPED_INTERNAL_ERROR] = { "KVM internal error", "internal-error" },
	[STOPPED_UNKNOWN_EXIT] = { "unexpected exit", "unknown-exit" },
	[STOPPED_KVM_ERROR] = { "KVM error", "kvm-error" },
	[STOPPED_DEVICE_ERROR] = { "device error", "device-error" },
	[STOPPED_ASLEEP] = { "asleep for good", "asleep" },
};

const char *result_stop_name(enum stop_reason stop)
{
	return stops[stop].name;
}

const char *result_stop_token(enum stop_reason stop)
{
	return stops[stop].token;
}

const char *result_mp_state_name(uint32_t state)
{
	switch (state) {
	case KVM_MP_STATE_RUNNABLE: return "running";
	case KVM_MP_STATE_UNINITIALIZED: return "waiting for INIT";
	case KVM_MP_STATE_INIT_RECEIVED: return "waiting for SIPI";
	case KVM_MP_STATE_HALTED: return "halted";
	case KVM_MP_STATE_SIPI_RECEIVED: return "starting (SIPI received)";
	default: return "in an unknown state";
	}
}

static const char *const exit_names[] = {
	[KVM_EXIT_UNKNOWN] = "UNKNOWN",
	[KVM_EXIT_EXCEPTION] = "EXCEPTION",
	[KVM_EXIT_IO] = "IO",
	[KVM_EXIT_HYPERCALL] = "HYPERCALL",
	[KVM_EXIT_DEBUG] = "DEBUG",
	[KVM_EXIT_HLT] = "HLT",
	[KVM_EXIT_MMIO] = "MMIO",
	[KVM_EXIT_IRQ_WINDOW_OPEN] = "IRQ_WINDOW_OPEN",
	[KVM_EXIT_SHUTDOWN] = "SHUTDOWN",
	[KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
	[KVM_EXIT_INTR] = "INTR",
	[KVM_EXIT_SET_TPR] = "SET_TPR",
	[KVM_EXIT_TPR_ACCESS] = "TPR_ACCESS",
	[KVM_EXIT_NMI] = "NMI",
	[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	[KVM_EXIT_SYSTEM_EVENT] = "SYSTEM_EVENT",
};

const char *result_exit_name(uint32_t reason)
{
	if (reason < sizeof exit_names / sizeof exit_names[0] && exit_names[reason])
		return exit_names[reason];
	return "?";
}

size_t result_last_exits(const struct result *res,
			 const struct exit_rec *out[EXIT_RING])
{
	uint64_t n = res->exits < EXIT_RING ? res->exits : EXIT_RING;

	for (uint64_t i = 0; i < n; i++)
		out[i] = &res->ring[(res->exits - n + i) % EXIT_RING];
	return (size_t)n;
}

void result_trace_add(struct result *res, const struct exit_rec *e,
		      uint64_t guest_ns, uint64_t host_ns)
{
	struct trace_row *row = NULL;

	for (size_t i = 0; i < res->nrows && !row; i++)
		if (res->rows[i].reason == e->reason &&
		    res->rows[i].write == e->write && res->rows[i].addr == e->addr)
			row = &res->rows[i];
	if (!row) {
		if (res->nrows == res->rows_cap) {
			res->rows_cap = res->rows_cap ? 2 * res->rows_cap : 16;
			res->rows = realloc(res->rows,
					    res->rows_cap * sizeof *res->rows);
			if (!res->rows)
				err(EXIT_USAGE, "realloc");
		}
		row = &res->rows[res->nrows++];
		*row = (struct trace_row){ e->reason, e->write, e->addr, 0, 0, 0 };
	}
	row->count++;
	row->guest_ns += guest_ns;
	row->host_ns += host_ns;
}

void result_free(struct result *res)
{
	free(res->rows);
	free(res->console);
	free(res->cpus);
	for (size_t i = 0; i < res->nmemory; i++)
		free(res->memory[i].bytes);
	free(res->memory);
	memset(res, 0, sizeof *res);
}
