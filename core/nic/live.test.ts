// Live mode: the device runs on its own worker thread (a second instance of the module on the
// same memory) while this thread drives the rings and sleeps on the interrupt line.

import { describe, it, expect } from 'vitest';
import * as r from '../../wasm/e1000/registers.ts';
import { Machine } from './machine.ts';
import { RawDriver } from './raw-driver.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from './ethernet.ts';

describe('live device on a worker thread', () => {
  it('moves frames from a NIC to a second NIC over a cable, waking the driver by interrupt', async () => {
    const machine = await Machine.create({ nics: 2, txRingEntries: 64, rxRingEntries: 64 });
    const tx = new RawDriver(machine, machine.nic(0));
    const rx = new RawDriver(machine, machine.nic(1), { interrupts: r.ICR_RXT0 });
    machine.wire.connect(machine.nic(0).endpoint, machine.nic(1).endpoint);
    await machine.startLive();
    expect(() => machine.step()).toThrow(/running live/);
    const received: number[] = [];
    const total = 2000;
    let sent = 0;
    while (received.length < total) {
      // Never more in flight than the receive ring holds: the NIC would rightly miss the rest.
      if (sent < total && tx.txFree() >= 8 && sent - received.length + 8 < rx.rxCount) {
        const batch = Array.from({ length: 8 }, (_, i) => {
          const f = buildFrame('02:4e:49:43:00:02', '02:4e:49:43:00:01', ETHERTYPE_EXPERIMENTAL, 46);
          new DataView(f.buffer).setUint32(14, sent + i, true);
          return f;
        });
        tx.send(batch);
        sent += 8;
      }
      const frames = rx.receive();
      for (const f of frames) received.push(new DataView(f.bytes.buffer).getUint32(14, true));
      if (frames.length === 0 && received.length < total) {
        expect(rx.waitForReceive(5000)).not.toBe('timed-out');
      }
    }
    await machine.stopLive();
    expect(received).toEqual(Array.from({ length: total }, (_, i) => i));
    expect(machine.nic(1).read('MPC')).toBe(0);
    expect(machine.isLive).toBe(false);
    expect(machine.step()).toBe(0); // stepping works again once stopped
  });

  it('sleeps when idle instead of spinning, and wakes on a doorbell', async () => {
    const machine = await Machine.create({ nics: 1, txRingEntries: 16, rxRingEntries: 16 });
    const d = new RawDriver(machine, machine.nic(0), { interrupts: r.ICR_RXT0 });
    machine.wire.loopback(machine.nic(0).endpoint);
    await machine.startLive();
    const { M_LIVE_PARKS } = await import('../../wasm/e1000/machine.ts');
    const deadline = Date.now() + 5000;
    while (machine.header(M_LIVE_PARKS) === 0 && Date.now() < deadline) await new Promise((res) => setTimeout(res, 5));
    expect(machine.header(M_LIVE_PARKS)).toBeGreaterThan(0);
    const seen = machine.nic(0).interruptCount;
    d.send([buildFrame('02:4e:49:43:00:01', '02:00:00:00:00:09', ETHERTYPE_EXPERIMENTAL, 46)]);
    expect(machine.nic(0).waitForInterrupt(seen, 5000)).not.toBe('timed-out');
    expect(d.receive()).toHaveLength(1);
    await machine.stopLive();
  });
});
