// The grade report in Chromium: each scenario's points and result; a failing one names its seed,
// what was expected and its findings (with the rule's statement and, made in the learner's
// driver, the line as a link), and offers a replay.

import { describe, it, expect } from 'vitest';
import { ruleById } from '../../../core/verifier/rules.ts';
import { mount, useHarness } from '../../testing/browser.ts';

const grade = {
  at: 1_700_000_000_000, score: 2, maxScore: 5, seeds: 8, traceHash: 'ab'.repeat(32),
  scenarios: [
    { id: 'bind-and-run', title: 'Binds and runs', points: 2, maxPoints: 2, passed: true, failures: [], findings: [] },
    {
      id: 'pause', title: 'Pauses', points: 0, maxPoints: 3, passed: false, failingSeed: 6,
      failures: ['expected the binding on nic0 to be Paused; it is Pausing'],
      findings: [
        { rule: 'PnPNotSupportedReturned', driver: 'driver', message: 'returned NDIS_STATUS_NOT_SUPPORTED for NetEventPause', event: 31 },
        { rule: 'ProtocolSendWhileNotRunning', driver: 'driver', message: 'NdisSendNetBufferLists while the binding is Paused', event: 40, location: { file: 'driver.ts', line: 74, column: 3 } },
      ],
    },
  ],
};

describe('<grade-report>', () => {
  const harnessed = useHarness();

  it('shows points, the failing seed, the failures and the findings, and replays a failing seed', async () => {
    await mount(harnessed.page, '/components/grade-report/grade-report.ts', 'grade-report', { grade });
    expect(await harnessed.page.locator('grade-report tr[data-scenario="bind-and-run"]').textContent()).toMatch(/2\/2\s*passed under 8 seeds/);
    const failing = harnessed.page.locator('grade-report tr[data-scenario="pause"]');
    const text = await failing.textContent();
    expect(text).toMatch(/0\/3\s*failed under seed 6/);
    expect(text).toContain('expected the binding on nic0 to be Paused; it is Pausing');
    const finding = await failing.locator('findings-list li[data-rule="PnPNotSupportedReturned"]').textContent();
    expect(finding).toContain(ruleById('PnPNotSupportedReturned').statement);
    expect(finding).toContain('seed 6, scenario pause, trace event 31, driver');
    // The place in the driver, kept with the grade, is a link to the editor's line.
    const placed = failing.locator('findings-list li[data-rule="ProtocolSendWhileNotRunning"]');
    expect(await placed.textContent()).toContain('trace event 40, line 74, driver');
    await harnessed.page.evaluate(() => document.querySelector('grade-report')!.addEventListener('show-source', (e) => { (window as unknown as { shown: unknown }).shown = (e as CustomEvent).detail; }));
    await placed.getByRole('button', { name: 'line 74' }).click();
    expect(await harnessed.page.evaluate(() => (window as unknown as { shown: unknown }).shown)).toEqual({ line: 74, column: 3 });
    await harnessed.page.evaluate(() => document.querySelector('grade-report')!.addEventListener('replay', (e) => { (window as unknown as { replay: unknown }).replay = (e as CustomEvent).detail; }));
    await failing.getByRole('button', { name: 'Replay seed 6' }).click();
    expect(await harnessed.page.evaluate(() => (window as unknown as { replay: unknown }).replay)).toEqual({ scenario: 'pause', seed: 6 });
  });

  it('a driver that does not compile: the message once, every scenario "not run", nothing to replay', async () => {
    const message = 'driver.ts: does not compile: Error transforming driver.ts: Unexpected token, expected "," (2:1)';
    const broken = { ...grade, score: 0, scenarios: grade.scenarios.map((s) => ({ ...s, points: 0, passed: false, failingSeed: 1, failures: [message], findings: [] })) };
    await mount(harnessed.page, '/components/grade-report/grade-report.ts', 'grade-report', { grade: broken });
    // Without the bundler's "Error transforming driver.ts:" (issue 20 item 8).
    expect(await harnessed.page.locator('grade-report').getByRole('alert').textContent()).toBe('Not graded: driver.ts: does not compile: Unexpected token, expected "," (2:1)');
    for (const s of grade.scenarios) {
      expect(await harnessed.page.locator(`grade-report tr[data-scenario="${s.id}"]`).textContent()).toMatch(new RegExp(`0/${s.maxPoints}\\s*not run\\s*$`));
    }
    expect(await harnessed.page.locator('grade-report').getByRole('button').count()).toBe(0);
  });
});
