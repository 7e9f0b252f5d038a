// The rule catalog in Chromium: every rule of core/verifier/rules.ts, in order, with its
// statement, its source in the NDIS documentation and what breaking it does.

import { describe, it, expect } from 'vitest';
import { RULES } from '../../../core/verifier/rules.ts';
import { mount, useHarness } from '../../testing/browser.ts';

describe('<rule-catalog>', () => {
  const harnessed = useHarness();

  it('lists every rule with its statement and severity', async () => {
    await mount(harnessed.page, '/components/rule-catalog/rule-catalog.ts', 'rule-catalog', {});
    const rows = harnessed.page.locator('rule-catalog tr[data-rule]');
    expect(await rows.count()).toBe(RULES.length);
    for (const id of ['ProtocolSendWhileNotRunning', 'FilterPauseNeverCompleted', 'SendNotCompletedInTime', 'DriverHung']) {
      const rule = RULES.find((r) => r.id === id)!;
      const text = await harnessed.page.locator(`rule-catalog tr[data-rule="${id}"]`).textContent();
      expect(text).toContain(rule.statement);
      expect(text).toContain(rule.severity === 'fatal' ? `fatal, bug check 0x${rule.bugCheck.toString(16).toUpperCase()}` : 'error (the run goes on)');
    }
    expect(await harnessed.page.locator('rule-catalog tr[data-rule="PauseCompletedWithSendsOutstanding"]').textContent()).toContain('NDIS documentation: Binding States of a Protocol Driver (Binding States: Pausing); PROTOCOL_NET_PNP_EVENT callback function (NetEventPause)');
  });
});
