/* The MC146818 real-time clock and CMOS memory (see dev_rtc.h). */
#include "kvmrun-config.h"

#include "dev_rtc.h"

#include <string.h>
#include <time.h>

#include "device.h"

/* A handler's state: the I/O stage allocates .state_size of it. */
struct rtc_state {
	struct rtc rtc; /* first: io_port_state gives it (dev_rtc.h) */
};

#define NS 1000000000LL
#define DAY 86400              /* seconds: every alarm pattern recurs */
#define UIP_BEFORE_NS 244000   /* UIP rises this long before an update */
#define UPDATE_NS 1984000      /* and stays up while the update lasts */
#define DONT_CARE 0xc0         /* an alarm byte that matches any value */
#define A_RATE 0x0f            /* register A: the periodic rate */

static int64_t floordiv(int64_t a, int64_t b)
{
	return a / b - (a % b < 0);
}

static int64_t guest_ns(const struct rtc *r, int64_t host_ns)
{
	return host_ns + r->offset_ns;
}

static bool stopped(const struct rtc *r)
{
	return r->cmos[RTC_B] & RTC_B_SET;
}

/* ---- register B's formats: BCD or binary, 12 or 24 hours ---- */

static uint8_t to_reg(const struct rtc *r, unsigned v)
{
	return r->cmos[RTC_B] & RTC_B_BINARY ? (uint8_t)v
					      : (uint8_t)((v / 10) << 4 | v % 10);
}

static unsigned from_reg(const struct rtc *r, uint8_t b)
{
	return r->cmos[RTC_B] & RTC_B_BINARY ? b : (b >> 4) * 10u + (b & 15u);
}

/* In 12-hour mode, 1 to 12 with bit 7 for PM. */
static uint8_t hour_to_reg(const struct rtc *r, unsigned h)
{
	if (r->cmos[RTC_B] & RTC_B_24H)
		return to_reg(r, h);
	return (uint8_t)(to_reg(r, h % 12 ? h % 12 : 12) | (h >= 12 ? 0x80 : 0));
}

static unsigned hour_from_reg(const struct rtc *r, uint8_t b)
{
	if (r->cmos[RTC_B] & RTC_B_24H)
		return from_reg(r, b);
	return from_reg(r, b & 0x7f) % 12 + (b & 0x80 ? 12 : 0);
}

static bool is_time_reg(unsigned i)
{
	return i == RTC_SEC || i == RTC_MIN || i == RTC_HOUR ||
	       (i >= RTC_WEEKDAY && i <= RTC_YEAR) || i == RTC_CENTURY;
}

/* Dates from day counts and back, in the proleptic Gregorian calendar
 * (days since 1970-01-01), with eras of 400 years; by hand because
 * glibc's gmtime and timegm read the time zone's file on first use,
 * which the sandbox forbids once a guest runs. */
static int64_t days_from_date(int64_t y, int64_t m, int64_t d)
{
	y -= m <= 2;
	int64_t era = floordiv(y, 400), yoe = y - era * 400;
	int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

struct date {
	int64_t year;
	unsigned month, day;
};

static struct date date_from_days(int64_t z)
{
	z += 719468;
	int64_t era = floordiv(z, 146097), doe = z - era * 146097;
	int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	int64_t mp = (5 * doy + 2) / 153;
	unsigned m = (unsigned)(mp < 10 ? mp + 3 : mp - 9);
	return (struct date){
		.year = yoe + era * 400 + (m <= 2), .month = m,
		.day = (unsigned)(doy - (153 * mp + 2) / 5 + 1),
	};
}

/* The time registers say (secs), a count of seconds since 1970 (UTC). */
static void snapshot(struct rtc *r, int64_t secs)
{
	int64_t days = floordiv(secs, DAY), in_day = secs - days * DAY;
	struct date d = date_from_days(days);
	unsigned year = (unsigned)(d.year % 10000);

	r->cmos[RTC_SEC] = to_reg(r, (unsigned)(in_day % 60));
	r->cmos[RTC_MIN] = to_reg(r, (unsigned)(in_day / 60 % 60));
	r->cmos[RTC_HOUR] = hour_to_reg(r, (unsigned)(in_day / 3600));
	/* 1970-01-01 was a Thursday; the register counts Sunday as 1. */
	r->cmos[RTC_WEEKDAY] = to_reg(r, (unsigned)(days + 4 - floordiv(days + 4, 7) * 7) + 1);
	r->cmos[RTC_DAY] = to_reg(r, d.day);
	r->cmos[RTC_MONTH] = to_reg(r, d.month);
	r->cmos[RTC_YEAR] = to_reg(r, year % 100);
	r->cmos[RTC_CENTURY] = to_reg(r, year / 100);
}

/* The seconds since 1970 that the time registers say, kept within
 * 1900-2199 so that a time in ns stays within 64 bits. */
static int64_t from_regs(const struct rtc *r)
{
	const int64_t first = days_from_date(1900, 1, 1) * DAY,
		      end = days_from_date(2200, 1, 1) * DAY;
	int64_t year = from_reg(r, r->cmos[RTC_CENTURY]) * 100 +
		       from_reg(r, r->cmos[RTC_YEAR]);
	int64_t days = days_from_date(year, from_reg(r, r->cmos[RTC_MONTH]),
				      from_reg(r, r->cmos[RTC_DAY]));

	int64_t secs = days * DAY + hour_from_reg(r, r->cmos[RTC_HOUR]) * 3600 +
		       from_reg(r, r->cmos[RTC_MIN]) * 60 +
		       from_reg(r, r->cmos[RTC_SEC]);
	return secs < first ? first : secs >= end ? end - 1 : secs;
}

/* ---- the alarm and register C ---- */

static bool alarm_field(const struct rtc *r, uint8_t alarm, unsigned v,
			bool hour)
{
	if ((alarm & DONT_CARE) == DONT_CARE)
		return true;
	return (hour ? hour_from_reg(r, alarm) : from_reg(r, alarm)) == v;
}

/* Whether the alarm goes off as the clock reaches second (s). */
static bool alarm_at(const struct rtc *r, int64_t s)
{
	int64_t m = floordiv(s, 60), h = floordiv(s, 3600);

	return alarm_field(r, r->cmos[RTC_SEC_ALARM], (unsigned)(s - m * 60), false) &&
	       alarm_field(r, r->cmos[RTC_MIN_ALARM], (unsigned)(m - h * 60), false) &&
	       alarm_field(r, r->cmos[RTC_HOUR_ALARM],
			   (unsigned)(h - floordiv(h, 24) * 24), true);
}

/* Register A's rate: 0 (none), then 256 and 128 Hz, then 8192 Hz down
 * to 2 Hz. */
static int64_t period_ns(const struct rtc *r)
{
	unsigned rs = r->cmos[RTC_A] & A_RATE;

	if (!rs)
		return 0;
	return NS / (32768 >> (rs <= 2 ? rs + 6 : rs - 1));
}

/* Register C's flags for the time that passed since the guest last
 * looked: an update each second, the alarm, the periodic tick. */
static void catch_up(struct rtc *r, int64_t host_ns)
{
	int64_t now = guest_ns(r, host_ns), from = r->seen_ns;
	uint8_t flags = 0;

	if (stopped(r) || now <= from)
		return;
	r->seen_ns = now;
	int64_t first = floordiv(from, NS) + 1, last = floordiv(now, NS);
	if (last >= first) {
		flags |= RTC_C_UF;
		if (last - first >= DAY)
			first = last - DAY + 1;
		for (int64_t s = first; s <= last && !(flags & RTC_C_AF); s++)
			if (alarm_at(r, s))
				flags |= RTC_C_AF;
	}
	int64_t period = period_ns(r);
	if (period && floordiv(now, period) != floordiv(from, period))
		flags |= RTC_C_PF;
	r->cmos[RTC_C] |= flags;
	/* PIE, AIE and UIE are the bits of PF, AF and UF in B. */
	if (r->cmos[RTC_C] & r->cmos[RTC_B] & (RTC_C_PF | RTC_C_AF | RTC_C_UF))
		r->cmos[RTC_C] |= RTC_C_IRQF;
}

static bool updating(const struct rtc *r, int64_t host_ns)
{
	int64_t g = guest_ns(r, host_ns), phase = g - floordiv(g, NS) * NS;

	return !stopped(r) &&
	       (phase >= NS - UIP_BEFORE_NS || phase < UPDATE_NS - UIP_BEFORE_NS);
}

/* ---- the ports ---- */

void rtc_reset(struct rtc *r, int64_t host_ns)
{
	memset(r, 0, sizeof *r);
	r->cmos[RTC_A] = 0x26; /* 32.768 kHz, 1024 Hz periodic rate */
	r->cmos[RTC_B] = RTC_B_24H;
	r->cmos[RTC_D] = RTC_D_VRT;
	r->seen_ns = host_ns;
}

uint8_t rtc_read(struct rtc *r, unsigned port, int64_t host_ns)
{
	unsigned i = r->index;

	if (port != 1)
		return 0xff; /* the index port is write-only */
	catch_up(r, host_ns);
	if (i == RTC_A)
		return (uint8_t)((r->cmos[RTC_A] & ~RTC_A_UIP) |
				 (updating(r, host_ns) ? RTC_A_UIP : 0));
	if (i == RTC_C) {
		uint8_t c = r->cmos[RTC_C];
		r->cmos[RTC_C] = 0; /* reading clears it */
		return c;
	}
	if (is_time_reg(i) && !stopped(r))
		snapshot(r, floordiv(guest_ns(r, host_ns), NS));
	return r->cmos[i];
}

/* The guest changes register B: SET stops the clock where it is (and
 * turns UIE off); clearing it starts the clock from the registers. */
static void write_b(struct rtc *r, uint8_t b, int64_t host_ns)
{
	bool was_stopped = stopped(r);

	if ((b & RTC_B_SET) && !was_stopped) {
		snapshot(r, floordiv(guest_ns(r, host_ns), NS));
		b &= (uint8_t)~RTC_B_UIE;
	}
	r->cmos[RTC_B] = b;
	if (!(b & RTC_B_SET) && was_stopped) {
		r->offset_ns = from_regs(r) * NS - host_ns;
		r->seen_ns = guest_ns(r, host_ns);
	}
}

/* A time register written while the clock runs: the clock jumps,
 * keeping its place within the second. */
static void write_time(struct rtc *r, unsigned i, uint8_t byte,
		       int64_t host_ns)
{
	int64_t g = guest_ns(r, host_ns), secs = floordiv(g, NS);

	snapshot(r, secs);
	r->cmos[i] = byte;
	r->offset_ns = from_regs(r) * NS + (g - secs * NS) - host_ns;
	r->seen_ns = guest_ns(r, host_ns);
}

void rtc_write(struct rtc *r, unsigned port, uint8_t byte, int64_t host_ns)
{
	unsigned i = r->index;

	if (port == 0) {
		r->index = byte & 0x7f; /* bit 7 masks NMIs on a PC */
		return;
	}
	catch_up(r, host_ns);
	if (i == RTC_A)
		r->cmos[RTC_A] = byte & (uint8_t)~RTC_A_UIP;
	else if (i == RTC_B)
		write_b(r, byte, host_ns);
	else if (i == RTC_C || i == RTC_D)
		return; /* read-only */
	else if (is_time_reg(i) && !stopped(r))
		write_time(r, i, byte, host_ns);
	else
		r->cmos[i] = byte;
}

bool rtc_next_alarm(const struct rtc *r, int64_t host_ns, int64_t *at_ns)
{
	if (!(r->cmos[RTC_B] & RTC_B_AIE) || stopped(r))
		return false;
	int64_t s = floordiv(guest_ns(r, host_ns), NS) + 1;
	for (int64_t k = 0; k < DAY; k++)
		if (alarm_at(r, s + k)) {
			*at_ns = (s + k) * NS - r->offset_ns;
			return true;
		}
	return false;
}

/* ---- the handler ---- */

int64_t rtc_host_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return (int64_t)t.tv_sec * NS + t.tv_nsec;
}

static void rtc_dev_reset(void *state, uint64_t value,
			  const char *input, uint64_t size)
{
	struct rtc_state *s = state;
	(void)value, (void)input, (void)size;
	memset(s, 0, sizeof *s);
	rtc_reset(&s->rtc, rtc_host_now());
}

/* Each byte of an access goes to its port: an outw at 0x70 writes the
 * index, then the data. */
static void rtc_dev_read(void *state, const struct dev_env *env,
			 uint64_t offset, uint8_t *data, unsigned size,
			 size_t count)
{
	struct rtc_state *s = state;
	int64_t now = rtc_host_now();

	(void)env;
	for (size_t i = 0; i < count; i++)
		for (unsigned b = 0; b < size; b++)
			data[i * size + b] = offset + b < 2
				? rtc_read(&s->rtc, (unsigned)offset + b, now)
				: 0xff;
}

static enum dev_action rtc_dev_write(void *state,
				     const struct dev_env *env, uint64_t offset,
				     const uint8_t *data, unsigned size,
				     size_t count)
{
	struct rtc_state *s = state;
	int64_t now = rtc_host_now();

	(void)env;
	for (size_t i = 0; i < count; i++)
		for (unsigned b = 0; b < size && offset + b < 2; b++)
			rtc_write(&s->rtc, (unsigned)offset + b,
				  data[i * size + b], now);
	return DEV_CONTINUE;
}

const struct device dev_rtc = {
	.name = "rtc",
	.state_size = sizeof(struct rtc_state),
	.about = "rtc: the PC's clock and CMOS memory (MC146818), an index "
		 "port and a data port; the host's time in UTC, its alarm "
		 "wakes a sleeping (S3) guest",
	.size = 2, .max_size = 2,
	.reset = rtc_dev_reset, .read = rtc_dev_read, .write = rtc_dev_write,
};
