// The bug check screen in Chromium: the verifier's screen text for a fatal finding, as an alert.

import { describe, it, expect } from 'vitest';
import { bugCheckScreen, type Finding } from '../../../core/verifier/verifier.ts';
import { ruleById } from '../../../core/verifier/rules.ts';
import { mount, useHarness } from '../../testing/browser.ts';

describe('<bug-check-screen>', () => {
  const harnessed = useHarness();

  it('shows the stop code, the rule and the call path', async () => {
    const rule = ruleById('FilterPauseNeverCompleted');
    const finding: Finding = { ...rule, rule: rule.id, driver: 'filter', object: 'filter module filter/nic0', message: 'FilterPause returned PENDING 10 s ago', event: 88, callPath: ['filter!FilterPause'] };
    const screen = bugCheckScreen(finding);
    await mount(harnessed.page, '/components/bug-check-screen/bug-check-screen.ts', 'bug-check-screen', { screen });
    const alert = harnessed.page.getByRole('alert', { name: 'Bug check' });
    expect(await alert.textContent()).toBe(screen);
    // Driver Verifier's NdisFilterTimedPauseComplete: 0xC4 with its Parameter 1.
    expect(screen).toMatch(/DRIVER_VERIFIER_DETECTED_VIOLATION[\s\S]*Rule: FilterPauseNeverCompleted[\s\S]*STOP: 0x000000C4 \(0x00092010, \.\.\.\) at trace event 88/);
  });
});
