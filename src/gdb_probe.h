/* Whether this host's KVM stops on data breakpoints (see gdb_probe.c). */
#ifndef KVMRUN_GDB_PROBE_H
#define KVMRUN_GDB_PROBE_H

#include <stdbool.h>

/* Run a throwaway VM on the /dev/kvm descriptor (kvm) to find out. */
bool gdb_probe_data_breakpoints(int kvm);

#endif
