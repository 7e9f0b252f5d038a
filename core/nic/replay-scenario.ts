// A fixed piece of work for the virtual NIC whose every outcome depends only on the seed: two NICs
// on a cable with every fault turned on, 300 frames in batches, virtual time advanced between
// them. The tests run it in Node and in Chromium and require the same result, frame by frame.

import { Machine } from './machine.ts';
import { RawDriver } from './raw-driver.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from './ethernet.ts';

export interface ReplayResult {
  /** Sequence numbers in the order NIC 1 received them. */
  arrivals: number[];
  wire: Record<string, number | boolean>;
  receiver: Record<string, number>;
  clockNs: string;
}

export async function runReplayScenario(seed: number): Promise<ReplayResult> {
  const machine = await Machine.create({ nics: 2, txRingEntries: 64, rxRingEntries: 256, seed });
  const a = new RawDriver(machine, machine.nic(0));
  const b = new RawDriver(machine, machine.nic(1));
  const link = machine.wire.connect(machine.nic(0).endpoint, machine.nic(1).endpoint);
  machine.wire.setFaults(link, { drop: 0.05, corrupt: 0.05, reorder: 0.1, delayNs: 1500, reorderNs: 7000 });
  const arrivals: number[] = [];
  const collect = () => {
    for (const f of b.receive()) arrivals.push(new DataView(f.bytes.buffer).getUint32(14, true));
  };
  for (let sent = 0; sent < 300; sent += 10) {
    a.send(Array.from({ length: 10 }, (_, i) => {
      const frame = buildFrame('02:4e:49:43:00:02', '02:4e:49:43:00:01', ETHERTYPE_EXPERIMENTAL, 46 + ((sent + i) * 13) % 400);
      new DataView(frame.buffer).setUint32(14, sent + i, true);
      return frame;
    }));
    machine.runUntilIdle();
    machine.advanceClock(2000);
    machine.runUntilIdle();
    collect();
  }
  machine.drainWire();
  collect();
  return { arrivals, wire: { ...machine.wire.stats(link) }, receiver: machine.nic(1).statistics(), clockNs: String(machine.clockNs) };
}
