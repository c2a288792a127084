/* The failure analysis, made once at the end of the run into the result. */
#include "kvmrun-config.h"

#include "diagnose.h"

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "status.h"
#include "x86.h"

/* A copy of guest-physical [gpa, gpa + len), region by region, or NULL
 * when it is not all RAM. */
static uint8_t *read_guest(const struct vm *vm, uint64_t gpa, size_t len)
{
	uint8_t *buf = malloc(len ? len : 1);

	if (!buf)
		err(EXIT_USAGE, "malloc");
	for (size_t done = 0; done < len;) {
		const struct guest_mem *r = mem_region(&vm->mem, gpa + done);
		uint64_t room = r ? r->gpa + (r->size - 1) - (gpa + done) + 1 : 0;
		size_t n = len - done < room ? len - done : (size_t)room;
		const uint8_t *p = r ? vm_gpa(vm, gpa + done, n) : NULL;
		if (!p) {
			free(buf);
			return NULL;
		}
		memcpy(buf + done, p, n);
		done += n;
	}
	return buf;
}

void collect_memory(const struct vm *vm, const struct plan *p,
		    struct result *res)
{
	if (!p->nreads)
		return;
	res->memory = calloc(p->nreads, sizeof *res->memory);
	if (!res->memory)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < p->nreads; i++) {
		const struct mem_read *r = &p->reads[i];
		res->memory[i] = (struct mem_bytes){ r->gpa, r->len,
			read_guest(vm, r->gpa, r->len) };
	}
	res->nmemory = p->nreads;
}

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

void diagnose_place(const struct plan *p, struct cpu_diagnosis *d)
{
	for (size_t i = 0; p->images && i < p->nimages; i++)
		if (symbols_lookup(&p->images[i], d->code_linear, &d->rip_place))
			return;
}

/* (size) bytes at linear (linear), little-endian. */
static bool read_linear(const struct vm *vm, const struct kvm_sregs *s,
			uint64_t linear, unsigned size, uint64_t *value)
{
	uint64_t phys;
	const char *why;
	const uint8_t *b;

	*value = 0;
	for (unsigned i = 0; i < size; i++) {
		if (!vm_linear_to_phys(vm, s, linear + i, &phys, &why) ||
		    !(b = vm_gpa(vm, phys, 1)))
			return false;
		*value |= (uint64_t)*b << (8 * i);
	}
	return true;
}

/* The segment of selector (sel) as the GDT of (s) describes it, for the
 * dump and the decoder: the stub runs in kvmrun's code segment, the
 * exception may have come from another (32-bit code, ring 3). False
 * when the descriptor cannot be read (an LDT's, or past the limit). */
static bool frame_segment(const struct vm *vm, const struct kvm_sregs *s,
			  uint16_t sel, struct kvm_segment *out)
{
	uint64_t desc;

	if ((sel & 4) || sel < 8 || (sel | 7u) > s->gdt.limit ||
	    !read_linear(vm, s, s->gdt.base + (sel & ~7u), 8, &desc))
		return false;
	*out = x86_desc_decode(desc);
	out->selector = sel;
	if (out->l && (s->efer & X86_EFER(LMA)))
		out->base = 0; /* 64-bit code: the base is not used */
	return out->present;
}

bool diagnose_exception(const struct vm *vm, struct kvm_regs *r,
			struct kvm_sregs *s, struct exception_rec *e)
{
	/* From the stack pointer up: the stub's vector and error code,
	 * then RIP, CS, RFLAGS and, in long mode or from another ring,
	 * RSP and SS. */
	enum { VECTOR, ERROR, RIP, CS, RFLAGS, RSP, SS, NSLOTS };
	const bool wide = s->cs.l;
	const unsigned size = wide ? 8 : 4;
	uint64_t f[NSLOTS] = { 0 };
	unsigned n = RSP;

	for (unsigned i = 0; i < n; i++) {
		if (!read_linear(vm, s, s->ss.base + r->rsp + i * size, size, &f[i]))
			return false;
		if (i == CS && (wide || (f[CS] & 3) != (s->cs.selector & 3)))
			n = NSLOTS;
	}
	const struct x86_exception *x = x86_exception((unsigned)f[VECTOR]);
	e->frame_read = true;
	e->vector = (unsigned)f[VECTOR];
	e->has_error_code = x && x->has_error_code;
	e->error_code = f[ERROR];
	e->rip = f[RIP];
	e->cs = f[CS] & 0xffff;
	e->rflags = f[RFLAGS];
	e->rsp = n == NSLOTS ? f[RSP] : (r->rsp + RSP * size) & 0xffffffff;
	e->ss = n == NSLOTS ? f[SS] & 0xffff : s->ss.selector;
	e->cr2 = s->cr2;
	r->rip = e->rip;
	r->rsp = e->rsp;
	r->rflags = e->rflags;
	struct kvm_segment seg;
	if (frame_segment(vm, s, (uint16_t)e->cs, &seg))
		s->cs = seg;
	if (n == NSLOTS && frame_segment(vm, s, (uint16_t)e->ss, &seg))
		s->ss = seg;
	return true;
}
