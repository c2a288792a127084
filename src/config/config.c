/*
 * kvmrun's config schema: the field tables and parsers that turn a YAML
 * tree (ydoc.h) into struct config (see kvmrun.yaml(5)). The engine that walks
 * tables, keeps key paths and records problems is schema.c.
 */
#include "kvmrun-config.h"

#include "config.h"

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cpu_model.h"
#include "cpuid.h"
#include "device.h"
#include "escape.h"
#include "hostport.h"
#include "num.h"
#include "path.h"
#include "override.h"
#include "schema.h"
#include "signals.h"
#include "status.h"
#include "utf8.h"
#include "x86.h"

const char *const map_flag_names[] = { "write", "user", "nx", "global",
				       "nocache", "writethrough", NULL };
const char *const boot_names[] = { "direct", "multiboot", "sector", NULL };
const char *const stop_names[] = { "hlt", "exit", "shutdown", "poweroff",
				   NULL };
const char *const subtest_formats[] = { "none", "tap", "kvm-unit-tests",
					 NULL };

#define DEFAULT_TIMEOUT_NS 10000000000ULL
#define DEFAULT_MMIO_SIZE 8

/* How many of each a config may list: far beyond any real use, low
 * enough that every check stays fast on hostile input. */
#define MAX_REGIONS 256
#define MAX_IMAGES 256
#define MAX_MAPS 65536
#define MAX_HANDLERS 1024
#define MAX_EXPECTATIONS 65536

/* ---- memory ---- */

static void check_region(struct schema *c, struct ynode *n, struct mem_region *r)
{
	char b1[32];

	if (r->size == 0)
		schema_problem(c, n, "wanted a size above zero, found 0");
	else if (r->size % 4096 || r->base % 4096)
		schema_problem(c, n, "wanted base and size in multiples of 4 KiB, "
			      "found base 0x%llx, size %s",
			(unsigned long long)r->base, num_fmt_size(r->size, b1));
	else if (r->base > X86_PHYS_END || r->size > X86_PHYS_END - r->base)
		schema_problem(c, n, "region 0x%llx + %s ends past 2^52, the "
			      "most physical memory x86 addresses",
			(unsigned long long)r->base, num_fmt_size(r->size, b1));
}

static const struct field region_fields[] = {
	FIELD_REQ("base", schema_u64, struct mem_region, base),
	FIELD_REQ("size", schema_size, struct mem_region, size),
	FIELD("readonly", schema_bool, struct mem_region, readonly),
	FIELD("merge", schema_bool, struct mem_region, merge),
	FIELD("hugepages", schema_bool, struct mem_region, hugepages),
	{ NULL },
};

static void p_region(struct schema *c, struct ynode *n, void *dst)
{
	struct mem_region *r = dst;

	r->pos = ynode_pos(n);
	if (!schema_want_mapping(c, n, "a region such as { base: 0, size: 2M }"))
		return;
	size_t before = c->diag->count;
	schema_fields(c, n, region_fields, r);
	if (c->diag->count == before)
		check_region(c, n, r);
}

static void p_memory(struct schema *c, struct ynode *n, void *dst)
{
	struct config *cfg = c->cfg;

	(void)dst;
	if (n->type == YNODE_LIST) {
		schema_list(c, n, (void **)&cfg->regions, &cfg->nregions,
			    sizeof *cfg->regions, MAX_REGIONS, p_region);
		if (n->len == 0) /* not when it was refused as too long */
			schema_problem(c, n, "wanted at least one region, found none");
		return;
	}
	cfg->regions = calloc(1, sizeof *cfg->regions);
	if (!cfg->regions)
		err(EXIT_USAGE, "calloc");
	cfg->nregions = 1;
	cfg->regions->pos = ynode_pos(n);
	if (n->type != YNODE_SCALAR || schema_is_null(n)) {
		schema_wanted(c, n, "a size such as 2M, or a list of regions");
		return;
	}
	if (schema_number(c, n, &cfg->regions->size, num_parse_size,
		   "a size such as 2M, or a list of regions"))
		check_region(c, n, cfg->regions);
}

/* ---- cpu ---- */

static void p_mode(struct schema *c, struct ynode *n, void *dst)
{
	int i = schema_name_index(c, n, "mode", cpu_mode_names);

	c->cfg->mode_pos = ynode_pos(n);
	if (i >= 0)
		*(enum cpu_mode *)dst = (enum cpu_mode)i;
}

static void reg_pair(struct schema *c, struct ynode *k, struct ynode *v,
		     struct reg_value *rv)
{
	rv->pos = ynode_pos(v);
	if (!schema_no_nul(c, k))
		return;
	rv->reg = cpu_reg_lookup(k->text);
	if (!rv->reg) {
		schema_unknown_name(c, k, "register", cpu_reg_names());
		return;
	}
	if (!schema_number(c, v, &rv->value, num_parse_u64, "a number"))
		return;
	unsigned bits = rv->reg->width * 8;
	if (bits < 64 && rv->value >> bits)
		schema_problem(c, v, "0x%llx does not fit in the %u bits of %s",
			(unsigned long long)rv->value, bits, rv->reg->name);
}

/* A mapping of register names to values, such as { rax: 42 }. */
static void parse_regs(struct schema *c, struct ynode *n, struct reg_value **regs,
		       size_t *count)
{
	if (!schema_want_mapping(c, n, "a mapping of registers such as { rax: 42 }") ||
	    !schema_small_mapping(c, n, SCHEMA_MAX_KEYS))
		return;
	schema_check_duplicates(c, n);
	size_t len = n->len;
	*regs = calloc(len ? len : 1, sizeof **regs);
	if (!*regs)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < len; i++) {
		struct ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
		if (k->type != YNODE_SCALAR) {
			schema_wanted(c, k, "a register name");
			continue;
		}
		size_t old = schema_push_key(c, k->text);
		reg_pair(c, k, v, &(*regs)[*count]);
		if ((*regs)[*count].reg)
			(*count)++;
		schema_pop(c, old);
	}
}

static void p_cpu_regs(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	parse_regs(c, n, &c->cfg->regs, &c->cfg->nregs);
}

static void p_entry(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->entry_pos = ynode_pos(n);
	schema_u64(c, n, dst);
}

static void p_stack(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->stack_pos = ynode_pos(n);
	schema_u64(c, n, dst);
}

/* cpu.idt: off, or the page-aligned address of the diagnostic IDT. */
static void p_idt(struct schema *c, struct ynode *n, void *dst)
{
	struct config *cfg = c->cfg;

	(void)dst;
	cfg->idt_pos = ynode_pos(n);
	if (n->type == YNODE_SCALAR && n->text && !strcmp(n->text, "off")) {
		cfg->idt_off = true;
		return;
	}
	if (!schema_number(c, n, &cfg->idt_at, num_parse_u64,
			   "off, or the address of a free page for the diagnostic IDT"))
		return;
	if (cfg->idt_at % 4096)
		schema_problem(c, n, "wanted a multiple of 4 KiB, found 0x%llx",
			       (unsigned long long)cfg->idt_at);
	cfg->has_idt_at = true;
}

/* cpu.count: how many vCPUs; the others start as application processors. */
static void p_count(struct schema *c, struct ynode *n, void *dst)
{
	uint64_t v = 0;

	c->cfg->cpus_pos = ynode_pos(n);
	if (!schema_number(c, n, &v, num_parse_u64, "a number of vCPUs"))
		return;
	if (v < 1 || v > MAX_CPUS)
		schema_problem(c, n, "wanted 1 to %d vCPUs, found %llu", MAX_CPUS,
			       (unsigned long long)v);
	else
		*(unsigned *)dst = (unsigned)v;
}

/* ---- cpu.cpuid ---- */

#define MAX_CPUID_FEATURES 64

static void p_vendor(struct schema *c, struct ynode *n, void *dst)
{
	const char *s = schema_scalar(c, n, "a 12-character vendor string");

	if (s && strlen(s) != 12)
		schema_problem(c, n, "wanted a 12-character vendor string such "
			       "as GenuineIntel, found %zu characters", strlen(s));
	else if (s)
		memcpy(dst, s, 13);
}

static void p_feature(struct schema *c, struct ynode *n, void *dst)
{
	int i = schema_name_index(c, n, "CPUID feature", cpuid_feature_names());

	*(unsigned *)dst = i >= 0 ? (unsigned)i : 0;
}

static void feature_list(struct schema *c, struct ynode *n, unsigned **list,
			 size_t *count)
{
	if (!schema_want_list(c, n, "a list of CPUID feature names such as [x2apic]"))
		return;
	schema_list(c, n, (void **)list, count, sizeof **list,
		    MAX_CPUID_FEATURES, p_feature);
}

static void p_cpuid_set(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	feature_list(c, n, &c->cfg->cpuid_set, &c->cfg->ncpuid_set);
}

static void p_cpuid_clear(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	feature_list(c, n, &c->cfg->cpuid_clear, &c->cfg->ncpuid_clear);
}

static void p_model(struct schema *c, struct ynode *n, void *dst)
{
	int k = schema_name_index(c, n, "CPU model", cpu_model_names());

	if (k >= 0)
		*(const struct cpu_model **)dst = &cpu_models[k];
}

static const struct field cpuid_fields[] = {
	FIELD("model", p_model, struct config, cpuid_model),
	FIELD("vendor", p_vendor, struct config, cpuid_vendor),
	FIELD("set", p_cpuid_set, struct config, cpuid_set),
	FIELD("clear", p_cpuid_clear, struct config, cpuid_clear),
	{ NULL },
};

static void p_cpuid(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (schema_want_mapping(c, n, "a mapping with model, vendor, set, clear"))
		schema_fields(c, n, cpuid_fields, c->cfg);
}

static const struct field cpu_fields[] = {
	FIELD_REQ("mode", p_mode, struct config, mode),
	FIELD("count", p_count, struct config, cpus),
	FIELD_HAS("entry", p_entry, struct config, entry, has_entry),
	FIELD_HAS("stack", p_stack, struct config, stack, has_stack),
	FIELD("regs", p_cpu_regs, struct config, regs),
	FIELD("cpuid", p_cpuid, struct config, cpuid_set),
	FIELD("hyperv", schema_bool, struct config, hyperv),
	FIELD("idt", p_idt, struct config, idt_at),
	{ NULL },
};

static void p_cpu(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (schema_want_mapping(c, n, "a mapping with mode, count, entry, stack, regs, cpuid, hyperv, idt"))
		schema_fields(c, n, cpu_fields, c->cfg);
	else if (schema_is_null(n))
		schema_problem(c, n, "missing required key 'mode'");
}

/* ---- paging ---- */

static void p_page(struct schema *c, struct ynode *n, void *dst)
{
	uint64_t size;

	if (!schema_number(c, n, &size, num_parse_size, "a page size: 4K, 2M, 4M or 1G"))
		return;
	if (size != 4096 && size != 2 << 20 && size != 4 << 20 && size != 1 << 30) {
		schema_wanted(c, n, "a page size: 4K, 2M, 4M or 1G");
		return;
	}
	*(uint64_t *)dst = size;
}

static void p_flags(struct schema *c, struct ynode *n, void *dst)
{
	unsigned *flags = dst;

	if (n->type != YNODE_LIST) {
		if (!schema_is_null(n))
			schema_wanted(c, n, "a list of flags such as [write, nx]");
		return;
	}
	for (size_t i = 0; i < n->len; i++) {
		size_t old = schema_push_index(c, i);
		int bit = schema_name_index(c, n->items[i], "flag", map_flag_names);
		if (bit >= 0)
			*flags |= 1U << bit;
		schema_pop(c, old);
	}
}

static const struct field map_fields[] = {
	FIELD_REQ("virt", schema_u64, struct map_cfg, virt),
	FIELD_REQ("phys", schema_u64, struct map_cfg, phys),
	FIELD_REQ("size", schema_size, struct map_cfg, size),
	FIELD_REQ("page", p_page, struct map_cfg, page),
	FIELD("flags", p_flags, struct map_cfg, flags),
	{ NULL },
};

static void p_map_item(struct schema *c, struct ynode *n, void *dst)
{
	struct map_cfg *m = dst;

	m->pos = ynode_pos(n);
	if (schema_want_mapping(c, n, "a mapping such as { virt: 0, phys: 0, size: 2M, page: 2M }"))
		schema_fields(c, n, map_fields, m);
}

static void p_map(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (!schema_want_list(c, n, "a list of mappings"))
		return;
	schema_list(c, n, (void **)&c->cfg->maps, &c->cfg->nmaps,
		    sizeof *c->cfg->maps, MAX_MAPS, p_map_item);
}

static const struct field paging_fields[] = {
	FIELD_HAS("at", schema_u64, struct config, paging_at, has_paging_at),
	FIELD("map", p_map, struct config, maps),
	{ NULL },
};

static void p_paging(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	c->cfg->has_paging = true;
	c->cfg->paging_pos = ynode_pos(n);
	if (schema_want_mapping(c, n, "a mapping with at and map"))
		schema_fields(c, n, paging_fields, c->cfg);
}

/* ---- load ---- */

static void p_image_path(struct schema *c, struct ynode *n, struct image_cfg *img,
			 enum image_kind kind)
{
	if (img->given) {
		schema_problem(c, n, "an image is either elf or raw, not both");
		return;
	}
	const char *s = schema_scalar(c, n, "a file name");
	if (!s)
		return;
	img->kind = kind;
	/* A name given with -s: what the image's file turns out to be is
	 * that option's doing, not the config line's. */
	if (n->line == 0)
		img->pos = ynode_pos(n);
	img->given = strdup(s);
	img->path = path_resolve(c->dir, s, getenv("KVMRUN_PATH"));
	if (!img->given || !img->path)
		err(EXIT_USAGE, "strdup");
	if (access(img->path, R_OK) != 0)
		schema_problem(c, n, "cannot read '%s': %s", img->path, strerror(errno));
}

static void p_elf(struct schema *c, struct ynode *n, void *dst)
{
	p_image_path(c, n, dst, IMAGE_ELF);
}

static void p_raw(struct schema *c, struct ynode *n, void *dst)
{
	p_image_path(c, n, dst, IMAGE_RAW);
}

static const struct field image_fields[] = {
	FIELD_OBJ("elf", p_elf),
	FIELD_OBJ("raw", p_raw),
	FIELD_HAS("at", schema_u64, struct image_cfg, at, has_at),
	{ NULL },
};

static void p_image(struct schema *c, struct ynode *n, void *dst)
{
	struct image_cfg *img = dst;

	img->pos = ynode_pos(n);
	if (!schema_want_mapping(c, n, "an image such as { elf: guest.elf }"))
		return;
	size_t before = c->diag->count;
	schema_fields(c, n, image_fields, img);
	if (c->diag->count != before)
		return;
	if (!img->given)
		schema_problem(c, n, "wanted an elf or a raw key, found neither");
	else if (img->kind == IMAGE_ELF && img->has_at)
		schema_problem(c, n, "an ELF image is loaded at its own p_paddr; 'at' "
			      "is for raw images");
}

static void p_load(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (!schema_want_list(c, n, "a list of images such as - elf: guest.elf"))
		return;
	schema_list(c, n, (void **)&c->cfg->images, &c->cfg->nimages,
		    sizeof *c->cfg->images, MAX_IMAGES, p_image);
	if (n->len == 0) /* not when it was refused as too long */
		schema_problem(c, n, "wanted at least one image, found none");
}

/* ---- ports and mmio ---- */

static void p_handler_kind(struct schema *c, struct ynode *n, void *dst)
{
	int i = schema_name_index(c, n, "handler", device_names());

	if (i >= 0)
		*(enum handler_kind *)dst = (enum handler_kind)i;
}

struct handler_long {
	struct handler_cfg h;
	bool has_kind, has_value, has_size;
};

static const struct field handler_fields[] = {
	FIELD_HAS("handler", p_handler_kind, struct handler_long, h.kind, has_kind),
	FIELD_HAS("value", schema_u64, struct handler_long, h.value, has_value),
	FIELD_HAS("size", schema_size, struct handler_long, h.size, has_size),
	FIELD("input", schema_string, struct handler_long, h.input),
	{ NULL },
};

static bool takes_value(const struct device *d)
{
	return d->value != VALUE_NONE;
}

static bool takes_input(const struct device *d)
{
	return d->input;
}

/* What the kind of (h) asks of its keys, told at (v). */
static void check_handler_keys(struct schema *c, struct ynode *v,
			       const struct handler_cfg *h, bool has_value)
{
	const struct device *d = devices[h->kind];
	char kinds[120];

	if (has_value && d->value == VALUE_NONE)
		schema_problem(c, v, device_takers(takes_value, kinds, sizeof kinds) > 1
			       ? "only %s handlers take a value"
			       : "only a %s handler takes a value", kinds);
	if (d->value == VALUE_REQUIRED && v->type == YNODE_SCALAR)
		schema_problem(c, v, "an %s handler needs %s: { handler: %s, "
			       "value: N }", d->name, d->value_is, d->name);
	else if (d->value == VALUE_REQUIRED &&
		 (!has_value || (d->max_value && h->value > d->max_value)))
		schema_problem(c, v, "an %s handler needs value: %s, 0 to %llu",
			       d->name, d->value_is,
			       (unsigned long long)d->max_value);
	if (d->max_size && h->size > d->max_size)
		schema_problem(c, v, "an %s handler holds at most %llu bytes, "
			       "found a size of %llu", d->name,
			       (unsigned long long)d->max_size,
			       (unsigned long long)h->size);
	if (h->input && !d->input)
		schema_problem(c, v, device_takers(takes_input, kinds, sizeof kinds) > 1
			       ? "only %s handlers take input"
			       : "only a %s handler takes input", kinds);
}

static void parse_handler(struct schema *c, struct ynode *v, struct handler_cfg *h,
			  uint64_t default_size)
{
	struct handler_long hl = { .h = *h };

	if (v->type == YNODE_SCALAR) {
		p_handler_kind(c, v, &hl.h.kind);
		check_handler_keys(c, v, &hl.h, false);
	} else if (schema_want_mapping(c, v, "a handler name or { handler: ..., value: ... }")) {
		size_t before = c->diag->count;
		schema_fields(c, v, handler_fields, &hl);
		if (c->diag->count == before && !hl.has_kind)
			schema_problem(c, v, "missing required key 'handler'");
		check_handler_keys(c, v, &hl.h, hl.has_value);
		if (hl.has_size && hl.h.size == 0)
			schema_problem(c, v, "size: wanted a size above zero, found 0");
	} else {
		return;
	}
	if (!hl.has_size)
		hl.h.size = devices[hl.h.kind]->size ? devices[hl.h.kind]->size
						     : default_size;
	*h = hl.h;
}

static void parse_handlers(struct schema *c, struct ynode *n,
			   struct handler_cfg **out, size_t *count,
			   uint64_t limit, uint64_t default_size)
{
	if (!schema_want_mapping(c, n, "a mapping of addresses to handlers"))
		return;
	size_t len = n->len;
	if (!schema_small_mapping(c, n, MAX_HANDLERS))
		return;
	schema_check_duplicates(c, n);
	*out = calloc(len ? len : 1, sizeof **out);
	if (!*out)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < len; i++) {
		struct ynode *k = n->pairs[i].key, *v = n->pairs[i].value;
		struct handler_cfg *h = &(*out)[*count];
		if (k->type != YNODE_SCALAR) {
			schema_wanted(c, k, "an address");
			continue;
		}
		size_t old = schema_push_key(c, k->text);
		h->pos = ynode_pos(k);
		if (schema_number(c, k, &h->addr, num_parse_u64, "an address")) {
			parse_handler(c, v, h, default_size);
			/* A size of 0 is parse_handler's to report. */
			if (h->size && (h->addr + h->size - 1 < h->addr ||
					h->addr + h->size - 1 > limit))
				schema_problem(c, k, "range 0x%llx + %llu goes past 0x%llx",
					(unsigned long long)h->addr,
					(unsigned long long)h->size,
					(unsigned long long)limit);
			else
				(*count)++;
		}
		schema_pop(c, old);
	}
}

static void p_ports(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	parse_handlers(c, n, &c->cfg->ports, &c->cfg->nports, 0xffff, 1);
}

static void p_mmio(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	parse_handlers(c, n, &c->cfg->mmio, &c->cfg->nmmio, UINT64_MAX,
		       DEFAULT_MMIO_SIZE);
}

/* ---- limits ---- */

static const struct field limits_fields[] = {
	FIELD("timeout", schema_duration, struct config, timeout_ns),
	FIELD("exits", schema_size, struct config, max_exits),
	{ NULL },
};

static void p_limits(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (schema_want_mapping(c, n, "a mapping with timeout, exits"))
		schema_fields(c, n, limits_fields, c->cfg);
}

/* ---- irqchip ---- */

static const struct field irqchip_fields[] = {
	FIELD("pit", schema_bool, struct config, pit),
	{ NULL },
};

/* true, false, or { pit: BOOL }. */
static void p_irqchip(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->irqchip_pos = ynode_pos(n);
	if (n->type == YNODE_SCALAR) {
		schema_bool(c, n, dst);
		return;
	}
	if (schema_want_mapping(c, n, "true, false or { pit: true }")) {
		*(bool *)dst = true;
		schema_fields(c, n, irqchip_fields, c->cfg);
	}
}

/* ---- boot ---- */

static void p_acpi(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->acpi_pos = ynode_pos(n);
	schema_bool(c, n, dst);
}

static const char *const unhandled_names[] = { "stop", "ignore", NULL };

static void p_unhandled(struct schema *c, struct ynode *n, void *dst)
{
	int i = schema_name_index(c, n, "unhandled-io", unhandled_names);

	if (i >= 0)
		*(enum unhandled_kind *)dst = (enum unhandled_kind)i;
}

static void p_boot(struct schema *c, struct ynode *n, void *dst)
{
	int i = schema_name_index(c, n, "boot", boot_names);

	c->cfg->boot_pos = ynode_pos(n);
	if (i >= 0)
		*(enum boot_kind *)dst = (enum boot_kind)i;
}

static void p_module_file(struct schema *c, struct ynode *n, void *dst)
{
	struct module_cfg *m = dst;

	m->file.pos = ynode_pos(n);
	p_image_path(c, n, &m->file, IMAGE_RAW);
}

static const struct field module_fields[] = {
	FIELD_OBJ("file", p_module_file),
	FIELD("cmdline", schema_string, struct module_cfg, cmdline),
	{ NULL },
};

/* A module: a file name, or { file: NAME, cmdline: STRING }. */
static void p_module(struct schema *c, struct ynode *n, void *dst)
{
	struct module_cfg *m = dst;

	if (n->type == YNODE_SCALAR) {
		p_module_file(c, n, m);
		return;
	}
	if (!schema_want_mapping(c, n, "a file name or { file: NAME, cmdline: STRING }"))
		return;
	size_t before = c->diag->count;
	schema_fields(c, n, module_fields, m);
	if (c->diag->count == before && !m->file.given)
		schema_problem(c, n, "missing required key 'file'");
}

static void p_modules(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (!schema_want_list(c, n, "a list of module files"))
		return;
	schema_list(c, n, (void **)&c->cfg->modules, &c->cfg->nmodules,
		    sizeof *c->cfg->modules, MAX_MODULES, p_module);
}

static const struct field multiboot_fields[] = {
	FIELD("cmdline", schema_string, struct config, cmdline),
	FIELD("modules", p_modules, struct config, modules),
	{ NULL },
};

static void p_multiboot(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	c->cfg->multiboot_pos = ynode_pos(n);
	if (schema_want_mapping(c, n, "a mapping with cmdline, modules"))
		schema_fields(c, n, multiboot_fields, c->cfg);
}

/* What depends on several keys, once all are read. */
static void check_boot(struct config *cfg)
{
	char key[32];

	for (size_t i = 0; i < cfg->nimages; i++) {
		const struct image_cfg *img = &cfg->images[i];
		snprintf(key, sizeof key, "load[%zu]", i);
		/* A Multiboot kernel may say where it goes (the a.out kludge). */
		if (img->given && img->kind == IMAGE_RAW && !img->has_at &&
		    !(cfg->boot == BOOT_MULTIBOOT && i == 0))
			diag_add(&cfg->diag, img->pos, key, "a raw image needs "
				 "'at', its guest-physical address");
	}
	if (cfg->diag.count)
		return; /* the rest needs a config read without problems */
	for (size_t i = 0; i < cfg->nports + cfg->nmmio; i++) {
		const struct handler_cfg *h = i < cfg->nports ? &cfg->ports[i]
							     : &cfg->mmio[i - cfg->nports];
		if (devices[h->kind]->needs_irqchip && !cfg->irqchip)
			diag_add(&cfg->diag, h->pos, i < cfg->nports ? "ports" : "mmio",
				 "an %s handler needs irqchip: true",
				 devices[h->kind]->name);
	}
	if (cfg->cpus > 1 && cfg->gdb)
		diag_add(&cfg->diag, cfg->cpus_pos, "cpu.count", "the gdb stub "
			 "debugs one vCPU, and cpu.count is %u: set cpu.count: "
			 "1 or debug.gdb: false", cfg->cpus);
	if (cfg->cpus > 1 && !cfg->irqchip)
		diag_add(&cfg->diag, cfg->cpus_pos, "cpu.count", "%u vCPUs need "
			 "irqchip: true (the application processors wait for "
			 "INIT and SIPI through the local APIC)", cfg->cpus);

	if (cfg->boot == BOOT_SECTOR && cfg->mode != MODE_REAL)
		diag_add(&cfg->diag, cfg->mode_pos, "cpu.mode", "boot: sector "
			 "starts the boot sector in real mode, as a PC does, "
			 "found %s", cpu_mode_names[cfg->mode]);
	if (cfg->boot != BOOT_MULTIBOOT) {
		if (cfg->cmdline || cfg->nmodules)
			diag_add(&cfg->diag, cfg->multiboot_pos, "multiboot",
				 "cmdline and modules are for boot: multiboot");
		return;
	}
	if (cfg->mode != MODE_PROTECTED)
		diag_add(&cfg->diag, cfg->mode_pos, "cpu.mode", "boot: multiboot "
			 "starts the kernel in protected mode, found %s",
			 cpu_mode_names[cfg->mode]);
	if (cfg->nimages != 1)
		diag_add(&cfg->diag, cfg->boot_pos, "load", "boot: multiboot "
			 "loads one kernel, found %zu images (modules go in "
			 "multiboot.modules)", cfg->nimages);
}

/* ---- debug ---- */

/* Where to wait for gdb: a port, HOST:PORT, true for the default, false
 * for nowhere. */
static void p_gdb(struct schema *c, struct ynode *n, void *dst)
{
	const char *s = schema_scalar(c, n, "a port or HOST:PORT");
	char host[256], port[8];
	struct sockaddr_storage sa;
	socklen_t salen;
	const char *why;

	if (!s)
		return;
	free(*(char **)dst);
	*(char **)dst = NULL;
	if (strcmp(s, "false") == 0 || strcmp(s, "no") == 0)
		return; /* as though there were no debug.gdb (for -s) */
	if (strcmp(s, "true") == 0 || strcmp(s, "yes") == 0)
		s = HOSTPORT_DEFAULT_HOST ":1234";
	else if (!hostport_parse(s, host, sizeof host, port, sizeof port, &why)) {
		schema_problem(c, n, "%s, found '%.60s'", why, s);
		return;
	} else if (!hostport_sockaddr(host, port, &sa, &salen)) {
		schema_problem(c, n, "%s, found '%.60s'", HOSTPORT_WANTED_HOST, host);
		return;
	}
	*(char **)dst = strdup(s);
}

static const struct field debug_fields[] = {
	FIELD("gdb", p_gdb, struct config, gdb),
	FIELD("wait", schema_duration, struct config, gdb_wait_ns),
	{ NULL },
};

static void p_debug(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (schema_want_mapping(c, n, "a mapping with gdb and wait"))
		schema_fields(c, n, debug_fields, c->cfg);
}

/* ---- expect ---- */

static void stop_name(struct schema *c, struct ynode *n, unsigned *mask)
{
	int k = schema_name_index(c, n, "stop", stop_names);

	if (k >= 0)
		*mask |= 1U << k;
}

/* stop: { exception: PF }: a shutdown, on that exception. */
static void p_exception(struct schema *c, struct ynode *n, void *dst)
{
	const char *s = schema_scalar(c, n, "an exception such as PF, GP or UD");
	const struct x86_exception *e = s ? x86_exception_named(s) : NULL;

	if (s && !e)
		schema_wanted(c, n, "an exception: DE, DB, NMI, BP, OF, BR, UD, "
			      "NM, DF, TS, NP, SS, GP, PF, MF, AC, MC, XM, VE or CP");
	if (e)
		*(int *)dst = (int)e->vector;
}

static const struct field stop_fields[] = {
	FIELD("exception", p_exception, struct expect_cfg, exception),
	{ NULL },
};

/* A stop name, a flat list of them (an alias may not nest one), or
 * { exception: NAME }. */
static void p_stop(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->expect.stop_pos = ynode_pos(n);
	if (n->type == YNODE_MAP) {
		*(unsigned *)dst |= 1U << STOP_SHUTDOWN;
		schema_fields(c, n, stop_fields, &c->cfg->expect);
		return;
	}
	if (n->type != YNODE_LIST) {
		stop_name(c, n, dst);
		return;
	}
	for (size_t i = 0; i < n->len; i++) {
		size_t old = schema_push_index(c, i);
		stop_name(c, n->items[i], dst);
		schema_pop(c, old);
	}
}

#define REGEX_MAX_LEN 4096 /* bytes of expect.console.regex */
#define REGEX_MAX_DUP 255  /* the largest {m,n} bound */
#define REGEX_MAX_COPIES (1u << 18) /* its length times all its bounds */

/* Why the regex (re) could make regcomp take unbounded memory, or NULL.
 * glibc copies a subexpression once per repetition, and repetitions of
 * repetitions multiply: "(...){314}" or "a++++" take gigabytes. */
static const char *regex_too_costly(const char *re)
{
	bool after_dup = false;
	uint64_t copies = strlen(re) + 1;

	if (strlen(re) > REGEX_MAX_LEN)
		return "longer than 4096 bytes";
	for (const char *p = re; *p; p++) {
		bool dup = *p == '*' || *p == '+' || *p == '?' || *p == '{';
		if (*p == '\\' && p[1]) {
			p++;
			after_dup = false;
			continue;
		}
		if (dup && after_dup)
			return "a repetition of a repetition (such as a++ or a*{2})";
		if (*p == '{') {
			char *end;
			unsigned long m = strtoul(p + 1, &end, 10), n = m;
			if (*end == ',')
				n = end[1] == '}' ? 0 : strtoul(end + 1, &end, 10);
			if (m > REGEX_MAX_DUP || n > REGEX_MAX_DUP)
				return "a repetition count above 255";
			/* Nested bounds multiply: count as though all were. */
			copies *= (m > n ? m : n) + 1;
			if (copies > REGEX_MAX_COPIES)
				return "repetition counts that together copy it "
				       "more than 262144 times";
			p = strchr(p, '}') ? strchr(p, '}') : p;
		}
		after_dup = dup;
	}
	return NULL;
}

static void console_text(struct schema *c, struct ynode *n, struct expect_cfg *e,
			 enum console_match kind)
{
	if (n->type != YNODE_SCALAR) {
		schema_wanted(c, n, "a string");
		return;
	}
	if (e->console != CONSOLE_ANY) {
		schema_problem(c, n, "give one of exact text, contains, regex or file");
		return;
	}
	if (kind == CONSOLE_REGEX && !schema_no_nul(c, n))
		return; /* regcomp reads a C string */
	e->console = kind;
	e->console_len = n->len;
	e->console_text = malloc(e->console_len + 1);
	if (!e->console_text)
		err(EXIT_USAGE, "malloc");
	memcpy(e->console_text, n->text, e->console_len + 1);
	if (kind != CONSOLE_REGEX)
		return;
	const char *costly = regex_too_costly(e->console_text);
	if (costly) {
		schema_problem(c, n, "regular expression refused: %s", costly);
		free(e->console_text);
		e->console_text = NULL;
		e->console = CONSOLE_ANY;
		return;
	}
	int rc = regcomp(&e->console_re, e->console_text, REG_EXTENDED);
	if (rc != 0) {
		char msg[128];
		regerror(rc, &e->console_re, msg, sizeof msg);
		schema_problem(c, n, "bad regular expression: %s", msg);
		free(e->console_text);
		e->console_text = NULL;
		e->console = CONSOLE_ANY;
	}
}

static void p_contains(struct schema *c, struct ynode *n, void *dst)
{
	console_text(c, n, dst, CONSOLE_CONTAINS);
}

static void p_regex(struct schema *c, struct ynode *n, void *dst)
{
	console_text(c, n, dst, CONSOLE_REGEX);
}

/* The capture keeps 16 MiB (src/run/console.c): a longer golden log
 * could never match. */
#define GOLDEN_MAX (16u << 20)

/* { file: NAME }: the exact text, from a file beside the config (a
 * golden log). Read whole now: a run must not depend on it changing. */
static void p_console_file(struct schema *c, struct ynode *n, void *dst)
{
	struct expect_cfg *e = dst;
	const char *s = schema_scalar(c, n, "a file name");
	struct stat st;
	FILE *f;

	if (!s)
		return;
	if (e->console != CONSOLE_ANY) {
		schema_problem(c, n, "give one of exact text, contains, regex or file");
		return;
	}
	char *path = path_resolve(c->dir, s, NULL);
	if (!path)
		err(EXIT_USAGE, "path_resolve");
	if (!(f = fopen(path, "rb")) || fstat(fileno(f), &st) != 0) {
		schema_problem(c, n, "cannot read '%s': %s", path, strerror(errno));
	} else if (!S_ISREG(st.st_mode) || st.st_size > GOLDEN_MAX) {
		schema_problem(c, n, "'%s': wanted a file of at most 16 MiB "
			       "(what the console capture keeps), found %s", path,
			       S_ISREG(st.st_mode) ? "a larger one" : "no regular file");
	} else {
		e->console_text = malloc((size_t)st.st_size + 1);
		if (!e->console_text)
			err(EXIT_USAGE, "malloc");
		e->console_len = fread(e->console_text, 1, (size_t)st.st_size, f);
		e->console_text[e->console_len] = '\0';
		if (ferror(f))
			schema_problem(c, n, "cannot read '%s': %s", path,
				       strerror(errno));
		e->console = CONSOLE_EXACT;
	}
	if (f)
		fclose(f);
	free(path);
}

static const struct field console_fields[] = {
	FIELD_OBJ("file", p_console_file),
	FIELD_OBJ("contains", p_contains),
	FIELD_OBJ("regex", p_regex),
	{ NULL },
};

static void p_console(struct schema *c, struct ynode *n, void *dst)
{
	struct expect_cfg *e = &c->cfg->expect;

	(void)dst;
	e->console_pos = ynode_pos(n);
	if (n->type == YNODE_SCALAR)
		console_text(c, n, e, CONSOLE_EXACT);
	else if (schema_want_mapping(c, n, "a string, { contains: ... }, { regex: ... } "
				     "or { file: ... }"))
		schema_fields(c, n, console_fields, e);
}

/* subtests: tap | kvm-unit-tests: the guest's own results, on the
 * console. */
static void p_subtests(struct schema *c, struct ynode *n, void *dst)
{
	int k = schema_name_index(c, n, "sub-test format", subtest_formats);

	c->cfg->expect.subtests_pos = ynode_pos(n);
	if (k >= 0)
		*(enum subtest_format *)dst = (enum subtest_format)k;
}

static void p_expect_regs(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	parse_regs(c, n, &c->cfg->expect.regs, &c->cfg->expect.nregs);
}

/* One of u8, u16, u32, u64, bytes, string in a memory expectation. */
static void mem_value(struct schema *c, struct ynode *n, struct mem_expect *m,
		      const char *what, unsigned width)
{
	if (m->what) {
		schema_problem(c, n, "give one value per entry; found %s and %s",
			m->what, what);
		return;
	}
	m->what = what;
	m->width = width;
	if (width || strcmp(what, "value") == 0) {
		if (schema_number(c, n, &m->value, num_parse_u64, "a number") &&
		    width && width < 8 && m->value >> (8 * width))
			schema_problem(c, n, "0x%llx does not fit in %s",
				(unsigned long long)m->value, what);
		return;
	}
	if (strcmp(what, "string") == 0) {
		if (n->type != YNODE_SCALAR) {
			schema_wanted(c, n, "a string");
			return;
		}
		m->len = n->len;
		m->bytes = malloc(m->len + 1);
		if (!m->bytes)
			err(EXIT_USAGE, "malloc");
		memcpy(m->bytes, n->text, m->len);
		return;
	}
	if (n->type != YNODE_LIST) {
		schema_wanted(c, n, "a list of byte values such as [0xde, 0xad]");
		return;
	}
	size_t len = n->len;
	m->bytes = calloc(len ? len : 1, 1);
	if (!m->bytes)
		err(EXIT_USAGE, "calloc");
	m->len = len;
	for (size_t i = 0; i < len; i++) {
		struct ynode *b = n->items[i];
		uint64_t v = 0;
		size_t old = schema_push_index(c, i);
		if (schema_number(c, b, &v, num_parse_u64, "a byte value") && v > 0xff)
			schema_problem(c, b, "wanted a byte value, found 0x%llx",
				(unsigned long long)v);
		m->bytes[i] = (uint8_t)v;
		schema_pop(c, old);
	}
}

#define MEM_VALUE(name, width)                                          \
	static void p_mem_##name(struct schema *c, struct ynode *n, void *dst) \
	{                                                               \
		mem_value(c, n, dst, #name, width);                     \
	}
MEM_VALUE(u8, 1)
MEM_VALUE(u16, 2)
MEM_VALUE(u32, 4)
MEM_VALUE(u64, 8)
MEM_VALUE(bytes, 0)
MEM_VALUE(string, 0)
MEM_VALUE(value, 0)

static void p_mem_symbol(struct schema *c, struct ynode *n, void *dst)
{
	struct mem_expect *m = dst;

	if (n->type != YNODE_SCALAR || n->len == 0) {
		schema_wanted(c, n, "a symbol name");
		return;
	}
	if (!schema_no_nul(c, n))
		return;
	if (!(m->symbol = strdup(n->text)))
		err(EXIT_USAGE, "strdup");
}

static const struct field mem_expect_fields[] = {
	FIELD_HAS("at", schema_u64, struct mem_expect, at, has_at),
	FIELD_OBJ("symbol", p_mem_symbol),
	FIELD_OBJ("u8", p_mem_u8),
	FIELD_OBJ("u16", p_mem_u16),
	FIELD_OBJ("u32", p_mem_u32),
	FIELD_OBJ("u64", p_mem_u64),
	FIELD_OBJ("bytes", p_mem_bytes),
	FIELD_OBJ("string", p_mem_string),
	FIELD_OBJ("value", p_mem_value),
	{ NULL },
};

static void p_mem_expect(struct schema *c, struct ynode *n, void *dst)
{
	struct mem_expect *m = dst;

	m->pos = ynode_pos(n);
	if (!schema_want_mapping(c, n, "a mapping such as { at: 0x400, u64: 42 }"))
		return;
	size_t before = c->diag->count;
	schema_fields(c, n, mem_expect_fields, m);
	if (c->diag->count == before && m->has_at == !!m->symbol)
		schema_problem(c, n, "wanted one of at and symbol, found %s",
			       m->has_at ? "both" : "neither");
	if (c->diag->count == before && !m->what)
		schema_problem(c, n, "wanted one of u8, u16, u32, u64, bytes, string, "
			      "value, found none");
	if (c->diag->count == before && strcmp(m->what, "value") == 0 &&
	    !m->symbol)
		schema_problem(c, n, "value: wanted with symbol (its width is "
			       "the symbol's size), found at: give u8, u16, "
			       "u32 or u64");
	if (m->what && !m->width && m->len == 0 && c->diag->count == before &&
	    strcmp(m->what, "value") != 0)
		schema_problem(c, n, "%s: wanted at least one byte, found none", m->what);
}

static void p_expect_memory(struct schema *c, struct ynode *n, void *dst)
{
	(void)dst;
	if (!schema_want_list(c, n, "a list such as - { at: 0x400, u64: 42 }"))
		return;
	schema_list(c, n, (void **)&c->cfg->expect.mem, &c->cfg->expect.nmem,
		    sizeof *c->cfg->expect.mem, MAX_EXPECTATIONS, p_mem_expect);
}

static void p_status(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->expect.status_pos = ynode_pos(n);
	schema_u64(c, n, dst);
}

static void p_skip_status(struct schema *c, struct ynode *n, void *dst)
{
	c->cfg->expect.skip_status_pos = ynode_pos(n);
	schema_u64(c, n, dst);
}

static const struct field expect_fields[] = {
	FIELD("stop", p_stop, struct expect_cfg, stops),
	FIELD_HAS("status", p_status, struct expect_cfg, status, has_status),
	FIELD_HAS("skip-status", p_skip_status, struct expect_cfg, skip_status,
		  has_skip_status),
	FIELD("console", p_console, struct expect_cfg, console),
	FIELD("regs", p_expect_regs, struct expect_cfg, regs),
	FIELD("memory", p_expect_memory, struct expect_cfg, mem),
	FIELD("subtests", p_subtests, struct expect_cfg, subtests),
	{ NULL },
};

static void p_expect(struct schema *c, struct ynode *n, void *dst)
{
	struct expect_cfg *e = dst;

	if (!schema_want_mapping(c, n, "a mapping with stop, status, skip-status, console, regs, memory, subtests"))
		return;
	schema_fields(c, n, expect_fields, dst);
	/* The status that passes cannot also say "skipped". */
	uint64_t pass = e->has_status ? e->status : 0;
	if (e->has_skip_status && e->skip_status == pass)
		diag_add(c->diag, e->skip_status_pos, "expect.skip-status",
			 "%llu is also the status that passes (expect.status%s): "
			 "wanted another, or every pass would be a skip",
			 (unsigned long long)pass,
			 e->has_status ? "" : ", 0 by default");
}

/* ---- the top level ---- */

/* The index of the first control character of (s) (ESC, and C1 in
 * UTF-8), or -1: a name is printed in verdict lines, on terminals. */
static long control_at(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0))
			return (long)(p - (const unsigned char *)s);
	return -1;
}

#define NAME_MAX_LEN 200 /* bytes of a config's name */

static void p_name(struct schema *c, struct ynode *n, void *dst)
{
	long at;

	if (n->type == YNODE_SCALAR && (at = control_at(n->text)) >= 0) {
		schema_problem(c, n, "wanted a name without control characters, "
			       "found one at byte %ld", at);
		return;
	}
	/* It heads every verdict line and names --log-dir's files. */
	if (n->type == YNODE_SCALAR && n->len > NAME_MAX_LEN) {
		schema_problem(c, n, "wanted a name of at most %d bytes, found "
			       "%u", NAME_MAX_LEN, n->len);
		return;
	}
	schema_string(c, n, dst);
}

static const struct field top_fields[] = {
	FIELD("name", p_name, struct config, name),
	FIELD_REQ("memory", p_memory, struct config, regions),
	FIELD_REQ("cpu", p_cpu, struct config, mode),
	FIELD("paging", p_paging, struct config, maps),
	FIELD_REQ("load", p_load, struct config, images),
	FIELD("ports", p_ports, struct config, ports),
	FIELD("mmio", p_mmio, struct config, mmio),
	FIELD("unhandled-io", p_unhandled, struct config, unhandled),
	FIELD("limits", p_limits, struct config, timeout_ns),
	FIELD("expect", p_expect, struct config, expect),
	FIELD("debug", p_debug, struct config, gdb),
	FIELD("boot", p_boot, struct config, boot),
	FIELD("irqchip", p_irqchip, struct config, irqchip),
	FIELD("acpi", p_acpi, struct config, acpi),
	FIELD("multiboot", p_multiboot, struct config, cmdline),
	{ NULL },
};



#define CONFIG_MAX (16u << 20) /* bytes of YAML read at most */

/* The size to read (path)'s text into: its size if it is a regular file,
 * so that a large config is read in one go. */
static size_t first_capacity(int fd)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size < CONFIG_MAX)
		return (size_t)st.st_size + 2; /* the NUL, and room to see EOF */
	return 4096;
}

/* (path), or standard input for "-". */
static bool read_file(struct config *cfg, const char *path)
{
	/* A FIFO's writer is waited for in polls that a stopping signal
	 * ends, never in open(2) or read(2), which it cannot. */
	bool std = strcmp(path, "-") == 0;
	int fd = std ? STDIN_FILENO
		     : open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
	size_t len = 0, cap;
	ssize_t got = 1;
	struct stat st;

	if (fd < 0) {
		diag_addf(&cfg->diag, "cannot open config: %s", strerror(errno));
		return false;
	}
	bool wait = fstat(fd, &st) != 0 || !S_ISREG(st.st_mode);
	cap = first_capacity(fd);
	cfg->text = malloc(cap);
	while (got > 0 && len <= CONFIG_MAX) {
		if (!cfg->text)
			err(EXIT_USAGE, "malloc");
		if (wait && signals_poll(fd, POLLIN, NULL) < 0) {
			got = -1;
			errno = EINTR; /* a signal stops kvmrun */
			break;
		}
		got = read(fd, cfg->text + len, cap - len - 1);
		if (got < 0 && (errno == EAGAIN || errno == EINTR))
			got = 1; /* read nothing, try again */
		else if (got > 0)
			len += (size_t)got;
		if (len == cap - 1) {
			cap *= 2;
			cfg->text = realloc(cfg->text, cap);
		}
	}
	int saved = errno;
	if (!std)
		close(fd);
	if (got < 0) {
		diag_addf(&cfg->diag, "cannot read config: %s", saved == EINTR
			  ? "kvmrun was stopped by a signal" : strerror(saved));
		return false;
	}
	if (len > CONFIG_MAX) {
		diag_addf(&cfg->diag, "the config is larger than %u MiB: not a "
			  "config kvmrun reads", CONFIG_MAX >> 20);
		return false;
	}
	cfg->text[len] = '\0';
	cfg->diag.text = cfg->text;
	cfg->diag.text_len = len;
	return true;
}

static char *default_name(const char *path)
{
	const char *base = strrchr(path, '/');
	char *name = strdup(base ? base + 1 : path);

	if (!name)
		err(EXIT_USAGE, "strdup");
	char *dot = strrchr(name, '.');
	if (dot && (strcmp(dot, ".yaml") == 0 || strcmp(dot, ".yml") == 0))
		*dot = '\0';
	/* A file's name may hold anything: not so the verdict line. */
	for (long at; (at = control_at(name)) >= 0;)
		name[at] = '?';
	return name;
}

static struct config *new_config(const char *path, char *const *overrides)
{
	struct config *cfg = calloc(1, sizeof *cfg);

	if (!cfg || !(cfg->file = strdup(path)))
		err(EXIT_USAGE, "calloc");
	cfg->diag.file = cfg->file_shown = escape_name(path);
	cfg->diag.overrides = overrides;
	cfg->timeout_ns = DEFAULT_TIMEOUT_NS;
	cfg->cpus = 1;
	cfg->expect.exception = -1;
	return cfg;
}

/* Where byte (at) of the config is: its line, and its column counted in
 * characters as libyaml counts them. The text before it is UTF-8. */
static struct pos text_pos(const struct config *cfg, size_t at)
{
	const unsigned char *t = (const unsigned char *)cfg->text;
	struct pos p = { 1, 1, 0 };

	for (size_t i = 0; i < at; i += utf8_len(t + i, at - i)) {
		if (t[i] == '\n') {
			p.line++;
			p.col = 0;
		}
		p.col++;
	}
	return p;
}

/* libyaml reports bad UTF-8 at the start of its buffer: find where it is.
 * Configs are mostly ASCII, which is skipped a byte at a time. */
static bool check_utf8(struct config *cfg)
{
	const unsigned char *t = (const unsigned char *)cfg->text;
	size_t len = cfg->diag.text_len;

	for (size_t i = 0; i < len;) {
		if (t[i] < 0x80) {
			i++;
			continue;
		}
		size_t n = utf8_len(t + i, len - i);
		if (!n) {
			diag_add(&cfg->diag, text_pos(cfg, i), "",
				 "the config is not UTF-8: byte 0x%02x cannot "
				 "be here (kvmrun takes a YAML config, or an "
				 "ELF image to run without one)", t[i]);
			return false;
		}
		i += n;
	}
	return true;
}

/* Parse cfg->text into cfg. */
static void parse(struct config *cfg, const char *path, char *const *overrides,
		  size_t noverrides)
{
	struct ydoc doc;

	/* kvmrun IMAGE takes regular files only (main.c): this came
	 * through a pipe or standard input. */
	if (cfg->diag.text_len >= 4 && memcmp(cfg->text, "\177ELF", 4) == 0) {
		diag_addf(&cfg->diag, "an ELF image, which kvmrun runs from "
			  "a regular file only, not from a pipe or standard "
			  "input: save it to a file");
		return;
	}
	if (!check_utf8(cfg) ||
	    !ydoc_load(&doc, cfg->text, cfg->diag.text_len, &cfg->diag))
		return;
	struct schema c = { .cfg = cfg, .diag = &cfg->diag,
			    .dir = path_dirname(path) };
	for (size_t i = 0; i < noverrides; i++)
		override_apply(&doc, &cfg->diag, (unsigned)i, overrides[i]);

	struct ynode *root = doc.root;
	if (!root)
		diag_add(&cfg->diag, (struct pos){ 1, 1, 0 }, "",
			 "the config is empty: wanted at least memory, cpu and load");
	else if (root->type != YNODE_MAP)
		schema_wanted(&c, root, "a mapping of keys such as memory, cpu, load");
	else
		schema_fields(&c, root, top_fields, cfg);
	check_boot(cfg);
	free(c.dir);
	ydoc_free(&doc);
}

struct config *cfg_load(const char *path, char *const *overrides,
			size_t noverrides)
{
	/* "-": standard input, its file names relative to the current
	 * folder (path_dirname("-") is "."). */
	bool std = strcmp(path, "-") == 0;
	struct config *cfg = new_config(std ? "<stdin>" : path, overrides);

	if (read_file(cfg, path))
		parse(cfg, path, overrides, noverrides);
	if (!cfg->name)
		cfg->name = default_name(std ? "stdin" : path);
	return cfg;
}

struct config *cfg_load_text(const char *path, const char *text, size_t len,
			     char *const *overrides, size_t noverrides)
{
	struct config *cfg = new_config(path, overrides);

	cfg->text = malloc(len + 1);
	if (!cfg->text)
		err(EXIT_USAGE, "malloc");
	memcpy(cfg->text, text, len);
	cfg->text[len] = '\0';
	cfg->diag.text = cfg->text;
	cfg->diag.text_len = len;
	parse(cfg, path, overrides, noverrides);
	if (!cfg->name)
		cfg->name = default_name(path);
	return cfg;
}

struct config *cfg_problem(const char *path, const char *fmt, ...)
{
	struct config *cfg = new_config(path, NULL);
	char text[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	diag_addf(&cfg->diag, "%s", text);
	cfg->name = default_name(path);
	return cfg;
}

void cfg_free(struct config *cfg)
{
	if (!cfg)
		return;
	for (size_t i = 0; i < cfg->nimages; i++) {
		free(cfg->images[i].path);
		free(cfg->images[i].given);
	}
	for (size_t i = 0; i < cfg->expect.nmem; i++) {
		free(cfg->expect.mem[i].bytes);
		free(cfg->expect.mem[i].symbol);
	}
	if (cfg->expect.console == CONSOLE_REGEX)
		regfree(&cfg->expect.console_re);
	free(cfg->expect.console_text);
	free(cfg->expect.mem);
	free(cfg->expect.regs);
	free(cfg->images);
	for (size_t i = 0; i < cfg->nports; i++)
		free(cfg->ports[i].input);
	for (size_t i = 0; i < cfg->nmmio; i++)
		free(cfg->mmio[i].input);
	free(cfg->ports);
	free(cfg->mmio);
	free(cfg->maps);
	free(cfg->regs);
	free(cfg->regions);
	free(cfg->name);
	free(cfg->gdb);
	free(cfg->cpuid_set);
	free(cfg->cpuid_clear);
	free(cfg->cmdline);
	for (size_t i = 0; i < cfg->nmodules; i++) {
		free(cfg->modules[i].file.path);
		free(cfg->modules[i].file.given);
		free(cfg->modules[i].cmdline);
	}
	free(cfg->modules);
	diag_free(&cfg->diag);
	free(cfg->text);
	free(cfg->file);
	free(cfg->file_shown);
	free(cfg);
}
