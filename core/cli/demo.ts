// `nic-lab demo` (what `npm start` runs until the web lab exists): two virtual e1000s on a cable
// with seeded faults, driven by the raw ring driver and stepped in virtual time, then a cable pull.
// Everything printed is read back from the device's registers and the wire's counters.

import * as r from '../../wasm/e1000/registers.ts';
import { Machine } from '../nic/machine.ts';
import { RawDriver } from '../nic/raw-driver.ts';
import { buildFrame, ETHERTYPE_EXPERIMENTAL } from '../nic/ethernet.ts';

export interface DemoOptions {
  seed: number;
  frames: number;
}

function linkText(status: number): string {
  return status & r.STATUS_LU ? `up, ${(status & r.STATUS_SPEED_MASK) === r.STATUS_SPEED_1000 ? 1000 : '?'} Mb/s ${status & r.STATUS_FD ? 'full' : 'half'} duplex` : 'down';
}

export async function runDemo({ seed, frames }: DemoOptions): Promise<number> {
  const machine = await Machine.create({ nics: 2, txRingEntries: 64, rxRingEntries: 256, seed });
  const [nic0, nic1] = [machine.nic(0), machine.nic(1)];
  const sender = new RawDriver(machine, nic0);
  const receiver = new RawDriver(machine, nic1, { interrupts: r.ICR_RXT0 | r.ICR_LSC });
  const link = machine.wire.connect(nic0.endpoint, nic1.endpoint);
  const faults = { drop: 0.05, corrupt: 0.05, reorder: 0.05, delayNs: 2_000, reorderNs: 10_000 };
  machine.wire.setFaults(link, faults);

  console.log(`NIC Lab demo: two Intel 82540EM (e1000) NICs on one cable, seed ${seed}`);
  for (const nic of [nic0, nic1]) console.log(`  NIC ${nic.index}  ${nic.permanentAddress}  link ${linkText(nic.peek('STATUS'))}`);
  console.log(`  cable faults: drop 5%, corrupt 5%, reorder 5% (+10 us), delay 2 us (virtual time)\n`);

  const arrivals: number[] = [];
  let sent = 0;
  while (sent < frames) {
    const batch = Math.min(16, frames - sent);
    sender.send(Array.from({ length: batch }, (_, i) => {
      const frame = buildFrame(nic1.permanentAddress, nic0.permanentAddress, ETHERTYPE_EXPERIMENTAL, 46 + ((sent + i) % 200));
      new DataView(frame.buffer).setUint32(14, sent + i, true);
      return frame;
    }));
    sent += batch;
    machine.runUntilIdle();
    machine.advanceClock(5_000);
    machine.runUntilIdle();
    for (const f of receiver.receive()) arrivals.push(new DataView(f.bytes.buffer).getUint32(14, true));
  }
  machine.drainWire();
  for (const f of receiver.receive()) arrivals.push(new DataView(f.bytes.buffer).getUint32(14, true));

  const wire = machine.wire.stats(link);
  const outOfOrder = arrivals.filter((seq, i) => i > 0 && seq < arrivals[i - 1]!).length;
  console.log(`sent ${sent} frames from NIC 0; NIC 1 received ${arrivals.length} (virtual time now ${machine.clockNs} ns)`);
  console.log(`  the wire dropped ${wire.dropped}, corrupted ${wire.corrupted}, delayed ${wire.delayed}, held ${wire.reordered} back to be overtaken`);
  console.log(`  NIC 1 caught ${nic1.peek('CRCERRS')} bad FCS (CRCERRS) and ${outOfOrder} frames arrived after a later one`);
  console.log(`  NIC 0 GPTC=${nic0.peek('GPTC')} GOTC=${nic0.peek('GOTCL')}  NIC 1 GPRC=${nic1.peek('GPRC')} GORC=${nic1.peek('GORCL')} MPC=${nic1.peek('MPC')}`);

  console.log('\npulling the cable...');
  nic1.read('ICR');
  const interrupts = nic1.interruptCount;
  machine.wire.setUp(link, false);
  console.log(`  NIC 1 link ${linkText(nic1.peek('STATUS'))}; ICR ${nic1.read('ICR') & r.ICR_LSC ? 'has LSC' : 'has no LSC'}; interrupt line asserted ${nic1.interruptCount - interrupts} time(s)`);
  machine.wire.setUp(link, true);
  console.log(`  plugged back in: NIC 1 link ${linkText(nic1.peek('STATUS'))}`);
  console.log('\nsame seed, same faults: run `nic-lab demo --seed ' + seed + '` again and compare. `nic-lab bench --json` measures the datapath.');
  return 0;
}
