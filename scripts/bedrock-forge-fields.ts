// The field paths Bedrock Forge's models read, from its Go source (internal/models/*.go): every
// `yaml:"…"` tag reachable from a kind's spec struct, as `spec.a.b[].c` (`[]` a list item, `*` a
// map value). Writes test/fixtures/bedrock-forge/model-fields.json with the commit it came from;
// test/unit/bedrock-forge-fields.test.ts holds the CRDs to it.
//
//   node scripts/bedrock-forge-fields.ts REPO_GIT_DIR [REV]
//
// REPO_GIT_DIR is a clone of github.com/chandra447/bedrock-forge (a bare one will do: the files
// are read with `git show REV:path`).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The kinds and the Go struct of each one's spec. */
const KINDS: Record<string, string> = {
  Agent: 'AgentSpec', Lambda: 'LambdaSpec', IAMRole: 'IAMRoleSpec', ActionGroup: 'ActionGroupSpec',
  AgentKnowledgeBaseAssociation: 'AgentKnowledgeBaseAssociationSpec', Guardrail: 'GuardrailSpec', Prompt: 'PromptSpec',
  KnowledgeBase: 'KnowledgeBaseSpec', OpenSearchServerless: 'OpenSearchServerlessSpec', CustomResources: 'CustomResourcesSpec',
};

interface Field { tag: string; type: string }

/** Every struct of the package: its fields with a yaml tag (embedded structs are read as their fields). */
export function parseStructs(sources: string[]): Map<string, Field[]> {
  const structs = new Map<string, Field[]>();
  for (const source of sources) {
    for (const match of source.matchAll(/^type (\w+) struct \{\n([\s\S]*?)^\}/gm)) {
      const fields: Field[] = [];
      for (const line of match[2]!.split('\n')) {
        const tagged = /^\s*\w+\s+([^`]+?)\s+`yaml:"([^",]*)[^"]*"`/.exec(line);
        if (tagged && tagged[2] && tagged[2] !== '-') fields.push({ tag: tagged[2], type: tagged[1]!.trim() });
      }
      structs.set(match[1]!, fields);
    }
  }
  return structs;
}

/** The paths under `prefix` of a Go type: its struct's fields, list items (`[]`) and map values (`*`). */
export function fieldPaths(structs: Map<string, Field[]>, type: string, prefix: string, seen = new Set<string>()): string[] {
  const bare = type.replace(/^\*/, '');
  if (bare.startsWith('[]')) return fieldPaths(structs, bare.slice(2), `${prefix}[]`, seen);
  const map = /^map\[[^\]]+\](.+)$/.exec(bare);
  if (map) return fieldPaths(structs, map[1]!, `${prefix}.*`, seen);
  const fields = structs.get(bare);
  // A Reference is written as a name or {ref: name}; its Go struct reads neither as a tag.
  if (bare === 'Reference') return [`${prefix}.ref`];
  if (!fields || seen.has(bare)) return [];
  const inner = new Set([...seen, bare]);
  return fields.flatMap((f) => [`${prefix}.${f.tag}`, ...fieldPaths(structs, f.type, `${prefix}.${f.tag}`, inner)]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [gitDir, rev = 'HEAD'] = process.argv.slice(2);
  if (!gitDir) {
    console.error('usage: node scripts/bedrock-forge-fields.ts REPO_GIT_DIR [REV]');
    process.exit(2);
  }
  const git = (...args: string[]) => execFileSync('git', ['--git-dir', gitDir, ...args], { encoding: 'utf8' });
  const commit = git('rev-parse', rev).trim();
  const files = git('ls-tree', '--name-only', commit, 'internal/models/').split('\n').filter((f) => f.endsWith('.go') && !f.endsWith('_test.go'));
  const structs = parseStructs(files.map((f) => git('show', `${commit}:${f}`)));
  const kinds = Object.fromEntries(Object.entries(KINDS).map(([kind, spec]) => {
    if (!structs.has(spec)) throw new Error(`no struct ${spec} for ${kind} in internal/models at ${commit}`);
    return [kind, fieldPaths(structs, spec, 'spec')];
  }));
  const out = join(import.meta.dirname, '..', 'test', 'fixtures', 'bedrock-forge', 'model-fields.json');
  writeFileSync(out, `${JSON.stringify({ repository: 'https://github.com/chandra447/bedrock-forge', commit, source: 'internal/models/*.go, yaml tags', kinds }, null, 2)}\n`);
  console.log(`wrote ${out}: ${Object.entries(kinds).map(([k, p]) => `${k} ${p.length}`).join(', ')}`);
}
