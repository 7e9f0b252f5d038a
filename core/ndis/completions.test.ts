// What NDIS says of a driver's completions and failures: a restart that pends for ever, a
// completion with nothing pending (bind, unbind, filter restart), a failed filter restart (the
// stack above stays Paused), a bind that fails with the adapter open (seed 003), an unbind that
// fails, NdisFSetAttributes outside FilterAttach, and NdisUnbindAdapter during a transition.

import { describe, it, expect } from 'vitest';
import { NdisRuntime } from './runtime.ts';
import { echoProtocol, countingFilter, twoNics as twoNicsAnyOpen, CLOSE_IN_UNBIND, OPENS_AND_CLOSES_AT_ONCE } from './test-drivers.ts';

// The protocol's bind and unbind are rewritten below to break one rule; its opens and closes complete at once.
const twoNics = (source: string, seed = 1, rx = 64, extra: string[] = []) => twoNicsAnyOpen(source, seed, rx, extra, OPENS_AND_CLOSES_AT_ONCE);

const findings = (rt: NdisRuntime) => rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`);
const RESTART = 'RestartHandler(m: Module) { m.state = "Running"; return NDIS_STATUS_SUCCESS; },';
const BIND_OK = `      return NDIS_STATUS_SUCCESS;\n    },\n    UnbindAdapterHandlerEx(unbindContext: unknown, b: Binding) {\n      ${CLOSE_IN_UNBIND}\n    },`;

function filterWith(from: string, to: string): string {
  const source = countingFilter();
  expect(source).toContain(from);
  return source.replace(from, to);
}

function protocolWith(from: string, to: string): string {
  const source = echoProtocol();
  expect(source).toContain(from);
  return source.replace(from, to);
}

describe('filter restarts', () => {
  it('FilterRestartNeverCompleted: FilterRestart pends and NdisFRestartComplete never comes (the pending limit: twoNics sets 10 ms); the bindings above are never restarted', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [filterWith(RESTART, 'RestartHandler(m: Module) { return NDIS_STATUS_PENDING; },')]);
    expect(findings(rt)).toEqual(['FilterRestartNeverCompleted: FilterRestart returned NDIS_STATUS_PENDING and NdisFRestartComplete had not been called 10 ms later: the stack above the module cannot start']);
    // A bug check: the run stopped at the first adapter, its binding never restarted.
    expect(rt.bindings.map((b) => b.state)).toEqual(['Paused']);
  });

  it('a failed FilterRestart: the module is Paused again and NDIS restarts nothing above it (no finding: a restart may fail)', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [filterWith(RESTART, 'RestartHandler(m: Module) { return NDIS_STATUS_RESOURCES; },').replace('NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,', 'NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_RESOURCES,')]);
    expect(findings(rt)).toEqual([]);
    expect(rt.filters.all().map((m) => m.state)).toEqual(['Paused', 'Paused']);
    expect(rt.bindings.map((b) => b.state)).toEqual(['Paused', 'Paused']);
    expect(rt.trace.events.some((e) => e.kind === 'note' && String(e.text).startsWith('FilterRestart failed (NDIS_STATUS_RESOURCES'))).toBe(true);
  });

  it('FilterRestartCompleteWithoutPending: NdisFRestartComplete after FilterRestart returned SUCCESS', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [filterWith(RESTART, 'RestartHandler(m: Module) { m.state = "Running"; NdisFRestartComplete(m.handle, NDIS_STATUS_SUCCESS); return NDIS_STATUS_SUCCESS; },').replace('NdisFPauseComplete,', 'NdisFPauseComplete, NdisFRestartComplete,')]);
    expect(findings(rt)).toEqual(['FilterRestartCompleteWithoutPending: NdisFRestartComplete while no restart of the module is pending (the module is Restarting): call it once, after FilterRestart returned NDIS_STATUS_PENDING']);
  });

  it('SetAttributesOutsideAttach: NdisFSetAttributes from FilterRestart', async () => {
    const { rt } = await twoNics(echoProtocol(), 1, 64, [filterWith(RESTART, 'RestartHandler(m: Module) { m.state = "Running"; NdisFSetAttributes(m.handle, m, { Header: { Type: 0x8d, Revision: 1, Size: 8 }, Flags: 0 }); return NDIS_STATUS_SUCCESS; },')]);
    expect(findings(rt)).toEqual(['SetAttributesOutsideAttach: NdisFSetAttributes while the module is Restarting: a filter driver calls it from FilterAttach, once, before it returns']);
  });
});

describe('protocol completions and failures', () => {
  it('BindCompleteWithoutPending: NdisCompleteBindAdapterEx and then SUCCESS returned (the engine finishes the bind once; before, the second finish threw out of the engine)', async () => {
    const source = protocolWith(BIND_OK, BIND_OK.replace('      return NDIS_STATUS_SUCCESS;\n    },\n    UnbindAdapterHandlerEx', '      NdisCompleteBindAdapterEx(bindContext, NDIS_STATUS_SUCCESS);\n      return NDIS_STATUS_SUCCESS;\n    },\n    UnbindAdapterHandlerEx')).replace('NdisRegisterProtocolDriver,', 'NdisRegisterProtocolDriver, NdisCompleteBindAdapterEx,');
    const { rt } = await twoNics(source);
    // The call itself is taken (the bind was under way); returning a final status after it completes the bind twice.
    expect(findings(rt)[0]).toBe('BindCompleteWithoutPending: ProtocolBindAdapterEx called NdisCompleteBindAdapterEx and then returned NDIS_STATUS_SUCCESS (0x00000000): a bind completed with NdisCompleteBindAdapterEx is one the handler returned NDIS_STATUS_PENDING for');
    expect(rt.stopped?.rule).toBe('BindCompleteWithoutPending');
  });

  it('FailedBindLeftAdapterOpen: a bind that fails after NdisOpenAdapterEx without closing the adapter (seed 003)', async () => {
    const source = protocolWith(BIND_OK, BIND_OK.replace('      return NDIS_STATUS_SUCCESS;\n    },\n    UnbindAdapterHandlerEx', '      return NDIS_STATUS_FAILURE;\n    },\n    UnbindAdapterHandlerEx')).replace('NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,', 'NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE,');
    const { rt } = await twoNics(source);
    expect(findings(rt)).toEqual(['FailedBindLeftAdapterOpen: the bind failed (NDIS_STATUS_FAILURE (0xC0000001)) with the adapter still open: call NdisCloseAdapterEx before returning the failure or completing the bind with it']);
  });

  it('UnbindFailed and UnbindCompleteWithoutPending: an unbind that returns a failure; NdisCompleteUnbindAdapterEx for an unbind already done', async () => {
    const failing = protocolWith(CLOSE_IN_UNBIND, 'NdisCloseAdapterEx(b.handle);\n      return NDIS_STATUS_FAILURE;').replace('NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING,', 'NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE,');
    const one = await twoNics(failing);
    one.rt.removeBinding(one.rt.bindings[0]!);
    one.rt.run();
    expect(findings(one.rt)).toEqual(['UnbindFailed: ProtocolUnbindAdapterEx returned NDIS_STATUS_FAILURE (0xC0000001); an unbind cannot fail: close the adapter and return NDIS_STATUS_SUCCESS, or return NDIS_STATUS_PENDING and complete it later']);
    const twice = protocolWith(CLOSE_IN_UNBIND, 'NdisCloseAdapterEx(b.handle);\n      NdisCompleteUnbindAdapterEx(unbindContext);\n      return NDIS_STATUS_SUCCESS;');
    const two = await twoNics(twice);
    two.rt.removeBinding(two.rt.bindings[0]!);
    two.rt.run();
    expect(findings(two.rt)[0]).toBe('UnbindCompleteWithoutPending: ProtocolUnbindAdapterEx called NdisCompleteUnbindAdapterEx and then returned NDIS_STATUS_SUCCESS (0x00000000): an unbind completed with NdisCompleteUnbindAdapterEx is one the handler returned NDIS_STATUS_PENDING for');
  });

  it('NdisUnbindAdapter while the binding is Pausing: NDIS unbinds once the pause is done (it is not dropped)', async () => {
    // The pause pends (a send is out); the application asks for the unbind meanwhile.
    const { rt } = await twoNics(echoProtocol({ pause: 'b.pausing = event; return NDIS_STATUS_PENDING;' }));
    const binding = rt.bindings[0]!;
    rt.pauseStack(rt.adapters[0]!);
    rt.post('remove while pausing', () => rt.protocols.removeNow(binding, () => {}), { channel: 'pnp', delayNs: 1000 });
    rt.post('complete the pause', () => rt.pnp.completePnp(binding.protocol, binding.handle, binding.pendingPnp!.notification, 0), { delayNs: 5_000_000 });
    rt.run();
    expect(binding.state).toBe('Unbound');
  });
});
