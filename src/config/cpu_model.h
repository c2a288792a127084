/*
 * Named CPU models, as QEMU's -cpu NAME defines them (facts from QEMU's
 * query-cpu-model-expansion): a vendor, a family, model and stepping, the
 * highest basic and extended leaves, a brand string and the features of
 * leaves 1, 7 and 0x80000001. A model narrows the host's CPUID: a feature
 * is on if the model has it and the host's KVM offers it (QEMU drops the
 * others with a warning); what QEMU adds under KVM, the hypervisor bit and
 * x2APIC, is kept.
 */
#ifndef KVMRUN_CPU_MODEL_H
#define KVMRUN_CPU_MODEL_H

#include <linux/kvm.h>
#include <stdint.h>

struct cpu_model {
	const char *name;
	const char *vendor;   /* twelve characters */
	unsigned family, model, stepping;
	uint32_t level, xlevel; /* the highest leaves */
	const char *brand;    /* 0x80000002-0x80000004: at most 47 bytes */
	uint32_t edx1, ecx1;  /* leaf 1 */
	uint32_t ebx7, ecx7, edx7; /* leaf 7, subleaf 0 */
	uint32_t edx_ext, ecx_ext; /* leaf 0x80000001 */
};

/* The models, NULL-name-terminated, and their names for the schema. */
extern const struct cpu_model cpu_models[];
const char *const *cpu_model_names(void);

/* Narrow (c), the host's CPUID, to model (m): leaves past the model's
 * highest are taken out. */
void cpu_model_apply(struct kvm_cpuid2 *c, const struct cpu_model *m);

#endif
