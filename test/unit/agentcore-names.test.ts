// AgentCore's names for what a Bedrock Forge Agent names: every name the operator maps must be one
// AWS takes. The patterns are read from botocore's model of bedrock-agentcore-control (the data
// the SDKs are generated from, shipped in the emulator's moto venv), never retyped here, and every
// name Bedrock Agents takes (`^([0-9a-zA-Z][_-]?){1,100}$`, src/api/agent.ts) is mapped to one of them.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { AgentSpec } from '../../src/api/agent.ts';
import {
  DEFAULT_ENDPOINT, endpointNameOf, gatewayNameOf, harnessNameOf, knowledgeBaseTargetNameOf, targetNameOf,
} from '../../src/kinds/agent/agentcore/names.ts';
import { cacheRoot } from '../harness/cache-dir.ts';

interface Shape { type: string; pattern?: string; min?: number; max?: number; members?: Record<string, { shape: string }> }
interface Model { shapes: Record<string, Shape> }

/** botocore's bedrock-agentcore-control model, from the emulator's moto venv (test/harness/emulator/emulator.ts builds it). */
function agentCoreModel(): Model {
  const root = cacheRoot();
  const venvs = existsSync(root) ? readdirSync(root).filter((d) => /^moto-/.test(d)).sort() : [];
  // The venv this checkout's emulator was built in first, then any other.
  venvs.sort((a, b) => Number(b === 'moto-5.2.1-cd7db0dd854a1b4b') - Number(a === 'moto-5.2.1-cd7db0dd854a1b4b'));
  for (const venv of venvs) {
    const lib = join(root, venv, 'lib');
    if (!existsSync(lib)) continue;
    for (const python of readdirSync(lib).filter((p) => p.startsWith('python'))) {
      const api = join(lib, python, 'site-packages', 'botocore', 'data', 'bedrock-agentcore-control');
      if (!existsSync(api)) continue;
      const version = readdirSync(api).filter((v) => /^\d{4}-\d{2}-\d{2}$/.test(v)).sort().at(-1);
      if (version) return JSON.parse(gunzipSync(readFileSync(join(api, version, 'service-2.json.gz'))).toString('utf8')) as Model;
    }
  }
  throw new Error(`no botocore model of bedrock-agentcore-control under ${root}/moto-*: build the emulator's venv first (npm run test:integration does)`);
}

const model = agentCoreModel();

/** The member's shape's pattern, anchored (botocore's patterns are matched against the whole value). */
function memberPattern(request: string, member: string): RegExp {
  const shapeName = model.shapes[request]?.members?.[member]?.shape;
  const pattern = shapeName ? model.shapes[shapeName]?.pattern : undefined;
  if (!pattern) throw new Error(`the model has no pattern for ${request}.${member}`);
  return new RegExp(`^(?:${pattern})$`);
}

const HARNESS = memberPattern('CreateHarnessRequest', 'harnessName');
const ENDPOINT = memberPattern('CreateHarnessEndpointRequest', 'endpointName');
const GATEWAY = memberPattern('CreateGatewayRequest', 'name');
const TARGET = memberPattern('CreateGatewayTargetRequest', 'name');
/** Bedrock Agents' names, as the Agent kind's schema takes them (agentName, action group and alias names). */
const AGENT_NAME = new RegExp(AgentSpec.properties.agentName.pattern as string);

const mappings = [
  { what: 'harness', of: harnessNameOf, pattern: HARNESS, max: 40 },
  { what: 'endpoint', of: endpointNameOf, pattern: ENDPOINT, max: 48 },
  // Gateway and target patterns count units of one or two characters; the operator keeps names
  // within 48 and 100 characters, which every unit count allows.
  { what: 'gateway', of: gatewayNameOf, pattern: GATEWAY, max: 48 },
  { what: 'target', of: targetNameOf, pattern: TARGET, max: 100 },
] as const;

/** A deterministic generator (mulberry32), so a failure names the same names on every run. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
const DIGITS = '0123456789';

/** A name Bedrock Agents takes: `units` alphanumerics, each maybe followed by `_` or `-`. */
function agentName(next: () => number, units: number, alphabet = ALNUM): string {
  let name = '';
  for (let i = 0; i < units; i++) {
    name += alphabet[Math.floor(next() * alphabet.length)];
    const r = next();
    if (r < 0.15) name += '-';
    else if (r < 0.3) name += '_';
  }
  return name;
}

/** Names at the edges: separators everywhere, leading digits, and each length a mapping bounds. */
const edgeNames = [
  'a', 'A', '7', '0-', '1_', 'orders', 'order-assistant', 'order_assistant', 'order-assistant_v2-', 'a-b_c-d_e',
  '123', '1st-agent', '9_lives', 'x-', 'x_', 'a-1_', 'Z'.repeat(39), 'Z'.repeat(40), 'Z'.repeat(41), '1'.repeat(40), '1'.repeat(41),
  'b'.repeat(47), 'b'.repeat(48), 'b'.repeat(49), 'c-'.repeat(24), 'c-'.repeat(25), 'c_'.repeat(50), 'd'.repeat(100), `${'d-'.repeat(50)}d`,
  // The longest names Bedrock Agents takes: 100 units, each with a separator (200 characters).
  'e-'.repeat(100), 'f_'.repeat(100), '0-'.repeat(100), '9_'.repeat(100), 'g'.repeat(100), 'Hh'.repeat(50),
];

function generatedNames(count: number): string[] {
  const next = random(16);
  const names: string[] = [];
  for (let i = 0; i < count; i++) {
    const units = [1, 2, 39, 40, 41, 47, 48, 49, 50, 99, 100][i % 11]!;
    // Every fifth name starts with a digit (harness and endpoint names must start with a letter).
    const name = agentName(next, units);
    names.push(i % 5 === 0 ? `${DIGITS[i % 10]}${name.slice(1)}` : name);
  }
  return names;
}

describe('the patterns come from the model', () => {
  it('are the ones AWS documents for each name (the model was read, not a fallback)', () => {
    expect(HARNESS.source).toContain('[a-zA-Z0-9_]{0,39}');
    expect(ENDPOINT.source).toContain('[a-zA-Z0-9_]{0,47}');
    expect(GATEWAY.source).toContain('{1,48}');
    expect(TARGET.source).toContain('{1,100}');
  });

  it('no Bedrock Agents name with `-` is a harness name, and none with `_` a gateway name', () => {
    expect(AGENT_NAME.test('order-assistant') && !HARNESS.test('order-assistant')).toBe(true);
    expect(AGENT_NAME.test('order_assistant') && !GATEWAY.test('order_assistant')).toBe(true);
    expect(AGENT_NAME.test('1st') && !HARNESS.test('1st')).toBe(true);
  });
});

describe('every Bedrock Agents name maps to a name AWS takes', () => {
  const names = [...edgeNames, ...generatedNames(2000)];

  it('the generated names are Bedrock Agents names', () => {
    for (const name of names) expect(name, name).toMatch(AGENT_NAME);
  });

  for (const { what, of, pattern, max } of mappings) {
    it(`${what} names match ${pattern.source}, within ${max} characters`, () => {
      const bad = names.filter((n) => !pattern.test(of(n)) || of(n).length > max).map((n) => `${n} → ${of(n)}`);
      expect(bad).toEqual([]);
    });

    it(`${what} names are the same on every pass, and a name AWS already takes is kept as it is`, () => {
      for (const name of names) {
        expect(of(name)).toBe(of(name));
        if (pattern.test(name) && name.length <= max && !name.endsWith('-')) expect(of(name), name).toBe(name);
      }
    });
  }

  it('knowledge-base target names match the target pattern for every knowledge-base ID', () => {
    const next = random(10);
    for (let i = 0; i < 200; i++) {
      const id = Array.from({ length: 10 }, () => ALNUM[Math.floor(next() * ALNUM.length)]).join('');
      expect(knowledgeBaseTargetNameOf(id), id).toMatch(TARGET);
    }
    expect(knowledgeBaseTargetNameOf('0123456789')).toBe('kb-0123456789');
  });

  it('examples: separators, leading digits, the longest names', () => {
    expect(harnessNameOf('order-assistant')).toBe('order_assistant');
    expect(gatewayNameOf('order_assistant')).toBe('order-assistant');
    expect(targetNameOf('lookup_orders')).toBe('lookup-orders');
    expect(endpointNameOf('live-v2')).toBe('live_v2');
    expect(harnessNameOf('1st-agent')).toBe('a1st_agent');
    expect(endpointNameOf('2024')).toBe('a2024');
    // Gateway and target names may start with a digit; a trailing separator is dropped.
    expect(gatewayNameOf('1st_agent_')).toBe('1st-agent');
    expect(targetNameOf('x-')).toBe('x');
    for (const name of ['e-'.repeat(100), 'f_'.repeat(100)]) {
      expect(harnessNameOf(name)).toHaveLength(40);
      expect(endpointNameOf(name)).toHaveLength(48);
      expect(gatewayNameOf(name).length).toBeLessThanOrEqual(48);
      expect(targetNameOf(name).length).toBeLessThanOrEqual(100);
    }
  });

  it('the DEFAULT endpoint is an endpoint name', () => {
    expect(DEFAULT_ENDPOINT).toMatch(ENDPOINT);
  });
});

describe('distinct names stay distinct', () => {
  /** Names that share their first `prefix` characters, past every bound, and differ after them. */
  function longTwins(prefix: number, count: number, seed: number): string[] {
    const next = random(seed);
    const stem = agentName(next, prefix).replace(/[-_]$/, '');
    const names = new Set<string>();
    while (names.size < count) names.add(`${stem}${agentName(next, 1 + Math.floor(next() * 20))}`.slice(0, 200));
    return [...names].filter((n) => AGENT_NAME.test(n));
  }

  for (const { what, of } of mappings) {
    it(`${what}: long names that differ only past the bound map to distinct names`, () => {
      const names = longTwins(60, 500, what.length);
      expect(names.length).toBeGreaterThan(400);
      // Names that differ only in - versus _ are the same name on AgentCore (a collision AWS's
      // alphabets force); they are left out of this check, which is about shortening.
      const byMapped = new Map<string, string>();
      // A trailing separator, which gateway and target names drop, likewise.
      for (const n of names) byMapped.set(n.replace(/[-_]/g, '-').replace(/-$/, ''), n);
      const canonical = [...byMapped.values()];
      expect(new Set(canonical.map(of)).size).toBe(canonical.length);
    });
  }

  it('alphanumeric names (no separators) of any length map one to one for every kind of name', () => {
    const next = random(7);
    const names = new Set<string>();
    while (names.size < 1000) names.add(agentName(next, 1 + Math.floor(next() * 100), 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ').replace(/[-_]/g, ''));
    for (const { of } of mappings) expect(new Set([...names].map(of)).size).toBe(names.size);
  });

  it('a name and its 41st..48th-character variants stay distinct as harness names (hashed, not cut)', () => {
    const stem = 'orders'.repeat(7).slice(0, 40);
    const variants = ['', 'a', 'b', '1', '_x', 'a'.repeat(8)].map((s) => `${stem}${s}`);
    expect(new Set(variants.map(harnessNameOf)).size).toBe(variants.length);
  });
});
