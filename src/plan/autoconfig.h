/* kvmrun IMAGE: the config a user would write for an ELF guest (or a
 * Multiboot kernel), as YAML text that then goes through the config
 * stage like a file: --print-config shows it. */
#ifndef KVMRUN_AUTOCONFIG_H
#define KVMRUN_AUTOCONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define AUTOCONFIG_STACK (1u << 20)  /* room for the stack above the image */
#define AUTOCONFIG_ROUND (2u << 20)  /* memory is a multiple of this */
#define BOOT_SECTOR_SIZE 512               /* a PC boot sector's size */

/* Whether the file (path) is an image rather than a config: a regular
 * file that starts with ELF's magic bytes, or a PC boot sector (512
 * bytes that end 55 AA). */
bool autoconfig_is_image(const char *path);

/* The config for the image (path), malloc'd YAML, or NULL with (why). */
char *autoconfig_yaml(const char *path, char *why, size_t whylen);

#endif
