// The lab format, as data: a lab's manifest (lab.json) and its scenarios, validated with zod so
// that an error names the file, the path inside it and what was expected.

import { z } from 'zod';

const adapter = z.number().int().min(0).max(15).describe('an adapter (NIC) number');
const seedId = z.enum(['000', '001', '002', '003', '004', 'datapath']);

/** One thing NDIS, the wire or an application does to the stack. */
export const StepSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('start') }),
  z.object({ op: z.literal('pause'), adapter }),
  z.object({ op: z.literal('restart'), adapter }),
  z.object({ op: z.literal('unbind'), adapter }),
  z.object({ op: z.literal('bind'), adapter }),
  z.object({ op: z.literal('pnp'), event: z.enum(['NetEventReconfigure', 'NetEventBindList', 'NetEventBindsComplete', 'NetEventQueryRemoveDevice', 'NetEventCancelRemoveDevice', 'NetEventPnPCapabilities']) }),
  z.object({ op: z.literal('removeDevice'), adapter }),
  z.object({ op: z.literal('surpriseRemove'), adapter }),
  z.object({ op: z.literal('power'), adapter }),
  z.object({ op: z.literal('link'), up: z.boolean() }),
  z.object({ op: z.literal('insertFilter'), adapter }),
  z.object({ op: z.literal('removeFilter'), adapter }),
  z.object({
    op: z.literal('traffic'),
    /** 'app' sends through the protocol's SendFrames on `adapter`; 'peer' puts frames on the wire towards it. */
    source: z.enum(['app', 'peer']),
    adapter,
    count: z.number().int().min(1).max(10_000),
    size: z.number().int().min(60).max(1514).default(60),
  }),
  z.object({ op: z.literal('faults'), drop: z.number().min(0).max(1).optional(), corrupt: z.number().min(0).max(1).optional(), reorder: z.number().min(0).max(1).optional(), delayNs: z.number().int().min(0).optional() }),
  z.object({ op: z.literal('wait'), ns: z.number().int().min(0) }),
]);
export type Step = z.infer<typeof StepSchema>;

/** What must hold at the end of a scenario (checked from the trace and the machine, never from driver output). */
export const ExpectationSchema = z.discriminatedUnion('expect', [
  z.object({ expect: z.literal('bindingState'), adapter, state: z.enum(['Unbound', 'Opening', 'Running', 'Closing', 'Pausing', 'Paused', 'Restarting']) }),
  z.object({ expect: z.literal('moduleState'), adapter, state: z.enum(['Detached', 'Attaching', 'Paused', 'Restarting', 'Running', 'Pausing']) }),
  z.object({ expect: z.literal('noFindings') }),
  z.object({ expect: z.literal('finding'), rule: z.string().min(1) }),
  z.object({ expect: z.literal('framesDelivered'), adapter, atLeast: z.number().int().min(0).optional(), exactly: z.number().int().min(0).optional() }),
  z.object({ expect: z.literal('counter'), adapter, register: z.string().min(2), atLeast: z.number().int().min(0) }),
]);
export type Expectation = z.infer<typeof ExpectationSchema>;

export const ScenarioSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase id with dashes'),
  title: z.string().min(1),
  points: z.number().int().min(0),
  hidden: z.boolean().default(false),
  /** Seeds it runs under (default: the grader's, 8). */
  seeds: z.number().int().min(1).max(256).optional(),
  /** The stack: how many NICs, and whether the reference counting filter or protocol is present. */
  machine: z.object({
    nics: z.number().int().min(1).max(4).default(2),
    cable: z.boolean().default(true),
    referenceFilter: z.boolean().default(false),
    referenceProtocol: z.boolean().default(false),
  }).default({ nics: 2, cable: true, referenceFilter: false, referenceProtocol: false }),
  steps: z.array(StepSchema).min(1),
  expectations: z.array(ExpectationSchema).min(1),
});
export type Scenario = z.infer<typeof ScenarioSchema>;

export const LabSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase id with dashes'),
  title: z.string().min(1),
  order: z.number().int().min(1),
  summary: z.string().min(1),
  seed: seedId.describe('the seed document the lab teaches'),
  kind: z.enum(['protocol', 'filter']),
  starter: z.string().endsWith('.ts'),
  solution: z.string().endsWith('.ts'),
  instructions: z.string().endsWith('.md'),
  hints: z.array(z.string().min(1)).default([]),
  /** Per-student values drawn from the student id (Packet Tracer's Variable Manager, for NDIS). */
  variants: z.record(z.string(), z.object({ min: z.number().int(), max: z.number().int() })).default({}),
  scenarios: z.array(ScenarioSchema).min(1),
});
export type Lab = z.infer<typeof LabSchema>;

export class LabFormatError extends Error {
  constructor(readonly file: string, readonly issues: { path: string; message: string }[]) {
    super(issues.map((i) => `${file}: ${i.path || '(top)'}: ${i.message}`).join('\n'));
    this.name = 'LabFormatError';
  }
}

/** Validates a parsed lab.json; throws LabFormatError naming the file, each path and what was expected. */
export function parseLab(data: unknown, file: string): Lab {
  const result = LabSchema.safeParse(data);
  if (result.success) {
    const ids = result.data.scenarios.map((s) => s.id);
    const duplicate = ids.find((id, i) => ids.indexOf(id) !== i);
    if (duplicate) throw new LabFormatError(file, [{ path: 'scenarios', message: `two scenarios are called "${duplicate}"` }]);
    return result.data;
  }
  throw new LabFormatError(file, result.error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message })));
}
