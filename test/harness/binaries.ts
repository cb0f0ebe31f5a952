import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { cacheRoot, ensureCachedDir, shortHash } from './cache-dir.ts';
import { goBuild, goBuildEnv, goBuildFlags, type GoBuild } from './go-build.ts';
import { repoRoot } from './repo-paths.ts';
import { runCommand } from './run-command.ts';

export interface KubeBinaries {
  kubeApiserver: string;
  etcd: string;
  kubectl: string;
  helm: string;
}

const kubeModuleDir = join(repoRoot, 'tools', 'kube');
const helmModuleDir = join(repoRoot, 'tools', 'helm');

/**
 * Absolute paths of kube-apiserver, etcd, kubectl and helm, built from source through the Go module
 * proxy at the versions that tools/kube and tools/helm pin. The first call on a machine builds them
 * (minutes); later calls find them in the cache directory, keyed by the pinning files and the Go version.
 */
export async function ensureKubeBinaries(): Promise<KubeBinaries> {
  const binDir = await ensureBuilt('bin', 'the kube binaries build', await plannedBuilds());
  return {
    kubeApiserver: join(binDir, 'kube-apiserver'),
    etcd: join(binDir, 'etcd'),
    kubectl: join(binDir, 'kubectl'),
    helm: join(binDir, 'helm'),
  };
}

export interface NodeBinaries {
  kubelet: string;
  kubeControllerManager: string;
  kubeScheduler: string;
}

/**
 * Absolute paths of kubelet, kube-controller-manager and kube-scheduler at the version tools/kube
 * pins, for a test bed with a node. A separate cache entry from ensureKubeBinaries(), built only
 * when a node is asked for (about 3.5 minutes with a warm Go build cache, far longer cold).
 */
export async function ensureNodeBinaries(): Promise<NodeBinaries> {
  const { goMod, contents } = await readModuleFiles(kubeModuleDir, ['go.mod', 'go.sum']);
  const binDir = await ensureBuilt('node-bin', 'the node binaries build', [
    {
      label: 'kubelet, kube-controller-manager, kube-scheduler',
      moduleDir: kubeModuleDir,
      packages: ['k8s.io/kubernetes/cmd/kubelet', 'k8s.io/kubernetes/cmd/kube-controller-manager', 'k8s.io/kubernetes/cmd/kube-scheduler'],
      ldflags: kubeVersionLdflags(requiredVersion(goMod, 'k8s.io/kubernetes')),
      pinningFiles: contents,
    },
  ]);
  return {
    kubelet: join(binDir, 'kubelet'),
    kubeControllerManager: join(binDir, 'kube-controller-manager'),
    kubeScheduler: join(binDir, 'kube-scheduler'),
  };
}

/** The cache directory `<cacheRoot>/<kind>/<key>` holding the builds' outputs, keyed by their inputs and the Go version. */
async function ensureBuilt(kind: string, what: string, builds: PlannedBuild[]): Promise<string> {
  const key = shortHash([
    await goVersion(),
    JSON.stringify(goBuildEnv),
    ...builds.flatMap((build) => [...build.pinningFiles, ...goBuildFlags(build)]),
  ]);
  return ensureCachedDir(join(cacheRoot(), kind, key), what, async (tmpDir) => {
    for (const build of builds) await goBuild({ ...build, outDir: tmpDir });
  });
}

async function goVersion(): Promise<string> {
  try {
    return await runCommand('go', ['version'], { env: { ...process.env, ...goBuildEnv } });
  } catch (error) {
    throw new Error(`the Go toolchain (go on PATH) is needed to build kube-apiserver, etcd, kubectl and helm: ${(error as Error).message}`);
  }
}

type PlannedBuild = Omit<GoBuild, 'outDir'> & { pinningFiles: string[] };

async function plannedBuilds(): Promise<PlannedBuild[]> {
  const kube = await readModuleFiles(kubeModuleDir, ['go.mod', 'go.sum', 'etcd/main.go']);
  const helm = await readModuleFiles(helmModuleDir, ['go.mod', 'go.sum']);
  const kubeVersion = requiredVersion(kube.goMod, 'k8s.io/kubernetes');
  const helmVersion = requiredVersion(helm.goMod, 'helm.sh/helm/v3');
  // Staging modules are v0.X.Y for Kubernetes v1.X.Y.
  const helmKubeMinor = requiredVersion(helm.goMod, 'k8s.io/client-go').split('.')[1] ?? '';
  return [
    {
      label: 'kube-apiserver, etcd, kubectl',
      moduleDir: kubeModuleDir,
      packages: ['k8s.io/kubernetes/cmd/kube-apiserver', 'k8s.io/kubernetes/cmd/kubectl', './etcd'],
      ldflags: kubeVersionLdflags(kubeVersion),
      pinningFiles: kube.contents,
    },
    {
      label: 'helm',
      moduleDir: helmModuleDir,
      packages: ['helm.sh/helm/v3/cmd/helm'],
      ldflags: helmVersionLdflags(helmVersion, helmKubeMinor),
      pinningFiles: helm.contents,
    },
  ];
}

async function readModuleFiles(moduleDir: string, files: string[]): Promise<{ goMod: string; contents: string[] }> {
  const contents = await Promise.all(files.map((file) => readFile(join(moduleDir, file), 'utf8')));
  return { goMod: contents[0] ?? '', contents };
}

function requiredVersion(goMod: string, modulePath: string): string {
  const escaped = modulePath.replaceAll(/[.\\/]/g, (c) => `\\${c}`);
  const match = goMod.match(new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm'));
  if (!match?.[1]) throw new Error(`go.mod does not require ${modulePath}`);
  return match[1];
}

/** What the Kubernetes release build stamps, so that `kube-apiserver --version` and `kubectl version` are sane. */
function kubeVersionLdflags(version: string): string {
  const [major = '', minor = ''] = version.replace(/^v/, '').split('.');
  const stamps = ['k8s.io/component-base/version', 'k8s.io/client-go/pkg/version'].flatMap((pkg) => [
    `-X ${pkg}.gitVersion=${version}`,
    `-X ${pkg}.gitMajor=${major}`,
    `-X ${pkg}.gitMinor=${minor}`,
    `-X ${pkg}.gitTreeState=clean`,
  ]);
  return ['-s', '-w', ...stamps].join(' ');
}

/** What helm's Makefile stamps: its own version and the Kubernetes version its client libraries are. */
function helmVersionLdflags(version: string, kubeMinor: string): string {
  return [
    '-s',
    '-w',
    `-X helm.sh/helm/v3/internal/version.version=${version}`,
    '-X helm.sh/helm/v3/internal/version.gitTreeState=clean',
    ...['pkg/lint/rules', 'pkg/chartutil'].flatMap((pkg) => [
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMajor=1`,
      `-X helm.sh/helm/v3/${pkg}.k8sVersionMinor=${kubeMinor}`,
    ]),
  ].join(' ');
}
