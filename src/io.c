/* Port and MMIO handlers: one table, filled in one place. */
#include "kvmrun-config.h"

#include "io.h"

#include <err.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "console.h"
#include "status.h"
#include "uart.h"

static struct io_handler *copy_handlers(const struct handler_cfg *h, size_t n)
{
	struct io_handler *t = calloc(n ? n : 1, sizeof *t);

	if (!t)
		err(EXIT_USAGE, "calloc");
	for (size_t i = 0; i < n; i++) {
		t[i] = (struct io_handler){ .base = h[i].addr, .size = h[i].size,
					    .kind = h[i].kind, .value = h[i].value };
		if (h[i].kind == H_UART) {
			uart_reset(t[i].regs);
			if (h[i].input)
				t[i].input = (struct uart_input){
					h[i].input, strlen(h[i].input), 0 };
		}
	}
	return t;
}

void io_register(struct io_table *t, const struct plan *p, int vm_fd)
{
	const struct config *cfg = p->cfg;

	t->vm_fd = vm_fd;
	t->ignore_unhandled = cfg->unhandled == UNHANDLED_IGNORE;
	t->fwcfg = p->facts.fwcfg;
	t->ports = copy_handlers(cfg->ports, cfg->nports);
	t->nports = cfg->nports;
	t->mmio = copy_handlers(cfg->mmio, cfg->nmmio);
	t->nmmio = cfg->nmmio;
}

void io_free(struct io_table *t)
{
	free(t->ports);
	free(t->mmio);
	memset(t, 0, sizeof *t);
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

static void record_log(struct result *res, uint64_t addr, uint64_t value)
{
	if (res->nlog < LOG_KEEP) {
		res->log[res->nlog].addr = addr;
		res->log[res->nlog].value = value;
	}
	res->nlog++;
}

/* The next data byte of the fw-cfg item selected. */
static uint8_t fwcfg_byte(const struct io_table *t, struct io_handler *h)
{
	uint8_t item[16];
	size_t len = fwcfg_item(h->selector, &t->fwcfg, item);

	return h->offset < len ? item[h->offset++] : 0;
}

/* What a read from handler (h) at (addr) returns, (size) bytes at a time. */
static void fill_read(const struct io_table *t, struct io_handler *h,
		      uint64_t addr, uint8_t *data, unsigned size, size_t count)
{
	if (h->kind == H_FW_CFG) {
		memset(data, 0, size * count);
		for (size_t i = 0; addr == h->base + 1 && i < size * count; i++)
			data[i] = fwcfg_byte(t, h);
		return;
	}
	if (h->kind == H_UART) {
		memset(data, 0, size * count);
		for (size_t i = 0; i < count; i++)
			data[i * size] = uart_read(h->regs, (unsigned)(addr - h->base),
						   &h->input);
		return;
	}
	if (h->kind == H_IGNORE) {
		memset(data, 0xff, size * count);
		return;
	}
	uint64_t v = h->kind == H_CONSTANT ? h->value : 0;
	for (size_t i = 0; i < count; i++)
		memcpy(data + i * size, &v, size < 8 ? size : 8);
}

/* A write of (count) items of (size) bytes at (data) to (h). */
static enum io_action take_write(const struct io_table *t,
				 struct io_handler *h, uint64_t addr,
				 const uint8_t *data, unsigned size,
				 size_t count, struct result *res)
{
	switch (h->kind) {
	case H_FW_CFG:
		if (addr == h->base) { /* select an item, read from its start */
			h->selector = (uint16_t)le_value(data + (count - 1) * size, size);
			h->offset = 0;
		}
		return IO_CONTINUE;
	case H_IRQ_LINE: {
		/* Non-zero raises the line, zero lowers it. */
		struct kvm_irq_level line = {
			.irq = (uint32_t)h->value,
			.level = le_value(data + (count - 1) * size, size) != 0,
		};
		return ioctl(t->vm_fd, KVM_IRQ_LINE, &line) == 0 ? IO_CONTINUE
								 : IO_UNHANDLED;
	}
	case H_CONSOLE:
		console_write(res, (const char *)data, size * count);
		return IO_CONTINUE;
	case H_UART:
		for (size_t i = 0; i < count; i++) {
			uint8_t byte = data[i * size];
			if (uart_write(h->regs, (unsigned)(addr - h->base), byte))
				console_write(res, (const char *)&byte, 1);
		}
		return IO_CONTINUE;
	case H_EXIT:
	case H_DEBUG_EXIT:
		res->has_status = true;
		res->status = le_value(data + (count - 1) * size, size);
		return IO_STOP;
	case H_LOG:
		for (size_t i = 0; i < count; i++)
			record_log(res, addr, le_value(data + i * size, size));
		return IO_CONTINUE;
	case H_CONSTANT:
	case H_IGNORE:
		return IO_CONTINUE;
	}
	return IO_CONTINUE;
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
	struct io_handler *h = lookup(t->ports, t->nports, run->io.port, 1);
	if (!h)
		return nobody_there(t, write, data, bytes);
	if (!write) {
		fill_read(t, h, run->io.port, data, size, count);
		return IO_CONTINUE;
	}
	return take_write(t, h, run->io.port, data, size, count, res);
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
	if (!write) {
		fill_read(t, h, addr, run->mmio.data, size, 1);
		return IO_CONTINUE;
	}
	return take_write(t, h, addr, run->mmio.data, size, 1, res);
}
