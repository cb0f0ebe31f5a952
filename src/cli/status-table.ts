// A readable table of custom resources and their Ready and Synced conditions.
import type { Condition } from '../api/common.ts';

export interface ResourceRow {
  kind: string;
  metadata: { namespace?: string; name: string };
  status?: { conditions?: Condition[] };
}

const NO_CONDITION = '-';

function condition(row: ResourceRow, type: string): Condition | undefined {
  return row.status?.conditions?.find((c) => c.type === type);
}

/** The message a user needs: the failing condition's, else the Synced one's. */
function detail(row: ResourceRow): string {
  const ready = condition(row, 'Ready');
  const synced = condition(row, 'Synced');
  const failing = [synced, ready].find((c) => c && c.status !== 'True');
  const shown = failing ?? synced ?? ready;
  if (!shown) return 'no condition yet';
  return [shown.reason, shown.message].filter(Boolean).join(': ');
}

export function statusTable(rows: ResourceRow[], width = 160): string {
  const header = ['KIND', 'NAMESPACE/NAME', 'READY', 'SYNCED', 'DETAIL'];
  const body = [...rows]
    .sort((a, b) => a.kind.localeCompare(b.kind) || a.metadata.name.localeCompare(b.metadata.name))
    .map((r) => [
      r.kind,
      `${r.metadata.namespace ?? ''}/${r.metadata.name}`,
      condition(r, 'Ready')?.status ?? NO_CONDITION,
      condition(r, 'Synced')?.status ?? NO_CONDITION,
      detail(r),
    ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((cells) => cells[i]!.length)));
  const line = (cells: string[]) => {
    const text = cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
    return text.length > width ? `${text.slice(0, width - 1)}…` : text;
  };
  return [line(header), ...body.map(line)].join('\n');
}
