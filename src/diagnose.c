/* The failure analysis, made once at the end of the run into the result. */
#include "kvmrun-config.h"

#include "diagnose.h"

#include <stdio.h>
#include <string.h>

#include "cpu.h"

/* One byte of code at linear (linear), or false when it is not mapped or
 * not in RAM. */
static bool code_byte(const struct vm *vm, const struct kvm_sregs *s,
		      uint64_t linear, uint8_t *byte)
{
	uint64_t phys;
	const char *why;
	const uint8_t *b;

	if (!vm_linear_to_phys(vm, s, linear, &phys, &why) ||
	    !(b = vm_gpa(vm, phys, 1)))
		return false;
	*byte = *b;
	return true;
}

/* How the CPU's page walk of (linear) goes, when the paging is a kind
 * kvmrun decodes (32-bit or 4-level). */
static void walk(const struct vm *vm, const struct kvm_sregs *s,
		 uint64_t linear, struct walk_record *out)
{
	const char *why;

	memset(out, 0, sizeof *out);
	out->kind = pt_kind_of(s->cr0, s->cr4, s->efer, &why);
	if (out->kind == PT_NONE)
		return;
	out->made = true;
	out->linear = linear;
	out->cr3 = s->cr3;
	out->ok = pt_walk(vm_read_phys, (void *)vm, out->kind, s->cr3, linear,
			  &out->w);
}

void diagnose_cpu(const struct vm *vm, const struct kvm_regs *r,
		  const struct kvm_sregs *s, struct cpu_diagnosis *d)
{
	const char *why = "";
	uint64_t linear = s->cs.base + r->rip;

	memset(d, 0, sizeof *d);
	d->code_bits = s->cs.l ? 64 : s->cs.db ? 32 : 16;
	d->code_linear = linear;
	d->code_mapped = vm_linear_to_phys(vm, s, linear, &d->code_phys, &why);
	if (!d->code_mapped)
		snprintf(d->code_why, sizeof d->code_why, "%s", why);
	for (; d->code_mapped && d->ncode < CODE_BYTES; d->ncode++) {
		const uint8_t *b = vm_gpa(vm, d->code_phys + d->ncode, 1);
		if (!b)
			break;
		d->code[d->ncode] = *b;
	}
	/* A port access or MMIO write exits with RIP past the instruction
	 * that made it: the report looks for it in these bytes. */
	for (; d->nbefore < CODE_BEFORE; d->nbefore++) {
		uint64_t back = d->nbefore + 1;
		uint8_t *byte = &d->before[CODE_BEFORE - back];
		const uint8_t *b;
		/* In RIP's page, the byte is where RIP's translation says. */
		bool same_page = d->code_mapped && (linear & 0xfff) >= back;
		if (same_page && (b = vm_gpa(vm, d->code_phys - back, 1)))
			*byte = *b;
		else if (same_page || !code_byte(vm, s, linear - back, byte))
			break;
	}
	walk(vm, s, linear, &d->rip_walk);
	if (s->cr2)
		walk(vm, s, s->cr2, &d->cr2_walk);
}
