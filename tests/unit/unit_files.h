/* Files read back by the unit tests.
 * SPDX-License-Identifier: MIT */
#ifndef UNIT_FILES_H
#define UNIT_FILES_H

/* The whole file at path, at most 4095 bytes ("" when missing); caller frees. */
char *unit_slurp(const char *path);

/* The file at path holds exactly want (a test check). */
void unit_file_is(const char *path, const char *want);

#endif
