import { describe, it, expect } from 'vitest';
import { RULES, ruleById, catalogJson, SEEDS } from './rules.ts';

const MINIMUM = [
  'ProtocolSendWhileNotRunning', 'PauseCompletedWithSendsOutstanding', 'ReceivesHeldAcrossPause', 'PnPEventMustSucceed',
  'PnPNotSupportedReturned', 'PnPPendingNeverCompleted', 'PnPCompleteWithoutPending', 'OpenOutsideBind',
  'BindPendingNeverCompleted', 'CloseOutsideBindOrUnbind', 'CloseWithSendsOutstanding', 'CloseWithOidsOutstanding',
  'HandleUsedAfterClose', 'HandleUsedAfterUnbindAdapter', 'UnbindPendingNeverCompleted', 'UnbindCompletedWithoutClose',
  'ReturnedResourcesNbl', 'NblNotOwned', 'FilterSendWhilePaused', 'FilterIndicateWhilePaused',
  'FilterPausedSendNotCompleted', 'FilterPausedReceiveNotReturned', 'FilterPauseCompletedWithSendsOutstanding',
  'FilterPauseCompletedWithReceivesOutstanding', 'FilterPauseFailed', 'FilterPauseNeverCompleted',
  'FilterPauseCompleteWithoutPending', 'HandlerThrew', 'HandlerReturnedPromise', 'DriverHung', 'SharedMemoryCorrupted',
  'SendNotCompletedInTime',
];

describe('rule catalog', () => {
  it('has every rule of the minimum catalog, once, with a PascalCase id', () => {
    const ids = RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of MINIMUM) expect(ids, id).toContain(id);
    for (const id of ids) expect(id).toMatch(/^[A-Z][A-Za-z]+$/);
  });

  it('gives each rule a statement, a source and the bug check DESIGN.md names', () => {
    for (const r of RULES) {
      expect(r.statement.length, r.id).toBeGreaterThan(20);
      expect(r.seed.length, r.id).toBeGreaterThan(5);
    }
    expect(ruleById('HandlerThrew').bugCheck).toBe(0x7e);
    // Driver Verifier's NdisFilterTimedPauseComplete bug-checks 0xC4 with Parameter 1 0x00092010
    // (the rule's page); a protocol's pended PnP event that never completes stays 0x9F.
    expect([ruleById('FilterPauseNeverCompleted').bugCheck, ruleById('FilterPauseNeverCompleted').bugCheckParameter1]).toEqual([0xc4, 0x00092010]);
    expect(ruleById('PnPPendingNeverCompleted').bugCheck).toBe(0x9f);
    expect(ruleById('ProtocolSendWhileNotRunning').bugCheck).toBe(0xc4);
  });

  it('cites only seeds that exist', () => {
    for (const r of RULES) {
      for (const [, n] of r.seed.matchAll(/\b(\d{3})\b/g)) expect(SEEDS[n!], `${r.id} cites ${n}`).toBeDefined();
    }
  });

  it('prints as [{ id, statement, seed, severity }]', () => {
    const json = catalogJson();
    expect(json).toHaveLength(RULES.length);
    expect(Object.keys(json[0]!)).toEqual(['id', 'statement', 'seed', 'severity']);
  });
});
