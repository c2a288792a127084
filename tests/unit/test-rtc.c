/*
 * The RTC (dev_rtc.c) at host times the test chooses: the time and date
 * in BCD, binary and 12-hour form, UIP around each second, the guest
 * setting the clock with SET, register C's flags and how reading clears
 * them, and the next alarm, which is what wakes a guest from S3.
 */
#include "kvmrun-config.h"

#include <time.h>

#include "dev_rtc.h"
#include "unit.h"

#define NS 1000000000LL
#define T0 (1700000000LL * NS) /* Tue 14 Nov 2023 22:13:20 UTC */

static uint8_t get(struct rtc *r, unsigned reg, int64_t t)
{
	rtc_write(r, 0, (uint8_t)reg, t);
	return rtc_read(r, 1, t);
}

static void put(struct rtc *r, unsigned reg, uint8_t v, int64_t t)
{
	rtc_write(r, 0, (uint8_t)reg, t);
	rtc_write(r, 1, v, t);
}

static void test_time(void)
{
	struct rtc r;
	int64_t t = T0 + NS / 2;

	rtc_reset(&r, T0);
	CHECK_U64(get(&r, RTC_SEC, t), 0x20);
	CHECK_U64(get(&r, RTC_MIN, t), 0x13);
	CHECK_U64(get(&r, RTC_HOUR, t), 0x22);
	CHECK_U64(get(&r, RTC_WEEKDAY, t), 3);
	CHECK_U64(get(&r, RTC_DAY, t), 0x14);
	CHECK_U64(get(&r, RTC_MONTH, t), 0x11);
	CHECK_U64(get(&r, RTC_YEAR, t), 0x23);
	CHECK_U64(get(&r, RTC_CENTURY, t), 0x20);
	CHECK_U64(get(&r, RTC_A, t), 0x26);
	CHECK_U64(get(&r, RTC_B, t), RTC_B_24H);
	CHECK_U64(get(&r, RTC_D, t), RTC_D_VRT);
	CHECK_U64(rtc_read(&r, 0, t), 0xff); /* the index port */
	/* Time passes with the host's clock. */
	CHECK_U64(get(&r, RTC_SEC, t + 61 * NS), 0x21);
	CHECK_U64(get(&r, RTC_MIN, t + 61 * NS), 0x14);
	/* Binary, then 12-hour: 22:13 is 10 PM. */
	put(&r, RTC_B, RTC_B_24H | RTC_B_BINARY, t);
	CHECK_U64(get(&r, RTC_SEC, t), 20);
	CHECK_U64(get(&r, RTC_YEAR, t), 23);
	put(&r, RTC_B, RTC_B_BINARY, t);
	CHECK_U64(get(&r, RTC_HOUR, t), 0x80 | 10);
	put(&r, RTC_B, 0, t);
	CHECK_U64(get(&r, RTC_HOUR, t), 0x80 | 0x10);
	/* CMOS bytes keep what is written; bit 7 of the index is not part
	 * of it (NMI mask). */
	put(&r, 0x80 | 0x40, 0xa5, t);
	CHECK_U64(get(&r, 0x40, t), 0xa5);
}

static void test_uip(void)
{
	struct rtc r;

	rtc_reset(&r, T0);
	CHECK(!(get(&r, RTC_A, T0 + NS / 2) & RTC_A_UIP));
	CHECK(get(&r, RTC_A, T0 + NS - 100000) & RTC_A_UIP);
	CHECK(get(&r, RTC_A, T0 + NS + 1000000) & RTC_A_UIP);
	CHECK(!(get(&r, RTC_A, T0 + NS + 1800000) & RTC_A_UIP));
	put(&r, RTC_B, RTC_B_24H | RTC_B_SET, T0);
	CHECK(!(get(&r, RTC_A, T0 + NS - 100000) & RTC_A_UIP));
}

/* SET stops the clock; the guest writes 2000-01-01 00:00:59; clearing
 * SET starts it from there. */
static void test_set(void)
{
	struct rtc r;
	int64_t t = T0 + 5 * NS;

	rtc_reset(&r, T0);
	put(&r, RTC_B, RTC_B_24H | RTC_B_SET | RTC_B_UIE, t);
	CHECK(!(get(&r, RTC_B, t) & RTC_B_UIE)); /* SET turns UIE off */
	CHECK_U64(get(&r, RTC_SEC, t + 9 * NS), 0x25); /* stopped */
	put(&r, RTC_SEC, 0x59, t);
	put(&r, RTC_MIN, 0, t);
	put(&r, RTC_HOUR, 0, t);
	put(&r, RTC_DAY, 1, t);
	put(&r, RTC_MONTH, 1, t);
	put(&r, RTC_YEAR, 0, t);
	put(&r, RTC_CENTURY, 0x20, t);
	put(&r, RTC_B, RTC_B_24H, t + 7 * NS);
	CHECK_U64(get(&r, RTC_SEC, t + 7 * NS), 0x59);
	CHECK_U64(get(&r, RTC_SEC, t + 8 * NS), 0x00);
	CHECK_U64(get(&r, RTC_MIN, t + 8 * NS), 0x01);
	CHECK_U64(get(&r, RTC_WEEKDAY, t + 8 * NS), 7); /* a Saturday */
	/* A time register written while the clock runs moves it. */
	put(&r, RTC_YEAR, 0x99, t + 8 * NS);
	CHECK_U64(get(&r, RTC_YEAR, t + 9 * NS), 0x99);
	CHECK_U64(get(&r, RTC_SEC, t + 9 * NS), 0x01);
}

/* Register C: UF each second, AF when the alarm matches, PF at the
 * periodic rate, IRQF when an enabled one is set; reading clears it. */
static void test_flags(void)
{
	struct rtc r;
	int64_t t = T0 + NS / 2;

	rtc_reset(&r, T0);
	CHECK_U64(get(&r, RTC_C, t), RTC_C_PF); /* 1024 Hz ticked, UIE off */
	CHECK_U64(get(&r, RTC_C, t), 0);
	put(&r, RTC_A, 0x20, t); /* no periodic rate */
	put(&r, RTC_SEC_ALARM, 0x25, t);
	put(&r, RTC_MIN_ALARM, 0xc0, t);
	put(&r, RTC_HOUR_ALARM, 0xff, t);
	CHECK_U64(get(&r, RTC_C, t + 2 * NS), RTC_C_UF);  /* :22: no alarm */
	CHECK_U64(get(&r, RTC_C, t + 5 * NS), RTC_C_UF | RTC_C_AF); /* :25 */
	put(&r, RTC_B, RTC_B_24H | RTC_B_AIE, t + 5 * NS);
	CHECK_U64(get(&r, RTC_C, t + 64 * NS), RTC_C_UF); /* 22:14:24 */
	CHECK_U64(get(&r, RTC_C, t + 65 * NS), RTC_C_IRQF | RTC_C_UF | RTC_C_AF);
	CHECK_U64(get(&r, RTC_C, t + 65 * NS), 0);
	/* A day asleep: the alarm matched at some second of it. */
	CHECK_U64(get(&r, RTC_C, t + 90000 * NS), RTC_C_IRQF | RTC_C_UF | RTC_C_AF);
}

static void test_next_alarm(void)
{
	struct rtc r;
	int64_t at = 0, t = T0 + NS / 2;

	rtc_reset(&r, T0);
	CHECK(!rtc_next_alarm(&r, t, &at)); /* AIE is off */
	put(&r, RTC_B, RTC_B_24H | RTC_B_AIE, t);
	put(&r, RTC_SEC_ALARM, 0xc0, t);
	put(&r, RTC_MIN_ALARM, 0xc0, t);
	put(&r, RTC_HOUR_ALARM, 0xc0, t);
	CHECK(rtc_next_alarm(&r, t, &at) && at == T0 + NS); /* every second */
	put(&r, RTC_HOUR_ALARM, 0x06, t); /* 06:xx:xx, the next day */
	CHECK(rtc_next_alarm(&r, t, &at));
	CHECK_U64((uint64_t)(at - T0) / NS, (6 * 3600 + 24 * 3600) - (22 * 3600 + 13 * 60 + 20));
	put(&r, RTC_HOUR_ALARM, 0x25, t); /* no such hour */
	CHECK(!rtc_next_alarm(&r, t, &at));
}

/* The calendar against glibc's, over the three centuries the clock
 * keeps (1900-2199) and both ways: the
 * registers glibc's gmtime gives at a time, and the clock set from them
 * says that time again. */
static void test_calendar(void)
{
	struct rtc r;
	uint64_t seed = 1;

	for (int i = 0; i < 20000; i++) {
		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		int64_t secs = (int64_t)(seed >> 30) % (300LL * 365 * 86400) -
			       70LL * 365 * 86400;
		time_t t = (time_t)secs;
		struct tm tm;
		gmtime_r(&t, &tm);
		int64_t host = secs * NS + NS / 2;
		rtc_reset(&r, 0);
		put(&r, RTC_B, RTC_B_24H | RTC_B_BINARY, host);
		int ok = get(&r, RTC_SEC, host) == tm.tm_sec &&
			 get(&r, RTC_MIN, host) == tm.tm_min &&
			 get(&r, RTC_HOUR, host) == tm.tm_hour &&
			 get(&r, RTC_WEEKDAY, host) == tm.tm_wday + 1 &&
			 get(&r, RTC_DAY, host) == tm.tm_mday &&
			 get(&r, RTC_MONTH, host) == tm.tm_mon + 1 &&
			 get(&r, RTC_YEAR, host) == (tm.tm_year + 1900) % 100 &&
			 get(&r, RTC_CENTURY, host) == (tm.tm_year + 1900) / 100;
		/* SET and back: the clock restarts from what it said. */
		put(&r, RTC_B, RTC_B_24H | RTC_B_BINARY | RTC_B_SET, host);
		put(&r, RTC_B, RTC_B_24H | RTC_B_BINARY, 0);
		ok = ok && get(&r, RTC_SEC, NS / 2) == tm.tm_sec &&
		     get(&r, RTC_DAY, NS / 2) == tm.tm_mday &&
		     get(&r, RTC_YEAR, NS / 2) == (tm.tm_year + 1900) % 100;
		if (!ok) {
			CHECK_U64((uint64_t)secs, 0); /* names the time */
			break;
		}
	}
}

/* A time beyond the clock's centuries is held at their end. */
static void test_far_year(void)
{
	struct rtc r;

	rtc_reset(&r, T0);
	put(&r, RTC_B, RTC_B_24H | RTC_B_BINARY, T0);
	put(&r, RTC_CENTURY, 250, T0);
	CHECK_U64(get(&r, RTC_CENTURY, T0), 21);
	CHECK_U64(get(&r, RTC_YEAR, T0), 99);
	CHECK_U64(get(&r, RTC_MONTH, T0), 12);
	put(&r, RTC_CENTURY, 0, T0);
	CHECK_U64(get(&r, RTC_CENTURY, T0), 19);
}

int main(void)
{
	test_far_year();
	test_calendar();
	test_time();
	test_uip();
	test_set();
	test_flags();
	test_next_alarm();
	UNIT_DONE();
}
