// The demo's table: one row per resource, its conditions, and the message that says what to fix.
import { describe, expect, it } from 'vitest';
import { statusTable } from '../../src/cli/status-table.ts';

const at = '2026-01-01T00:00:00Z';

describe('statusTable', () => {
  it('shows Ready and Synced, and the failing condition\'s reason and message', () => {
    const table = statusTable([
      { kind: 'IAMRole', metadata: { namespace: 'default', name: 'ok' }, status: { conditions: [
        { type: 'Ready', status: 'True', reason: 'Available', lastTransitionTime: at },
        { type: 'Synced', status: 'True', reason: 'ReconcileSuccess', lastTransitionTime: at },
      ] } },
      { kind: 'IAMRole', metadata: { namespace: 'default', name: 'bad' }, status: { conditions: [
        { type: 'Ready', status: 'False', reason: 'Unavailable', lastTransitionTime: at },
        { type: 'Synced', status: 'False', reason: 'NoSuchEntity', message: 'policy does not exist', lastTransitionTime: at },
      ] } },
      { kind: 'Agent', metadata: { namespace: 'default', name: 'new' } },
    ]);
    const lines = table.split('\n');
    expect(lines[0]).toMatch(/^KIND\s+NAMESPACE\/NAME\s+READY\s+SYNCED\s+DETAIL$/);
    expect(lines[1]).toMatch(/^Agent\s+default\/new\s+-\s+-\s+no condition yet$/);
    expect(lines[2]).toMatch(/^IAMRole\s+default\/bad\s+False\s+False\s+NoSuchEntity: policy does not exist$/);
    expect(lines[3]).toMatch(/^IAMRole\s+default\/ok\s+True\s+True\s+ReconcileSuccess$/);
  });

  it('cuts lines to the terminal width', () => {
    const table = statusTable([{ kind: 'Lambda', metadata: { name: 'x'.repeat(200) } }], 80);
    expect(table.split('\n').every((l) => l.length <= 80)).toBe(true);
  });
});
