// The state diagram in Chromium: drawn from the machine's definition (every state and
// transition), the current state lit, the transition that led there marked as taken.

import { describe, it, expect } from 'vitest';
import { PROTOCOL_BINDING, FILTER_MODULE } from '../../../core/ndis/states.ts';
import { mount, update, useHarness } from '../../testing/browser.ts';

const MODULE = '/components/state-diagram/state-diagram.ts';

describe('<state-diagram>', () => {
  const harnessed = useHarness();

  it('draws the seven binding states and ten transitions, lighting the current state and the transition taken', async () => {
    await mount(harnessed.page, MODULE, 'state-diagram', {
      machine: 'binding',
      object: { object: 'binding driver/nic0', machine: 'binding', state: 'Running', from: 'Restarting', on: 'RestartComplete', changedAt: 17 },
    });
    const nodes = harnessed.page.locator('state-diagram g.node');
    expect(await nodes.evaluateAll((g) => g.map((n) => n.getAttribute('data-state')))).toEqual([...PROTOCOL_BINDING.states]);
    expect(await harnessed.page.locator('state-diagram path.edge').count()).toBe(PROTOCOL_BINDING.transitions.length);
    expect(await harnessed.page.locator('state-diagram g.node.current').getAttribute('data-state')).toBe('Running');
    expect(await harnessed.page.locator('state-diagram g.node.previous').getAttribute('data-state')).toBe('Restarting');
    expect(await harnessed.page.locator('state-diagram path.edge.taken').getAttribute('data-transition')).toBe('Restarting-RestartComplete-Running');
    expect(await harnessed.page.locator('state-diagram figcaption').textContent()).toBe('binding driver/nic0: Running (from Restarting on RestartComplete, event 17)');
    expect(await harnessed.page.getByRole('img').getAttribute('aria-label')).toBe('binding driver/nic0 state diagram; current state Running');
  });

  it('follows a new transition', async () => {
    await update(harnessed.page, 'state-diagram', { object: { object: 'binding driver/nic0', machine: 'binding', state: 'Pausing', from: 'Running', on: 'Pause', changedAt: 30 } });
    expect(await harnessed.page.locator('state-diagram g.node.current').getAttribute('data-state')).toBe('Pausing');
    expect(await harnessed.page.locator('state-diagram path.edge.taken').getAttribute('data-transition')).toBe('Running-Pause-Pausing');
  });

  it('draws a filter module at its initial state when nothing has happened', async () => {
    await mount(harnessed.page, MODULE, 'state-diagram', { machine: 'module', object: undefined });
    expect(await harnessed.page.locator('state-diagram g.node').count()).toBe(FILTER_MODULE.states.length);
    expect(await harnessed.page.locator('state-diagram g.node.current').getAttribute('data-state')).toBe('Detached');
    expect(await harnessed.page.locator('state-diagram path.edge.taken').count()).toBe(0);
  });
});
