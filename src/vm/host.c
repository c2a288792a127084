/*
 * The host probe. Each capability is a row: its name, what it means and
 * the function that finds out, most by asking KVM (KVM_CHECK_EXTENSION,
 * the supported CPUID), the rest by running a few instructions in a
 * throwaway VM and looking at how it stopped (modes, breakpoints,
 * exceptions, shutdowns). Answers are kept for the process.
 */
#include "kvmrun-config.h"

#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <linux/kvm.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "kvm_host.h"
#include "status.h"
#include "x86.h"

#define PROBE_MEM 0x6000     /* guest-physical 0 up */
#define PROBE_CODE 0x1000    /* the probe's instructions */
#define PROBE_HANDLER 0x1100 /* an exception handler: hlt */
#define PROBE_GDT 0x800
#define PROBE_IDT 0xc00
#define PROBE_TABLES 0x2000  /* page tables, one page a level */
#define PROBE_DATA 0x900     /* the data breakpoint's byte */
/* A probe guest that has not stopped by then never will: kvm-pvm parks
 * a vCPU whose GDT is gone rather than shut it down. */
#define PROBE_PATIENCE_NS 200000000L

struct answer {
	bool asked, yes;
	char why[512];
};

static struct answer answers[HOST_NCAPS];
static int kvm_fd = -1;
static char kind[160];

/* KVM_GET_SUPPORTED_CPUID, with room enough; NULL if KVM refused. */
static struct kvm_cpuid2 *supported_cpuid(void)
{
	for (uint32_t n = 128; n <= 4096; n *= 2) {
		struct kvm_cpuid2 *c = calloc(1, sizeof *c + n * sizeof c->entries[0]);
		if (!c)
			return NULL;
		c->nent = n;
		if (ioctl(kvm_fd, KVM_GET_SUPPORTED_CPUID, c) == 0)
			return c;
		free(c);
		if (errno != E2BIG)
			return NULL;
	}
	return NULL;
}

/* ---- the throwaway VM ---- */

struct probe {
	bool no_idt; /* an IDT of limit 0: any exception shuts down */
	int vm, vcpu;
	struct kvm_run *run;
	size_t run_size;
	uint8_t *mem;
};

enum mode { REAL, PROTECTED, PAGING32, PAE, LONG };

static void probe_close(struct probe *p)
{
	if (p->run && p->run != MAP_FAILED)
		munmap(p->run, p->run_size);
	if (p->vcpu >= 0)
		close(p->vcpu);
	if (p->vm >= 0)
		close(p->vm);
	if (p->mem && p->mem != MAP_FAILED)
		munmap(p->mem, PROBE_MEM);
}

/* A VM with PROBE_MEM of RAM at 0 and one vCPU with the host's CPUID. */
static bool probe_open(struct probe *p, char *why, size_t len)
{
	*p = (struct probe){ .vm = -1, .vcpu = -1 };
	p->mem = mmap(NULL, PROBE_MEM, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	struct kvm_userspace_memory_region slot = {
		.memory_size = PROBE_MEM, .userspace_addr = (uintptr_t)p->mem,
	};
	long size;
	const char *call = "mmap";
	struct kvm_cpuid2 *c = NULL;

	if (p->mem == MAP_FAILED)
		goto fail;
	call = "KVM_CREATE_VM";
	if ((p->vm = ioctl(kvm_fd, KVM_CREATE_VM, 0)) < 0)
		goto fail;
	call = "KVM_SET_USER_MEMORY_REGION";
	if (ioctl(p->vm, KVM_SET_USER_MEMORY_REGION, &slot) < 0)
		goto fail;
	call = "KVM_CREATE_VCPU";
	if ((p->vcpu = ioctl(p->vm, KVM_CREATE_VCPU, 0)) < 0)
		goto fail;
	call = "KVM_GET_VCPU_MMAP_SIZE";
	if ((size = ioctl(kvm_fd, KVM_GET_VCPU_MMAP_SIZE, 0)) <= 0)
		goto fail;
	p->run_size = (size_t)size;
	call = "mmap kvm_run";
	p->run = mmap(NULL, p->run_size, PROT_READ | PROT_WRITE, MAP_SHARED,
		      p->vcpu, 0);
	if (p->run == MAP_FAILED)
		goto fail;
	call = "KVM_GET_SUPPORTED_CPUID";
	if (!(c = supported_cpuid()))
		goto fail;
	call = "KVM_SET_CPUID2";
	if (ioctl(p->vcpu, KVM_SET_CPUID2, c) < 0)
		goto fail;
	free(c);
	return true;
fail:
	snprintf(why, len, "%s: %s", call, strerror(errno));
	free(c);
	probe_close(p);
	return false;
}

static struct kvm_segment flat(bool code, bool l, bool db, uint16_t sel)
{
	return (struct kvm_segment){ .base = 0, .limit = 0xffffffff,
				     .selector = sel, .present = 1, .s = 1,
				     .type = code ? X86_SEG_CODE_RX : X86_SEG_DATA_RW,
				     .db = db, .l = l, .g = 1 };
}

/* Put the vCPU in (m), identity-mapped where it pages, with the GDT and
 * IDT the probe wrote; run from PROBE_CODE. False, with (why), when KVM
 * refused or read back other control registers. */
static bool probe_mode(struct probe *p, enum mode m, char *why, size_t len)
{
	struct kvm_sregs s, got;
	struct kvm_regs regs = { .rip = PROBE_CODE, .rsp = 0x700, .rflags = 2 };
	uint64_t *t = (uint64_t *)(p->mem + PROBE_TABLES);
	static const uint64_t P = 1, RW = 2, PS = 0x80;

	if (ioctl(p->vcpu, KVM_GET_SREGS, &s) < 0) {
		snprintf(why, len, "KVM_GET_SREGS: %s", strerror(errno));
		return false;
	}
	memset(t, 0, 3 * 0x1000);
	s.cs = (struct kvm_segment){ .limit = 0xffff, .present = 1, .s = 1,
				     .type = X86_SEG_CODE_RX };
	s.ds = s.es = s.ss = (struct kvm_segment){ .limit = 0xffff, .present = 1,
						   .s = 1, .type = X86_SEG_DATA_RW };
	s.cr0 = s.cr4 = s.efer = 0;
	s.gdt = (struct kvm_dtable){ PROBE_GDT, 3 * 8 - 1 };
	s.idt = (struct kvm_dtable){ PROBE_IDT, p->no_idt ? 0 : m == REAL ? 0x3ff
							    : m == LONG ? 0x1ff : 0xff };
	if (m != REAL) {
		s.cs = flat(true, m == LONG, m != LONG, 8);
		s.ds = s.es = s.ss = flat(false, false, true, 0x10);
		s.cr0 = X86_CR0(PE) | X86_CR0(ET);
	}
	if (m == PAGING32) {
		t[0] = P | RW | PS; /* a 4 MiB page at 0 */
		s.cr4 = X86_CR4(PSE);
	} else if (m == PAE) {
		t[0] = (PROBE_TABLES + 0x1000) | P;
		t[512] = P | RW | PS; /* a 2 MiB page at 0 */
		s.cr4 = X86_CR4(PAE);
	} else if (m == LONG) {
		t[0] = (PROBE_TABLES + 0x1000) | P | RW;
		t[512] = (PROBE_TABLES + 0x2000) | P | RW;
		t[1024] = P | RW | PS;
		s.cr4 = X86_CR4(PAE);
		s.efer = X86_EFER(LME) | X86_EFER(LMA);
	}
	if (m >= PAGING32) {
		s.cr0 |= X86_CR0(PG);
		s.cr3 = PROBE_TABLES;
	}
	if (ioctl(p->vcpu, KVM_SET_SREGS, &s) < 0 ||
	    ioctl(p->vcpu, KVM_SET_REGS, &regs) < 0 ||
	    ioctl(p->vcpu, KVM_GET_SREGS, &got) < 0) {
		snprintf(why, len, "KVM_SET_SREGS refused cr0=0x%llx cr4=0x%llx "
			 "efer=0x%llx: %s", (unsigned long long)s.cr0,
			 (unsigned long long)s.cr4, (unsigned long long)s.efer,
			 strerror(errno));
		return false;
	}
	if ((s.cr0 & ~got.cr0) || (s.cr4 & ~got.cr4) || (s.efer & ~got.efer)) {
		char want[64], kept[64];
		snprintf(why, len, "KVM_SET_SREGS asked for CR0 %s, KVM_GET_SREGS "
			 "read back %s", x86_bits_str(x86_cr0_bits, s.cr0, want, sizeof want),
			 x86_bits_str(x86_cr0_bits, got.cr0, kept, sizeof kept));
		if (!(s.cr0 & ~got.cr0))
			snprintf(why, len, "KVM_SET_SREGS dropped CR4 0x%llx or "
				 "EFER 0x%llx bits", (unsigned long long)(s.cr4 & ~got.cr4),
				 (unsigned long long)(s.efer & ~got.efer));
		return false;
	}
	return true;
}

static void on_alarm(int sig)
{
	(void)sig;
}

/* Run the probe until it exits to kvmrun, or PROBE_PATIENCE_NS: then
 * the exit reason reads KVM_EXIT_INTR. False when KVM_RUN failed. */
static bool probe_run(struct probe *p, char *why, size_t len)
{
	struct sigaction sa = { .sa_handler = on_alarm }, old;
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGALRM };
	struct itimerspec its = { .it_value = { 0, PROBE_PATIENCE_NS } };
	timer_t timer;
	int r, e;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGALRM, &sa, &old); /* no SA_RESTART: KVM_RUN says EINTR */
	bool timed = timer_create(CLOCK_MONOTONIC, &ev, &timer) == 0 &&
		     timer_settime(timer, 0, &its, NULL) == 0;
	r = ioctl(p->vcpu, KVM_RUN, 0);
	e = errno;
	if (timed)
		timer_delete(timer);
	sigaction(SIGALRM, &old, NULL);
	if (r < 0 && e == EINTR) {
		p->run->exit_reason = KVM_EXIT_INTR;
		return true;
	}
	if (r < 0)
		snprintf(why, len, "KVM_RUN: %s", strerror(e));
	return r == 0;
}

/* Write (code) at PROBE_CODE, a flat GDT, an IDT whose gates (and IVT
 * entries) all lead to a hlt at PROBE_HANDLER; enter (m) and run. The
 * exit is in p->run. */
static bool probe_exec(struct probe *p, enum mode m, const uint8_t *code,
		       size_t n, char *why, size_t len)
{
	uint64_t *gdt = (uint64_t *)(p->mem + PROBE_GDT);
	struct kvm_segment c = flat(true, m == LONG, m != LONG, 8),
			   d = flat(false, false, true, 0x10);

	memset(p->mem + PROBE_CODE, 0xf4, 0x200); /* hlt */
	memcpy(p->mem + PROBE_CODE, code, n);
	gdt[0] = 0;
	gdt[1] = x86_desc_encode(&c);
	gdt[2] = x86_desc_encode(&d);
	for (unsigned v = 0; v < 16; v++) {
		uint8_t *g = p->mem + PROBE_IDT + v * (m == LONG ? 16 : 8);
		uint16_t off = PROBE_HANDLER;
		if (m == REAL) { /* an IVT at PROBE_IDT: offset, segment 0 */
			memcpy(p->mem + PROBE_IDT + v * 4, &off, 2);
			memset(p->mem + PROBE_IDT + v * 4 + 2, 0, 2);
			continue;
		}
		memset(g, 0, m == LONG ? 16 : 8);
		memcpy(g, &off, 2);
		g[2] = 8;      /* the code selector */
		g[5] = 0x8e;   /* present, ring 0, interrupt gate */
	}
	return probe_mode(p, m, why, len) && probe_run(p, why, len);
}

static const char *exit_name(const struct kvm_run *run)
{
	static const char *const names[] = {
		[KVM_EXIT_UNKNOWN] = "UNKNOWN", [KVM_EXIT_EXCEPTION] = "EXCEPTION",
		[KVM_EXIT_IO] = "IO", [KVM_EXIT_DEBUG] = "DEBUG",
		[KVM_EXIT_HLT] = "HLT", [KVM_EXIT_MMIO] = "MMIO",
		[KVM_EXIT_SHUTDOWN] = "SHUTDOWN", [KVM_EXIT_FAIL_ENTRY] = "FAIL_ENTRY",
		[KVM_EXIT_INTR] = "none within 0.2 s",
		[KVM_EXIT_INTERNAL_ERROR] = "INTERNAL_ERROR",
	};
	uint32_t r = run->exit_reason;
	return r < sizeof names / sizeof *names && names[r] ? names[r] : "another";
}

/* ---- the capabilities ---- */

static long extension(long cap)
{
	long r = ioctl(kvm_fd, KVM_CHECK_EXTENSION, cap);
	return r < 0 ? 0 : r;
}

static bool said(char *why, size_t len, bool yes, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static bool said(char *why, size_t len, bool yes, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, len, fmt, ap);
	va_end(ap);
	return yes;
}

static bool cpu_flag(const char *flag)
{
	FILE *f = fopen("/proc/cpuinfo", "r");
	char line[4096];
	bool found = false;
	size_t n = strlen(flag);

	if (!f)
		return false;
	while (!found && fgets(line, sizeof line, f))
		if (strncmp(line, "flags", 5) == 0)
			for (char *s = strstr(line, flag); s && !found; s = strstr(s + 1, flag))
				found = s[-1] == ' ' && (s[n] == ' ' || s[n] == '\n');
	fclose(f);
	return found;
}

static bool module_loaded(const char *name)
{
	char path[64];
	snprintf(path, sizeof path, "/sys/module/%s", name);
	return access(path, F_OK) == 0;
}

/* Why /dev/kvm does not exist, and what would make it. */
static bool no_device(char *why, size_t len)
{
	bool vmx = cpu_flag("vmx"), svm = cpu_flag("svm");
	bool guest = cpu_flag("hypervisor");

	if (vmx || svm)
		return said(why, len, false, "no /dev/kvm, though the CPU has %s: "
			    "load the module (modprobe %s), or enable "
			    "virtualisation in the firmware", vmx ? "VMX" : "SVM",
			    vmx ? "kvm_intel" : "kvm_amd");
	if (guest && module_loaded("kvm_pvm"))
		return said(why, len, false, "no /dev/kvm: kvm-pvm is loaded but "
			    "made none (it does not bind where the kernel is itself "
			    "a kvm-pvm guest, and this CPU shows no VMX/SVM): run "
			    "kvmrun on the host above, or inside scripts/nested-kvm");
	if (guest)
		return said(why, len, false, "no /dev/kvm: this machine is a VM "
			    "whose CPU shows no VMX/SVM (no nested virtualisation%s): "
			    "enable nesting on its host (kvm_intel nested=1, "
			    "kvm_amd nested=1, a cloud's nested-virtualisation "
			    "machine type), or run kvmrun inside scripts/nested-kvm",
			    module_loaded("kvm") ? "; the kvm module is loaded without "
			    "a vendor module" : "");
	return said(why, len, false, "no /dev/kvm and no VMX/SVM in this CPU: "
		    "enable virtualisation (VT-x, AMD-V) in the firmware");
}

/* The name of group (gid), read from /etc/group: getgrgid would need
 * glibc's NSS modules, which a static kvmrun cannot load. */
static const char *group_name(gid_t gid, char *buf, size_t len)
{
	FILE *f = fopen("/etc/group", "r");
	char line[1024];
	unsigned long id;

	snprintf(buf, len, "%u", (unsigned)gid);
	while (f && fgets(line, sizeof line, f)) {
		char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
		if (c2 && sscanf(c2 + 1, "%lu", &id) == 1 && id == gid) {
			snprintf(buf, len, "%.*s", (int)(c1 - line), line);
			break;
		}
	}
	if (f)
		fclose(f);
	return buf;
}

static bool no_access(int e, char *why, size_t len)
{
	struct stat st;
	char g[64];

	if (e == ENOENT)
		return no_device(why, len);
	if (e == EACCES && stat("/dev/kvm", &st) == 0) {
		static const char rule[] = "a udev rule such as KERNEL==\"kvm\", "
			"GROUP=\"kvm\", MODE=\"0660\" (then sudo udevadm trigger)";
		group_name(st.st_gid, g, sizeof g);
		if (st.st_gid == 0 || !(st.st_mode & 060))
			return said(why, len, false, "cannot open /dev/kvm "
				    "read-write: %s (mode %04o, group %s): give "
				    "it to a group such as kvm with %s, and add "
				    "your user to that group", strerror(e),
				    (unsigned)(st.st_mode & 07777), g, rule);
		return said(why, len, false, "cannot open /dev/kvm read-write: "
			    "%s (mode %04o, group %s): add your user to that group "
			    "(sudo usermod -aG %s $USER, then log in again), or "
			    "give the device to a group you are in with %s",
			    strerror(e), (unsigned)(st.st_mode & 07777), g, g, rule);
	}
	if (e == EPERM)
		return said(why, len, false, "cannot open /dev/kvm: %s: a device "
			    "cgroup forbids it (a container): start the container "
			    "with --device /dev/kvm, or give pods the device through "
			    "a Kubernetes device plugin", strerror(e));
	return said(why, len, false, "cannot open /dev/kvm: %s", strerror(e));
}

static void find_kind(void)
{
	static const struct { const char *module, *what; } kvms[] = {
		{ "kvm_intel", "kvm_intel (Intel VMX)" },
		{ "kvm_amd", "kvm_amd (AMD SVM)" },
		{ "kvm_pvm", "kvm-pvm (no VMX/SVM: guest code partly emulated)" },
	};
	const char *what = NULL;

	for (size_t i = 0; i < sizeof kvms / sizeof *kvms && !what; i++)
		if (module_loaded(kvms[i].module))
			what = kvms[i].what;
	if (!what)
		what = cpu_flag("vmx") ? "Intel VMX" : cpu_flag("svm") ? "AMD SVM"
		       : "a KVM without VMX/SVM in this CPU (kvm-pvm or alike: "
			 "guest code partly emulated)";
	snprintf(kind, sizeof kind, "%s%s", what, cpu_flag("hypervisor")
		 ? ", nested: this machine is itself a VM" : "");
}

static bool has_kvm(char *why, size_t len)
{
	if (kvm_fd < 0)
		kvm_fd = kvm_host.kvm >= 0 ? kvm_host.kvm
					   : open("/dev/kvm", O_RDWR | O_CLOEXEC);
	if (kvm_fd < 0)
		return no_access(errno, why, len);
	long api = ioctl(kvm_fd, KVM_GET_API_VERSION, 0);
	if (api != KVM_API_VERSION)
		return said(why, len, false, "/dev/kvm speaks API %ld; kvmrun "
			    "needs %d", api, KVM_API_VERSION);
	find_kind();
	return said(why, len, true, "/dev/kvm opens read-write, API %d: %s",
		    KVM_API_VERSION, kind);
}

static const enum mode mode_of[] = {
	[HOST_REAL_MODE] = REAL, [HOST_PROTECTED_MODE] = PROTECTED,
	[HOST_PAGING32] = PAGING32, [HOST_PAE] = PAE, [HOST_LONG_MODE] = LONG,
};

/* A mode runs: KVM keeps its control registers and a hlt in it exits
 * as HLT. */
static bool runs_mode(enum host_cap cap, char *why, size_t len)
{
	static const uint8_t hlt[] = { 0xf4 };
	struct probe p;
	char fault[200];

	if (!probe_open(&p, why, len))
		return false;
	bool ok = probe_exec(&p, mode_of[cap], hlt, sizeof hlt, fault, sizeof fault);
	bool yes = ok && p.run->exit_reason == KVM_EXIT_HLT;
	if (!ok)
		said(why, len, false, "%s", fault);
	else
		said(why, len, yes, "a hlt in it %s (exit %s)", yes ? "ran"
		     : "did not stop as hlt", exit_name(p.run));
	probe_close(&p);
	return yes;
}

static bool pages_1g(char *why, size_t len)
{
	struct kvm_cpuid2 *c = supported_cpuid();
	bool yes = false;

	for (uint32_t i = 0; c && i < c->nent; i++)
		if (c->entries[i].function == CPUID_EXT_FEATURES)
			yes = c->entries[i].edx & CPUID_EDX_PDPE1GB;

	free(c);
	return said(why, len, yes, "KVM_GET_SUPPORTED_CPUID %s pdpe1gb "
		    "(CPUID 0x80000001 EDX bit 26)", yes ? "offers" : "does not offer");
}

/* A capability KVM_CHECK_EXTENSION answers. */
static bool extension_says(long cap, const char *name, char *why, size_t len)
{
	long r = extension(cap);
	return said(why, len, r > 0, "KVM_CHECK_EXTENSION(%s) = %ld", name, r);
}

static bool has_irqchip(char *why, size_t len)
{
	return extension_says(KVM_CAP_IRQCHIP, "KVM_CAP_IRQCHIP", why, len);
}

static bool has_readonly(char *why, size_t len)
{
	return extension_says(KVM_CAP_READONLY_MEM, "KVM_CAP_READONLY_MEM", why, len);
}

static bool has_hyperv(char *why, size_t len)
{
	return extension_says(KVM_CAP_HYPERV_CPUID, "KVM_CAP_HYPERV_CPUID: "
			      "Hyper-V enlightenments", why, len);
}

static bool has_guest_debug(char *why, size_t len)
{
	return extension_says(KVM_CAP_SET_GUEST_DEBUG, "KVM_CAP_SET_GUEST_DEBUG",
			      why, len);
}

static bool has_smp(char *why, size_t len)
{
	long n = host_max_vcpus();
	return said(why, len, n > 1, "at most %ld vCPUs a VM (KVM_CAP_MAX_VCPUS)", n);
}

/* int3 in flat protected mode reaches the IDT's handler (its hlt). */
static bool exceptions(char *why, size_t len)
{
	static const uint8_t int3[] = { 0xcc };
	struct probe p;
	char fault[200];

	if (!probe_open(&p, why, len))
		return false;
	bool ok = probe_exec(&p, PROTECTED, int3, sizeof int3, fault, sizeof fault);
	struct kvm_regs r;
	bool handled = ok && p.run->exit_reason == KVM_EXIT_HLT &&
		       ioctl(p.vcpu, KVM_GET_REGS, &r) == 0 &&
		       r.rip == PROBE_HANDLER + 1;
	bool internal = ok && p.run->exit_reason == KVM_EXIT_INTERNAL_ERROR;
	probe_close(&p);
	if (!ok)
		return said(why, len, false, "%s", fault);
	if (handled)
		return said(why, len, true, "KVM delivers them: int3 reached the "
			    "guest's handler");
	if (internal)
		return said(why, len, true, "KVM gives up on int3 (internal "
			    "error); kvmrun delivers it, and ud0-ud2, int n and "
			    "into, itself");
	return said(why, len, false, "int3 did not reach the guest's handler "
		    "(exit %s)", exit_name(p.run));
}

/* Whether a run of (code) in (m) ends in KVM_EXIT_SHUTDOWN; (regs) as it
 * left them. */
static bool shuts_down(enum mode m, const uint8_t *code, size_t n, bool no_idt,
		       struct kvm_regs *regs, char *why, size_t len)
{
	struct probe p;
	char fault[200];

	if (!probe_open(&p, why, len))
		return false;
	p.no_idt = no_idt;
	bool ok = probe_exec(&p, m, code, n, fault, sizeof fault);
	bool down = ok && p.run->exit_reason == KVM_EXIT_SHUTDOWN;
	if (!ok)
		said(why, len, false, "%s", fault);
	else if (!down)
		said(why, len, false, "no shutdown: exit %s", exit_name(p.run));
	if (down && ioctl(p.vcpu, KVM_GET_REGS, regs) != 0)
		memset(regs, 0, sizeof *regs);
	probe_close(&p);
	return down;
}

static const uint8_t ud2[] = { 0x0f, 0x0b };

static bool triple_fault(char *why, size_t len)
{
	struct kvm_regs r;
	if (!shuts_down(PROTECTED, ud2, sizeof ud2, true, &r, why, len))
		return false;
	return said(why, len, true, "ud2 with no IDT: KVM_EXIT_SHUTDOWN");
}

/* After that shutdown, the registers are those it failed with, not the
 * vCPU's reset state (AMD SVM resets it). */
static bool state_after_shutdown(char *why, size_t len)
{
	struct kvm_regs r;
	if (!shuts_down(PROTECTED, ud2, sizeof ud2, true, &r, why, len))
		return false;
	if (r.rip == 0xfff0)
		return said(why, len, false, "this KVM resets the vCPU at a "
			    "shutdown (rip 0xfff0): no state is left to read");
	return said(why, len, true, "rip 0x%llx after the shutdown, where ud2 "
		    "was", (unsigned long long)r.rip);
}

/* Zero the GDT, then reload DS from it: the fault cannot be delivered
 * (its gate's code selector is gone) and the VM must shut down. */
static bool gdt_fault_shutdown(char *why, size_t len)
{
	static const uint8_t code[] = {
		0xbf, PROBE_GDT & 0xff, PROBE_GDT >> 8, 0, 0, /* mov edi, GDT */
		0x31, 0xc0,                      /* xor eax, eax */
		0xb9, 6, 0, 0, 0,                /* mov ecx, 6 */
		0xf3, 0xab,                      /* rep stosd */
		0x66, 0xb8, 0x10, 0x00,          /* mov ax, 0x10 */
		0x8e, 0xd8,                      /* mov ds, ax */
	};
	struct kvm_regs r;

	if (!shuts_down(PROTECTED, code, sizeof code, false, &r, why, len))
		return false;
	return said(why, len, true, "a fault after the GDT was zeroed: "
		    "KVM_EXIT_SHUTDOWN");
}

/* Debugging: (code) under (dbg) must stop with KVM_EXIT_DEBUG, and
 * DR6 must have (dr6) when not 0. */
static bool stops_for_debug(const uint8_t *code, size_t n,
			    const struct kvm_guest_debug *dbg, uint64_t dr6,
			    const char *what, char *why, size_t len)
{
	struct probe p;
	char fault[200];

	if (!has_guest_debug(why, len))
		return false;
	if (!probe_open(&p, why, len))
		return false;
	bool ok = ioctl(p.vcpu, KVM_SET_GUEST_DEBUG, dbg) == 0;
	if (!ok)
		snprintf(fault, sizeof fault, "KVM_SET_GUEST_DEBUG: %s", strerror(errno));
	ok = ok && probe_exec(&p, REAL, code, n, fault, sizeof fault);
	bool yes = ok && p.run->exit_reason == KVM_EXIT_DEBUG &&
		   (!dr6 || (p.run->debug.arch.dr6 & dr6));
	if (!ok)
		said(why, len, false, "%s", fault);
	else
		said(why, len, yes, "%s: exit %s", what, exit_name(p.run));
	probe_close(&p);
	return yes;
}

static bool single_step(char *why, size_t len)
{
	static const uint8_t code[] = { 0x90, 0xf4 }; /* nop; hlt */
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_SINGLESTEP };
	return stops_for_debug(code, sizeof code, &dbg, 0,
			       "a step over nop", why, len);
}

static bool sw_breakpoints(char *why, size_t len)
{
	static const uint8_t code[] = { 0xcc, 0xf4 }; /* int3; hlt */
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_SW_BP };
	return stops_for_debug(code, sizeof code, &dbg, 0,
			       "int3 with KVM_GUESTDBG_USE_SW_BP", why, len);
}

static bool hw_breakpoints(char *why, size_t len)
{
	static const uint8_t code[] = { 0x90, 0xf4 }; /* nop; hlt */
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_CODE + 1, 0, 0, 0, 0, 0, 0,
				   X86_DR7_GE | X86_DR7_FIXED | X86_DR7_G(0) |
				   X86_DR7_RW(0, X86_DR7_EXEC) },
	};
	return stops_for_debug(code, sizeof code, &dbg, X86_DR6_B(0),
			       "an instruction breakpoint in DR0", why, len);
}

static bool data_breakpoints(char *why, size_t len)
{
	/* mov [PROBE_DATA], al; hlt */
	static const uint8_t code[] = { 0xa2, PROBE_DATA & 0xff, PROBE_DATA >> 8, 0xf4 };
	struct kvm_guest_debug dbg = {
		.control = KVM_GUESTDBG_ENABLE | KVM_GUESTDBG_USE_HW_BP,
		.arch.debugreg = { PROBE_DATA, 0, 0, 0, 0, 0, 0,
				   X86_DR7_GE | X86_DR7_FIXED | X86_DR7_G(0) |
				   X86_DR7_RW(0, X86_DR7_WRITE) },
	};
	return stops_for_debug(code, sizeof code, &dbg, X86_DR6_B(0),
			       "a write watch in DR0", why, len);
}

static const struct {
	const char *name, *what;
	bool (*probe)(char *why, size_t len);
} caps[HOST_NCAPS] = {
	[HOST_KVM] = { "kvm", "guests can run", has_kvm },
	[HOST_REAL_MODE] = { "real-mode", "real mode", NULL },
	[HOST_PROTECTED_MODE] = { "protected-mode", "flat protected mode", NULL },
	[HOST_PAGING32] = { "paging32", "32-bit paging", NULL },
	[HOST_PAE] = { "pae", "PAE paging", NULL },
	[HOST_LONG_MODE] = { "long-mode", "long mode (4-level paging)", NULL },
	[HOST_PAGES_1G] = { "pages-1g", "1 GiB pages", pages_1g },
	[HOST_IRQCHIP] = { "irqchip", "in-kernel LAPIC, IOAPIC, PIC and PIT", has_irqchip },
	[HOST_SMP] = { "smp", "several vCPUs", has_smp },
	[HOST_READONLY_MEM] = { "readonly-mem", "read-only memory", has_readonly },
	[HOST_HYPERV] = { "hyperv", "Hyper-V enlightenments (cpu.hyperv)", has_hyperv },
	[HOST_EXCEPTIONS] = { "exceptions", "exceptions reach the guest's IDT", exceptions },
	[HOST_TRIPLE_FAULT] = { "triple-fault", "a fault with no IDT shuts down", triple_fault },
	[HOST_STATE_AFTER_SHUTDOWN] = { "state-after-shutdown",
		"the registers survive a shutdown", state_after_shutdown },
	[HOST_GDT_FAULT_SHUTDOWN] = { "gdt-fault-shutdown",
		"a fault with the GDT destroyed shuts down", gdt_fault_shutdown },
	[HOST_GUEST_DEBUG] = { "guest-debug", "KVM_SET_GUEST_DEBUG", has_guest_debug },
	[HOST_SINGLE_STEP] = { "single-step", "gdb's stepi", single_step },
	[HOST_SW_BREAKPOINTS] = { "sw-breakpoints", "gdb's break", sw_breakpoints },
	[HOST_HW_BREAKPOINTS] = { "hw-breakpoints", "gdb's hbreak", hw_breakpoints },
	[HOST_DATA_BREAKPOINTS] = { "data-breakpoints", "gdb's watch", data_breakpoints },
};

int host_cap_named(const char *name)
{
	for (int i = 0; i < HOST_NCAPS; i++)
		if (strcmp(caps[i].name, name) == 0)
			return i;
	return -1;
}

const char *host_cap_name(enum host_cap cap)
{
	return caps[cap].name;
}

bool host_has(enum host_cap cap, char *why, size_t whylen)
{
	struct answer *a = &answers[cap];

	if (!a->asked) {
		a->asked = true;
		if (cap != HOST_KVM && !host_has(HOST_KVM, NULL, 0))
			a->yes = said(a->why, sizeof a->why, false, "guests "
				      "cannot run here: %.400s", answers[HOST_KVM].why);
		else if (caps[cap].probe)
			a->yes = caps[cap].probe(a->why, sizeof a->why);
		else
			a->yes = runs_mode(cap, a->why, sizeof a->why);
	}
	if (why)
		snprintf(why, whylen, "%s", a->why);
	return a->yes;
}

const char *host_kvm_kind(void)
{
	return kind;
}

long host_max_vcpus(void)
{
	if (kvm_fd < 0)
		return 0;
	long n = extension(KVM_CAP_MAX_VCPUS);
	return n > 0 ? n : extension(KVM_CAP_NR_VCPUS);
}

int host_report(char *const names[], int nnames, FILE *out, FILE *json)
{
	int picked[HOST_NCAPS], n = 0, status = 0;
	char why[512];

	for (int i = 0; i < nnames; i++) {
		int cap = host_cap_named(names[i]);
		if (cap < 0) {
			fprintf(stderr, "kvmrun: --host: unknown capability '%s' "
				"(kvmrun --host lists them)\n", names[i]);
			return EXIT_USAGE;
		}
		if (n < HOST_NCAPS)
			picked[n++] = cap;
	}
	if (!nnames)
		for (n = 0; n < HOST_NCAPS; n++)
			picked[n] = n;
	else if (!host_has(HOST_KVM, NULL, 0))
		status = EXIT_SKIP;
	json_t *doc = json ? json_object() : NULL, *list = json ? json_object() : NULL;
	for (int i = 0; i < n; i++) {
		bool yes = host_has(picked[i], why, sizeof why);
		if (!yes && (nnames || picked[i] == HOST_KVM))
			status = EXIT_SKIP;
		fprintf(out, "%-21s %-3s  %s\n", caps[picked[i]].name,
			yes ? "yes" : "no", why);
		if (list)
			json_object_set_new(list, caps[picked[i]].name,
					    json_pack("{s:b, s:s, s:s}", "available", yes,
						      "what", caps[picked[i]].what,
						      "why", why));
	}
	if (doc) {
		json_object_set_new(doc, "schema", json_integer(1));
		json_object_set_new(doc, "kvmrun", json_string(PACKAGE_VERSION));
		json_object_set_new(doc, "kvm", json_string(kind));
		json_object_set_new(doc, "max_vcpus", json_integer(host_max_vcpus()));
		json_object_set_new(doc, "guests_run", json_boolean(answers[HOST_KVM].yes));
		json_object_set_new(doc, "capabilities", list);
		if (json_dumpf(doc, json, JSON_COMPACT) < 0 || fputc('\n', json) == EOF)
			status = EXIT_OUTPUT;
		json_decref(doc);
	}
	return status;
}
