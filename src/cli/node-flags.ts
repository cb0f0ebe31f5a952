// The V8 flags of the operator's process, wherever it is started: the image's entrypoint
// (Dockerfile), `npm start`, the bin script's shebang and the test bed (test/harness/operator.ts);
// test/unit/node-flags.test.ts fails when one of them lacks them.
//
// --max-semi-space-size (MiB): V8 sizes the young generation from the memory it sees, up to
// 64 MiB per semi-space, and an operator that allocates fast while converging grows it to the
// maximum and keeps it: 128 MiB of a 220 MiB heap reserved for 10 MiB of young objects. Capped at
// 8 MiB, the operator held 329 MiB resident instead of 515 MiB at 1,000 resources, converging as
// fast (README, Performance).
export const OPERATOR_NODE_FLAGS = ['--max-semi-space-size=8'] as const;
