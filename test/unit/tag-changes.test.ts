// Tags of a managed resource: what the spec (and ownership) asks is set; a key the spec set before
// and dropped is removed; tags nobody here ever set (organisation-wide ones) are left alone.
import { describe, expect, it } from 'vitest';
import { tagChanges } from '../../src/aws/ownership.ts';

describe('tagChanges', () => {
  it('sets what differs, removes only keys the spec managed before, and leaves foreign tags alone', () => {
    const changes = tagChanges({ Team: 'ai', Stage: 'prod' }, { Team: 'ml', Old: 'x', CostCenter: '42' }, ['Team', 'Old']);
    expect(changes).toEqual({ set: { Team: 'ai', Stage: 'prod' }, remove: ['Old'], any: true });
  });

  it('finds nothing to do when AWS already has the tags', () => {
    expect(tagChanges({ Team: 'ai' }, { Team: 'ai', CostCenter: '42' }, ['Team'])).toEqual({ set: {}, remove: [], any: false });
  });

  it('does not remove a previously managed key that AWS no longer has', () => {
    expect(tagChanges({}, {}, ['Gone'])).toEqual({ set: {}, remove: [], any: false });
  });
});
