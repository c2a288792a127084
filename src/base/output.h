/* Output files that must not lose bytes silently. */
#ifndef KVMRUN_OUTPUT_H
#define KVMRUN_OUTPUT_H

#include <stdio.h>

/* Flush and close (f): 0, or the errno of the first failure (EIO when a
 * write failed earlier without one), so that the caller can say the
 * output was lost. */
int output_close(FILE *f);

/* A temporary file, gone when closed: in TEST_TMPDIR (Bazel's scratch
 * folder) or TMPDIR when set, else in /tmp. NULL with errno if none. */
FILE *output_tmpfile(void);

#endif
