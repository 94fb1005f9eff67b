/* Declarations of every unit-test suite listed in suites.def.
 * SPDX-License-Identifier: MIT */
#ifndef SUITES_H
#define SUITES_H

#define SUITE(name) void test_##name(void);
#include "suites.def"
#undef SUITE

#endif
