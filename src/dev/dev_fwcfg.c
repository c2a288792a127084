/* QEMU's fw_cfg items (see dev_fwcfg.h). */
#include "kvmrun-config.h"

#include "dev_fwcfg.h"

#include <string.h>

#include "device.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct fwcfg_state {
	uint64_t value;
	struct {
		uint16_t selector; /* the item chosen, and how far read */
		uint32_t offset;
	} fwcfg;
};

/* Item keys, as QEMU numbers them. */
enum {
	FW_CFG_SIGNATURE = 0x00,
	FW_CFG_ID = 0x01,
	FW_CFG_RAM_SIZE = 0x03,
	FW_CFG_NB_CPUS = 0x05,
	FW_CFG_MAX_CPUS = 0x0f,
	FW_CFG_FILE_DIR = 0x19,
};

#define FW_CFG_ID_TRADITIONAL 1 /* port access; no DMA */

size_t fwcfg_item(uint16_t key, const struct fwcfg_facts *facts,
		  uint8_t out[16])
{
	uint32_t id = FW_CFG_ID_TRADITIONAL;

	memset(out, 0, 16);
	switch (key) {
	case FW_CFG_SIGNATURE:
		memcpy(out, "QEMU", 4);
		return 4;
	case FW_CFG_ID:
		memcpy(out, &id, 4);
		return 4;
	case FW_CFG_RAM_SIZE:
		memcpy(out, &facts->ram_size, 8); /* little-endian, as QEMU */
		return 8;
	case FW_CFG_NB_CPUS:
		memcpy(out, &facts->cpus, 2);
		return 2;
	case FW_CFG_MAX_CPUS:
		memcpy(out, &facts->max_cpus, 2);
		return 2;
	case FW_CFG_FILE_DIR:
		return 4; /* a big-endian count of files: zero */
	default:
		return 0;
	}
}

/* ---- the handler: a selector at offset 0, data bytes at offset 1 ---- */

static void fwcfg_reset(void *state, uint64_t value, const char *input,
			uint64_t size)
{
	struct fwcfg_state *s = state;
	(void)input, (void)size;
	memset(s, 0, sizeof *s);
	s->value = value;
}

/* The next data byte of the item selected. */
static uint8_t fwcfg_byte(void *state, const struct fwcfg_facts *facts)
{
	struct fwcfg_state *s = state;
	uint8_t item[16];
	size_t len = fwcfg_item(s->fwcfg.selector, facts, item);

	return s->fwcfg.offset < len ? item[s->fwcfg.offset++] : 0;
}

static void fwcfg_read(void *s, const struct dev_env *env,
		       uint64_t offset, uint8_t *data, unsigned size, size_t count)
{
	memset(data, 0, (size_t)size * count);
	for (size_t i = 0; offset == 1 && i < (size_t)size * count; i++)
		data[i] = fwcfg_byte(s, env->fwcfg);
}

static enum dev_action fwcfg_write(void *state, const struct dev_env *env,
				   uint64_t offset, const uint8_t *data,
				   unsigned size, size_t count)
{
	struct fwcfg_state *s = state;
	(void)env;
	if (offset == 0) { /* select an item, read from its start */
		s->fwcfg.selector = (uint16_t)dev_last_value(data, size, count);
		s->fwcfg.offset = 0;
	}
	return DEV_CONTINUE;
}

const struct device dev_fw_cfg = {
	.name = "fw-cfg",
	.state_size = sizeof(struct fwcfg_state),
	.about = "fw-cfg: QEMU's firmware configuration (selector, then "
		 "data): signature, id, RAM size, CPU counts",
	.size = 2, /* selector, data */
	.reset = fwcfg_reset, .read = fwcfg_read, .write = fwcfg_write,
};
