// The findings list in Chromium: rule id, statement, what happened, the seed and trace event, the
// call path; "Replay seed N" emits replay with the scenario and seed; "trace event N" emits
// show-event; a finding with a place in the learner's driver has a "line N" link that emits
// show-source with the line and column, one without a place has none, and a place in another
// file is said as text.

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
    expect(text).not.toContain('The seed says');
    await harnessed.page.evaluate(() => document.querySelector('findings-list')!.addEventListener('replay', (e) => { (window as unknown as { replay: unknown }).replay = (e as CustomEvent).detail; }));
    await harnessed.page.getByRole('button', { name: 'Replay seed 4 of traffic-across-a-pause' }).click();
    expect(await harnessed.page.evaluate(() => (window as unknown as { replay: unknown }).replay)).toEqual({ scenario: 'traffic-across-a-pause', seed: 4 });
  });

  it('quotes the seed statements the rule grades, each with its id', async () => {
    const seedStatements = [{ id: '000.12', text: 'The protocol driver must wait for all its outstanding send request to complete.', lab: 'protocol-binding' }];
    await mount(harnessed.page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [{ ...finding, seedStatements }] });
    const quoted = harnessed.page.locator('findings-list li .seed-statements');
    expect(await quoted.textContent()).toBe('The seed says: The protocol driver must wait for all its outstanding send request to complete. (000.12)');
    expect(await harnessed.page.locator('findings-list li .seed-statements q').count()).toBe(1);
  });

  it('links the trace event and the line of the learner\'s driver, and only a line of that driver', async () => {
    const page = harnessed.page;
    const located = { ...finding, rule: 'ProtocolSendWhileNotRunning', event: 87, location: { file: 'driver.ts', line: 73, column: 3 } };
    const elsewhere = { ...finding, rule: 'HandlerThrew', event: 90, location: { file: 'reference.ts', line: 9, column: 14 } };
    await mount(page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [located, finding, elsewhere] });
    await page.evaluate(() => {
      const w = window as unknown as { asked: unknown[] };
      w.asked = [];
      for (const kind of ['show-source', 'show-event']) document.addEventListener(kind, (e) => w.asked.push({ kind, ...(e as CustomEvent).detail }));
    });
    const asked = () => page.evaluate(() => (window as unknown as { asked: unknown[] }).asked);

    const item = page.locator('findings-list li[data-rule="ProtocolSendWhileNotRunning"]');
    expect(await item.textContent()).toMatch(/trace event 87,\s*line 73, driver driver/);
    // By keyboard: the link is a button in the Tab order.
    await item.getByRole('button', { name: 'line 73' }).focus();
    await page.keyboard.press('Enter');
    expect(await asked()).toEqual([{ kind: 'show-source', line: 73, column: 3 }]);
    await item.getByRole('button', { name: 'trace event 87' }).click();
    expect((await asked()).at(-1)).toEqual({ kind: 'show-event', event: 87, seed: 4, scenario: 'traffic-across-a-pause' });

    // No place: no line, and nothing to click but the trace event.
    const unplaced = page.locator('findings-list li[data-rule="PauseCompletedWithSendsOutstanding"]');
    expect(await unplaced.textContent()).not.toMatch(/\bline \d/);
    expect(await unplaced.getByRole('button').allTextContents()).toEqual(['trace event 211']);
    // Another file's place: said, not linked.
    const other = page.locator('findings-list li[data-rule="HandlerThrew"]');
    expect(await other.textContent()).toContain('trace event 90, at reference.ts:9:14, driver driver');
    expect(await other.getByRole('button').allTextContents()).toEqual(['trace event 90']);
  });

  it('says "handler declared at" before the line of a finding whose place is its handler\'s declaration', async () => {
    const page = harnessed.page;
    const declared = { ...finding, rule: 'FilterPauseNeverCompleted', event: 120, location: { file: 'driver.ts', line: 79, column: 5, kind: 'handler' as const } };
    await mount(page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [declared] });
    const item = page.locator('findings-list li[data-rule="FilterPauseNeverCompleted"]');
    expect(await item.textContent()).toMatch(/trace event 120,\s*handler declared at\s*line 79, driver driver/);
    await page.evaluate(() => document.addEventListener('show-source', (e) => { (window as unknown as { shown: unknown }).shown = (e as CustomEvent).detail; }));
    await item.getByRole('button', { name: 'line 79' }).click();
    expect(await page.evaluate(() => (window as unknown as { shown: unknown }).shown)).toEqual({ line: 79, column: 5 });
  });

  it('says when there is nothing to report', async () => {
    await mount(harnessed.page, '/components/findings-list/findings-list.ts', 'findings-list', { findings: [] });
    expect(await harnessed.page.locator('findings-list p.none').textContent()).toBe('No findings.');
    expect(await harnessed.page.locator('findings-list li').count()).toBe(0);
  });
});
