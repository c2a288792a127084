/* QEMU's fw_cfg items (see fwcfg.h). */
#include "kvmrun-config.h"

#include "fwcfg.h"

#include <string.h>

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
