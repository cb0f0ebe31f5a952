import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['test/integration/**/*.test.ts'],
          // Child processes (etcd, kube-apiserver, moto) die with the process that started them
          // (PR_SET_PDEATHSIG), so tests run in forked processes, never in worker threads.
          pool: 'forks',
          // Builds or finds the cached kube binaries and the emulator once, before any test file.
          globalSetup: ['test/harness/global-setup.ts'],
          testTimeout: 120_000,
          hookTimeout: 600_000,
        },
      },
    ],
  },
});
