/*
 * The PC's real-time clock and CMOS memory (a Motorola MC146818 as QEMU's
 * pc machine has it at ports 0x70 and 0x71): an index port, a data port,
 * the time and date in BCD or binary, 12- or 24-hour, from the host's
 * clock (UTC) plus whatever the guest set; the alarm, the update-in-
 * progress bit, the flags of register C; the other bytes kept as written.
 * The flags are brought up to date when the guest looks; no interrupt is
 * raised while the guest runs: the alarm wakes a sleeping machine (S3).
 * Every function takes the host's time, CLOCK_REALTIME in ns, so that
 * unit tests choose it.
 */
#ifndef KVMRUN_DEV_RTC_H
#define KVMRUN_DEV_RTC_H

#include <stdbool.h>
#include <stdint.h>

/* Registers with a name (the others are plain CMOS bytes). */
enum {
	RTC_SEC, RTC_SEC_ALARM, RTC_MIN, RTC_MIN_ALARM, RTC_HOUR,
	RTC_HOUR_ALARM, RTC_WEEKDAY, RTC_DAY, RTC_MONTH, RTC_YEAR,
	RTC_A, RTC_B, RTC_C, RTC_D, RTC_CENTURY = 0x32, RTC_BYTES = 128,
};

#define RTC_A_UIP 0x80   /* an update is in progress, or about to be */
#define RTC_B_SET 0x80   /* the clock is stopped while the guest sets it */
#define RTC_B_PIE 0x40
#define RTC_B_AIE 0x20
#define RTC_B_UIE 0x10
#define RTC_B_BINARY 0x04
#define RTC_B_24H 0x02
#define RTC_C_IRQF 0x80
#define RTC_C_PF 0x40
#define RTC_C_AF 0x20
#define RTC_C_UF 0x10
#define RTC_D_VRT 0x80   /* the battery is good */

/* An rtc handler's state, as io_port_state gives it. */
struct rtc {
	uint8_t cmos[RTC_BYTES]; /* time registers: only while SET is on */
	uint8_t index;
	int64_t offset_ns; /* the guest's time less the host's */
	int64_t seen_ns;   /* guest time up to which register C is made */
};

void rtc_reset(struct rtc *r, int64_t host_ns);

/* A byte read at (port) 0 (the index) or 1 (the data). */
uint8_t rtc_read(struct rtc *r, unsigned port, int64_t host_ns);

void rtc_write(struct rtc *r, unsigned port, uint8_t byte, int64_t host_ns);

/* The host's time as the RTC reads it: CLOCK_REALTIME in ns. */
int64_t rtc_host_now(void);

/* When the alarm goes off next after (host_ns), in host time: false if
 * the alarm interrupt is off or no time matches it. */
bool rtc_next_alarm(const struct rtc *r, int64_t host_ns, int64_t *at_ns);

#endif
