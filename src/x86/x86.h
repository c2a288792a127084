/*
 * x86 facts, each written once: the control-register and flag bits with
 * their names and meanings (one list each, from which the constants and
 * the name tables are made), segment and system-descriptor types,
 * descriptor encoding, and the debug registers' fields.
 */
#ifndef KVMRUN_X86_H
#define KVMRUN_X86_H

#include <linux/kvm.h>
#include <stddef.h>
#include <stdint.h>

/* CPUID 0x80000001, extended features: the EDX bits kvmrun needs. */
#define CPUID_EXT_FEATURES 0x80000001
#define CPUID_EDX_NX (1U << 20)
#define CPUID_EDX_PDPE1GB (1U << 26)
#define CPUID_EDX_LM (1U << 29)

/* Where a PC's interrupt controllers sit (KVM's in-kernel ones too). */
#define X86_LAPIC_BASE 0xfee00000u
#define X86_IOAPIC_BASE 0xfec00000u
/* Guest-physical addresses end here at most: MAXPHYADDR is 52 or less. */
#define X86_PHYS_END (1ULL << 52)

/* X(name, bit, what) for each bit kvmrun names. */
#define X86_CR0_LIST(X)                                                        \
	X(PE, 0, "protection enable: segments come from descriptors (protected mode)") \
	X(MP, 1, "monitor coprocessor: WAIT/FWAIT also trap (#NM) while TS is set") \
	X(EM, 2, "emulation: x87 and SSE instructions raise #UD (kept clear for SSE)") \
	X(TS, 3, "task switched: the next x87/SSE instruction raises #NM")   \
	X(ET, 4, "extension type: an x87 is present (always 1 on modern CPUs)") \
	X(NE, 5, "numeric error: x87 errors raise #MF instead of IRQ 13")    \
	X(WP, 16, "write protect: ring 0 writes honour read-only pages too") \
	X(AM, 18, "alignment mask: with RFLAGS.AC, unaligned ring 3 accesses fault") \
	X(NW, 29, "not write-through: cache policy (with CD)")               \
	X(CD, 30, "cache disable")                                           \
	X(PG, 31, "paging: linear addresses go through the page tables at CR3")

#define X86_CR4_LIST(X)                                                        \
	X(VME, 0, "virtual-8086 mode extensions")                            \
	X(PVI, 1, "protected-mode virtual interrupts")                       \
	X(TSD, 2, "time stamp disable: RDTSC only in ring 0")                \
	X(DE, 3, "debugging extensions: DR4/DR5 fault, I/O breakpoints")     \
	X(PSE, 4, "page size extensions: 4 MiB pages in 32-bit paging")      \
	X(PAE, 5, "physical address extension: 64-bit entries; long mode needs it") \
	X(MCE, 6, "machine check exceptions enabled")                        \
	X(PGE, 7, "global pages: entries with G survive CR3 reloads")        \
	X(PCE, 8, "RDPMC allowed outside ring 0")                            \
	X(OSFXSR, 9, "the OS saves SSE state (FXSAVE): SSE instructions allowed") \
	X(OSXMMEXCPT, 10, "SIMD floating-point errors raise #XM")            \
	X(UMIP, 11, "SGDT, SIDT and friends only in ring 0")                 \
	X(LA57, 12, "5-level paging (57-bit linear addresses)")              \
	X(VMXE, 13, "VMX enabled")                                           \
	X(SMXE, 14, "SMX enabled")                                           \
	X(FSGSBASE, 16, "RDFSBASE/WRFSBASE and friends allowed")             \
	X(PCIDE, 17, "process-context identifiers in CR3")                   \
	X(OSXSAVE, 18, "XSAVE and XSETBV allowed (AVX state)")               \
	X(SMEP, 20, "ring 0 may not execute user pages")                     \
	X(SMAP, 21, "ring 0 may not access user pages unless RFLAGS.AC")     \
	X(PKE, 22, "protection keys for user pages")

#define X86_EFER_LIST(X)                                                       \
	X(SCE, 0, "SYSCALL and SYSRET allowed")                              \
	X(LME, 8, "long mode enable: turning on CR0.PG (with CR4.PAE) enters long mode") \
	X(LMA, 10, "long mode active: set by the CPU once LME and PG are on") \
	X(NXE, 11, "no-execute: bit 63 of page entries (nx) is honoured")    \
	X(SVME, 12, "AMD SVM enabled")                                       \
	X(LMSLE, 13, "long mode segment limits (AMD)")                       \
	X(FFXSR, 14, "fast FXSAVE/FXRSTOR (AMD)")                            \
	X(TCE, 15, "translation cache extension (AMD)")

#define X86_RFLAGS_LIST(X)                                                     \
	X(CF, 0, "carry") X(PF, 2, "parity") X(AF, 4, "adjust")              \
	X(ZF, 6, "zero") X(SF, 7, "sign") X(TF, 8, "trap: single-step")      \
	X(IF, 9, "interrupts enabled") X(DF, 10, "direction: string ops go down") \
	X(OF, 11, "overflow") X(NT, 14, "nested task")                       \
	X(RF, 16, "resume: no debug fault") X(VM, 17, "virtual-8086 mode")   \
	X(AC, 18, "alignment check") X(VIF, 19, "virtual interrupt flag")    \
	X(VIP, 20, "virtual interrupt pending") X(ID, 21, "CPUID available")

/* The bit numbers, as X86_CR0_BIT_PG; the masks as X86_CR0(PG). */
#define X86_BIT_ENUM_CR0(name, bit, what) X86_CR0_BIT_##name = bit,
#define X86_BIT_ENUM_CR4(name, bit, what) X86_CR4_BIT_##name = bit,
#define X86_BIT_ENUM_EFER(name, bit, what) X86_EFER_BIT_##name = bit,
#define X86_BIT_ENUM_RFLAGS(name, bit, what) X86_RFLAGS_BIT_##name = bit,
enum { X86_CR0_LIST(X86_BIT_ENUM_CR0) };
enum { X86_CR4_LIST(X86_BIT_ENUM_CR4) };
enum { X86_EFER_LIST(X86_BIT_ENUM_EFER) };
enum { X86_RFLAGS_LIST(X86_BIT_ENUM_RFLAGS) };
#define X86_CR0(name) (1ULL << X86_CR0_BIT_##name)
#define X86_CR4(name) (1ULL << X86_CR4_BIT_##name)
#define X86_EFER(name) (1ULL << X86_EFER_BIT_##name)
#define X86_RFLAGS(name) (1ULL << X86_RFLAGS_BIT_##name)

#define X86_RFLAGS_FIXED (1ULL << 1) /* reads as 1 */

/* A bit's name and what it does, for reports and --explain. */
struct bit_name {
	unsigned bit;
	const char *name;
	const char *what; /* one line on what the bit does */
};

/* Made from the lists above; each ends with a NULL name. */
extern const struct bit_name x86_cr0_bits[], x86_cr4_bits[], x86_efer_bits[],
	x86_rflags_bits[];

/* Write the names of the set bits of (value) to (buf), like "PE|PG". */
const char *x86_bits_str(const struct bit_name *table, uint64_t value,
			 char *buf, size_t size);

/* The name of (bit) in (table), or NULL. */
const char *x86_bit_name(const struct bit_name *table, unsigned bit);

/* The kinds of paging kvmrun builds and walks (paging.h has their
 * geometry). */
enum pt_kind { PT_NONE, PT_32BIT, PT_4LEVEL };

/* Segment descriptor types (the 4-bit type field). With S=1, code and
 * data; the low bit is "accessed". */
enum x86_seg_type {
	X86_SEG_DATA_RW = 0x3,   /* data, read/write, accessed */
	X86_SEG_CODE_RX = 0xb,   /* code, execute/read, accessed */
	X86_SEG_CODE = 0x8,      /* the type bit that makes a code segment */
	X86_SEG_WRITABLE = 0x2,  /* data: writable; code: readable */
	X86_SEG_DOWN = 0x4,      /* data: expand-down; code: conforming */
	X86_SEG_ACCESSED = 0x1,
};

/* System descriptor types (S=0) kvmrun uses. */
enum x86_sys_type {
	X86_SYS_LDT = 0x2,
	X86_SYS_TSS_BUSY = 0xb,  /* a 32- or 64-bit TSS, busy */
};

/* The 8-byte GDT descriptor of (s), and back. */
uint64_t x86_desc_encode(const struct kvm_segment *s);
struct kvm_segment x86_desc_decode(uint64_t desc);

/* DR7: breakpoint (i) enabled locally, its condition and length fields
 * (2 bits each); GE, and bit 10 which reads as 1. */
#define X86_DR7_L(i) (1ULL << (2 * (i)))
#define X86_DR7_G(i) (2ULL << (2 * (i)))
#define X86_DR7_RW(i, rw) ((uint64_t)(rw) << (16 + 4 * (i)))
#define X86_DR7_LEN(i, len) ((uint64_t)(len) << (18 + 4 * (i)))
#define X86_DR7_GE (1ULL << 9)
#define X86_DR7_FIXED (1ULL << 10)
enum x86_dr7_rw { X86_DR7_EXEC = 0, X86_DR7_WRITE = 1, X86_DR7_IO = 2,
		  X86_DR7_ACCESS = 3 };
/* DR6: B0-B3, which breakpoint matched. */
#define X86_DR6_B(i) (1ULL << (i))
#define X86_DR6_BMASK 0xfULL

/* X(mnemonic, vector, has_error_code, what) for each exception vector. */
#define X86_EXCEPTION_LIST(X)                                                  \
	X(DE, 0, 0, "divide error")                                          \
	X(DB, 1, 0, "debug")                                                 \
	X(NMI, 2, 0, "non-maskable interrupt")                               \
	X(BP, 3, 0, "breakpoint (int3)")                                     \
	X(OF, 4, 0, "overflow (into)")                                       \
	X(BR, 5, 0, "bound range exceeded")                                  \
	X(UD, 6, 0, "invalid opcode")                                        \
	X(NM, 7, 0, "device not available (x87/SSE with CR0.TS or EM)")      \
	X(DF, 8, 1, "double fault")                                          \
	X(CSO, 9, 0, "coprocessor segment overrun")                          \
	X(TS, 10, 1, "invalid TSS")                                          \
	X(NP, 11, 1, "segment not present")                                  \
	X(SS, 12, 1, "stack-segment fault")                                  \
	X(GP, 13, 1, "general protection")                                   \
	X(PF, 14, 1, "page fault")                                           \
	X(MF, 16, 0, "x87 floating-point error")                             \
	X(AC, 17, 1, "alignment check")                                      \
	X(MC, 18, 0, "machine check")                                        \
	X(XM, 19, 0, "SIMD floating-point exception")                        \
	X(VE, 20, 0, "virtualization exception")                             \
	X(CP, 21, 1, "control protection")                                   \
	X(HV, 28, 0, "hypervisor injection")                                 \
	X(VC, 29, 1, "VMM communication")                                    \
	X(SX, 30, 1, "security exception")

#define X86_EXCEPTIONS 32 /* vectors reserved for exceptions */

struct x86_exception {
	const char *mnemonic; /* "PF", written #PF */
	unsigned vector;
	int has_error_code;
	const char *what;
};

/* The exception with (vector), or NULL (reserved vectors, interrupts). */
const struct x86_exception *x86_exception(unsigned vector);

/* "#PF (page fault)", or "vector 15 (reserved)" for one kvmrun does not
 * name; written to (buf). */
const char *x86_exception_str(unsigned vector, char *buf, size_t size);

/* The exception whose mnemonic is (name) ("PF", "#PF", "pf"), or NULL. */
const struct x86_exception *x86_exception_named(const char *name);

/* What the error code (code) of exception (vector) says, in words:
 * for #PF the access, for the others the selector or IDT entry. */
const char *x86_error_code_str(unsigned vector, uint64_t code, char *buf,
			       size_t size);

/* Page-fault error code bits. */
#define X86_PF_P (1u << 0)    /* protection violation (else not present) */
#define X86_PF_W (1u << 1)    /* a write (else a read) */
#define X86_PF_U (1u << 2)    /* in user mode */
#define X86_PF_RSVD (1u << 3) /* a reserved bit set in an entry */
#define X86_PF_I (1u << 4)    /* an instruction fetch */
#define X86_PF_PK (1u << 5)   /* protection keys */
#define X86_PF_SS (1u << 6)   /* shadow stack */
/* Selector error code bits. */
#define X86_SEL_EXT (1u << 0) /* an external event caused it */
#define X86_SEL_IDT (1u << 1) /* the index is into the IDT */
#define X86_SEL_TI (1u << 2)  /* (without IDT) into the LDT, else the GDT */

/* Interrupt gate (present, DPL 0) types. */
enum { X86_GATE_INT = 0xe };

#endif
