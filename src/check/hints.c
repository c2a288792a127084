/* Hints for the classic mistakes: a table of tests, each one line. */
#include "kvmrun-config.h"

#include "hints.h"

#include <stdbool.h>
#include <stdio.h>

#include "x86.h"

enum { VEC_PF = 14 };

/* The guest's word size: what a push or a return moves. */
static uint64_t word(const struct plan *p)
{
	return p->mode->paging == PT_4LEVEL ? 8 : 4;
}

static bool caught(const struct result *res)
{
	return res->exception.caught && res->exception.frame_read;
}

static bool page_fault(const struct result *res)
{
	return caught(res) && res->exception.vector == VEC_PF;
}

/* A stop that is not one a guest means. */
static bool bad_stop(const struct result *res)
{
	return res->stop != STOPPED_HLT && res->stop != STOPPED_EXIT &&
	       res->stop != STOPPED_POWEROFF && res->have_regs;
}

/* RET with the stack at its top: the entry function returned, to an
 * address nobody pushed. Either the stack pointer is one word above
 * where the run started it, or the RET itself faulted reading above the
 * stack's top (CR2 == RSP == the top, as where the stack ends RAM), or,
 * with no paging, read there outside RAM. */
static bool entry_returned(const struct plan *p, const struct result *res,
			   char *buf)
{
	const struct exception_rec *e = &res->exception;
	uint64_t rsp = res->regs.rsp + res->sregs.ss.base;
	bool above = rsp == p->stack + word(p);
	bool ret_fault = page_fault(res) && e->cr2 == p->stack &&
			 e->rsp == p->stack;
	bool ret_read = res->stop == STOPPED_UNHANDLED_MMIO &&
			!res->access.write && !p->mode->paging &&
			rsp == p->stack && res->access.addr == p->stack_phys;

	if (!bad_stop(res) || !(above || ret_fault || ret_read))
		return false;
	snprintf(buf, HINT_LEN, "the stack pointer is one word above where "
		 "the guest started (0x%llx): the entry function returned, to "
		 "an address nobody pushed; end the guest with hlt or a write "
		 "to an exit port instead", (unsigned long long)p->stack);
	return true;
}

/* A #PF at the instruction fetch: RIP itself is the faulting address. */
static bool jump_unmapped(const struct plan *p, const struct result *res,
			  char *buf)
{
	const struct exception_rec *e = &res->exception;

	(void)p;
	if (!page_fault(res) || e->cr2 != e->rip)
		return false;
	snprintf(buf, HINT_LEN, "the guest jumped or called to 0x%llx, which "
		 "its page tables do not map: a bad function pointer, or a "
		 "return address overwritten on the stack?",
		 (unsigned long long)e->rip);
	return true;
}

static bool write_read_only(const struct plan *p, const struct result *res,
			    char *buf)
{
	const struct exception_rec *e = &res->exception;

	if (!page_fault(res) || (e->error_code & (X86_PF_P | X86_PF_W)) !=
				       (X86_PF_P | X86_PF_W))
		return false;
	uint64_t phys;
	const struct mem_region *r = plan_translate(p, e->cr2, &phys, NULL)
		? plan_region(&p->facts, phys, 1) : NULL;
	if (r && r->readonly)
		snprintf(buf, HINT_LEN, "a write to 0x%llx, which is ROM (a "
			 "read-only memory region), mapped read-only",
			 (unsigned long long)e->cr2);
	else
		snprintf(buf, HINT_LEN, "a write to 0x%llx, which is mapped "
			 "read-only (no write in its page walk): map it with "
			 "write in paging.map, or do not write there",
			 (unsigned long long)e->cr2);
	return true;
}

/* A push or call that faulted: CR2 is just below the stack pointer. */
static bool stack_off_map(const struct plan *p, const struct result *res,
			  char *buf)
{
	const struct exception_rec *e = &res->exception;
	uint64_t below = e->rsp - e->cr2;

	if (!page_fault(res) || e->cr2 >= e->rsp || below > 4 * word(p))
		return false;
	snprintf(buf, HINT_LEN, "the fault is just below the stack pointer "
		 "(0x%llx): the stack ran off its mapping; give it room below "
		 "cpu.stack, or look for deep recursion",
		 (unsigned long long)e->rsp);
	return true;
}

/* What a PC's BIOS answers on the vectors a boot sector calls. */
static const char *const bios_services[] = {
	[0x10] = "video", [0x11] = "equipment list", [0x12] = "memory size",
	[0x13] = "disk", [0x14] = "serial port", [0x15] = "system services",
	[0x16] = "keyboard", [0x17] = "printer", [0x18] = "ROM BASIC",
	[0x19] = "bootstrap loader", [0x1a] = "time of day",
};

/* The boot sector's IVT (boot: sector) ended the run: which vector, from
 * where (the stub took the return address into CX:BX). */
static bool no_bios(const struct plan *p, const struct result *res,
		    char *buf)
{
	int v = p->has_ivt && res->have_regs && res->stop == STOPPED_EXIT
		? ivt_stub_vector(res->regs.rip + res->sregs.cs.base) : -1;
	unsigned cs = (unsigned)res->regs.rcx & 0xffff;
	unsigned ip = (unsigned)res->regs.rbx & 0xffff;
	char name[64];

	if (v < 0)
		return false;
	if ((size_t)v < sizeof bios_services / sizeof *bios_services &&
	    bios_services[v])
		snprintf(buf, HINT_LEN, "int 0x%02x (BIOS %s services) at "
			 "%04x:%04x: no BIOS here; kvmrun runs the boot sector "
			 "alone: write to the console port 0xE9 instead, and "
			 "end with hlt or the exit port", v, bios_services[v],
			 cs, (ip - 2) & 0xffff);
	else if (v < 8 && x86_exception((unsigned)v))
		snprintf(buf, HINT_LEN, "%s at %04x:%04x, through the interrupt "
			 "table at 0 (no BIOS here, and no handler of the guest's)",
			 x86_exception_str((unsigned)v, name, sizeof name), cs, ip);
	else
		snprintf(buf, HINT_LEN, "interrupt 0x%02x, returning to %04x:%04x, "
			 "reached the interrupt table at 0, which no handler of "
			 "the guest's took over (no BIOS here)", v, cs, ip);
	return true;
}

/* No paging: an instruction fetched outside RAM stops as MMIO (or as
 * KVM's emulation failure) with RIP there. */
static bool fetch_outside_ram(const struct plan *p, const struct result *res,
			      char *buf)
{
	uint64_t rip = res->regs.rip + res->sregs.cs.base;

	if (p->mode->paging || !bad_stop(res) ||
	    (res->stop != STOPPED_UNHANDLED_MMIO &&
	     res->stop != STOPPED_INTERNAL_ERROR) ||
	    (res->stop == STOPPED_UNHANDLED_MMIO && res->access.addr != rip) ||
	    plan_region(&p->facts, rip, 1))
		return false;
	snprintf(buf, HINT_LEN, "the guest jumped or called to 0x%llx, outside "
		 "RAM (no paging: the address is physical): a bad function "
		 "pointer, or a return address overwritten on the stack?",
		 (unsigned long long)rip);
	return true;
}

/* The stack pointer below all the room the stack had: it grew over
 * what lies below (with no guard page to stop it). */
static bool stack_overran(const struct plan *p, const struct result *res,
			  char *buf)
{
	uint64_t rsp = res->regs.rsp + res->sregs.ss.base;
	uint64_t room = p->stack_phys - p->stack_floor;

	if (!bad_stop(res) || rsp >= p->stack ||
	    p->stack - rsp <= room)
		return false;
	snprintf(buf, HINT_LEN, "the stack pointer (0x%llx) is %llu bytes below "
		 "its start, past the %llu bytes of free space the stack had: "
		 "it grew over what lies below it; a runaway recursion?",
		 (unsigned long long)rsp, (unsigned long long)(p->stack - rsp),
		 (unsigned long long)room);
	return true;
}

static bool port_without_handler(const struct plan *p, const struct result *res,
				 char *buf)
{
	const struct access *a = &res->access;

	(void)p;
	if (res->stop != STOPPED_UNHANDLED_IO)
		return false;
	snprintf(buf, HINT_LEN, "to let the guest use port 0x%llx, add a handler "
		 "such as `ports: { 0x%llx: %s }` (kvmrun.yaml(5), HANDLERS)",
		 (unsigned long long)a->addr, (unsigned long long)a->addr,
		 a->write ? "console" : "{ handler: constant, value: 0 }");
	return true;
}

static bool (*const tests[])(const struct plan *, const struct result *,
			     char *) = {
	entry_returned, jump_unmapped, write_read_only, stack_off_map,
	port_without_handler, no_bios, fetch_outside_ram, stack_overran,
};

size_t hints_for(const struct plan *p, const struct result *res,
		 char out[HINTS_MAX][HINT_LEN])
{
	size_t n = 0;

	for (size_t i = 0; i < sizeof tests / sizeof *tests && n < HINTS_MAX; i++)
		n += tests[i](p, res, out[n]);
	return n;
}
