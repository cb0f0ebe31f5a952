// Copies the example manifests of Bedrock Forge's repository into test/fixtures/bedrock-forge-repository/,
// with the commit they came from: every YAML file under examples/ and new_examples/ (with the files
// next to them a Lambda's code may name), and every fenced YAML block with a `kind:` in its
// documentation (docs/**/*.md, README.md), as docs/<page>-<n>.yml. The converter test
// (test/integration/seed-manifests.test.ts) holds the whole set.
//
//   node scripts/bedrock-forge-examples.ts REPO_GIT_DIR [REV]
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const MANIFEST = /\.ya?ml$/;
/** Files a Lambda manifest's code directory holds, which the converter packs into a ConfigMap. */
const CODE = /\.(py|js|mjs|ts|txt|json)$/;

if (import.meta.url === `file://${process.argv[1]}`) {
  const [gitDir, rev = 'HEAD'] = process.argv.slice(2);
  if (!gitDir) {
    console.error('usage: node scripts/bedrock-forge-examples.ts REPO_GIT_DIR [REV]');
    process.exit(2);
  }
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8', maxBuffer: 64 << 20 });
  const commit = git('rev-parse', rev).trim();
  const files = git('ls-tree', '-r', '--name-only', commit).split('\n').filter(Boolean);
  const out = join(import.meta.dirname, '..', 'test', 'fixtures', 'bedrock-forge-repository');
  rmSync(out, { recursive: true, force: true });
  const write = (path: string, text: string) => {
    mkdirSync(dirname(join(out, path)), { recursive: true });
    writeFileSync(join(out, path), text);
  };
  const examples = files.filter((f) => /^(new_)?examples\//.test(f) && !f.includes('/.bedrock-forge/'));
  const manifests = examples.filter((f) => MANIFEST.test(f));
  // The code next to a manifest (a Lambda's directory), but no build artefacts or Terraform.
  const dirs = new Set(manifests.map(dirname));
  const code = examples.filter((f) => CODE.test(f) && [...dirs].some((d) => f.startsWith(`${d}/`)));
  for (const f of [...manifests, ...code]) write(f, git('show', `${commit}:${f}`));
  let blocks = 0;
  for (const page of files.filter((f) => /^(docs\/.*|README)\.md$/.test(f))) {
    const text = git('show', `${commit}:${page}`);
    let n = 0;
    for (const match of text.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)) {
      if (!/^kind:/m.test(match[1]!)) continue;
      write(`docs/${page.replace(/\.md$/, '').replaceAll('/', '-')}-${++n}.yml`, match[1]!);
      blocks++;
    }
  }
  write('SOURCE.md', `# Bedrock Forge's example manifests\n\nCopied by \`scripts/bedrock-forge-examples.ts\` from https://github.com/chandra447/bedrock-forge at commit\n${commit}: the YAML files of \`examples/\` and \`new_examples/\` with the code beside them, and the\nYAML blocks with a \`kind:\` of its documentation (\`docs/\`). Test inputs only: nothing here is\nshipped in the operator's image or chart.\n`);
  console.log(`wrote ${out}: ${manifests.length} manifests, ${code.length} code files, ${blocks} documentation blocks (commit ${commit.slice(0, 7)})`);
}
