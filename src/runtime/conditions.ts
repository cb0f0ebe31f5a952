// Ready and Synced conditions: stamped with the generation they describe; lastTransitionTime
// changes only when the status flips, so a pass that changes nothing writes nothing.
import type { Condition } from '../api/common.ts';
import type { Reason } from '../api/reasons.ts';

/** Ready and Synced decide; Findings and AccessCheck advise (see src/api/reasons.ts). */
export type ConditionType = 'Ready' | 'Synced' | 'Findings' | 'AccessCheck' | 'RuntimeCoverage';

export interface ConditionInput {
  type: ConditionType;
  status: Condition['status'];
  reason: Reason;
  message?: string;
}

/** The conditions with `next` set, keeping the old lastTransitionTime unless the status changed. */
export function setCondition(conditions: Condition[] | undefined, next: ConditionInput, generation: number, now: Date): Condition[] {
  const list = conditions ?? [];
  const previous = list.find((c) => c.type === next.type);
  const condition: Condition = {
    type: next.type,
    status: next.status,
    reason: next.reason,
    ...(next.message ? { message: next.message.slice(0, 32_768) } : {}),
    lastTransitionTime: previous && previous.status === next.status ? previous.lastTransitionTime : now.toISOString().replace(/\.\d+Z$/, 'Z'),
    observedGeneration: generation,
  };
  return [...list.filter((c) => c.type !== next.type), condition].sort((a, b) => a.type.localeCompare(b.type));
}

export function findCondition(conditions: Condition[] | undefined, type: ConditionType): Condition | undefined {
  return conditions?.find((c) => c.type === type);
}
