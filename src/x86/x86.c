/* x86 facts: the name tables made from x86.h's lists, and descriptors. */
#include "kvmrun-config.h"

#include "x86.h"

#include <stdio.h>
#include <strings.h>

#define BIT_ROW(name, bit, what) { bit, #name, what },

const struct bit_name x86_cr0_bits[] = { X86_CR0_LIST(BIT_ROW) { 0, NULL, NULL } };
const struct bit_name x86_cr4_bits[] = { X86_CR4_LIST(BIT_ROW) { 0, NULL, NULL } };
const struct bit_name x86_efer_bits[] = { X86_EFER_LIST(BIT_ROW) { 0, NULL, NULL } };
const struct bit_name x86_rflags_bits[] = { X86_RFLAGS_LIST(BIT_ROW) { 0, NULL, NULL } };

const char *x86_bit_name(const struct bit_name *table, unsigned bit)
{
	for (; table->name; table++)
		if (table->bit == bit)
			return table->name;
	return NULL;
}

const char *x86_bits_str(const struct bit_name *table, uint64_t value,
			 char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (unsigned bit = 0; bit < 64 && n < size; bit++) {
		if (!(value & (1ULL << bit)))
			continue;
		const char *name = x86_bit_name(table, bit);
		char other[8];
		if (!name) {
			snprintf(other, sizeof other, "bit%u", bit);
			name = other;
		}
		n += (size_t)snprintf(buf + n, size - n, "%s%s", n ? "|" : "",
				      name);
	}
	if (n == 0)
		snprintf(buf, size, "0");
	return buf;
}

/* The fields of a descriptor: base 31:0 in three pieces, limit 19:0 in
 * two, type, S, DPL, P, AVL, L, D/B, G. */
uint64_t x86_desc_encode(const struct kvm_segment *s)
{
	uint64_t limit = s->g ? s->limit >> 12 : s->limit;

	return (limit & 0xffff) | (s->base & 0xffffff) << 16 |
	       (uint64_t)(s->type & 0xf) << 40 | (uint64_t)(s->s & 1) << 44 |
	       (uint64_t)(s->dpl & 3) << 45 | (uint64_t)(s->present & 1) << 47 |
	       ((limit >> 16) & 0xf) << 48 | (uint64_t)(s->avl & 1) << 52 |
	       (uint64_t)(s->l & 1) << 53 | (uint64_t)(s->db & 1) << 54 |
	       (uint64_t)(s->g & 1) << 55 | ((s->base >> 24) & 0xff) << 56;
}

struct kvm_segment x86_desc_decode(uint64_t d)
{
	struct kvm_segment s = {
		.base = ((d >> 16) & 0xffffff) | ((d >> 56) & 0xff) << 24,
		.limit = (uint32_t)((d & 0xffff) | ((d >> 48) & 0xf) << 16),
		.type = (d >> 40) & 0xf, .s = (d >> 44) & 1,
		.dpl = (d >> 45) & 3, .present = (d >> 47) & 1,
		.avl = (d >> 52) & 1, .l = (d >> 53) & 1,
		.db = (d >> 54) & 1, .g = (d >> 55) & 1,
	};

	if (s.g)
		s.limit = s.limit << 12 | 0xfff;
	return s;
}

#define EXC_ROW(m, v, e, w) { #m, v, e, w },
static const struct x86_exception exceptions[] = { X86_EXCEPTION_LIST(EXC_ROW) };
#define NEXC (sizeof exceptions / sizeof *exceptions)

const struct x86_exception *x86_exception(unsigned vector)
{
	for (size_t i = 0; i < NEXC; i++)
		if (exceptions[i].vector == vector)
			return &exceptions[i];
	return NULL;
}

const char *x86_exception_str(unsigned vector, char *buf, size_t size)
{
	const struct x86_exception *x = x86_exception(vector);

	if (x)
		snprintf(buf, size, "#%s (%s)", x->mnemonic, x->what);
	else
		snprintf(buf, size, "vector %u (%s)", vector,
			 vector < X86_EXCEPTIONS ? "reserved" : "an interrupt");
	return buf;
}

const struct x86_exception *x86_exception_named(const char *name)
{
	if (name[0] == '#')
		name++;
	for (size_t i = 0; i < NEXC; i++)
		if (!strcasecmp(exceptions[i].mnemonic, name))
			return &exceptions[i];
	return NULL;
}

const char *x86_error_code_str(unsigned vector, uint64_t code, char *buf,
			       size_t size)
{
	if (vector == 14) {
		snprintf(buf, size, "%s, %s%s%s%s",
			 code & X86_PF_P ? "a protection violation" : "the page is not present",
			 code & X86_PF_I ? "an instruction fetch"
				: code & X86_PF_W ? "a write" : "a read",
			 code & X86_PF_U ? ", in user mode" : ", in supervisor mode",
			 code & X86_PF_RSVD ? ", a reserved bit is set in an entry" : "",
			 code & X86_PF_PK ? ", protection key" : "");
		return buf;
	}
	if (code & ~0xffffULL) {
		snprintf(buf, size, "0x%llx", (unsigned long long)code);
		return buf;
	}
	if (code == 0) {
		snprintf(buf, size, "0: no selector (a fault of the instruction itself)");
		return buf;
	}
	snprintf(buf, size, "%s entry %llu (selector 0x%llx)%s",
		 code & X86_SEL_IDT ? "IDT" : code & X86_SEL_TI ? "LDT" : "GDT",
		 (unsigned long long)(code >> 3),
		 (unsigned long long)(code & ~7ULL),
		 code & X86_SEL_EXT ? ", during an external event" : "");
	return buf;
}
