// The findings list in Chromium: rule id, statement, what happened, the seed and trace event, the
// call path; "Replay seed N" emits replay with the scenario and seed.

import { describe, it, expect } from 'vitest';
import { ruleById } from '../../../core/verifier/rules.ts';
import { mount, useHarness } from '../../testing/browser.ts';

const rule = ruleById('PauseCompletedWithSendsOutstanding');
const finding = {
  rule: rule.id, statement: rule.statement, source: rule.seed, severity: rule.severity, bugCheck: rule.bugCheck, driver: 'driver',
  object: 'binding driver/nic0', message: 'NetEventPause completed with 3 sends outstanding', event: 211,
  callPath: ['driver!ProtocolNetPnPEvent', 'NdisCompleteNetPnPEvent'], seed: 4, scenario: 'traffic-across-a-pause',
};

describe('<findings-list>', () => {
  const harnessed = useHarness();

  it('shows each finding with its rule, statement, seed and call path, and offers its replay', async () => {
    await mount(harnessed.page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [finding], replayable: true });
    const item = harnessed.page.locator('findings-list li[data-rule="PauseCompletedWithSendsOutstanding"]');
    const text = await item.textContent();
    expect(text).toContain(rule.statement);
    expect(text).toContain('fatal, bug check 0xC4');
    expect(text).toContain('NetEventPause completed with 3 sends outstanding');
    expect(text).toContain('seed 4, scenario traffic-across-a-pause, trace event 211, driver driver, binding driver/nic0');
    expect(text).toContain('call path: driver!ProtocolNetPnPEvent › NdisCompleteNetPnPEvent');
    await harnessed.page.evaluate(() => document.querySelector('findings-list')!.addEventListener('replay', (e) => { (window as unknown as { replay: unknown }).replay = (e as CustomEvent).detail; }));
    await harnessed.page.getByRole('button', { name: 'Replay seed 4 of traffic-across-a-pause' }).click();
    expect(await harnessed.page.evaluate(() => (window as unknown as { replay: unknown }).replay)).toEqual({ scenario: 'traffic-across-a-pause', seed: 4 });
  });

  it('says when there is nothing to report', async () => {
    await mount(harnessed.page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [] });
    expect(await harnessed.page.locator('findings-list p.none').textContent()).toBe('No findings.');
    expect(await harnessed.page.locator('findings-list li').count()).toBe(0);
  });
});
