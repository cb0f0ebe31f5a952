import { harnessLog } from './log.ts';
import { runCommand } from './run-command.ts';

export interface GoBuild {
  /** Directory of the Go module that pins the packages. */
  moduleDir: string;
  /** Main packages to build; each becomes an executable named after its directory. */
  packages: string[];
  outDir: string;
  ldflags: string;
  /** What is being built, for progress messages, e.g. "kube-apiserver, etcd, kubectl". */
  label: string;
}

const PROGRESS_INTERVAL_MS = 5_000;

/** Environment of every build: static binaries (no C toolchain needed), no go.work of a parent directory. */
export const goBuildEnv = { CGO_ENABLED: '0', GOWORK: 'off' } as const;

/** Flags that, with the module files, determine the output; part of the cache key. */
export function goBuildFlags(build: Pick<GoBuild, 'ldflags'>): string[] {
  return ['-trimpath', '-buildvcs=false', '-ldflags', build.ldflags];
}

/** `go build -v`, reporting on stderr every few seconds how many packages it has compiled so far. */
export async function goBuild(build: GoBuild): Promise<void> {
  const started = Date.now();
  let compiled = 0;
  let downloaded = 0;
  harnessLog.info(`building ${build.label} with go (a cold build takes several minutes)…`);
  const progress = setInterval(() => {
    const seconds = Math.round((Date.now() - started) / 1000);
    const downloads = downloaded > 0 ? `${downloaded} modules downloaded, ` : '';
    harnessLog.info(`building ${build.label}: ${downloads}${compiled} packages compiled… (${seconds} s)`);
  }, PROGRESS_INTERVAL_MS);
  try {
    await runCommand('go', ['build', '-v', ...goBuildFlags(build), '-o', `${build.outDir}/`, ...build.packages], {
      cwd: build.moduleDir,
      env: { ...process.env, ...goBuildEnv },
      // -v prints the import path of each package as it is compiled; downloads come first on a fresh machine.
      onLine: (line) => {
        if (/^[\w.\-/]+$/.test(line)) compiled++;
        else if (line.startsWith('go: downloading ')) downloaded++;
      },
    });
  } finally {
    clearInterval(progress);
  }
  harnessLog.info(`built ${build.label} in ${((Date.now() - started) / 1000).toFixed(1)} s (${compiled} packages compiled)`);
}
