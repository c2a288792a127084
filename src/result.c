/* What a run left behind. */
#include "kvmrun-config.h"

#include "result.h"

#include <stdlib.h>
#include <string.h>

const char *result_stop_name(enum stop_reason stop)
{
	static const char *const names[] = {
		[STOPPED_HLT] = "hlt",
		[STOPPED_EXIT] = "exit",
		[STOPPED_SHUTDOWN] = "shutdown",
		[STOPPED_TIMEOUT] = "timeout",
		[STOPPED_EXIT_LIMIT] = "exit limit",
		[STOPPED_INTERRUPTED] = "interrupted",
		[STOPPED_UNHANDLED_IO] = "unhandled port I/O",
		[STOPPED_UNHANDLED_MMIO] = "unhandled MMIO",
		[STOPPED_FAIL_ENTRY] = "entry failure",
		[STOPPED_INTERNAL_ERROR] = "KVM internal error",
		[STOPPED_UNKNOWN_EXIT] = "unexpected exit",
		[STOPPED_KVM_ERROR] = "KVM error",
	};
	return names[stop];
}

void result_free(struct result *res)
{
	free(res->console);
	memset(res, 0, sizeof *res);
}
