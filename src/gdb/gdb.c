/* The gdb stub (see gdb.h). */
#include "kvmrun-config.h"

#include "gdb.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "host.h"
#include "gdb_regs.h"
#include "hostport.h"
#include "run.h"
#include "gdb_rsp.h"
#include "signals.h"
#include "vcpu.h"
#include "x86.h"

/* gdb's signal numbers in stop replies. */
enum { SIG_INT = 2, SIG_TRAP = 5, SIG_SEGV = 11 };

#define MAX_SW_BREAKPOINTS 256
#define INT3 0xcc

struct sw_breakpoint {
	uint64_t addr, phys;
	uint8_t saved;
};

/* gdb's Z types: 1 execute, 2 write, 3 read, 4 access. */
struct hw_breakpoint {
	bool used;
	bool z0; /* gdb asked for a software breakpoint (see insert_z0) */
	int type;
	uint64_t addr;
	unsigned len;
	uint8_t seen[8]; /* the bytes at addr when last seen (read watch) */
};

struct gdb {
	struct rsp rsp;
	bool attached, ended;
	bool data_breakpoints; /* the host stops on them (host.c) */
	bool user_step;        /* gdb asked for the step under way */
	enum gdb_arch arch;
	struct gdb_cpu cpu;
	struct sw_breakpoint sw[MAX_SW_BREAKPOINTS];
	size_t nsw;
	struct hw_breakpoint hw[4];
	char stop[96]; /* the last stop reply, for '?' */
	char out[RSP_MAX + 1];
};

volatile int gdb_attention;

/* What a command leaves the run to do. */
enum action { STAY, RESUME, STEP, KILL, DETACH };

/* ---- listening ---- */

/* Wait until (lfd) has a connection, at most (wait_ns) (0: no end);
 * 0, or -1 with errno (ETIMEDOUT when nobody came). */
static int wait_for_connection(int lfd, uint64_t wait_ns)
{
	struct timespec ts = { .tv_sec = (time_t)(wait_ns / 1000000000ULL),
			       .tv_nsec = (long)(wait_ns % 1000000000ULL) };
	/* Ctrl-C ends the wait (EINTR), then kvmrun */
	int n = signals_poll(lfd, POLLIN, wait_ns ? &ts : NULL);

	if (n == 0)
		errno = ETIMEDOUT;
	return n > 0 ? 0 : -1;
}

struct gdb *gdb_accept(const char *addr, const char *name,
		       uint64_t wait_ns, char *why, size_t whylen)
{
	char host[256], port[8];
	const char *problem;
	struct sockaddr_storage listen_sa;
	socklen_t listen_len;
	int one = 1, lfd = -1, fd = -1;

	if (!hostport_parse(addr, host, sizeof host, port, sizeof port, &problem)) {
		snprintf(why, whylen, "--gdb %s: %s", addr, problem);
		return NULL;
	}
	bool data_breakpoints = host_has(HOST_DATA_BREAKPOINTS, NULL, 0);
	if (!hostport_sockaddr(host, port, &listen_sa, &listen_len)) {
		snprintf(why, whylen, "gdb address %s: %s, found '%s'", addr,
			 HOSTPORT_WANTED_HOST, host);
		return NULL;
	}
	int family = listen_sa.ss_family;
	lfd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(lfd, (struct sockaddr *)&listen_sa, listen_len) < 0 ||
	    listen(lfd, 1) < 0) {
		snprintf(why, whylen, "listening for gdb on %s: %s", addr,
			 strerror(errno));
		goto fail;
	}
	struct sockaddr_storage sa;
	socklen_t salen = sizeof sa;
	char shown[NI_MAXHOST], shown_port[NI_MAXSERV];
	if (getsockname(lfd, (struct sockaddr *)&sa, &salen) < 0 ||
	    getnameinfo((struct sockaddr *)&sa, salen, shown, sizeof shown,
			shown_port, sizeof shown_port,
			NI_NUMERICHOST | NI_NUMERICSERV) != 0)
		snprintf(shown_port, sizeof shown_port, "%s", port);
	/* The address as bound: an IPv6 one in brackets, as gdb takes it. */
	char where[NI_MAXHOST + 2];
	snprintf(where, sizeof where, strchr(host, ':') ? "[%s]" : "%s", host);
	fprintf(stderr, "kvmrun: %s: waiting for gdb on %s:%s "
		"(in gdb: target remote %s:%s)\n", name, where, shown_port,
		where, shown_port);
	fflush(stderr);
	if (wait_for_connection(lfd, wait_ns) < 0) {
		if (errno == ETIMEDOUT)
			snprintf(why, whylen, "debug: no gdb connected within "
				 "%.3g s (debug.wait); the guest did not run",
				 (double)wait_ns / 1e9);
		else
			snprintf(why, whylen, "waiting for gdb: %s",
				 strerror(errno));
		goto fail;
	}
	do
		fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	if (fd < 0) {
		snprintf(why, whylen, "waiting for gdb: %s", strerror(errno));
		goto fail;
	}
	close(lfd);
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	/* SIGIO when gdb sends something while the guest runs (Ctrl-C);
	 * ignored until the run loop handles it (its default kills). */
	signal(SIGIO, SIG_IGN);
	if (fcntl(fd, F_SETOWN, getpid()) < 0 ||
	    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_ASYNC) < 0) {
		snprintf(why, whylen, "gdb connection: %s", strerror(errno));
		close(fd);
		return NULL;
	}
	struct gdb *g = calloc(1, sizeof *g);
	if (!g) {
		snprintf(why, whylen, "out of memory");
		close(fd);
		return NULL;
	}
	rsp_init(&g->rsp, fd);
	g->attached = true;
	g->data_breakpoints = data_breakpoints;
	return g;
fail:
	if (lfd >= 0)
		close(lfd);
	return NULL;
}

bool gdb_attached(const struct gdb *g)
{
	return g && g->attached;
}

void gdb_close(struct gdb *g)
{
	if (!g)
		return;
	if (g->rsp.fd >= 0)
		close(g->rsp.fd);
	free(g);
}

/* ---- the vCPU ---- */

static bool load_cpu(struct gdb *g, struct vm *vm)
{
	const struct vcpu *bsp = &vm->cpus[0];
	bool ok = vm_get_regs(bsp, &g->cpu.regs) == 0 &&
		  vm_get_sregs(bsp, &g->cpu.sregs) == 0;

	if (vm_get_fpu(bsp, &g->cpu.fpu) != 0)
		memset(&g->cpu.fpu, 0, sizeof g->cpu.fpu);
	return ok;
}

static bool store_regs(struct gdb *g, struct vm *vm)
{
	return vm_set_regs(&vm->cpus[0], &g->cpu.regs) == 0;
}

/* A write watchpoint on a host without data breakpoints: watched by
 * single-stepping the guest and comparing memory after each step. */
static bool emulated(const struct gdb *g, const struct hw_breakpoint *b)
{
	return b->used && b->type == 2 && !g->data_breakpoints;
}

/* Tell KVM what to stop on: breakpoints, watchpoints, a single step. */
static bool set_debug(struct gdb *g, struct vm *vm, bool step)
{
	/* By Z packet type: Z1 execute, Z2 write, Z3 read and Z4 access
	 * (x86 has no read-only condition). */
	static const enum x86_dr7_rw rw[] = { X86_DR7_EXEC, X86_DR7_EXEC,
					      X86_DR7_WRITE, X86_DR7_ACCESS,
					      X86_DR7_ACCESS };
	/* The LEN field by length in bytes: 1, 2, 4 and 8. */
	static const unsigned len_bits[] = { [1] = 0, [2] = 1, [4] = 3, [8] = 2 };
	struct kvm_guest_debug dbg;
	bool hw = false;

	memset(&dbg, 0, sizeof dbg);
	g->user_step = step;
	for (int i = 0; i < 4; i++) {
		const struct hw_breakpoint *b = &g->hw[i];
		if (emulated(g, b))
			step = true;
		if (!b->used || emulated(g, b))
			continue;
		hw = true;
		dbg.arch.debugreg[i] = b->addr;
		dbg.arch.debugreg[7] |= X86_DR7_G(i) | X86_DR7_RW(i, rw[b->type]) |
					X86_DR7_LEN(i, len_bits[b->len]);
	}
	if (hw)
		dbg.arch.debugreg[7] |= X86_DR7_GE | X86_DR7_FIXED;
	if (g->attached && (hw || g->nsw || step))
		dbg.control = KVM_GUESTDBG_ENABLE |
			      (g->nsw ? KVM_GUESTDBG_USE_SW_BP : 0) |
			      (hw ? KVM_GUESTDBG_USE_HW_BP : 0) |
			      (step ? KVM_GUESTDBG_SINGLESTEP : 0);
	return vm_set_guest_debug(&vm->cpus[0], &dbg) == 0;
}

/* ---- guest memory, by virtual address ---- */

/* Host bytes behind virtual [addr, addr + *len) within one page, the
 * length cut to what is there; NULL if none. */
static uint8_t *virt_span(struct gdb *g, struct vm *vm, uint64_t addr,
			  size_t *len)
{
	uint64_t phys;
	const char *why;
	size_t in_page = 4096 - (addr & 4095);

	if (*len > in_page)
		*len = in_page;
	if (!vm_linear_to_phys(vm, &g->cpu.sregs, addr, &phys, &why))
		return NULL;
	return vm_gpa(vm, phys, *len);
}

/* Read up to (len) bytes; returns how many could be read. Breakpoints
 * gdb inserted read as the bytes they replaced. */
static size_t read_virt(struct gdb *g, struct vm *vm, uint64_t addr,
			uint8_t *out, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done;
		uint8_t *host = virt_span(g, vm, addr + done, &n);
		if (!host)
			break;
		memcpy(out + done, host, n);
		done += n;
	}
	for (size_t i = 0; i < g->nsw; i++)
		if (g->sw[i].addr - addr < done)
			out[g->sw[i].addr - addr] = g->sw[i].saved;
	return done;
}

static bool write_virt(struct gdb *g, struct vm *vm, uint64_t addr,
		       const uint8_t *in, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t n = len - done;
		uint8_t *host = virt_span(g, vm, addr + done, &n);
		if (!host)
			return false;
		memcpy(host, in + done, n);
		done += n;
	}
	/* A breakpoint written over stays, over the new byte. */
	for (size_t i = 0; i < g->nsw; i++)
		if (g->sw[i].addr - addr < len) {
			g->sw[i].saved = in[g->sw[i].addr - addr];
			uint8_t *b = vm_gpa(vm, g->sw[i].phys, 1);
			if (b)
				*b = INT3;
		}
	return true;
}

/* ---- breakpoints ---- */

static struct sw_breakpoint *find_sw(struct gdb *g, uint64_t addr)
{
	for (size_t i = 0; i < g->nsw; i++)
		if (g->sw[i].addr == addr)
			return &g->sw[i];
	return NULL;
}

static bool insert_sw(struct gdb *g, struct vm *vm, uint64_t addr)
{
	uint64_t phys;
	const char *why;
	uint8_t *host;

	if (find_sw(g, addr))
		return true;
	if (g->nsw == MAX_SW_BREAKPOINTS ||
	    !vm_linear_to_phys(vm, &g->cpu.sregs, addr, &phys, &why) ||
	    !(host = vm_gpa(vm, phys, 1)))
		return false;
	g->sw[g->nsw++] = (struct sw_breakpoint){ addr, phys, *host };
	*host = INT3;
	return true;
}

static void remove_sw_at(struct gdb *g, struct vm *vm, size_t i)
{
	uint8_t *host = vm_gpa(vm, g->sw[i].phys, 1);

	if (host && *host == INT3)
		*host = g->sw[i].saved;
	g->sw[i] = g->sw[--g->nsw];
}

static bool remove_sw(struct gdb *g, struct vm *vm, uint64_t addr)
{
	struct sw_breakpoint *b = find_sw(g, addr);

	if (b)
		remove_sw_at(g, vm, (size_t)(b - g->sw));
	return true; /* removing what is not there is no error */
}

/* 1 if inserted, 0 if it cannot be (no free register, bad length), -1
 * if this host cannot watch that way (reads, without data breakpoints). */
static int insert_hw(struct gdb *g, struct vm *vm, int type, uint64_t addr,
		     unsigned len, bool z0)
{
	if (type > 2 && !g->data_breakpoints)
		return -1;
	if (type == 1)
		len = 1; /* an instruction breakpoint has length 1 */
	if ((len != 1 && len != 2 && len != 4 && len != 8) || (addr & (len - 1)) ||
	    (len == 8 && g->arch != GDB_AMD64))
		return 0;
	for (int i = 0; i < 4; i++)
		if (g->hw[i].used && g->hw[i].type == type && g->hw[i].z0 == z0 &&
		    g->hw[i].addr == addr && g->hw[i].len == len)
			return 1;
	for (int i = 0; i < 4; i++) {
		struct hw_breakpoint *b = &g->hw[i];
		if (b->used)
			continue;
		*b = (struct hw_breakpoint){ true, z0, type, addr, len, { 0 } };
		read_virt(g, vm, addr, b->seen, len);
		return 1;
	}
	return 0; /* four debug registers, all taken */
}

static bool remove_hw(struct gdb *g, int type, uint64_t addr, bool z0)
{
	bool found = false;

	for (int i = 0; i < 4; i++)
		if (g->hw[i].used && g->hw[i].type == type &&
		    g->hw[i].z0 == z0 && g->hw[i].addr == addr) {
			g->hw[i].used = false;
			found = true;
		}
	return found;
}

/* A software breakpoint goes in a free debug register when there is one,
 * else an int3 is written over the code. Debug registers leave the code
 * alone, which matters to hosts that emulate guest code and keep what
 * they decoded (kvm-pvm cannot resume from an int3 removed behind its
 * back). */
static bool insert_z0(struct gdb *g, struct vm *vm, uint64_t addr)
{
	return find_sw(g, addr) || insert_hw(g, vm, 1, addr, 1, true) == 1 ||
	       insert_sw(g, vm, addr);
}

static bool remove_z0(struct gdb *g, struct vm *vm, uint64_t addr)
{
	return remove_hw(g, 1, addr, true) || remove_sw(g, vm, addr);
}

/* ---- packets ---- */

static int reply(struct gdb *g, const char *s)
{
	return rsp_send_str(&g->rsp, s);
}

static bool parse_hex(const char **p, uint64_t *out)
{
	const char *s = *p;
	uint64_t v = 0;
	int digits = 0;

	for (;; s++, digits++) {
		int c = *s, d = c >= '0' && c <= '9' ? c - '0'
			      : c >= 'a' && c <= 'f' ? c - 'a' + 10
			      : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
		if (d < 0)
			break;
		if (digits == 16)
			return false;
		v = v << 4 | (uint64_t)d;
	}
	*p = s;
	*out = v;
	return digits > 0;
}

/* "ADDR,LEN" then (sep); the rest after it in (*rest). */
static bool parse_range(const char *p, uint64_t *addr, uint64_t *len,
			char sep, const char **rest)
{
	if (!parse_hex(&p, addr) || *p++ != ',' || !parse_hex(&p, len) ||
	    *p != sep)
		return false;
	*rest = sep ? p + 1 : p;
	return true;
}

static void set_stop(struct gdb *g, int sig, const char *why)
{
	snprintf(g->stop, sizeof g->stop, "T%02xthread:01;%s", sig, why);
}

static void cmd_query(struct gdb *g)
{
	const char *in = g->rsp.in;
	uint64_t off, len;
	const char *rest;

	if (strncmp(in, "qSupported", 10) == 0) {
		snprintf(g->out, sizeof g->out, "PacketSize=%x;qXfer:features:read+;"
			 "QStartNoAckMode+;swbreak+;hwbreak+;vContSupported+",
			 RSP_MAX);
		reply(g, g->out);
	} else if (strcmp(in, "qAttached") == 0) {
		reply(g, "1");
	} else if (strcmp(in, "qC") == 0) {
		reply(g, "QC01");
	} else if (strcmp(in, "qOffsets") == 0) {
		reply(g, "Text=0;Data=0;Bss=0");
	} else if (strcmp(in, "qfThreadInfo") == 0) {
		reply(g, "m01");
	} else if (strcmp(in, "qsThreadInfo") == 0) {
		reply(g, "l");
	} else if (strncmp(in, "qSymbol", 7) == 0) {
		reply(g, "OK");
	} else if (strncmp(in, "qXfer:features:read:target.xml:", 31) == 0 &&
		   parse_range(in + 31, &off, &len, '\0', &rest)) {
		const char *xml = gdb_target_xml(g->arch);
		size_t total = strlen(xml);
		if (off > total) {
			reply(g, "E16");
			return;
		}
		if (len > RSP_MAX - 1)
			len = RSP_MAX - 1;
		size_t n = total - off < len ? total - off : len;
		g->out[0] = off + n < total ? 'm' : 'l';
		memcpy(g->out + 1, xml + off, n);
		rsp_send(&g->rsp, g->out, n + 1);
	} else if (strncmp(in, "qXfer:", 6) == 0) {
		reply(g, "E00");
	} else {
		reply(g, "");
	}
}

static void cmd_read_memory(struct gdb *g, struct vm *vm)
{
	uint64_t addr, len;
	const char *rest;
	uint8_t bytes[RSP_MAX / 2];

	if (!parse_range(g->rsp.in + 1, &addr, &len, '\0', &rest)) {
		reply(g, "E01");
		return;
	}
	if (len > sizeof bytes)
		len = sizeof bytes;
	size_t n = read_virt(g, vm, addr, bytes, len);
	if (n == 0 && len) {
		reply(g, "E14"); /* EFAULT: not mapped, or not RAM */
		return;
	}
	rsp_hex(g->out, bytes, n);
	reply(g, g->out);
}

static void cmd_write_memory(struct gdb *g, struct vm *vm, bool binary)
{
	uint64_t addr, len;
	const char *data;
	uint8_t bytes[RSP_MAX];

	if (!parse_range(g->rsp.in + 1, &addr, &len, ':', &data) ||
	    len > sizeof bytes) {
		reply(g, "E01");
		return;
	}
	if (binary) {
		size_t have = g->rsp.in_len - (size_t)(data - g->rsp.in);
		if (have != len) {
			reply(g, "E01");
			return;
		}
		memcpy(bytes, data, len);
	} else if (strlen(data) != 2 * len || !rsp_unhex(bytes, data, len)) {
		reply(g, "E01");
		return;
	}
	reply(g, write_virt(g, vm, addr, bytes, len) ? "OK" : "E14");
}

static void cmd_breakpoint(struct gdb *g, struct vm *vm, bool insert)
{
	const char *p = g->rsp.in + 1;
	uint64_t type, addr, kind;
	bool ok;

	if (!parse_hex(&p, &type) || *p++ != ',' || !parse_hex(&p, &addr) ||
	    *p++ != ',' || !parse_hex(&p, &kind) || type > 4) {
		reply(g, type > 4 ? "" : "E01");
		return;
	}
	if (type == 0) {
		ok = insert ? insert_z0(g, vm, addr) : remove_z0(g, vm, addr);
	} else if (!insert) {
		remove_hw(g, (int)type, addr, false);
		ok = true;
	} else {
		int r = insert_hw(g, vm, (int)type, addr, (unsigned)kind, false);
		if (r < 0) {
			reply(g, ""); /* gdb: not supported by this target */
			return;
		}
		ok = r == 1;
	}
	reply(g, ok ? "OK" : "E01");
}

static void cmd_registers(struct gdb *g, struct vm *vm)
{
	const char *in = g->rsp.in;
	const char *p = in + 1;
	uint64_t n;

	switch (in[0]) {
	case 'g':
		gdb_regs_get(g->arch, &g->cpu, g->out);
		reply(g, g->out);
		break;
	case 'G':
		reply(g, gdb_regs_set(g->arch, &g->cpu, in + 1) && store_regs(g, vm)
				 ? "OK" : "E01");
		break;
	case 'p':
		if (!parse_hex(&p, &n) || *p || !gdb_reg_get(g->arch, &g->cpu, n, g->out))
			reply(g, "E01");
		else
			reply(g, g->out);
		break;
	case 'P':
		if (!parse_hex(&p, &n) || *p++ != '=' ||
		    !gdb_reg_set(g->arch, &g->cpu, n, p) || !store_regs(g, vm))
			reply(g, "E01");
		else
			reply(g, "OK");
		break;
	}
}

/* c/s/C/S [ADDR]: resume, at ADDR if given. */
static enum action cmd_resume(struct gdb *g, struct vm *vm)
{
	const char *p = g->rsp.in + 1;
	uint64_t addr;
	bool step = g->rsp.in[0] == 's' || g->rsp.in[0] == 'S';

	if (g->rsp.in[0] == 'C' || g->rsp.in[0] == 'S') { /* the signal is dropped */
		parse_hex(&p, &addr);
		p += *p == ';';
	}
	if (parse_hex(&p, &addr)) {
		g->cpu.regs.rip = addr;
		store_regs(g, vm);
	}
	return step ? STEP : RESUME;
}

/* vCont;ACTION[:THREAD]...: one thread, so the first step wins. */
static enum action cmd_vcont(struct gdb *g)
{
	const char *in = g->rsp.in;

	if (strcmp(in, "vCont?") == 0) {
		reply(g, "vCont;c;C;s;S");
		return STAY;
	}
	for (const char *p = in + 5; p && *p == ';'; p = strchr(p + 1, ';'))
		if (p[1] == 's' || p[1] == 'S')
			return STEP;
	return RESUME;
}

static enum action command(struct gdb *g, struct vm *vm)
{
	const char *in = g->rsp.in;

	switch (in[0]) {
	case '?':
		reply(g, g->stop);
		return STAY;
	case 'q':
		cmd_query(g);
		return STAY;
	case 'Q':
		if (strcmp(in, "QStartNoAckMode") == 0) {
			reply(g, "OK");
			g->rsp.no_ack = true;
		} else {
			reply(g, "");
		}
		return STAY;
	case 'H':
	case 'T':
		reply(g, "OK");
		return STAY;
	case 'g':
	case 'G':
	case 'p':
	case 'P':
		cmd_registers(g, vm);
		return STAY;
	case 'm':
		cmd_read_memory(g, vm);
		return STAY;
	case 'M':
	case 'X':
		cmd_write_memory(g, vm, in[0] == 'X');
		return STAY;
	case 'Z':
	case 'z':
		cmd_breakpoint(g, vm, in[0] == 'Z');
		return STAY;
	case 'c':
	case 'C':
	case 's':
	case 'S':
		return cmd_resume(g, vm);
	case 'D':
		reply(g, "OK");
		return DETACH;
	case 'k':
		return KILL;
	case 'v':
		if (strncmp(in, "vCont", 5) == 0)
			return cmd_vcont(g);
		if (strncmp(in, "vKill", 5) == 0) {
			reply(g, "OK");
			return KILL;
		}
		reply(g, "");
		return STAY;
	default:
		reply(g, "");
		return STAY;
	}
}

/* Let go of the guest: breakpoints out, debug registers off. */
static void detach(struct gdb *g, struct vm *vm)
{
	while (g->nsw)
		remove_sw_at(g, vm, g->nsw - 1);
	memset(g->hw, 0, sizeof g->hw);
	g->attached = false;
	set_debug(g, vm, false);
	close(g->rsp.fd);
	g->rsp.fd = -1;
}

/* Serve gdb while the guest is stopped; (announce) sends the stop reply
 * first (at the start, gdb asks for it with '?'). */
static enum gdb_next serve(struct gdb *g, struct vm *vm, bool announce)
{
	if (announce && reply(g, g->stop) < 0) {
		detach(g, vm);
		return GDB_RUN;
	}
	for (;;) {
		int r = rsp_read(&g->rsp);
		if (r < 0) { /* gdb went away: the guest runs on */
			detach(g, vm);
			return GDB_RUN;
		}
		if (r == 0)
			continue; /* Ctrl-C while stopped: nothing to do */
		enum action a = command(g, vm);
		if (a == STAY)
			continue;
		if (a == KILL || a == DETACH || g->ended) {
			if (g->ended && (a == RESUME || a == STEP))
				reply(g, g->stop[0] == 'W' ? g->stop : "X0b");
			detach(g, vm);
			return a == KILL ? GDB_KILL : GDB_RUN;
		}
		if (!set_debug(g, vm, a == STEP)) {
			/* KVM refused: say so, and stay stopped */
			fprintf(stderr, "kvmrun: KVM_SET_GUEST_DEBUG: %s\n",
				strerror(errno));
			reply(g, g->stop);
			continue;
		}
		return GDB_RUN;
	}
}

enum gdb_next gdb_start(struct gdb *g, struct vm *vm)
{
	if (!load_cpu(g, vm))
		return GDB_KILL;
	g->arch = gdb_arch_of(&g->cpu.sregs);
	set_stop(g, SIG_TRAP, "");
	return serve(g, vm, false);
}

/* The linear address of the instruction pointer. */
static uint64_t linear_pc(const struct gdb *g)
{
	return g->cpu.sregs.cs.base + g->cpu.regs.rip;
}

enum gdb_next gdb_debug_exit(struct gdb *g, struct vm *vm)
{
	const struct kvm_debug_exit_arch *d = &vm->run->debug.arch;
	char why[48] = "";

	if (!g->attached)
		return GDB_RUN;
	if (d->exception == 1 && !g->user_step && !(d->dr6 & X86_DR6_BMASK)) {
		/* A step gdb did not ask for: an emulated write watch. */
		for (int i = 0; i < 4; i++) {
			struct hw_breakpoint *b = &g->hw[i];
			uint8_t now[8] = { 0 };
			if (!emulated(g, b))
				continue;
			read_virt(g, vm, b->addr, now, b->len);
			if (memcmp(now, b->seen, b->len) != 0) {
				memcpy(b->seen, now, b->len);
				load_cpu(g, vm);
				snprintf(why, sizeof why, "watch:%" PRIx64 ";", b->addr);
				set_stop(g, SIG_TRAP, why);
				return serve(g, vm, true);
			}
		}
		return GDB_RUN; /* KVM keeps single-stepping */
	}
	if (!load_cpu(g, vm))
		return GDB_RUN;
	if (d->exception == 3) { /* #BP: an int3, ours or the guest's */
		/* Some hosts report the address after the int3. */
		if (!find_sw(g, linear_pc(g)) && find_sw(g, linear_pc(g) - 1))
			g->cpu.regs.rip--;
		store_regs(g, vm);
		if (find_sw(g, linear_pc(g)))
			snprintf(why, sizeof why, "swbreak:;");
	} else if (d->dr6 & X86_DR6_BMASK) { /* a debug register matched */
		int i = __builtin_ctzll(d->dr6 & X86_DR6_BMASK);
		struct hw_breakpoint *b = &g->hw[i];
		uint8_t now[8] = { 0 };
		static const char *const kinds[] = { "", "", "watch", "rwatch", "awatch" };
		if (b->used && b->type == 1) {
			snprintf(why, sizeof why, b->z0 ? "swbreak:;" : "hwbreak:;");
		} else if (b->used) {
			read_virt(g, vm, b->addr, now, b->len);
			bool written = memcmp(now, b->seen, b->len) != 0;
			memcpy(b->seen, now, b->len);
			/* x86 watches reads and writes together: a read
			 * watchpoint lets writes by. */
			if (b->type == 3 && written) {
				set_debug(g, vm, false);
				return GDB_RUN;
			}
			snprintf(why, sizeof why, "%s:%" PRIx64 ";", kinds[b->type],
				 b->addr);
		}
	}
	g->arch = gdb_arch_of(&g->cpu.sregs);
	set_stop(g, SIG_TRAP, why);
	return serve(g, vm, true);
}

enum gdb_next gdb_poll(struct gdb *g, struct vm *vm)
{
	struct pollfd p = { .fd = g->rsp.fd, .events = POLLIN };

	if (!g->attached)
		return GDB_RUN;
	if (!rsp_pending(&g->rsp) && poll(&p, 1, 0) <= 0)
		return GDB_RUN;
	int r = rsp_read(&g->rsp);
	if (r < 0) {
		detach(g, vm);
		return GDB_RUN;
	}
	if (r == 1) { /* a packet while running: answer, run on */
		enum action a = command(g, vm);
		if (a == KILL || a == DETACH) {
			detach(g, vm);
			return a == KILL ? GDB_KILL : GDB_RUN;
		}
		return GDB_RUN;
	}
	if (!load_cpu(g, vm))
		return GDB_RUN;
	set_stop(g, SIG_INT, "");
	return serve(g, vm, true);
}

void gdb_end(struct gdb *g, struct vm *vm, const struct result *res)
{
	if (!g->attached)
		return;
	load_cpu(g, vm);
	g->ended = true;
	if (res->stop == STOPPED_HLT || res->stop == STOPPED_EXIT) {
		snprintf(g->stop, sizeof g->stop, "W%02x",
			 (unsigned)(res->has_status ? res->status & 0xff : 0));
		reply(g, g->stop);
		detach(g, vm);
		return;
	}
	/* A failure: gdb may look at the registers, then it is over. */
	set_stop(g, SIG_SEGV, "");
	serve(g, vm, true);
}

static enum hook_verdict debug_exit(struct run *r, struct vcpu *c)
{
	(void)c;
	if (!gdb_attached(r->gdb))
		return HOOK_PASS;
	if (gdb_debug_exit(r->gdb, r->vm) != GDB_KILL)
		return HOOK_CONTINUE;
	r->res->stop = STOPPED_INTERRUPTED;
	snprintf(r->res->detail, sizeof r->res->detail, "gdb killed the guest");
	return HOOK_STOP;
}

void gdb_register(struct run_hooks *h)
{
	hook_exit(h, KVM_EXIT_DEBUG, debug_exit);
}
