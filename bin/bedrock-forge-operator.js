#!/usr/bin/env -S MALLOC_ARENA_MAX=2 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072 node --max-semi-space-size=8 --optimize-for-size
// Runs the TypeScript sources directly (Node >= 24 strips types); see src/cli/main.ts.
import { main } from '../src/cli/main.ts';

// Exit explicitly: a replica that lost leadership must not linger on open connections.
process.exit(await main(process.argv.slice(2)));
