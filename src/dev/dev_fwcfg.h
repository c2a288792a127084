/*
 * QEMU's firmware configuration interface, the items a kernel asks first:
 * the signature, the interface id, the RAM size, the number of CPUs and
 * their maximum, and an empty file directory. Traditional (port) access
 * only: a 16-bit selector at the base port, data bytes at base + 1.
 */
#ifndef KVMRUN_DEV_FWCFG_H
#define KVMRUN_DEV_FWCFG_H

#include <stddef.h>
#include <stdint.h>

struct fwcfg_facts {
	uint64_t ram_size;
	uint16_t cpus, max_cpus;
};

/* The bytes of item (key) into (out) (16 bytes of room); how many. An
 * unknown item has none: its reads give 0. */
size_t fwcfg_item(uint16_t key, const struct fwcfg_facts *facts,
		  uint8_t out[16]);

#endif
