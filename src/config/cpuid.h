/*
 * cpu.cpuid: the vendor string and named features turned on or off on top
 * of what KVM_GET_SUPPORTED_CPUID offers, as kernels and test suites
 * require or forbid them.
 */
#ifndef KVMRUN_CPUID_H
#define KVMRUN_CPUID_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum cpuid_reg { CPUID_EAX, CPUID_EBX, CPUID_ECX, CPUID_EDX };

struct cpuid_feature {
	const char *name;
	uint32_t leaf; /* subleaf 0 */
	uint8_t reg, bit;
};

extern const struct cpuid_feature cpuid_features[];
/* The features' names, NULL-terminated. */
const char *const *cpuid_feature_names(void);

struct cpu_model;

/* cpu.cpuid as the plan resolves it: what to change in KVM's table. */
struct cpuid_edits {
	const struct cpu_model *model; /* or NULL */
	char vendor[13];               /* or empty */
	const unsigned *set, *clear;   /* indexes in cpuid_features */
	size_t nset, nclear;
};

/* True if (e) changes anything. */
bool cpuid_edits_any(const struct cpuid_edits *e);

/* Apply the model, then the vendor and features, of (e) to (c); a
 * feature in a leaf that KVM did not give is left out. */
void cpuid_apply(struct kvm_cpuid2 *c, const struct cpuid_edits *e);

/* Say (id) is this vCPU's APIC ID: CPUID 1 EBX[31:24], and the x2APIC
 * ID in EDX of leaves 0xB and 0x1F, as a PC's firmware leaves them. */
void cpuid_set_apic_id(struct kvm_cpuid2 *c, unsigned id);

/* Hyper-V's leaves (KVM_GET_SUPPORTED_HV_CPUID gives them) where a
 * Hyper-V guest looks, 0x40000000 on; KVM's own leaves move 0x100 up, as
 * QEMU puts them, where Linux still finds them. A new table, or NULL. */
#define CPUID_HYPERVISOR_BASE 0x40000000u
#define CPUID_HYPERV_FEATURES 0x40000003u
#define CPUID_HYPERV_SYNIC (1u << 2)  /* its EAX: SynIC MSRs */
struct kvm_cpuid2 *cpuid_with_hyperv(const struct kvm_cpuid2 *c,
				     const struct kvm_cpuid2 *hv);

#endif
