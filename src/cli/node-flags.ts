// The V8 flags and the C library's malloc settings of the operator's process, wherever it is
// started: the image's entrypoint and environment (Dockerfile), `npm start`, the bin script's
// shebang and the test bed (test/harness/operator.ts); test/unit/node-flags.test.ts fails when
// one of them lacks them.
//
// --max-semi-space-size (MiB): V8 sizes the young generation from the memory it sees, up to
// 64 MiB per semi-space, and an operator that allocates fast while converging grows it to the
// maximum and keeps it: 128 MiB of a 220 MiB heap reserved for 10 MiB of young objects. Capped at
// 8 MiB, the operator held 329 MiB resident instead of 515 MiB at 1,000 resources, converging as
// fast (README, Performance).
// --optimize-for-size: V8 grows the old generation to a multiple of what survives a collection,
// and the listings loaded each resync (GetAccountAuthorizationDetails: 1,000 roles per page, parsed
// from XML) leave most of it garbage: with 1,000 IAMRoles in sync the heap reserved 111 MiB for
// 54 MiB in use, and memory outside it grew with it (309 MiB resident). With the flag: 49 MiB
// reserved, 176 MiB resident, for about twice the CPU in sync (20 s instead of 11 s over eight
// resyncs of 10 s; --heap-growing-percent=20 gave 192 MiB for 16 s, jemalloc 278 MiB).
export const OPERATOR_NODE_FLAGS = ['--max-semi-space-size=8', '--optimize-for-size'] as const;

// glibc's malloc, outside the JS heap: V8's compilers and the SDKs allocate there from several
// threads, each thread may get an arena of its own (up to 8 per core), and freed memory is given
// back to the system only past a threshold that glibc raises each time a large block is freed (up
// to 32 MiB). Measured with 3,000 resources in sync (2,550 IAMRoles, 300 Lambdas, 150 Agents,
// resync 20): 174 MiB resident by default, 141 MiB with two arenas and fixed 128 KiB thresholds
// (the JS heap the same, 55 MiB), for 8% more operator CPU in sync.
export const OPERATOR_MALLOC_ENV = {
  MALLOC_ARENA_MAX: '2',
  MALLOC_TRIM_THRESHOLD_: '131072',
  MALLOC_MMAP_THRESHOLD_: '131072',
} as const;
