// The layers of NIC Lab and which may import which, checked against every source file: a lower
// layer never imports a higher one (the device and its memory know nothing of NDIS; the NDIS
// runtime knows nothing of scenarios, grading or the page). The picture, lowest first:
//
//   wasm/                 the e1000 device (AssemblyScript)
//   core/memory           shared memory, rings, the NBL pool
//   core/nic, trace, sched the machine around the device; the trace and its capture taps; the seeded scheduler
//   core/verifier         the rule catalog and findings
//   core/ndis, core/host  the NDIS runtime and where drivers run (one layer: see EXCEPTIONS)
//   core/live             the live datapath at full speed
//   core/scenario         scenarios played on a runtime
//   core/grading, sandbox grading, and its confined child process
//   core/bench, cli, web  the entry points
//
// A frame takes one path up: wire -> nic (RX descriptor) -> memory (NBL pool) -> ndis miniport ->
// filter modules -> protocol binding; a send the same path down.

import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));

const RANK: Record<string, number> = {
  wasm: 0,
  'core/memory': 1,
  'core/nic': 2, 'core/trace': 2, 'core/sched': 2,
  'core/verifier': 3,
  'core/ndis': 4, 'core/host': 4,
  'core/live': 5,
  'core/scenario': 6,
  'core/grading': 7, 'core/sandbox': 7,
  'core/bench': 8, 'core/cli': 9, web: 9,
};

/** Files that sit below their folder: utilities every layer may use. */
const FILE_RANK: Record<string, number> = {
  'core/host/confinement.ts': 0, // SES hardening, installed before any driver runs
  'core/host/thread.ts': 0, // starting a worker thread in Node or the browser
  'core/memory/protect.ts': 0, // the views of machine memory that keep their buffer, installed with the hardening
};

/** Imports against the order that the code has today, each with why; a new one fails the test. */
const EXCEPTIONS: Record<string, string> = {
  'core/host/driver-worker.ts -> core/live': 'the driver\'s thread runs the live pump (core/live/driver-pump.ts) when the stack goes live',
  'core/host/worker-host.ts -> core/live': 'the worker host hands the live stack its control block and plan types',
};

function layerOf(file: string): string | undefined {
  if (file.startsWith('wasm/')) return 'wasm';
  if (file.startsWith('web/')) return 'web';
  if (file.startsWith('labs/')) return 'labs';
  const m = /^core\/([^/]+)\//.exec(file);
  return m ? `core/${m[1]}` : undefined;
}

function rankOf(file: string): number | undefined {
  return FILE_RANK[file] ?? RANK[layerOf(file) ?? ''];
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'build' || name === 'dist') continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...sources(path));
    else if (/\.ts$/.test(name) && !/\.(test|d)\.ts$/.test(name)) out.push(path);
  }
  return out;
}

/** Every relative import (static, dynamic or `export from`) of a file, as repository paths (worker URLs aside). */
function importsOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const specifiers = [...text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"`;]*?from\s*['"](\.[^'"]+)['"]|import\(\s*['"](\.[^'"]+)['"]\s*\)/g)]
    .map((m) => m[1] ?? m[2]!);
  return specifiers.map((s) => relative(ROOT, normalize(join(ROOT, dirname(file), s.replace(/\?.*$/, '')))));
}

const FILES = ['wasm', 'core', 'web'].flatMap((d) => sources(d)).filter((f) => !f.startsWith('core/testing/') && !f.startsWith('web/testing/') && !f.startsWith('web/bench/') && !f.startsWith('wasm/assembly/') && !f.startsWith('core/host/browser-page/'));

describe('the layers', () => {
  it('every source file has a layer', () => {
    expect(FILES.filter((f) => rankOf(f) === undefined)).toEqual([]);
    expect(FILES.length).toBeGreaterThan(100);
  });

  it('no layer imports one above it, but for the exceptions listed with their reasons', () => {
    const violations: string[] = [];
    const used = new Set<string>();
    for (const file of FILES) {
      const from = rankOf(file)!;
      for (const target of importsOf(file)) {
        if (target.startsWith('labs/')) {
          // Lab content (reference drivers' source) is for the layers that run scenarios or the page.
          if (from < RANK['core/live']!) violations.push(`${file} -> ${target} (lab content below core/live)`);
          continue;
        }
        if (target.startsWith('core/testing/') || target.startsWith('web/testing/')) {
          violations.push(`${file} -> ${target} (test support from product code)`);
          continue;
        }
        const to = rankOf(target);
        if (to === undefined || to <= from) continue;
        const key = `${file} -> ${layerOf(target)}`;
        if (EXCEPTIONS[key]) used.add(key);
        else violations.push(`${file} -> ${target} (${layerOf(file)} imports ${layerOf(target)}, a layer above it)`);
      }
    }
    expect(violations).toEqual([]);
    // An exception the code no longer needs is taken out of the list.
    expect(Object.keys(EXCEPTIONS).filter((k) => !used.has(k))).toEqual([]);
  });

  it('fails when a lower layer imports a higher one (the check itself, on a made-up import)', () => {
    const rank = (f: string) => rankOf(f)!;
    expect(rank('core/memory/nbl-pool.ts') < rank('core/ndis/runtime.ts')).toBe(true);
    expect(rank('core/nic/machine.ts') < rank('core/ndis/runtime.ts')).toBe(true);
    expect(rank('core/ndis/runtime.ts') < rank('core/scenario/runner.ts')).toBe(true);
    expect(importsOf('core/memory/nbl-pool.ts').some((t) => t.startsWith('core/ndis/'))).toBe(false);
  });

  it('no import circle anywhere, type-only imports included: each file depends only on files below it', () => {
    // A circle makes "which part owns this" unanswerable; core/ndis was one hub (runtime.ts) that
    // every part imported back. Parts that call upward get an interface from below instead
    // (miniport.ts AdapterUpperEdge, filter.ts ProtocolEdge).
    expect(circles(FILES)).toEqual([]);
  });

  it('finds a circle when there is one (the check itself, on a made-up graph)', () => {
    const graph = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(circles(['a.ts', 'b.ts', 'c.ts', 'd.ts'], (f) => graph.get(f) ?? [])).toEqual(['a.ts -> b.ts -> c.ts -> a.ts']);
  });
});

/** Each import circle among `files`, as the path round it (depth-first; one circle reported per back edge). */
function circles(files: string[], edges: (file: string) => string[] = (f) => importsOf(f).map((t) => (t.endsWith('.js') ? t.replace(/\.js$/, '.ts') : t))): string[] {
  const known = new Set(files);
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const found: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    stack.push(file);
    for (const next of edges(file)) {
      if (!known.has(next)) continue;
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next].join(' -> '));
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(file, 'done');
  };
  for (const file of [...files].sort()) if (!state.has(file)) visit(file);
  return found;
}
