/* cpu.cpuid (see cpuid.h). */
#include "kvmrun-config.h"

#include "cpuid.h"

#include <stdlib.h>
#include <string.h>

#include "config.h"
#include "cpu_model.h"

#define F(n, l, r, b) { n, l, CPUID_##r, b }

/* The features kernels and test suites most often ask about. */
const struct cpuid_feature cpuid_features[] = {
	F("fpu", 1, EDX, 0), F("tsc", 1, EDX, 4), F("msr", 1, EDX, 5),
	F("pae", 1, EDX, 6), F("apic", 1, EDX, 9), F("sep", 1, EDX, 11),
	F("mtrr", 1, EDX, 12), F("pge", 1, EDX, 13), F("cmov", 1, EDX, 15),
	F("pat", 1, EDX, 16), F("clflush", 1, EDX, 19), F("mmx", 1, EDX, 23),
	F("fxsr", 1, EDX, 24), F("sse", 1, EDX, 25), F("sse2", 1, EDX, 26),
	F("sse3", 1, ECX, 0), F("pclmulqdq", 1, ECX, 1), F("monitor", 1, ECX, 3),
	F("vmx", 1, ECX, 5), F("ssse3", 1, ECX, 9), F("fma", 1, ECX, 12),
	F("cx16", 1, ECX, 13), F("pcid", 1, ECX, 17), F("sse4_1", 1, ECX, 19),
	F("sse4_2", 1, ECX, 20), F("x2apic", 1, ECX, 21), F("movbe", 1, ECX, 22),
	F("popcnt", 1, ECX, 23), F("tsc_deadline", 1, ECX, 24),
	F("aes", 1, ECX, 25), F("xsave", 1, ECX, 26), F("avx", 1, ECX, 28),
	F("f16c", 1, ECX, 29), F("rdrand", 1, ECX, 30),
	F("hypervisor", 1, ECX, 31),
	F("fsgsbase", 7, EBX, 0), F("bmi1", 7, EBX, 3), F("avx2", 7, EBX, 5),
	F("smep", 7, EBX, 7), F("bmi2", 7, EBX, 8), F("erms", 7, EBX, 9),
	F("invpcid", 7, EBX, 10), F("rtm", 7, EBX, 11), F("avx512f", 7, EBX, 16),
	F("rdseed", 7, EBX, 18), F("adx", 7, EBX, 19), F("smap", 7, EBX, 20),
	F("umip", 7, ECX, 2), F("pku", 7, ECX, 3), F("la57", 7, ECX, 16),
	F("rdpid", 7, ECX, 22),
	F("lahf_lm", 0x80000001, ECX, 0), F("svm", 0x80000001, ECX, 2),
	F("abm", 0x80000001, ECX, 5), F("skinit", 0x80000001, ECX, 12),
	F("syscall", 0x80000001, EDX, 11),
	F("nx", 0x80000001, EDX, 20), F("pdpe1gb", 0x80000001, EDX, 26),
	F("rdtscp", 0x80000001, EDX, 27), F("lm", 0x80000001, EDX, 29),
	{ NULL, 0, 0, 0 },
};

#define NFEATURES (sizeof cpuid_features / sizeof cpuid_features[0] - 1)

const char *const *cpuid_feature_names(void)
{
	static const char *names[NFEATURES + 1];

	if (!names[0]) /* the names of the table, for the schema's lookups */
		for (size_t i = 0; i < NFEATURES; i++)
			names[i] = cpuid_features[i].name;
	return names;
}

static struct kvm_cpuid_entry2 *entry(struct kvm_cpuid2 *c, uint32_t leaf)
{
	for (uint32_t i = 0; i < c->nent; i++)
		if (c->entries[i].function == leaf && c->entries[i].index == 0)
			return &c->entries[i];
	return NULL;
}

static uint32_t *reg_of(struct kvm_cpuid_entry2 *e, uint8_t reg)
{
	return reg == CPUID_EAX ? &e->eax : reg == CPUID_EBX ? &e->ebx
	       : reg == CPUID_ECX ? &e->ecx : &e->edx;
}

static void change(struct kvm_cpuid2 *c, unsigned index, bool on)
{
	const struct cpuid_feature *f = &cpuid_features[index];
	struct kvm_cpuid_entry2 *e = entry(c, f->leaf);

	if (!e)
		return;
	if (on)
		*reg_of(e, f->reg) |= 1u << f->bit;
	else
		*reg_of(e, f->reg) &= ~(1u << f->bit);
}

bool cpuid_edits_any(const struct cpuid_edits *e)
{
	return e->model || e->vendor[0] || e->nset || e->nclear;
}

void cpuid_apply(struct kvm_cpuid2 *c, const struct cpuid_edits *ed)
{
	if (ed->model)
		cpu_model_apply(c, ed->model);
	struct kvm_cpuid_entry2 *e = entry(c, 0);
	if (ed->vendor[0] && e) { /* EBX, EDX, ECX spell it */
		memcpy(&e->ebx, ed->vendor, 4);
		memcpy(&e->edx, ed->vendor + 4, 4);
		memcpy(&e->ecx, ed->vendor + 8, 4);
	}
	for (size_t i = 0; i < ed->nset; i++)
		change(c, ed->set[i], true);
	for (size_t i = 0; i < ed->nclear; i++)
		change(c, ed->clear[i], false);
}

void cpuid_set_apic_id(struct kvm_cpuid2 *c, unsigned id)
{
	for (uint32_t i = 0; i < c->nent; i++) {
		struct kvm_cpuid_entry2 *e = &c->entries[i];
		if (e->function == 1)
			e->ebx = (e->ebx & 0x00ffffffu) | (uint32_t)id << 24;
		else if (e->function == 0xb || e->function == 0x1f)
			e->edx = id;
	}
}

struct kvm_cpuid2 *cpuid_with_hyperv(const struct kvm_cpuid2 *c,
				     const struct kvm_cpuid2 *hv)
{
	uint32_t n = c->nent + hv->nent;
	struct kvm_cpuid2 *out = calloc(1, sizeof *out + n * sizeof out->entries[0]);

	if (!out)
		return NULL;
	out->nent = n;
	for (uint32_t i = 0; i < c->nent; i++) {
		out->entries[i] = c->entries[i];
		uint32_t f = c->entries[i].function;
		if (f >= CPUID_HYPERVISOR_BASE && f < CPUID_HYPERVISOR_BASE + 0x100)
			out->entries[i].function = f + 0x100;
	}
	memcpy(out->entries + c->nent, hv->entries,
	       hv->nent * sizeof hv->entries[0]);
	return out;
}
