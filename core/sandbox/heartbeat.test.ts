// The heartbeat's two sides without a child process: the lines the writer makes, what the reader
// takes from them (only the engine's shape; a line split across chunks; many lines in one chunk),
// and when the reader calls the driver hung on its own clock: silence, one outermost call open
// while lines keep coming, one run that never ends; and the message each gives.

import { describe, it, expect } from 'vitest';
import { HeartbeatWriter, HeartbeatReader, parseHeartbeat, hangMessage, RUN_LIMIT_FACTOR } from './heartbeat.ts';

function written(): { lines: string[]; writer: HeartbeatWriter } {
  const lines: string[] = [];
  return { lines, writer: new HeartbeatWriter((line) => lines.push(line)) };
}

const HANG = 1000;

describe('the writer', () => {
  it('writes the whole state on each event: the run, the open handlers, the one last left', () => {
    const { lines, writer } = written();
    writer.runStarted(2, 5);
    writer.watch.enter('d!ProtocolBindAdapterEx', 7);
    writer.watch.enter('d!ProtocolCloseAdapterCompleteEx', 9);
    writer.watch.leave();
    writer.watch.leave();
    writer.watch.enter('d!ProtocolNetPnPEvent(NetEventRestart)', 12);
    expect(lines.map((l) => parseHeartbeat(l.trimEnd()))).toEqual([
      { scenario: 2, seed: 5, depth: 0, outer: 0 },
      { scenario: 2, seed: 5, depth: 1, outer: 1, inner: { label: 'd!ProtocolBindAdapterEx', event: 7 }, outermost: 'd!ProtocolBindAdapterEx' },
      { scenario: 2, seed: 5, depth: 2, outer: 1, inner: { label: 'd!ProtocolCloseAdapterCompleteEx', event: 9 }, outermost: 'd!ProtocolBindAdapterEx' },
      { scenario: 2, seed: 5, depth: 1, outer: 1, inner: { label: 'd!ProtocolBindAdapterEx', event: 7 }, outermost: 'd!ProtocolBindAdapterEx', left: { label: 'd!ProtocolCloseAdapterCompleteEx', event: 9 } },
      { scenario: 2, seed: 5, depth: 0, outer: 1, left: { label: 'd!ProtocolBindAdapterEx', event: 7 } },
      { scenario: 2, seed: 5, depth: 1, outer: 2, inner: { label: 'd!ProtocolNetPnPEvent(NetEventRestart)', event: 12 }, outermost: 'd!ProtocolNetPnPEvent(NetEventRestart)', left: { label: 'd!ProtocolBindAdapterEx', event: 7 } },
    ]);
    for (const line of lines) expect(line.endsWith('\n') && !line.slice(0, -1).includes('\n')).toBe(true);
  });

  it('keeps a label to 200 characters, and a newline in one (a file name) inside its line', () => {
    const { lines, writer } = written();
    writer.runStarted(0, 1);
    writer.watch.enter(`a\nb${'x'.repeat(300)}!DriverEntry`, 2);
    expect(lines[1]!.split('\n')).toHaveLength(2);
    expect(parseHeartbeat(lines[1]!.trimEnd())!.inner!.label).toHaveLength(200);
  });
});

describe('what the reader takes', () => {
  it.each([
    ['not JSON', 'hello'],
    ['another shape', '{"scenario":0}'],
    ['a field missing', '[0,1,0,0,null,0,null,null]'],
    ['a negative seed', '[0,-1,0,0,null,0,null,null,0]'],
    ['a fraction', '[0.5,1,0,0,null,0,null,null,0]'],
    ['an open call without its handler', '[0,1,1,1,null,0,null,null,0]'],
    ['a label past 200 characters', `[0,1,1,1,"${'x'.repeat(201)}",3,"d!X",null,0]`],
  ])('refuses %s', (_what, line) => {
    expect(parseHeartbeat(line)).toBeUndefined();
  });

  it('reads only the last whole line of what arrived, however it was cut into chunks', () => {
    const { lines, writer } = written();
    writer.runStarted(1, 3);
    writer.watch.enter('d!A', 4);
    writer.watch.leave();
    writer.watch.enter('d!B', 6);
    const bytes = Buffer.from(lines.join(''));
    for (const cut of [1, 7, 40, bytes.length - 3]) {
      const reader = new HeartbeatReader();
      reader.feed(bytes.subarray(0, cut), 0);
      reader.feed(bytes.subarray(cut), 0);
      expect(reader.state).toEqual(parseHeartbeat(lines.at(-1)!.trimEnd()));
    }
  });

  it('skips a line longer than it would ever be, and reads the next one', () => {
    const reader = new HeartbeatReader();
    reader.feed(Buffer.from('[0,1,0,0,null,0,null,null,0]\n'), 0);
    reader.feed(Buffer.from('x'.repeat(5000)), 0);
    reader.feed(Buffer.from('x'.repeat(5000)), 0);
    reader.feed(Buffer.from('\n[0,1,1,1,"d!A",2,"d!A",null,0]\n'), 0);
    expect(reader.state).toMatchObject({ depth: 1, inner: { label: 'd!A' } });
  });
});

describe('when the reader calls the driver hung', () => {
  const line = (l: unknown[]) => Buffer.from(`${JSON.stringify(l)}\n`);

  it('never before a run has begun (no code of the driver can run before)', () => {
    const reader = new HeartbeatReader();
    expect(reader.hung(1e9, HANG)).toBeUndefined();
    reader.feed(Buffer.from('garbage\n'), 0);
    expect(reader.hung(1e9, HANG)).toBeUndefined();
  });

  it('after hangMs with nothing new: in a handler, or outside one', () => {
    const reader = new HeartbeatReader();
    reader.feed(line([0, 1, 1, 1, 'd!ProtocolBindAdapterEx', 3, 'd!ProtocolBindAdapterEx', null, 0]), 100);
    expect(reader.hung(100 + HANG - 1, HANG)).toBeUndefined();
    expect(reader.hung(100 + HANG, HANG)).toMatchObject({ how: 'silent', state: { inner: { label: 'd!ProtocolBindAdapterEx' } } });
    const outside = new HeartbeatReader();
    outside.feed(line([0, 1, 0, 1, null, 0, null, 'd!ProtocolBindAdapterEx', 3]), 100);
    expect(outside.hung(100 + HANG, HANG)).toMatchObject({ how: 'silent', state: { depth: 0, left: { label: 'd!ProtocolBindAdapterEx' } } });
    outside.touch(100 + HANG); // an IPC message (a scenario's report) is progress too
    expect(outside.hung(100 + HANG + 1, HANG)).toBeUndefined();
  });

  it('when one outermost call stays open for hangMs while lines keep coming (a handler looping through NDIS into the driver)', () => {
    const reader = new HeartbeatReader();
    for (let t = 0; t <= HANG; t += 10) reader.feed(line([0, 1, 2 - ((t / 10) % 2), 1, 'd!Inner', 5, 'd!ProtocolBindAdapterEx', null, 0]), t);
    const hang = reader.hung(HANG, HANG);
    expect(hang?.how).toBe('looping');
    expect(hangMessage(hang!, HANG).message).toMatch(/^d!ProtocolBindAdapterEx did not return within 1 s of wall-clock time: it kept calling NDIS, which kept calling the driver back/);
  });

  it('not while new outermost calls keep coming and returning (a run making progress), until the run has lasted RUN_LIMIT_FACTOR x hangMs', () => {
    const reader = new HeartbeatReader();
    let outer = 0;
    const limit = RUN_LIMIT_FACTOR * HANG;
    for (let t = 0; t < limit; t += 10) {
      reader.feed(line([0, 1, 1, ++outer, 'd!NdisTimerFunction', outer * 2, 'd!NdisTimerFunction', null, 0]), t);
      reader.feed(line([0, 1, 0, outer, null, 0, null, 'd!NdisTimerFunction', outer * 2]), t + 5);
      expect(reader.hung(t + 5, HANG)).toBeUndefined();
    }
    const hang = reader.hung(limit, HANG);
    expect(hang?.how).toBe('endless');
    expect(hangMessage(hang!, HANG).message).toMatch(/^the run did not finish within 5 s of wall-clock time: the driver kept NDIS busy without end \(last in d!NdisTimerFunction\)/);
    // A new run (another seed) starts the run's clock again.
    reader.feed(line([0, 2, 0, 0, null, 0, null, null, 0]), limit);
    expect(reader.hung(limit + 1, HANG)).toBeUndefined();
  });
});

describe('the message', () => {
  const state = { scenario: 0, seed: 1, outer: 1 };
  it.each([
    ['a handler', { ...state, depth: 1, inner: { label: 'd!DriverEntry', event: 2 }, outermost: 'd!DriverEntry' }, 'd!DriverEntry', /^d!DriverEntry did not return within 1 s of wall-clock time; a handler must return$/],
    ['a nested handler', { ...state, depth: 2, inner: { label: 'd!ProtocolCloseAdapterCompleteEx', event: 9 }, outermost: 'd!ProtocolUnbindAdapterEx' }, 'd!ProtocolCloseAdapterCompleteEx', /^d!ProtocolCloseAdapterCompleteEx did not return within 1 s of wall-clock time \(NDIS called it from within d!ProtocolUnbindAdapterEx\)/],
    ['code after a handler', { ...state, depth: 0, left: { label: 'd!ProtocolUnbindAdapterEx', event: 30 } }, 'd!ProtocolUnbindAdapterEx', /^the driver kept control for 1 s of wall-clock time after d!ProtocolUnbindAdapterEx returned/],
    ['the module', { ...state, depth: 0, outer: 0 }, '(module code)', /^the driver's module code \(its top level, run as it loads\) did not finish within 1 s/],
  ])('for %s names where it hung', (_what, hung, handler, message) => {
    const said = hangMessage({ how: 'silent', state: hung }, HANG);
    expect(said.handler).toBe(handler);
    expect(said.message).toMatch(message);
  });
});
