// The whole course, every lab folder in labs/ (the list is read from the folder, so a fork that
// adds a lab adds a folder and nothing here): its reference solution scores full marks under 8
// seeds, and its starter compiles, loads and runs but earns nothing: every scored scenario fails
// for it, so that points are for what the learner writes. Per-student variants: solutions score
// full marks for students other than the default too. Then lab 1's scenarios against solutions
// with one mistake each: each scenario catches what its title says it checks; and the same for the
// power-management, filter-oid, waiting-correctly and filter-timer labs' visible scenarios, each
// under most of 8 seeds. And the capstone find-the-bugs: its starter is its solution with six defects, each visible
// scenario catches its defect (with the rule it names) under most of 8 seeds, and fixing that
// defect alone passes it.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { listLabs, labFolders, referenceDrivers, LABS_DIR } from '../core/grading/labs.ts';
import { gradeLab, gradeScenario } from '../core/grading/grade.ts';
import { variantValues } from '../core/scenario/variants.ts';
import { runScenario } from '../core/scenario/runner.ts';

const references = referenceDrivers();
const labs = listLabs();

describe('the course', () => {
  it('lists every lab folder in labs/, in order, each with at least four scenarios, one hidden, and hints', () => {
    // The list comes from the folder (a fork that adds a lab adds a folder): each folder with a
    // lab.json is a lab whose id is the folder's name, and the orders are 1, 2, 3... with no gap.
    const folders = labFolders(LABS_DIR);
    expect(folders.length).toBeGreaterThanOrEqual(1);
    expect(labs.map((l) => l.id).sort()).toEqual(folders.map((dir) => (JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')) as { id: string }).id).sort());
    for (const lab of labs) expect(lab.dir, lab.id).toBe(join(LABS_DIR, lab.id));
    expect(labs.map((l) => l.order)).toEqual(labs.map((_, i) => i + 1));
    for (const lab of labs) {
      expect(lab.scenarios.length, lab.id).toBeGreaterThanOrEqual(4);
      expect(lab.scenarios.some((s) => s.hidden), lab.id).toBe(true);
      expect(lab.hints.length, lab.id).toBeGreaterThanOrEqual(3);
      expect(lab.scenarios.every((s) => s.points > 0), lab.id).toBe(true);
    }
  });

  for (const lab of labs) {
    describe(lab.id, () => {
      // The lab's own reference drivers where lab.json names them (filter-oid's protocol), else the course's.
      const references = referenceDrivers(lab);
      it('the solution scores full marks under 8 seeds', async () => {
        const report = await gradeLab(lab, lab.solutionSource, `${lab.id}/${lab.solution}`, references, { seeds: 8 });
        const failed = report.scenarios.filter((s) => !s.passed).map((s) => `${s.id} (seed ${s.failingSeed}): ${s.failures.join('; ')}`);
        expect(failed).toEqual([]);
        expect(report.score).toBe(report.maxScore);
      });

      it('the starter compiles, loads and runs, and earns nothing: every scored scenario fails for it', async () => {
        const report = await gradeLab(lab, lab.starterSource, `${lab.id}/${lab.starter}`, references, { seeds: 4 });
        const loadErrors = report.scenarios.flatMap((s) => s.failures).filter((f) => f.startsWith(`${lab.id}/${lab.starter}:`));
        expect(loadErrors).toEqual([]);
        expect(report.scenarios.filter((s) => s.maxPoints > 0 && s.passed).map((s) => s.id)).toEqual([]);
        expect(report.score).toBe(0);
      });

      if (Object.keys(lab.variants).length > 0) {
        it('the solution scores full marks for other students\' variant values too', async () => {
          const students = ['student-a', 'student-b'];
          expect(students.some((s) => JSON.stringify(variantValues(lab, s)) !== JSON.stringify(variantValues(lab)))).toBe(true);
          for (const student of students) {
            const report = await gradeLab(lab, lab.solutionSource, `${lab.id}/${lab.solution}`, references, { seeds: 2, student });
            expect(report.variants).toEqual(variantValues(lab, student));
            expect(report.scenarios.filter((s) => !s.passed).map((s) => `${s.id}: ${s.failures.join('; ')}`), student).toEqual([]);
          }
        });
      }
    });
  }
});

describe('protocol-binding: each scenario catches what its title says', () => {
  const lab = labs.find((l) => l.id === 'protocol-binding')!;
  /** The solution with one mistake: `search` replaced by `replacement` (which must change it). */
  const mistaken = (search: string | RegExp, replacement: string) => {
    const source = lab.solutionSource.replace(search, replacement);
    expect(source).not.toBe(lab.solutionSource);
    return source;
  };
  const failing = async (source: string) => (await gradeLab(lab, source, 'mistaken.ts', references, { seeds: 4 })).scenarios.filter((s) => !s.passed).map((s) => s.id);

  it('a SendFrames that sends nothing fails send-frames, pause-and-restart and unbind (their frames never reach the wire)', async () => {
    const failed = await failing(mistaken('if (!b || !b.running || !b.handle) return 0;', 'return 0;'));
    expect(failed).toEqual(expect.arrayContaining(['send-frames', 'pause-and-restart', 'unbind']));
    expect(failed).not.toContain('bind-and-run');
    expect(failed).not.toContain('pause');
  });

  it('a SendFrames that sends while the binding is Paused fails pause-and-restart (ProtocolSendWhileNotRunning)', async () => {
    const report = await gradeLab(lab, mistaken('if (!b || !b.running || !b.handle) return 0;', 'if (!b || !b.handle) return 0;'), 'mistaken.ts', references, { seeds: 2 });
    const scenario = report.scenarios.find((s) => s.id === 'pause-and-restart')!;
    expect(scenario.passed).toBe(false);
    expect(scenario.findings.map((f) => f.rule)).toContain('ProtocolSendWhileNotRunning');
    expect(report.scenarios.find((s) => s.id === 'send-frames')!.passed).toBe(true);
  });

  it('an unbind that does not close fails unbind; a binding that never restarts fails every scenario that needs it Running', async () => {
    expect(await failing(mistaken('const closed = NdisCloseAdapterEx(b.handle!);', 'const closed = NDIS_STATUS_SUCCESS;'))).toEqual(['unbind']);
    const neverRuns = await failing(mistaken('if (event.NetPnPEvent.NetEvent === NetEventRestart) b.running = true;', ''));
    expect(neverRuns).toEqual(expect.arrayContaining(['send-frames', 'pause-and-restart', 'unbind']));
  });
});

/** A mistake a driver writer makes: each search in the solution (found exactly once) replaced. */
interface OneMistake { mistake: string; edits: [string, string][]; scenario: string; rule?: string }

/**
 * Declares, for a lab, that every visible scenario is claimed by one of `mistakes`, and that each
 * mistake (its edits applied to the solution) fails its scenario, with its rule if it names one,
 * under more than half of 8 seeds.
 */
function eachMistakeIsCaught(lab: (typeof labs)[number], mistakes: OneMistake[], drivers: typeof references): void {
  it('every visible scenario is claimed by a mistake below', () => {
    const claimed = new Set(mistakes.map((m) => m.scenario));
    expect(lab.scenarios.filter((s) => !s.hidden).map((s) => s.id).filter((id) => !claimed.has(id))).toEqual([]);
  });

  for (const m of mistakes) {
    it(`${m.mistake}: fails ${m.scenario}${m.rule ? ` with ${m.rule}` : ''} under most of 8 seeds`, async () => {
      let source = lab.solutionSource;
      for (const [search, replacement] of m.edits) {
        expect(source.split(search).length - 1, search).toBe(1);
        source = source.replace(search, replacement);
      }
      const scenario = lab.scenarios.find((s) => s.id === m.scenario)!;
      const { report } = await gradeScenario(lab, scenario, source, 'mistaken.ts', drivers, { seeds: 8 });
      expect(report.passed).toBe(false);
      if (m.rule) expect(report.findings.map((f) => f.rule)).toContain(m.rule);
      expect(report.failingSeeds!.length, `caught under seeds ${report.failingSeeds}`).toBeGreaterThan(4);
    });
  }
}

describe('power-management: each visible scenario catches a one-mistake solution under most seeds', () => {
  const lab = labs.find((l) => l.id === 'power-management')!;
  const QUERY_POWER = 'the NetEventSetPower that follows.\n          return NDIS_STATUS_SUCCESS;';
  const SET_POWER = 'if (buffer instanceof Uint32Array) b.powerState = buffer[0]!;\n          return NDIS_STATUS_SUCCESS;';
  const MISTAKES: OneMistake[] = [
    { mistake: 'NetEventQueryPower vetoed while the application has the adapter open (as a QueryRemoveDevice is)', scenario: 'sleep-while-open', rule: 'PnPEventMustSucceed',
      edits: [[QUERY_POWER, 'the NetEventSetPower that follows.\n          return b.openCount > 0 ? 0xc0000001 /* NDIS_STATUS_FAILURE */ : NDIS_STATUS_SUCCESS;']] },
    { mistake: 'NetEventQueryPower waits (NdisWaitEvent) for the pause, which NDIS sends only after NetEventSetPower', scenario: 'power-events-succeed', rule: 'WaitDeadlock',
      edits: [[QUERY_POWER, 'the NetEventSetPower that follows.\n          NdisWaitEvent(b.paused, 0);\n          return NDIS_STATUS_SUCCESS;'],
        ['openDone: NdisInitializeEvent(),', 'openDone: NdisInitializeEvent(), paused: NdisInitializeEvent(),'],
        ['          b.running = false;\n', '          b.running = false;\n          NdisSetEvent(b.paused);\n']] },
    { mistake: 'NetEventSetPower answered NDIS_STATUS_NOT_SUPPORTED, as an NDIS 5 protocol did', scenario: 'power-events-succeed', rule: 'PnPNotSupportedReturned',
      edits: [[SET_POWER, 'return 0xc00000bb; // NDIS_STATUS_NOT_SUPPORTED']] },
    { mistake: 'NetEventSetPower failed while sends are out', scenario: 'pause-waits-for-sends', rule: 'PnPEventMustSucceed',
      edits: [[SET_POWER, 'if (buffer instanceof Uint32Array) b.powerState = buffer[0]!;\n          return b.sendsOutstanding > 0 ? 0xc0000001 /* NDIS_STATUS_FAILURE */ : NDIS_STATUS_SUCCESS;']] },
    { mistake: 'the pause completed at once, sends or not', scenario: 'pause-waits-for-sends', rule: 'PauseCompletedWithSendsOutstanding',
      edits: [['if (b.sendsOutstanding === 0) return NDIS_STATUS_SUCCESS;', 'return NDIS_STATUS_SUCCESS;']] },
    { mistake: 'the pause completed from the send-complete handler, at DISPATCH_LEVEL', scenario: 'pause-waits-for-sends', rule: 'IrqlTooHighForCall',
      edits: [['atPassiveLevel(() => NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS));', 'NdisCompleteNetPnPEvent(b.handle, event, NDIS_STATUS_SUCCESS);']] },
    { mistake: 'SendFrames sends whatever the binding\'s state', scenario: 'nothing-sent-while-asleep', rule: 'ProtocolSendWhileNotRunning',
      edits: [['if (!b || !b.running || b.powerState !== NdisDeviceStateD0 || !b.handle) return 0;', 'if (!b || !b.handle) return 0;']] },
    { mistake: 'one power state for every binding (nic1 stops sending when nic0 sleeps)', scenario: 'nothing-sent-while-asleep',
      edits: [['if (buffer instanceof Uint32Array) b.powerState = buffer[0]!;', 'if (buffer instanceof Uint32Array) for (const other of bindings) if (other) other.powerState = buffer[0]!;']] },
    { mistake: 'every NetEventSetPower taken for a sleep (its Buffer not read)', scenario: 'traffic-after-wake',
      edits: [['b.powerState = buffer[0]!;', 'b.powerState = 4; // NdisDeviceStateD3']] },
    { mistake: 'the restart resumes sending only in D0, as if NetEventSetPower(D0) came before it', scenario: 'traffic-after-wake',
      edits: [['        case NetEventRestart:\n          b.running = true;', '        case NetEventRestart:\n          b.running = b.powerState === NdisDeviceStateD0;']] },
  ];

  eachMistakeIsCaught(lab, MISTAKES, references);
});

describe('filter-oid: each visible scenario catches a one-mistake solution under most seeds', () => {
  const lab = labs.find((l) => l.id === 'filter-oid')!;
  const own = referenceDrivers(lab);
  const AT_ONCE = 'if (status !== NDIS_STATUS_PENDING) completeClone(m, clone, status);\n      return NDIS_STATUS_PENDING;';
  const MISTAKES: OneMistake[] = [
    { mistake: 'the request itself passed down, not a clone', scenario: 'requests-pass-down', rule: 'FilterForwardedOriginalOidRequest',
      edits: [['OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {', 'OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {\n      if (!asksForPromiscuous(request)) return NdisFOidRequest(m.handle, request);'],
        ['completeClone(m, request as NDIS_OID_REQUEST & { SourceReserved: unknown[] }, status);', 'NdisFOidRequestComplete(m.handle, request, status);']] },
    { mistake: 'the clone\'s results not copied into the original', scenario: 'requests-pass-down',
      edits: [['  if (query && original.DATA.QUERY_INFORMATION) {', '  if (false && query && original.DATA.QUERY_INFORMATION) {'], ['  } else if (set && original.DATA.SET_INFORMATION) {', '  } else if (false && set && original.DATA.SET_INFORMATION) {']] },
    { mistake: 'BytesWritten and BytesRead copied back, BytesNeeded forgotten', scenario: 'requests-pass-down',
      edits: [['    original.DATA.QUERY_INFORMATION.BytesNeeded = query.BytesNeeded;\n', '']] },
    { mistake: 'the original completed before its clone is freed', scenario: 'requests-pass-down', rule: 'CloneNotFreedBeforeComplete',
      edits: [['  NdisFreeCloneOidRequest(m.handle, clone);\n  NdisFOidRequestComplete(m.handle, original, status);', '  NdisFOidRequestComplete(m.handle, original, status);\n  NdisFreeCloneOidRequest(m.handle, clone);']] },
    { mistake: 'NdisFOidRequest\'s status ignored: the clone awaited in FilterOidRequestComplete, which does not come for a request completed at once', scenario: 'requests-complete-at-once', rule: 'OidNotCompletedInTime',
      edits: [[AT_ONCE, 'return NDIS_STATUS_PENDING;']] },
    { mistake: 'a request completed at once both completed with NdisFOidRequestComplete and its status returned', scenario: 'requests-complete-at-once', rule: 'OidCompletedTwice',
      edits: [[AT_ONCE, 'if (status !== NDIS_STATUS_PENDING) {\n        completeClone(m, clone, status);\n        return status;\n      }\n      return NDIS_STATUS_PENDING;']] },
    { mistake: 'a request completed at once: its status returned, the clone freed, the results not copied', scenario: 'requests-complete-at-once',
      edits: [[AT_ONCE, 'if (status !== NDIS_STATUS_PENDING) {\n        m.pending = null;\n        NdisFreeCloneOidRequest(m.handle, clone);\n        return status;\n      }\n      return NDIS_STATUS_PENDING;']] },
    { mistake: 'the set asking for promiscuous mode passed down like any other', scenario: 'promiscuous-refused',
      edits: [['if (asksForPromiscuous(request)) return NDIS_STATUS_NOT_SUPPORTED;', '']] },
    { mistake: 'the packet filter read big-endian (the promiscuous bit looked for in the wrong byte)', scenario: 'promiscuous-refused',
      edits: [['set.InformationBuffer[0]! | (set.InformationBuffer[1]! << 8) | (set.InformationBuffer[2]! << 16) | (set.InformationBuffer[3]! << 24)', '(set.InformationBuffer[0]! << 24) | (set.InformationBuffer[1]! << 16) | (set.InformationBuffer[2]! << 8) | set.InformationBuffer[3]!']] },
    { mistake: 'every packet-filter set refused, the protocol\'s own at bind too', scenario: 'promiscuous-refused',
      edits: [['return (filter & NDIS_PACKET_TYPE_PROMISCUOUS) !== 0;', 'return filter !== 0;']] },
    { mistake: 'FilterStatus keeps the link state and passes nothing on', scenario: 'link-state-passes-up',
      edits: [['      NdisFIndicateStatus(m.handle, indication);\n', '']] },
    { mistake: 'FilterOidRequest fails requests with NDIS_STATUS_PAUSED while the module is not Running', scenario: 'requests-and-status-while-paused', rule: 'FilterOidRefusedWhilePaused',
      edits: [['OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {', 'OidRequestHandler(m: Module, request: NDIS_OID_REQUEST): NDIS_STATUS {\n      if (!m.running) return NDIS_STATUS_PAUSED;']] },
    { mistake: 'FilterStatus passes nothing up while the module is not Running', scenario: 'requests-and-status-while-paused', rule: 'FilterStatusDroppedWhilePaused',
      edits: [['      NdisFIndicateStatus(m.handle, indication);\n', '      if (m.running) NdisFIndicateStatus(m.handle, indication);\n']] },
    { mistake: 'FilterCancelOidRequest does nothing', scenario: 'cancel-passes-down',
      edits: [['if (original && original.RequestId === requestId) NdisFCancelOidRequest(m.handle, requestId);', 'void original;']] },
    { mistake: 'the original completed with NDIS_STATUS_SUCCESS, not the status the clone got', scenario: 'cancel-passes-down',
      edits: [['NdisFOidRequestComplete(m.handle, original, status);', 'NdisFOidRequestComplete(m.handle, original, NDIS_STATUS_SUCCESS);']] },
  ];

  eachMistakeIsCaught(lab, MISTAKES, own);
});

describe('waiting-correctly: each visible scenario catches a one-mistake solution under most seeds', () => {
  const lab = labs.find((l) => l.id === 'waiting-correctly')!;
  const CLOSE = 'if (NdisCloseAdapterEx(handle) === NDIS_STATUS_PENDING) NdisWaitEvent(b.closeDone, 0);';
  const UNBIND_WAIT = 'completes before the close).\n      NdisWaitEvent(b.idle, 0);';
  const PAUSE_WAIT = 'of ours is back.\n          NdisWaitEvent(b.idle, 0);';
  const MISTAKES: OneMistake[] = [
    { mistake: 'the unbind returns while the close it started is still pending', scenario: 'idle-unbinds', rule: 'UnbindCompletedWithoutClose',
      edits: [[CLOSE, 'NdisCloseAdapterEx(handle);']] },
    { mistake: 'the unbind waits for CloseAdapterCompleteHandlerEx even when the close did not pend', scenario: 'idle-unbinds', rule: 'WaitDeadlock',
      edits: [[CLOSE, 'NdisCloseAdapterEx(handle);\n      NdisWaitEvent(b.closeDone, 0);']] },
    { mistake: 'requestAndWait waits for OidRequestCompleteHandler even when the request was answered at once', scenario: 'idle-unbinds', rule: 'WaitDeadlock',
      edits: [['  const status = NdisOidRequest(b.handle!, request);\n  if (status !== NDIS_STATUS_PENDING) {', '  const status = NdisOidRequest(b.handle!, request);\n  NdisWaitEvent(waiter.done, 0);\n  if (status !== NDIS_STATUS_PENDING) {']] },
    { mistake: 'the unbind closes without waiting for the requests in flight', scenario: 'unbind-waits-for-requests', rule: 'CloseWithOidsOutstanding',
      edits: [[UNBIND_WAIT, 'completes before the close).']] },
    { mistake: 'the unbind waits holding the binding\'s spin lock (at DISPATCH_LEVEL)', scenario: 'unbind-waits-for-requests', rule: 'WaitAbovePassive',
      edits: [['      b.closing = true;\n      NdisReleaseSpinLock(b.lock);', '      b.closing = true;'], [UNBIND_WAIT, `${UNBIND_WAIT}\n      NdisReleaseSpinLock(b.lock);`]] },
    { mistake: 'the idle event is never reset: the second pause finds it still Signaled and does not wait', scenario: 'pause-waits-each-time', rule: 'PauseCompletedWithSendsOutstanding',
      edits: [['    if (b.outstanding === 0) NdisResetEvent(b.idle);\n', '']] },
    { mistake: 'the pause does not wait for the sends', scenario: 'pause-waits-each-time', rule: 'PauseCompletedWithSendsOutstanding',
      edits: [[PAUSE_WAIT, 'of ours is back.']] },
    { mistake: 'the pause waits holding the binding\'s spin lock (at DISPATCH_LEVEL)', scenario: 'pause-waits-each-time', rule: 'WaitAbovePassive',
      edits: [['          b.running = false;\n          NdisReleaseSpinLock(b.lock);', '          b.running = false;'], [PAUSE_WAIT, `${PAUSE_WAIT}\n          NdisReleaseSpinLock(b.lock);`]] },
    { mistake: 'the receive handler joins the groups itself, waiting for the OID request at DISPATCH_LEVEL', scenario: 'joins-from-the-wire', rule: 'WaitAbovePassive',
      edits: [['      const item = NdisAllocateIoWorkItem(protocolHandle!);\n      NdisQueueIoWorkItem(item, () => {\n        NdisFreeIoWorkItem(item);\n        joinGroups(b);\n      }, null);', '      joinGroups(b);']] },
    { mistake: 'QueryOid waits for ever for a wake that does not come', scenario: 'query-while-asleep', rule: 'WaitDeadlock',
      edits: [['NdisWaitEvent(b.poweredUp, POWER_UP_WAIT_MS)', 'NdisWaitEvent(b.poweredUp, 0)']] },
    { mistake: 'QueryOid waits with a timeout but makes the request to the sleeping adapter anyway', scenario: 'query-while-asleep',
      edits: [['  if (!NdisWaitEvent(b.poweredUp, POWER_UP_WAIT_MS) || b.powerState !== NdisDeviceStateD0) return NDIS_STATUS_ADAPTER_NOT_READY;', '  NdisWaitEvent(b.poweredUp, POWER_UP_WAIT_MS);']] },
  ];

  eachMistakeIsCaught(lab, MISTAKES, references);
});

describe('filter-timer: each visible scenario catches a one-mistake solution under most seeds', () => {
  const lab = labs.find((l) => l.id === 'filter-timer')!;
  const CANCEL = '      NdisCancelTimerObject(m.timer);\n';
  const RETURN_QUEUE = '      const queued = chain(m.queue.splice(0));\n      if (queued) NdisFReturnNetBufferLists(m.handle, queued, 0);\n';
  const MISTAKES: OneMistake[] = [
    { mistake: 'NdisSetTimerObject called for every receive queued, which moves the expiry of a timer already set', scenario: 'coalesced-and-announced',
      edits: [['if (!m.timerArmed) {', 'if (true) {']] },
    { mistake: 'a positive DueTime (an absolute time, 1 ms after the clock\'s start) where a relative one (negative) was meant', scenario: 'coalesced-and-announced',
      edits: [['const COALESCE_DUE_TIME = -10_000n;', 'const COALESCE_DUE_TIME = 10_000n;']] },
    { mistake: 'the tick indicates the queue but sends no announcement', scenario: 'coalesced-and-announced',
      edits: [['  if (m.announcing) return; // one announcement in flight at a time', '  if (m.announcing || true) return; // one announcement in flight at a time']] },
    { mistake: 'FilterPause forgets to cancel the timer: the tick due after the pause comes while Paused and sends', scenario: 'pause-between-ticks', rule: 'FilterSendWhilePaused',
      edits: [[CANCEL, '']] },
    { mistake: 'FilterPause keeps the queued receives for the first tick after the restart', scenario: 'pause-between-ticks', rule: 'FilterPauseCompletedWithReceivesOutstanding',
      edits: [[RETURN_QUEUE, '']] },
    { mistake: 'FilterPause cancels the timer but leaves it marked set, so nothing queued after the restart sets it again (never delivered)', scenario: 'pause-between-ticks', rule: 'ReceiveNotReturnedInTime',
      edits: [['      m.timerArmed = false; // the next receive queued after the restart sets it again\n', '']] },
    { mistake: 'FilterPause returns NDIS_STATUS_SUCCESS with the announcement still out', scenario: 'pause-with-announcement-in-flight', rule: 'FilterPauseCompletedWithSendsOutstanding',
      edits: [['if (!m.announcing) {', 'if (true) {']] },
    { mistake: 'the pause pended for the announcement is never completed when it comes back', scenario: 'pause-with-announcement-in-flight', rule: 'FilterPauseNeverCompleted',
      edits: [['        NdisFPauseComplete(m.handle);\n', '']] },
    { mistake: 'NDIS_RECEIVE_FLAGS_RESOURCES indications queued like the others: the tick indicates NBLs the miniport took back', scenario: 'resources-burst', rule: 'NblNotOwned',
      edits: [['      if (resources) {\n        // The miniport', '      if (false) {\n        // The miniport']] },
  ];

  eachMistakeIsCaught(lab, MISTAKES, references);
});

describe('find-the-bugs: the starter is the solution with six defects, each caught by its own scenario', () => {
  const lab = labs.find((l) => l.id === 'find-the-bugs')!;
  /**
   * Each defect of the starter, as a real port carries it, and its fix: each [in the starter, in
   * the solution] pair is found exactly once in the starter. The scenario catches this defect and
   * no other: the starter fails it with `rule`, and the starter with only this fix passes it.
   */
  const DEFECTS: { defect: string; scenario: string; rule: string; fixes: [string, string][] }[] = [
    { defect: "NetPnPEventHandler's default answers NDIS_STATUS_NOT_SUPPORTED (as the ndisprot sample's own default does)", scenario: 'events-with-nothing-to-do', rule: 'PnPNotSupportedReturned',
      fixes: [
        ["  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES, NDIS_STATUS_NOT_SUPPORTED,\n",
         "  NDIS_STATUS_SUCCESS, NDIS_STATUS_PENDING, NDIS_STATUS_FAILURE, NDIS_STATUS_RESOURCES,\n"],
        ["        default:\n          return NDIS_STATUS_NOT_SUPPORTED;\n",
         "        default:\n          // Reconfigure, PnPCapabilities, PortActivation, PortDeactivation, IMReEnableDevice and\n          // any event added later: nothing to do here, and the event succeeds.\n          return NDIS_STATUS_SUCCESS;\n"],
      ] },
    { defect: "the sends are waited for in NetEventSetPower (where NDIS 5 protocols waited), not in the pause", scenario: 'pause-waits-for-sends', rule: 'PauseCompletedWithSendsOutstanding',
      fixes: [
        ["          // Going to low power, the sends in flight are waited for and the frames queued for the\n          // application are dropped.\n",
         "          // Going to low power, the frames queued for the application are dropped.\n"],
        ["            if (open.PowerState !== NdisDeviceStateD0) {\n              waitForPendingIo(open);\n              flushReceiveQueue(open);\n            }\n",
         "            if (open.PowerState !== NdisDeviceStateD0) flushReceiveQueue(open);\n"],
        ["NPROTO_PAUSING;\n          NdisReleaseSpinLock(open.Lock);\n",
         "NPROTO_PAUSING;\n          NdisReleaseSpinLock(open.Lock);\n          waitForPendingIo(open);\n"],
      ] },
    { defect: "SendFrames tests the binding's bind state and power state, not whether it is Running", scenario: 'nothing-sent-while-paused', rule: 'ProtocolSendWhileNotRunning',
      fixes: [
        ["  const ready = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_ACTIVE\n    && open.PowerState",
         "  const ready = (open.Flags & NPROTO_BIND_FLAGS) === NPROTO_BIND_ACTIVE && (open.Flags & NPROTO_DATA_FLAGS) === NPROTO_RUNNING\n    && open.PowerState"],
      ] },
    { defect: "the unbind marks the binding closing after it waits, so the wait counts only the sends", scenario: 'unbind-waits-for-requests', rule: 'CloseWithOidsOutstanding',
      fixes: [
        ["    UnbindAdapterHandlerEx(_UnbindContext: NDIS_HANDLE, open: OPEN_CONTEXT): NDIS_STATUS {\n      waitForPendingIo(open);\n      NdisAcquireSpinLock(open.Lock);\n      open.Flags = (open.Flags & ~NPROTO_BIND_FLAGS) | NPROTO_BIND_CLOSING;\n      open.RecvQueue.length = 0;\n      NdisReleaseSpinLock(open.Lock);\n",
         "    UnbindAdapterHandlerEx(_UnbindContext: NDIS_HANDLE, open: OPEN_CONTEXT): NDIS_STATUS {\n      NdisAcquireSpinLock(open.Lock);\n      open.Flags = (open.Flags & ~NPROTO_BIND_FLAGS) | NPROTO_BIND_CLOSING;\n      open.RecvQueue.length = 0;\n      NdisReleaseSpinLock(open.Lock);\n      waitForPendingIo(open);\n"],
      ] },
    { defect: "the OID completion takes the lock with the Dpr functions, and is also called from QueryOid at PASSIVE_LEVEL", scenario: 'requests-answered-at-once', rule: 'DprLockBelowDispatch',
      fixes: [
        ["  NdisDprAcquireSpinLock(open.Lock);\n  open.PendedOidCount--;\n  signalIfIdleLocked(open);\n  NdisDprReleaseSpinLock(open.Lock);\n",
         "  // Not the Dpr form: a request that completed at once comes here at PASSIVE_LEVEL, from the caller.\n  NdisAcquireSpinLock(open.Lock);\n  open.PendedOidCount--;\n  signalIfIdleLocked(open);\n  NdisReleaseSpinLock(open.Lock);\n"],
      ] },
    { defect: "the veto of a removal returns from inside the lock", scenario: 'removal-vetoed-while-open', rule: 'HandlerReturnedWithLockHeld',
      fixes: [
        ["          if (open.Flags & NPROTO_OPEN_ACTIVE) return NDIS_STATUS_FAILURE;\n",
         "          if (open.Flags & NPROTO_OPEN_ACTIVE) { NdisReleaseSpinLock(open.Lock); return NDIS_STATUS_FAILURE; }\n"],
      ] },
  ];
  /** A file without its opening comment (the starter's and the solution's say different things). */
  const body = (source: string) => source.slice(source.indexOf('\nimport {'));
  const fixed = (source: string, fixes: [string, string][]) => {
    for (const [defect, fix] of fixes) {
      expect(source.split(defect).length - 1, defect).toBe(1);
      source = source.replace(defect, fix);
    }
    return source;
  };

  it('the starter with every fix is the solution, line for line: the defects are the whole difference', () => {
    expect(body(fixed(lab.starterSource, DEFECTS.flatMap((d) => d.fixes)))).toBe(body(lab.solutionSource));
  });

  it('every visible scenario is claimed by exactly one defect, and every defect by a visible scenario', () => {
    const visible = lab.scenarios.filter((s) => !s.hidden).map((s) => s.id).sort();
    expect(DEFECTS.map((d) => d.scenario).sort()).toEqual(visible);
  });

  for (const d of DEFECTS) {
    it(`${d.defect}: the starter fails ${d.scenario} with ${d.rule} under most of 8 seeds, and that fix alone passes it`, async () => {
      const scenario = lab.scenarios.find((s) => s.id === d.scenario)!;
      const caught: number[] = [];
      for (let seed = 1; seed <= 8; seed++) {
        const run = await runScenario(lab, scenario, lab.starterSource, `${lab.id}/${lab.starter}`, seed, references);
        if (!run.passed && run.findings.some((f) => f.rule === d.rule)) caught.push(seed);
      }
      expect(caught.length, `caught with ${d.rule} under seeds ${caught}`).toBeGreaterThan(4);
      const { report } = await gradeScenario(lab, scenario, fixed(lab.starterSource, d.fixes), 'one-fix.ts', references, { seeds: 8 });
      expect(report.failures, `seed ${report.failingSeed}`).toEqual([]);
      expect(report.passed).toBe(true);
    });
  }
});
