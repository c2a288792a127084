/* Numbers, sizes and durations as written in kvmrun configs. */
#ifndef KVMRUN_NUM_H
#define KVMRUN_NUM_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Parse (s) as an unsigned integer: decimal, 0x hex, 0o octal or 0b binary,
 * with '_' allowed between digits. On failure return false and set (why).
 */
bool num_parse_u64(const char *s, uint64_t *out, const char **why);

/* Parse (s) as a byte count: a number with an optional K, M, G, T suffix
 * (or KiB, MiB, GiB, TiB), all powers of 1024. */
bool num_parse_size(const char *s, uint64_t *out, const char **why);

/* Parse (s) as a duration with a unit of ms, s or m, into nanoseconds. */
bool num_parse_duration(const char *s, uint64_t *ns, const char **why);

/* Format (bytes) as the shortest exact size ("2M", "64K", "4097"). */
const char *num_fmt_size(uint64_t bytes, char buf[32]);

#endif
