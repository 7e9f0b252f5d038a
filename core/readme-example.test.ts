// The protocol driver core/README.md shows a newcomer first is run here, so it cannot drift from
// the runtime: under seeds where the open and the close pend and where they do not, it binds,
// restarts, unbinds and unloads with no finding.

import { describe, it, expect } from 'vitest';
import { readFileSync } from 'node:fs';
import { NdisRuntime } from './ndis/runtime.ts';

const readme = readFileSync(new URL('./README.md', import.meta.url), 'utf8');
const example = /## The runtime[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];

describe("core/README.md's example protocol", () => {
  for (const [open, close] of [['at once', 'at once'], ['pends', 'pends']] as const) {
    it(`binds, unbinds and unloads with no finding (open ${open}, close ${close})`, async () => {
      expect(example, 'the first ts block under "## The runtime"').toBeDefined();
      const rt = await NdisRuntime.create({ nics: 1, seed: 1, decisions: { 'open-completion': open === 'pends' ? 1 : 0, 'close-completion': close === 'pends' ? 1 : 0 } });
      try {
        const driver = await rt.loadDriver(example!, 'proto.ts');
        rt.startStack();
        rt.run();
        expect(rt.binding('proto')!.state).toBe('Running');
        rt.unloadDriver(driver);
        rt.run();
        expect(rt.binding('proto')!.state).toBe('Unbound');
        const handlers = rt.trace.events.flatMap((e) => ((e as { kind: string }).kind === 'handler' ? [(e as { handler?: string }).handler] : []));
        expect(handlers.includes('ProtocolOpenAdapterCompleteEx')).toBe(open === 'pends');
        expect(handlers.includes('ProtocolCloseAdapterCompleteEx')).toBe(close === 'pends');
        expect(rt.verifier.findings.map((f) => `${f.rule}: ${f.message}`)).toEqual([]);
      } finally {
        await rt.close();
      }
    });
  }
});
