/*
 * config -> plan: everything kvmrun will put into the VM, decided without
 * touching /dev/kvm. The VM stage only copies a plan into KVM.
 */
#ifndef KVMRUN_PLAN_H
#define KVMRUN_PLAN_H

#include <linux/kvm.h>
#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "cpuid.h"
#include "dev_fwcfg.h"
#include "idt.h"
#include "image.h"
#include "ivt.h"
#include "paging.h"

/* Bytes kvmrun writes into guest memory before the run. */
struct blob {
	char what[48];       /* "load[0] segment 1", "GDT", "page tables" */
	uint64_t gpa, size;  /* the range it occupies */
	const uint8_t *data; /* (len) bytes copied to gpa; the rest is zero */
	uint64_t len;
	uint64_t vaddr;      /* for image segments: where the guest sees it */
	const struct segment *seg; /* for image segments: the segment */
	size_t image;        /* for image segments: index in cfg->images */
	struct pos pos;      /* the config item it comes from */
};

/* What the VM, I/O and run stages need of the config, decided once:
 * after plan_build they read this, never the config. The arrays are the
 * config's (it outlives the plan), read only. */
struct plan_facts {
	uint64_t timeout_ns; /* limits.timeout */
	uint64_t max_exits;  /* limits.exits; 0 for no cap */
	struct fwcfg_facts fwcfg; /* RAM (without ROM) and vCPUs */

	const struct mem_region *regions; /* RAM and ROM, as memory: says */
	size_t nregions;
	unsigned cpus;        /* cpu.count */
	bool irqchip, pit;    /* KVM's LAPIC, IOAPIC and PIC; its PIT */
	bool hyperv;          /* cpu.hyperv */
	struct cpuid_edits cpuid; /* cpu.cpuid */

	/* The handler table: base, size, kind, value and input of each */
	const struct handler_cfg *ports, *mmio;
	size_t nports, nmmio;
	bool ignore_unhandled; /* unhandled: ignore */
};

/* A range of guest memory the run collects into the result for the
 * checks (expect.memory), as the guest left it. */
struct mem_read {
	uint64_t gpa;
	size_t len;
};

struct plan {
	const struct config *cfg;
	struct diag diag;     /* the problems the plan found, after the config's */
	struct plan_facts facts;
	struct mem_read *reads; /* one per expect.memory item, in order */
	size_t nreads;
	const struct mode_state *mode;
	struct image *images; /* one per cfg->images */
	size_t nimages;

	struct blob *blobs;
	size_t nblobs;

	struct map_cfg *maps; /* the mappings built: the config's or default */
	size_t nmaps;
	struct pt pt;         /* page tables, when the mode pages */

	uint64_t entry;
	uint64_t stack, stack_phys;   /* initial SP, and its physical address */
	uint64_t stack_floor;         /* lowest address the stack may reach */
	uint64_t gdt_base;
	uint16_t gdt_limit;
	uint8_t gdt[3 * 8];
	uint64_t tss_addr;    /* 3 free pages for KVM_SET_TSS_ADDR */

	/* The diagnostic IDT (idt.h), when (has_idt): its page, identity
	 * mapped, and the port its stubs write to; else (idt_why) says why
	 * there is none. */
	bool has_idt;
	uint64_t idt_base;
	uint8_t idt_port;
	const char *idt_why;
	uint8_t idt_page[IDT_PAGE];

	/* boot: sector: the real-mode IVT at 0 and its stubs (ivt.h), when
	 * (has_ivt) */
	bool has_ivt;
	uint8_t *ivt;

	/* acpi: the tables' page, at ACPI_BASE (acpi.h) */
	uint8_t *acpi;

	/* boot: multiboot: the modules' files, the information structure
	 * and where it is (EBX). */
	struct image *modules;
	char *mb_cmdline;
	uint8_t *mb_info;
	uint64_t mb_info_addr;

	struct kvm_regs regs;
	struct kvm_sregs sregs; /* segments, tables, CR0/3/4, EFER only */
};

/* Build the plan for (cfg), a config without problems; the plan's own
 * problems (layout, overlaps, what does not fit) go to p->diag. */
bool plan_build(struct plan *p, const struct config *cfg);

/* The facts of (cfg); plan_build puts them in p->facts. */
struct plan_facts plan_facts(const struct config *cfg);

void plan_free(struct plan *p);

/* The RAM region holding [gpa, gpa + len), or NULL. */
const struct mem_region *plan_region(const struct plan_facts *f, uint64_t gpa,
				     uint64_t len);

/* True if [gpa, gpa + len) is all RAM (writable RAM if (writable)),
 * possibly across adjacent regions: the one predicate of the plan and of
 * the checks after the run. */
bool plan_ram_covers(const struct plan_facts *f, uint64_t gpa, uint64_t len,
		     bool writable);

/* The guest-physical address of (virt) under the plan's initial paging;
 * false if it is not mapped. */
bool plan_translate(const struct plan *p, uint64_t virt, uint64_t *phys,
		    struct pt_walk *walk);

#endif
