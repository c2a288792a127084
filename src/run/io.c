/* Port and MMIO exits, each given to the handler that covers it. */
#include "kvmrun-config.h"

#include "io.h"

#include <err.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "console.h"
#include "status.h"
#include "vcpu.h"

#define IO_PORTS 0x10000 /* x86's port space */

static struct io_handler *copy_handlers(const struct handler_cfg *h, size_t n)
{
	struct io_handler *t = calloc(n ? n : 1, sizeof *t);

	if (!t)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < n; i++) {
		t[i] = (struct io_handler){ .base = h[i].addr, .size = h[i].size,
					    .dev = devices[h[i].kind] };
		if (t[i].dev->state_size &&
		    !(t[i].state = calloc(1, t[i].dev->state_size)))
			err(EXIT_USAGE, "calloc");
		t[i].dev->reset(t[i].state, h[i].value, h[i].input, h[i].size);
	}
	return t;
}

/* The port table: the first handler that covers a port takes it, as a
 * search in order would (the config lets none overlap). */
static void index_ports(struct io_table *t)
{
	for (size_t i = t->nports; i-- > 0;) {
		const struct io_handler *h = &t->ports[i];
		for (uint64_t port = h->base;
		     port < IO_PORTS && port - h->base < h->size; port++) {
			uint32_t **block = &t->port_of[port >> 8];
			if (!*block && !(*block = calloc(256, sizeof **block)))
				err(EXIT_USAGE, "calloc");
			(*block)[port & 0xff] = (uint32_t)(i + 1);
		}
	}
}

void io_register(struct io_table *t, const struct plan *p, int vm_fd)
{
	const struct plan_facts *f = &p->facts;

	*t = (struct io_table){ .vm_fd = vm_fd };
	t->ignore_unhandled = f->ignore_unhandled;
	t->fwcfg = f->fwcfg;
	t->ports = copy_handlers(f->ports, f->nports);
	t->nports = f->nports;
	t->mmio = copy_handlers(f->mmio, f->nmmio);
	t->nmmio = f->nmmio;
	index_ports(t);
}

static void release(struct io_handler *h, size_t n)
{
	for (size_t i = 0; h && i < n; i++) {
		if (h[i].dev->release)
			h[i].dev->release(h[i].state);
		free(h[i].state);
	}
}

void io_free(struct io_table *t)
{
	release(t->ports, t->nports);
	release(t->mmio, t->nmmio);
	free(t->ports);
	free(t->mmio);
	for (size_t i = 0; i < 256; i++)
		free(t->port_of[i]);
	memset(t, 0, sizeof *t);
}

void *io_port_state(struct io_table *t, enum handler_kind kind)
{
	for (size_t i = 0; i < t->nports; i++)
		if (t->ports[i].dev == devices[kind])
			return t->ports[i].state;
	return NULL;
}

static struct io_handler *lookup(struct io_handler *h, size_t n,
				 uint64_t addr, unsigned size)
{
	for (size_t i = 0; i < n; i++)
		if (addr >= h[i].base && size <= h[i].size &&
		    addr - h[i].base <= h[i].size - size)
			return &h[i];
	return NULL;
}

static uint64_t le_value(const uint8_t *p, unsigned size)
{
	uint64_t v = 0;

	memcpy(&v, p, size < 8 ? size : 8);
	return v;
}

/* ---- what devices may do to the run (struct dev_env) ---- */

/* The access being handled. */
struct access_ctx {
	const struct io_table *t;
	const struct io_handler *h;
	struct result *res;
};

static void env_console(void *ctx, const char *data, size_t len)
{
	console_write(((struct access_ctx *)ctx)->res, data, len);
}

static void env_status(void *ctx, uint64_t status)
{
	struct result *res = ((struct access_ctx *)ctx)->res;

	res->has_status = true;
	res->status = status;
}

static void env_log(void *ctx, uint64_t offset, uint64_t value)
{
	struct access_ctx *a = ctx;
	struct result *res = a->res;

	if (res->nlog < LOG_KEEP) {
		res->log[res->nlog].addr = a->h->base + offset;
		res->log[res->nlog].value = value;
	}
	res->nlog++;
}

static int env_irq_line(void *ctx, uint32_t irq, bool level)
{
	struct access_ctx *a = ctx;

	if (vm_irq_line(a->t->vm_fd, irq, level) == 0)
		return 0;
	snprintf(a->res->detail, sizeof a->res->detail, "KVM_IRQ_LINE %u "
		 "(level %d) for the %s handler at 0x%llx: %s", irq, level,
		 a->h->dev->name, (unsigned long long)a->h->base, strerror(errno));
	return -1;
}

/* KVM's own routes with an in-kernel irqchip (its default table): IOAPIC
 * pins 0-23 and, for lines 0-15, the PICs'. KVM_SET_GSI_ROUTING replaces
 * the whole table, so they are given again with the SINT routes. */
#define IRQCHIP_ROUTES (24 + 16)

static size_t irqchip_routes(struct kvm_irq_routing_entry *e)
{
	size_t n = 0;

	for (uint32_t gsi = 0; gsi < 24; gsi++) {
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n++].u.irqchip = (struct kvm_irq_routing_irqchip){
			KVM_IRQCHIP_IOAPIC, gsi };
		if (gsi >= 16)
			continue;
		e[n].gsi = gsi;
		e[n].type = KVM_IRQ_ROUTING_IRQCHIP;
		e[n++].u.irqchip = (struct kvm_irq_routing_irqchip){
			gsi < 8 ? KVM_IRQCHIP_PIC_MASTER : KVM_IRQCHIP_PIC_SLAVE,
			gsi % 8 };
	}
	return n;
}

static int env_hv_routes(void *ctx, const struct hv_sint_route *routes, size_t n)
{
	struct access_ctx *a = ctx;
	struct kvm_irq_routing *r = calloc(1, sizeof *r + (IRQCHIP_ROUTES +
					   HV_SINT_ROUTES) * sizeof r->entries[0]);

	if (!r) {
		snprintf(a->res->detail, sizeof a->res->detail, "calloc: %s",
			 strerror(errno));
		return -1;
	}
	size_t k = irqchip_routes(r->entries);
	for (size_t i = 0; i < n && i < HV_SINT_ROUTES; i++) {
		if (!routes[i].used)
			continue;
		r->entries[k].gsi = HV_SINT_GSI + (uint32_t)i;
		r->entries[k].type = KVM_IRQ_ROUTING_HV_SINT;
		r->entries[k++].u.hv_sint = (struct kvm_irq_routing_hv_sint){
			routes[i].vcpu, routes[i].sint };
	}
	r->nr = (uint32_t)k;
	int status = vm_set_gsi_routing(a->t->vm_fd, r), why = errno;
	free(r);
	if (status == 0)
		return 0;
	snprintf(a->res->detail, sizeof a->res->detail, "KVM_SET_GSI_ROUTING "
		 "(%zu SynIC SINT routes) for the %s handler at 0x%llx: %s",
		 k - IRQCHIP_ROUTES, a->h->dev->name,
		 (unsigned long long)a->h->base, strerror(why));
	errno = why;
	return -1;
}

static void env_refuse(void *ctx, const char *why)
{
	struct access_ctx *a = ctx;

	snprintf(a->res->detail, sizeof a->res->detail, "%s (the handler at "
		 "0x%llx)", why, (unsigned long long)a->h->base);
}

/* Handler (h) takes the access: a read fills (data), a write may stop
 * the run or fail. */
static enum io_action handle(const struct io_table *t, struct io_handler *h,
			     uint64_t addr, bool write, uint8_t *data,
			     unsigned size, size_t count, struct result *res)
{
	struct access_ctx a = { t, h, res };
	const struct dev_env env = { env_console, env_status, env_log,
				     env_irq_line, env_hv_routes, env_refuse,
				     &t->fwcfg, &a };
	uint64_t offset = addr - h->base;

	if (!write) {
		h->dev->read(h->state, &env, offset, data, size, count);
		return IO_CONTINUE;
	}
	switch (h->dev->write(h->state, &env, offset, data, size, count)) {
	case DEV_STOP: return IO_STOP;
	case DEV_FAILED: return IO_FAILED;
	case DEV_SLEEP: return IO_SLEEP;
	case DEV_POWEROFF: return IO_POWEROFF;
	default: return IO_CONTINUE;
	}
}

static void note_access(struct result *res, bool mmio, bool write,
			uint64_t addr, unsigned size, uint32_t count,
			const uint8_t *data)
{
	res->access = (struct access){ mmio, write, addr, size, count,
				       write && data ? le_value(data, size) : 0 };
}

/* An access no handler covers: it stops the guest, unless the config
 * asks for a PC's empty bus, where reads float to all ones. */
static enum io_action nobody_there(const struct io_table *t, bool write,
				   uint8_t *data, uint64_t len)
{
	if (!t->ignore_unhandled)
		return IO_UNHANDLED;
	if (!write)
		memset(data, 0xff, len);
	return IO_CONTINUE;
}

enum io_action io_port(struct io_table *t, struct kvm_run *run,
		       size_t run_size, struct result *res)
{
	unsigned size = run->io.size;
	uint32_t count = run->io.count;
	bool write = run->io.direction == KVM_EXIT_IO_OUT;
	uint64_t bytes = (uint64_t)size * count;

	/* KVM never sends these; a record that does is not trusted. */
	if (size == 0 || size > 8 || count == 0 || run->io.data_offset > run_size ||
	    bytes > run_size - run->io.data_offset) {
		note_access(res, false, write, run->io.port, size, count, NULL);
		return IO_UNHANDLED;
	}
	uint8_t *data = (uint8_t *)run + run->io.data_offset;
	note_access(res, false, write, run->io.port, size, count, data);
	/* A port handler owns port numbers; the width is the data's. */
	const uint32_t *block = t->port_of[run->io.port >> 8];
	uint32_t i = block ? block[run->io.port & 0xff] : 0;
	if (!i)
		return nobody_there(t, write, data, bytes);
	return handle(t, &t->ports[i - 1], run->io.port, write, data, size,
		      count, res);
}

enum io_action io_mmio(struct io_table *t, struct kvm_run *run,
		       struct result *res)
{
	unsigned size = run->mmio.len;
	uint64_t addr = run->mmio.phys_addr;
	bool write = run->mmio.is_write;

	if (size == 0 || size > sizeof run->mmio.data) {
		note_access(res, true, write, addr, size, 1, NULL);
		return IO_UNHANDLED;
	}
	note_access(res, true, write, addr, size, 1, run->mmio.data);
	struct io_handler *h = lookup(t->mmio, t->nmmio, addr, size);
	if (!h)
		return nobody_there(t, write, run->mmio.data, size);
	return handle(t, h, addr, write, run->mmio.data, size, 1, res);
}
