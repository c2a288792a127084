/* Named CPU models (see cpu_model.h). */
#include "kvmrun-config.h"

#include "cpu_model.h"

#include <string.h>

#include "cpuid.h"

/* Leaf 1 ECX bits QEMU sets under KVM whatever the model. */
#define ECX1_X2APIC (1u << 21)
#define ECX1_HYPERVISOR (1u << 31)

const struct cpu_model cpu_models[] = {
	{
		/* fpu vme de pse tsc msr pae mce cx8 apic sep mtrr pge mca
		 * cmov pat pse36 clflush mmx fxsr sse sse2; sse3; syscall
		 * nx lm, and leaf 1's EDX bits that AMD repeats in
		 * 0x80000001. */
		.name = "Opteron_G1", .vendor = "AuthenticAMD",
		.family = 15, .model = 6, .stepping = 1,
		.level = 5, .xlevel = 0x80000008,
		.brand = "AMD Opteron 240 (Gen 1 Class Opteron)",
		.edx1 = 0x078bfbff, .ecx1 = 0x00000001,
		.edx_ext = 0x2193fbff, .ecx_ext = 0,
	},
	{ .name = NULL },
};

const char *const *cpu_model_names(void)
{
	static const char *names[sizeof cpu_models / sizeof *cpu_models];

	if (!names[0])
		for (size_t i = 0; cpu_models[i].name; i++)
			names[i] = cpu_models[i].name;
	return names;
}

/* Leaf 1's EAX: family, model and stepping, with the extended fields
 * that families above 15 and models above 15 need. */
static uint32_t signature(const struct cpu_model *m)
{
	unsigned fam = m->family > 15 ? 15 : m->family;
	unsigned ext_fam = m->family > 15 ? m->family - 15 : 0;

	return (m->stepping & 15) | (m->model & 15) << 4 | fam << 8 |
	       (m->model >> 4) << 16 | ext_fam << 20;
}

static void narrow(struct kvm_cpuid_entry2 *e, const struct cpu_model *m)
{
	char brand[48] = { 0 };

	switch (e->function) {
	case 0:
		e->eax = m->level;
		memcpy(&e->ebx, m->vendor, 4);
		memcpy(&e->edx, m->vendor + 4, 4);
		memcpy(&e->ecx, m->vendor + 8, 4);
		break;
	case 1:
		e->eax = signature(m);
		e->edx &= m->edx1;
		e->ecx &= m->ecx1 | ECX1_X2APIC | ECX1_HYPERVISOR;
		break;
	case 7:
		if (e->index == 0) {
			e->eax = 0; /* no subleaf past 0 */
			e->ebx &= m->ebx7;
			e->ecx &= m->ecx7;
			e->edx &= m->edx7;
		} else {
			e->eax = e->ebx = e->ecx = e->edx = 0;
		}
		break;
	case 0x80000000:
		e->eax = m->xlevel;
		break;
	case 0x80000001:
		e->edx &= m->edx_ext;
		e->ecx &= m->ecx_ext;
		break;
	case 0x80000002: case 0x80000003: case 0x80000004:
		strncpy(brand, m->brand, sizeof brand - 1);
		const char *b = brand + (e->function - 0x80000002) * 16;
		memcpy(&e->eax, b, 4);
		memcpy(&e->ebx, b + 4, 4);
		memcpy(&e->ecx, b + 8, 4);
		memcpy(&e->edx, b + 12, 4);
		break;
	default:
		break;
	}
}

/* Leaves a guest of the model does not see: past its highest basic or
 * extended leaf (the hypervisor's, 0x40000000 on, stay). */
static int beyond(const struct kvm_cpuid_entry2 *e, const struct cpu_model *m)
{
	uint32_t f = e->function;

	return (f > m->level && f < CPUID_HYPERVISOR_BASE) ||
	       (f >= 0x80000000 && f > m->xlevel);
}

void cpu_model_apply(struct kvm_cpuid2 *c, const struct cpu_model *m)
{
	uint32_t kept = 0;

	for (uint32_t i = 0; i < c->nent; i++) {
		if (beyond(&c->entries[i], m))
			continue;
		c->entries[kept] = c->entries[i];
		narrow(&c->entries[kept++], m);
	}
	c->nent = kept;
}
