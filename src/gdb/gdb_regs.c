/* Registers for gdb: tables per mode, the XML made from them (gdb_regs.h). */
#include "kvmrun-config.h"

#include "gdb_regs.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "gdb_rsp.h"

enum kind { GPR, SEG, SEG_BASE, SREG, ST, FPU_CTL, XMM, MXCSR };
enum feature { CORE, SSE, SEGMENTS, SYSTEM, FEATURES };

static const char *const feature_names[FEATURES] = {
	"org.gnu.gdb.i386.core", "org.gnu.gdb.i386.sse",
	"org.gnu.gdb.i386.segments", "org.kvmrun.x86.system",
};

struct reg {
	const char *name;
	unsigned char bytes;
	unsigned char kind;
	unsigned char feature;
	unsigned short where; /* offset in kvm_regs/kvm_sregs, or an index */
	const char *type;
};

#define R(n, b, t) { #n, b, GPR, CORE, offsetof(struct kvm_regs, n), t }
#define R32(n, field) { #n, 4, GPR, CORE, offsetof(struct kvm_regs, field), "int32" }
#define SEGS(b) \
	{ "cs", 4, SEG, CORE, offsetof(struct kvm_sregs, cs), "int32" }, \
	{ "ss", 4, SEG, CORE, offsetof(struct kvm_sregs, ss), "int32" }, \
	{ "ds", 4, SEG, CORE, offsetof(struct kvm_sregs, ds), "int32" }, \
	{ "es", 4, SEG, CORE, offsetof(struct kvm_sregs, es), "int32" }, \
	{ "fs", 4, SEG, CORE, offsetof(struct kvm_sregs, fs), "int32" }, \
	{ "gs", 4, SEG, CORE, offsetof(struct kvm_sregs, gs), "int32" }
#define X87 \
	{ "st0", 10, ST, CORE, 0, "i387_ext" }, { "st1", 10, ST, CORE, 1, "i387_ext" }, \
	{ "st2", 10, ST, CORE, 2, "i387_ext" }, { "st3", 10, ST, CORE, 3, "i387_ext" }, \
	{ "st4", 10, ST, CORE, 4, "i387_ext" }, { "st5", 10, ST, CORE, 5, "i387_ext" }, \
	{ "st6", 10, ST, CORE, 6, "i387_ext" }, { "st7", 10, ST, CORE, 7, "i387_ext" }, \
	{ "fctrl", 4, FPU_CTL, CORE, 0, "int" }, { "fstat", 4, FPU_CTL, CORE, 1, "int" }, \
	{ "ftag", 4, FPU_CTL, CORE, 2, "int" }, { "fiseg", 4, FPU_CTL, CORE, 3, "int" }, \
	{ "fioff", 4, FPU_CTL, CORE, 4, "int" }, { "foseg", 4, FPU_CTL, CORE, 5, "int" }, \
	{ "fooff", 4, FPU_CTL, CORE, 6, "int" }, { "fop", 4, FPU_CTL, CORE, 7, "int" }
#define XMM(i) { "xmm" #i, 16, XMM, SSE, i, "vec128" }
#define SYS(b, t) \
	{ "cr0", b, SREG, SYSTEM, offsetof(struct kvm_sregs, cr0), t }, \
	{ "cr2", b, SREG, SYSTEM, offsetof(struct kvm_sregs, cr2), t }, \
	{ "cr3", b, SREG, SYSTEM, offsetof(struct kvm_sregs, cr3), t }, \
	{ "cr4", b, SREG, SYSTEM, offsetof(struct kvm_sregs, cr4), t }, \
	{ "efer", 8, SREG, SYSTEM, offsetof(struct kvm_sregs, efer), "uint64" }

/* gdb's amd64 order: rax rbx rcx rdx rsi rdi rbp rsp r8-r15. */
static const struct reg amd64[] = {
	R(rax, 8, "int64"), R(rbx, 8, "int64"), R(rcx, 8, "int64"),
	R(rdx, 8, "int64"), R(rsi, 8, "int64"), R(rdi, 8, "int64"),
	R(rbp, 8, "data_ptr"), R(rsp, 8, "data_ptr"),
	R(r8, 8, "int64"), R(r9, 8, "int64"), R(r10, 8, "int64"),
	R(r11, 8, "int64"), R(r12, 8, "int64"), R(r13, 8, "int64"),
	R(r14, 8, "int64"), R(r15, 8, "int64"),
	R(rip, 8, "code_ptr"),
	{ "eflags", 4, GPR, CORE, offsetof(struct kvm_regs, rflags), "i386_eflags" },
	SEGS(4), X87,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	XMM(8), XMM(9), XMM(10), XMM(11), XMM(12), XMM(13), XMM(14), XMM(15),
	{ "mxcsr", 4, MXCSR, SSE, 0, "int" },
	{ "fs_base", 8, SEG_BASE, SEGMENTS, offsetof(struct kvm_sregs, fs), "int64" },
	{ "gs_base", 8, SEG_BASE, SEGMENTS, offsetof(struct kvm_sregs, gs), "int64" },
	SYS(8, "uint64"),
};

/* gdb's i386 order: eax ecx edx ebx esp ebp esi edi. */
static const struct reg i386[] = {
	R32(eax, rax), R32(ecx, rcx), R32(edx, rdx), R32(ebx, rbx),
	{ "esp", 4, GPR, CORE, offsetof(struct kvm_regs, rsp), "data_ptr" },
	{ "ebp", 4, GPR, CORE, offsetof(struct kvm_regs, rbp), "data_ptr" },
	R32(esi, rsi), R32(edi, rdi),
	{ "eip", 4, GPR, CORE, offsetof(struct kvm_regs, rip), "code_ptr" },
	{ "eflags", 4, GPR, CORE, offsetof(struct kvm_regs, rflags), "i386_eflags" },
	SEGS(4), X87,
	XMM(0), XMM(1), XMM(2), XMM(3), XMM(4), XMM(5), XMM(6), XMM(7),
	{ "mxcsr", 4, MXCSR, SSE, 0, "int" },
	/* No segments feature: gdb 13 numbers fs_base/gs_base past the
	 * registers of a 32-bit target and fails an assertion. */
	SYS(4, "uint32"),
};

static const struct reg *table(enum gdb_arch arch, size_t *n)
{
	if (arch == GDB_AMD64) {
		*n = sizeof amd64 / sizeof amd64[0];
		return amd64;
	}
	*n = sizeof i386 / sizeof i386[0];
	return i386;
}

enum gdb_arch gdb_arch_of(const struct kvm_sregs *s)
{
	if (s->efer & (1u << 10)) /* LMA */
		return GDB_AMD64;
	return s->cr0 & 1 ? GDB_I386 : GDB_I8086;
}

size_t gdb_reg_count(enum gdb_arch arch)
{
	size_t n;

	table(arch, &n);
	return n;
}

/* The x87 tag word gdb expects, from the abridged one KVM keeps (a bit a
 * register: 1 valid, 0 empty); valid registers are shown as "valid". */
static uint16_t full_tag(uint8_t abridged)
{
	uint16_t tag = 0;

	for (int i = 0; i < 8; i++)
		if (!(abridged & (1u << i)))
			tag |= (uint16_t)(3u << (2 * i));
	return tag;
}

/* The bytes of register (r), little-endian, into (out) (16 at most). */
static void reg_bytes(const struct reg *r, const struct gdb_cpu *cpu,
		      uint8_t out[16])
{
	uint64_t v = 0;

	memset(out, 0, 16);
	switch (r->kind) {
	case GPR:
		memcpy(&v, (const uint8_t *)&cpu->regs + r->where, 8);
		break;
	case SREG:
		memcpy(&v, (const uint8_t *)&cpu->sregs + r->where, 8);
		break;
	case SEG:
	case SEG_BASE: {
		struct kvm_segment seg;
		memcpy(&seg, (const uint8_t *)&cpu->sregs + r->where, sizeof seg);
		v = r->kind == SEG ? seg.selector : seg.base;
		break;
	}
	case ST:
		memcpy(out, cpu->fpu.fpr[r->where], 10);
		return;
	case XMM:
		memcpy(out, cpu->fpu.xmm[r->where], 16);
		return;
	case MXCSR:
		v = cpu->fpu.mxcsr;
		break;
	case FPU_CTL: {
		const uint64_t ctl[8] = {
			cpu->fpu.fcw, cpu->fpu.fsw, full_tag(cpu->fpu.ftwx), 0,
			cpu->fpu.last_ip & 0xffffffff, 0,
			cpu->fpu.last_dp & 0xffffffff, cpu->fpu.last_opcode,
		};
		v = ctl[r->where];
		break;
	}
	}
	memcpy(out, &v, 8);
}

bool gdb_reg_get(enum gdb_arch arch, const struct gdb_cpu *cpu, size_t n,
		 char *out)
{
	size_t count;
	const struct reg *t = table(arch, &count);
	uint8_t bytes[16];

	if (n >= count)
		return false;
	reg_bytes(&t[n], cpu, bytes);
	rsp_hex(out, bytes, t[n].bytes);
	return true;
}

size_t gdb_regs_hex_size(enum gdb_arch arch)
{
	size_t count, size = 1;
	const struct reg *t = table(arch, &count);

	for (size_t i = 0; i < count; i++)
		size += 2 * t[i].bytes;
	return size;
}

void gdb_regs_get(enum gdb_arch arch, const struct gdb_cpu *cpu, char *out)
{
	size_t count;
	const struct reg *t = table(arch, &count);

	for (size_t i = 0; i < count; i++) {
		gdb_reg_get(arch, cpu, i, out);
		out += 2 * t[i].bytes;
	}
}

bool gdb_reg_set(enum gdb_arch arch, struct gdb_cpu *cpu, size_t n,
		 const char *hex)
{
	size_t count;
	const struct reg *t = table(arch, &count);
	uint64_t v = 0, old;

	if (n >= count || t[n].kind != GPR || strlen(hex) != 2u * t[n].bytes ||
	    !rsp_unhex(&v, hex, t[n].bytes))
		return false;
	uint8_t *field = (uint8_t *)&cpu->regs + t[n].where;
	memcpy(&old, field, 8);
	if (t[n].bytes < 8) /* a 32-bit view keeps the upper half */
		v |= old & ~((1ULL << (8 * t[n].bytes)) - 1);
	memcpy(field, &v, 8);
	return true;
}

bool gdb_regs_set(enum gdb_arch arch, struct gdb_cpu *cpu, const char *hex)
{
	size_t count;
	const struct reg *t = table(arch, &count);
	struct gdb_cpu copy = *cpu;
	char one[33];

	if (strlen(hex) + 1 < gdb_regs_hex_size(arch))
		return false;
	for (size_t i = 0; i < count; i++) {
		size_t len = 2u * t[i].bytes;
		if (t[i].kind == GPR) {
			memcpy(one, hex, len);
			one[len] = '\0';
			if (!gdb_reg_set(arch, &copy, i, one))
				return false;
		}
		hex += len;
	}
	*cpu = copy;
	return true;
}

/* ---- the target description ---- */

static const char xml_types[] =
	"<flags id=\"i386_eflags\" size=\"4\">"
	"<field name=\"CF\" start=\"0\" end=\"0\"/>"
	"<field name=\"PF\" start=\"2\" end=\"2\"/>"
	"<field name=\"AF\" start=\"4\" end=\"4\"/>"
	"<field name=\"ZF\" start=\"6\" end=\"6\"/>"
	"<field name=\"SF\" start=\"7\" end=\"7\"/>"
	"<field name=\"TF\" start=\"8\" end=\"8\"/>"
	"<field name=\"IF\" start=\"9\" end=\"9\"/>"
	"<field name=\"DF\" start=\"10\" end=\"10\"/>"
	"<field name=\"OF\" start=\"11\" end=\"11\"/>"
	"<field name=\"NT\" start=\"14\" end=\"14\"/>"
	"<field name=\"RF\" start=\"16\" end=\"16\"/>"
	"<field name=\"VM\" start=\"17\" end=\"17\"/>"
	"<field name=\"AC\" start=\"18\" end=\"18\"/>"
	"<field name=\"ID\" start=\"21\" end=\"21\"/>"
	"</flags>";

static const char xml_vector_types[] =
	"<vector id=\"v4f\" type=\"ieee_single\" count=\"4\"/>"
	"<vector id=\"v2d\" type=\"ieee_double\" count=\"2\"/>"
	"<vector id=\"v16i8\" type=\"int8\" count=\"16\"/>"
	"<vector id=\"v4i32\" type=\"int32\" count=\"4\"/>"
	"<vector id=\"v2i64\" type=\"int64\" count=\"2\"/>"
	"<union id=\"vec128\">"
	"<field name=\"v4_float\" type=\"v4f\"/>"
	"<field name=\"v2_double\" type=\"v2d\"/>"
	"<field name=\"v16_int8\" type=\"v16i8\"/>"
	"<field name=\"v4_int32\" type=\"v4i32\"/>"
	"<field name=\"v2_int64\" type=\"v2i64\"/>"
	"<field name=\"uint128\" type=\"uint128\"/>"
	"</union>";

__attribute__((format(printf, 4, 5)))
static size_t append(char *buf, size_t len, size_t cap, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int n = vsnprintf(buf + len, cap - len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= cap - len ? cap - 1 : len + (size_t)n;
}

static void build_xml(enum gdb_arch arch, char *buf, size_t cap)
{
	static const char *const arch_names[] = { "i8086", "i386", "i386:x86-64" };
	size_t count, len = 0;
	const struct reg *t = table(arch, &count);

	len = append(buf, len, cap, "<?xml version=\"1.0\"?>"
		     "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">"
		     "<target version=\"1.0\"><architecture>%s</architecture>",
		     arch_names[arch]);
	for (int f = 0; f < FEATURES; f++) {
		size_t regs = 0;
		for (size_t i = 0; i < count; i++)
			regs += t[i].feature == f;
		if (regs == 0)
			continue; /* gdb rejects a feature without its registers */
		len = append(buf, len, cap, "<feature name=\"%s\">%s",
			     feature_names[f],
			     f == CORE ? xml_types : f == SSE ? xml_vector_types : "");
		for (size_t i = 0; i < count; i++)
			if (t[i].feature == f)
				len = append(buf, len, cap,
					     "<reg name=\"%s\" bitsize=\"%u\" type=\"%s\"/>",
					     t[i].name, 8u * t[i].bytes, t[i].type);
		len = append(buf, len, cap, "</feature>");
	}
	append(buf, len, cap, "</target>");
}

const char *gdb_target_xml(enum gdb_arch arch)
{
	static char xml[3][8192];

	if (!xml[arch][0])
		build_xml(arch, xml[arch], sizeof xml[arch]);
	return xml[arch];
}
