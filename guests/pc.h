/*
 * A small freestanding library for 32-bit Multiboot kernels on the PC
 * that QEMU (and kvmrun) give them: a 16550 UART console, fw_cfg, QEMU's
 * isa-debug-exit, the local APIC, and the start of the other CPUs by
 * INIT and SIPI.
 */
#ifndef PC_H
#define PC_H

#include "guest.h"

#define COM1 0x3f8
#define DEBUG_EXIT 0xf4
#define FW_CFG_SIGNATURE 0x00
#define FW_CFG_RAM_SIZE 0x03
#define FW_CFG_NB_CPUS 0x05
#define MAX_APS 64 /* the CPUs smp_start_aps can give a stack */

static inline void outw(uint16_t port, uint16_t v)
{
	__asm__ volatile("outw %0, %1" : : "a"(v), "Nd"(port));
}

/* The UART at COM1: 115200 8N1. Output waits for the transmitter. */
void uart_init(void);

/* Whole strings at once, even when several CPUs print. */
void print(const char *s);
void print_n(const char *s, uint32_t n);
void print_dec(uint32_t v);

/* (v) in decimal into (buf), which needs 11 bytes; returns buf. */
char *fmt_dec(char *buf, uint32_t v);

/* Is (word) one of the space-separated words of (s)? */
int has_word(const char *s, const char *word);

/* Count a failed check, saying what failed. */
extern int failures;
void check(int ok, const char *what);

/* (n) bytes of fw_cfg item (key). */
void fwcfg_read(uint16_t key, void *buf, unsigned n);

/* QEMU's isa-debug-exit: the run ends with status (code) under kvmrun,
 * (code << 1) | 1 under QEMU. */
__attribute__((noreturn)) void debug_exit(uint8_t code);

/* This CPU's local APIC ID. */
uint32_t lapic_id(void);

/* The APIC ID CPUID leaf 1 gives. */
uint32_t cpuid_apic_id(void);

/*
 * Start every other CPU, as firmware does on a PC: INIT, then SIPI twice,
 * to all but this CPU. Each runs (ap_main)(n) with n = 0, 1, ... in the
 * order they arrive, on a stack of its own, in flat 32-bit protected mode
 * with interrupts off; when it returns, the CPU halts.
 */
void smp_start_aps(void (*ap_main)(unsigned n));

#endif
