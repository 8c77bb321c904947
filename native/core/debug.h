// Tiered internal checks, in the manner of mimalloc's assert levels.
// POOLMEM_DEBUG is set by CMake: 0 (release, no checks), 1 (cheap asserts),
// 2 (internal asserts), 3 (expensive: full Validate() after every mutation).
#pragma once

#include <cstdio>
#include <cstdlib>

#ifndef POOLMEM_DEBUG
#define POOLMEM_DEBUG 0
#endif

#define POOLMEM_FAIL(expr)                                                   \
  (std::fprintf(stderr, "poolmem: assertion failed: %s (%s:%d)\n", #expr,   \
                __FILE__, __LINE__),                                        \
   std::abort())

#if POOLMEM_DEBUG >= 1
#define POOLMEM_ASSERT(expr) ((expr) ? (void)0 : POOLMEM_FAIL(expr))
#else
#define POOLMEM_ASSERT(expr) ((void)0)
#endif

#if POOLMEM_DEBUG >= 2
#define POOLMEM_ASSERT_INTERNAL(expr) ((expr) ? (void)0 : POOLMEM_FAIL(expr))
#else
#define POOLMEM_ASSERT_INTERNAL(expr) ((void)0)
#endif

#if POOLMEM_DEBUG >= 3
#define POOLMEM_ASSERT_EXPENSIVE(expr) ((expr) ? (void)0 : POOLMEM_FAIL(expr))
#else
#define POOLMEM_ASSERT_EXPENSIVE(expr) ((void)0)
#endif
