// The call channel and codec treat the driver's side as untrusted: whatever is written into the
// region comes out as a message, or as ChannelCorrupted / CodecError, never as anything else.

import { describe, it, expect } from 'vitest';
import { CallChannel, ChannelCorrupted, ChannelTimeout, FOR_CORE, FOR_DRIVER, CHANNEL_HEADER_BYTES } from './channel.ts';
import { Codec, CodecError, type Remote } from './codec.ts';
import { NblPool } from '../memory/nbl-pool.ts';
import { NetBufferViews } from '../ndis/net-buffer-list.ts';
import { NdisHandle, issueHandle } from '../ndis/handle.ts';
import { Prng } from '../sched/prng.ts';

function pair() {
  const memory = new SharedArrayBuffer(1 << 20);
  const views = new NetBufferViews(new NblPool(memory, { base: 0, bytes: 1 << 20 }));
  const calls: string[] = [];
  const remote: Remote = {
    call: (f, _t, a) => (calls.push(`call ${f} ${a.length}`), 7),
    get: (o, k) => (calls.push(`get ${o}.${k}`), 42),
    set: (o, k) => void calls.push(`set ${o}.${k}`),
    has: () => true,
    keys: () => ['x'],
    remove: () => {},
  };
  const handles = new Map<number, NdisHandle>();
  const core = new Codec({ side: 'c', views, remote, handle: (id) => handles.get(id) });
  const driver = new Codec({ side: 'd', views, remote, handle: (id, kind, label) => issueHandle(kind, id, label) });
  return { core, driver, views, calls, handles };
}

describe('call channel', () => {
  it('carries a message to the side it is for, and times out when none comes', () => {
    const channel = CallChannel.create(4096);
    channel.send(FOR_DRIVER, { k: 'ret', v: 5 });
    expect(() => channel.receive(FOR_CORE, 20)).toThrow(ChannelTimeout);
    expect(channel.receive(FOR_DRIVER)).toEqual({ k: 'ret', v: 5 });
  });

  it('refuses a message larger than the region', () => {
    const channel = CallChannel.create(256);
    expect(() => channel.send(FOR_CORE, { text: 'x'.repeat(300) })).toThrow(/does not fit/);
  });

  it('turns 1,000,000 random writes into the region into messages or ChannelCorrupted, nothing else', () => {
    const channel = CallChannel.create(512);
    const words = new Int32Array(channel.buffer);
    const bytes = new Uint8Array(channel.buffer);
    const prng = new Prng(99);
    const outcomes = { message: 0, corrupted: 0 };
    const text = new TextEncoder().encode('{"k":"ret","v":1}');
    for (let i = 0; i < 1_000_000; i++) {
      switch (prng.below(4)) {
        case 0: words[prng.below(4)] = prng.next() | 0; break;
        case 1: bytes[CHANNEL_HEADER_BYTES + prng.below(64)] = prng.below(256); break;
        case 2: bytes.set(text, CHANNEL_HEADER_BYTES); words[1] = prng.below(2) ? text.length : prng.below(600); break;
        default: words[0] = prng.below(2) ? FOR_CORE : prng.next() | 0;
      }
      if (i % 8 !== 7) continue;
      try {
        channel.receive(FOR_CORE, 0);
        outcomes.message++;
      } catch (error) {
        if (error instanceof ChannelCorrupted) outcomes.corrupted++;
        else if (!(error instanceof ChannelTimeout)) throw error;
      }
    }
    expect(outcomes.message).toBeGreaterThan(100);
    expect(outcomes.corrupted).toBeGreaterThan(100);
  });
});

describe('codec', () => {
  it('keeps identity both ways: the driver gets its own objects back, the core its own', () => {
    const { core, driver } = pair();
    const context = { bindings: [1, 2] };
    const onCore = core.decode(driver.encode(context));
    expect(onCore).not.toBe(context);
    expect(driver.decode(core.encode(onCore))).toBe(context);
    const parameters = { MacAddress: '02:00:00:00:00:01', nested: { Mtu: 1500 } };
    const mirror = driver.decode(core.encode(parameters)) as typeof parameters;
    expect(mirror).toEqual(parameters);
    mirror.nested.Mtu = 9000;
    expect(core.decode(driver.encode(mirror))).toBe(parameters);
    expect(parameters.nested.Mtu).toBe(9000);
    expect(driver.decode(core.encode(parameters))).toBe(mirror);
  });

  it('sends NBLs by pool index and handles by id', () => {
    const { core, driver, views, handles } = pair();
    const handle = issueHandle('binding', 3, 'p@nic0');
    handles.set(3, handle);
    const mirror = driver.decode(core.encode(handle)) as NdisHandle;
    expect(mirror.toString()).toBe('binding handle 3 (p@nic0)');
    expect(core.decode(driver.encode(mirror))).toBe(handle);
    expect(core.decode(driver.encode(views.nbl(5)))).toBe(views.nbl(5));
    expect(core.decode(['l', 1e9])).toEqual({ index: 1e9 });
  });

  it('makes the driver\'s objects live proxies on the core side and its functions stubs', () => {
    const { core, driver, calls } = pair();
    const request = core.decode(driver.encode({ Oid: 1 })) as Record<string, unknown>;
    expect(request.Oid).toBe(42);
    request.BytesWritten = 4;
    const fn = core.decode(driver.encode(() => 1)) as () => unknown;
    expect(fn()).toBe(7);
    expect(calls).toEqual(['get 1.Oid', 'set 1.BytesWritten', 'call 2 0']);
  });

  it('syncs a typed array the core filled back into the driver\'s own array', () => {
    const { core, driver } = pair();
    const buffer = new Uint8Array(4);
    const onCore = core.decode(driver.encode(buffer)) as Uint8Array;
    onCore.set([1, 2, 3, 4]);
    driver.applyArrays(core.changedArrays());
    expect([...buffer]).toEqual([1, 2, 3, 4]);
    expect(core.changedArrays()).toEqual([]);
  });

  it('refuses what cannot cross, and garbage from the other side', () => {
    const { core, driver } = pair();
    expect(() => driver.encode(Symbol('x'))).toThrow(CodecError);
    expect(() => core.decode(['zz'])).toThrow(CodecError);
    expect(() => core.decode({ not: 'encoded' })).toThrow(CodecError);
    expect(() => core.decode(['o', 'c', 12345, null])).toThrow(CodecError);
  });
});
