// The lab format, as data: a lab's manifest (lab.json) and its scenarios, validated with zod so
// that an error names the file, the path inside it and what was expected.
//
// Numeric fields of steps and expectations may name a per-student variant instead of a number:
// `{ "var": "BlockedEtherType" }`, or `{ "var": "MaxSendSize", "plus": 1 }` for the value plus an
// offset. parseLab checks that every name is declared and that the whole range of each variant
// fits the field; core/scenario/variants.ts draws the values and puts them in.

import { z } from 'zod';
import { NDIS_DECISIONS } from '../ndis/decisions.ts';

const adapter = z.number().int().min(0).max(15).describe('an adapter (NIC) number');
const seedId = z.enum(['000', '001', '002', '003', '004', 'datapath']);

/** A reference to a variant: its value (plus `plus`) stands where a number would. */
export const VariantRefSchema = z.object({
  var: z.string().min(1),
  plus: z.number().int().optional(),
}).strict();
export type VariantRef = z.infer<typeof VariantRefSchema>;

/** A number field that may instead name a variant (`{ "var": name, "plus"?: offset }`). */
const n = <S extends z.ZodNumber>(schema: S) => z.union([schema, VariantRefSchema]);
const count = z.number().int().min(1).max(10_000);

/** OID names a scenario's `oid` step may ask for (the application's QueryOid). */
const oidName = z.enum(['OID_GEN_LINK_STATE', 'OID_GEN_STATISTICS', 'OID_GEN_CURRENT_PACKET_FILTER', 'OID_802_3_CURRENT_ADDRESS', 'OID_802_3_PERMANENT_ADDRESS', 'OID_802_3_MULTICAST_LIST', 'OID_802_3_MAXIMUM_LIST_SIZE']);

/** One thing NDIS, the wire or an application does to the stack. */
export const StepSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('start') }),
  /**
   * NDIS pauses the stack over the adapter. With `afterNs`, the pause begins that long (virtual
   * ns) after the step before it, while the traffic posted before it is still arriving.
   */
  z.object({ op: z.literal('pause'), adapter, afterNs: n(z.number().int().min(1).max(1_000_000_000)).optional() }),
  z.object({ op: z.literal('restart'), adapter }),
  z.object({ op: z.literal('unbind'), adapter }),
  z.object({ op: z.literal('bind'), adapter }),
  /**
   * A PnP event to the protocol under test: every NET_PNP_EVENT_CODE but Pause and Restart (the
   * `pause` and `restart` steps). BindList, BindsComplete, and Reconfigure without `adapter`, go to
   * the protocol once with a NULL context; events about an adapter (power, removal, PnP
   * capabilities, ports) go up through its filter modules; `adapter` narrows any of them to one adapter.
   */
  z.object({
    op: z.literal('pnp'),
    event: z.enum(['NetEventSetPower', 'NetEventQueryPower', 'NetEventQueryRemoveDevice', 'NetEventCancelRemoveDevice', 'NetEventReconfigure', 'NetEventBindList', 'NetEventBindsComplete', 'NetEventPnPCapabilities', 'NetEventPortActivation', 'NetEventPortDeactivation', 'NetEventIMReEnableDevice']),
    adapter: adapter.optional(),
  }),
  z.object({ op: z.literal('removeDevice'), adapter }),
  z.object({ op: z.literal('surpriseRemove'), adapter }),
  /**
   * A sleep and wake of the adapter. With `state`, only half of it: "D3" puts the adapter to sleep
   * and leaves it there (its stack Paused), "D0" wakes it; each is a no-op on an adapter already
   * in that state.
   */
  z.object({ op: z.literal('power'), adapter, state: z.enum(['D3', 'D0']).optional() }),
  z.object({ op: z.literal('link'), up: z.boolean() }),
  z.object({ op: z.literal('insertFilter'), adapter }),
  z.object({ op: z.literal('removeFilter'), adapter }),
  /** The system unloads the learner's driver: its DriverUnload, which must deregister (NDIS unbinds or detaches within that call). */
  z.object({ op: z.literal('unload') }),
  z.object({
    op: z.literal('traffic'),
    /**
     * 'app' sends through the protocol's SendFrames on `adapter`; 'peer' puts frames on the wire
     * towards it; 'harness' is an NDISTest-style test harness that sends into the top of the
     * adapter's filter stack whatever the stack's state (core/ndis/test-harness.ts): what no
     * well-behaved protocol does (NDIS pauses the protocols first), for what a filter module must
     * do with a send that reaches it while Pausing or Paused.
     */
    source: z.enum(['app', 'peer', 'harness']),
    adapter,
    count: n(count),
    /** Frame size in bytes without the FCS. */
    size: n(z.number().int().min(60).max(1514)).default(60),
    /** Frames per virtual second: frame i leaves i/rate seconds after the step. Omitted: all at once. */
    rate: n(z.number().int().min(1).max(1_000_000_000)).optional(),
    /** Virtual ns between the step and its first frame (with `rate`, every frame is that much later). Omitted: 0. */
    afterNs: n(z.number().int().min(1).max(1_000_000_000)).optional(),
    /** EtherType of the peer's frames (default 0x88B5, IEEE local experimental). Peer traffic only. */
    etherType: n(z.number().int().min(0x0600).max(0xffff)).optional(),
    /** Destination MAC of the peer's frames (default the adapter's own address), e.g. a multicast group. Peer traffic only. */
    destination: z.string().regex(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/, 'a MAC address, lowercase: 01:00:5e:00:00:01').optional(),
  }).refine((s) => s.source === 'peer' || s.etherType === undefined, { message: 'etherType is for peer traffic; the protocol and the harness send 0x88B5', path: ['etherType'] })
    .refine((s) => s.source === 'peer' || s.destination === undefined, { message: 'destination is for peer traffic; the lab\'s application and the harness send to the other adapter', path: ['destination'] }),
  z.object({
    op: z.literal('oid'),
    /** The application asks the protocol for an OID query on `adapter` (its exported QueryOid), `count` times. */
    adapter,
    oid: oidName,
    count: n(count).default(1),
  }),
  z.object({
    op: z.literal('call'),
    /** The application calls the protocol's exported function `export(adapter)`, e.g. ReleaseAdapter (in a filter lab, the protocol above the filter's). */
    export: z.string().regex(/^[A-Z][A-Za-z0-9]*$/, 'the name of an exported function, e.g. ReleaseAdapter'),
    adapter,
  }),
  z.object({ op: z.literal('faults'), drop: z.number().min(0).max(1).optional(), corrupt: z.number().min(0).max(1).optional(), reorder: z.number().min(0).max(1).optional(), delayNs: n(z.number().int().min(0)).optional() }),
  z.object({ op: z.literal('wait'), ns: n(z.number().int().min(0)) }),
]);

const bound = n(z.number().int().min(0)).optional();
const bounds = { atLeast: bound, atMost: bound, exactly: bound };
const someBound = (e: { atLeast?: unknown; atMost?: unknown; exactly?: unknown }) => e.atLeast !== undefined || e.atMost !== undefined || e.exactly !== undefined;
const someBoundMessage = { message: 'give atLeast, atMost or exactly' };

/** An NDIS_STATUS_ name as ndis.d.ts spells it (NDIS_STATUS_SUCCESS, NDIS_STATUS_LINK_STATE...). */
const ndisStatusName = z.string().regex(/^NDIS_STATUS_[A-Z0-9_]+$/, 'an NDIS_STATUS_ name, e.g. NDIS_STATUS_SUCCESS');

/** What must hold at the end of a scenario (checked from the trace and the machine, never from driver output). */
export const ExpectationSchema = z.discriminatedUnion('expect', [
  z.object({ expect: z.literal('bindingState'), adapter, state: z.enum(['Unbound', 'Opening', 'Running', 'Closing', 'Pausing', 'Paused', 'Restarting']) }),
  z.object({ expect: z.literal('moduleState'), adapter, state: z.enum(['Detached', 'Attaching', 'Paused', 'Restarting', 'Running', 'Pausing']) }),
  z.object({ expect: z.literal('noFindings') }),
  z.object({ expect: z.literal('finding'), rule: z.string().min(1) }),
  /** Frames indicated to the lab's protocol on `adapter` (counted from the trace). */
  z.object({ expect: z.literal('framesDelivered'), adapter, ...bounds }).refine(someBound, someBoundMessage),
  /** A statistics register of the NIC (GPTC, GPRC, MPC...), read without clearing it. */
  z.object({ expect: z.literal('counter'), adapter, register: z.string().min(2), ...bounds }).refine(someBound, someBoundMessage),
  /**
   * OID requests of the lab's protocol on `adapter` completed back to it (returned by
   * NdisOidRequest or given to ProtocolOidRequestComplete) for `oid`, counted from the trace:
   * only those of `request` (query or set), with `status`, and with `bytesWritten` (a query's),
   * `bytesRead` (a set's) or `bytesNeeded` in the protocol's own request, when given.
   */
  z.object({
    expect: z.literal('oidCompleted'), adapter, oid: oidName, request: z.enum(['query', 'set']).optional(),
    status: ndisStatusName.optional(), bytesWritten: bound, bytesRead: bound, bytesNeeded: bound, ...bounds,
  }).refine(someBound, someBoundMessage),
  /** Status indications (StatusCode `status`) that came up out of `adapter`'s filter stack to its protocols, counted from the trace. */
  z.object({ expect: z.literal('statusIndicated'), adapter, status: ndisStatusName, ...bounds }).refine(someBound, someBoundMessage),
]);

export const ScenarioSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'a lowercase id with dashes'),
  title: z.string().min(1),
  points: z.number().int().min(0),
  hidden: z.boolean().default(false),
  /** Seeds it runs under (default: the grader's, 8). */
  seeds: z.number().int().min(1).max(256).optional(),
  /**
   * The stack: how many NICs, whether the reference counting filter or protocol is present, and
   * the adapters' interrupt moderation (OID_GEN_INTERRUPT_MODERATION): a DPC at most once per
   * `interruptModerationNs` virtual ns, so sends complete and receives are indicated in batches.
   */
  machine: z.object({
    nics: z.number().int().min(1).max(4).default(2),
    cable: z.boolean().default(true),
    referenceFilter: z.boolean().default(false),
    referenceProtocol: z.boolean().default(false),
    interruptModerationNs: z.number().int().min(0).max(1_000_000_000).optional(),
  }).default({ nics: 2, cable: true, referenceFilter: false, referenceProtocol: false }),
  /**
   * Choices NDIS may make either way, fixed for this scenario instead of left to the seed
   * (core/ndis/engine.ts NDIS_DECISIONS): e.g. { "oid-completion": "pends" } for a scenario about
   * requests that complete later. A lesson that depends on one path is best graded with it fixed.
   */
  decisions: z.object(Object.fromEntries(Object.entries(NDIS_DECISIONS).map(([name, picks]) => [name, z.enum(picks as unknown as [string, ...string[]]).optional()]))).strict().optional(),
  /**
   * Driver configuration for this scenario: keyword -> integer, read with NdisReadConfiguration
   * (beside the lab's variants, which are there under their own names).
   */
  configuration: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a configuration keyword'), n(z.number().int())).default({}),
  steps: z.array(StepSchema).min(1),
  expectations: z.array(ExpectationSchema).min(1),
});

/** A scenario as authored (numeric fields may name variants). */
export type Scenario = z.infer<typeof ScenarioSchema>;

/** `T` with every variant reference replaced by a number: what the runner plays. */
export type Resolved<T> = T extends VariantRef ? number
  : T extends readonly (infer U)[] ? Resolved<U>[]
  : T extends object ? { [K in keyof T]: Resolved<T[K]> }
  : T;
export type ResolvedScenario = Resolved<Scenario>;
export type Step = Resolved<z.infer<typeof StepSchema>>;
export type Expectation = Resolved<z.infer<typeof ExpectationSchema>>;

/** A per-student value: drawn from the student id within [min, max]; `default` (else min) without one. */
export const VariantSchema = z.object({
  min: z.number().int(),
  max: z.number().int(),
  default: z.number().int().optional(),
  /** What the value means, for the instructions and the report. */
  description: z.string().optional(),
}).refine((v) => v.min <= v.max, { message: 'min must not be above max', path: ['max'] })
  .refine((v) => v.default === undefined || (v.default >= v.min && v.default <= v.max), { message: 'default must lie within [min, max]', path: ['default'] });
export type Variant = z.infer<typeof VariantSchema>;

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
  /** Revealed one at a time, in this order. */
  hints: z.array(z.string().min(1)).default([]),
  /** Per-student values drawn from the student id (Packet Tracer's Variable Manager, for NDIS). */
  variants: z.record(z.string().regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a variant name: letters and digits'), VariantSchema).default({}),
  /**
   * The reference drivers the scenarios load beside the learner's (the protocol above a filter
   * lab, the filter under a protocol lab's `machine.referenceFilter`), as files in the lab's
   * folder. Each one left out is the course's (labs/reference/). The web lab always uses the course's.
   */
  references: z.object({
    protocol: z.string().endsWith('.ts').optional(),
    filter: z.string().endsWith('.ts').optional(),
  }).strict().optional(),
  scenarios: z.array(ScenarioSchema).min(1),
});
export type Lab = z.infer<typeof LabSchema>;

/** One problem in a lab file: the path inside it, what is wrong, and where in the text when known. */
export interface LabIssue {
  path: string;
  message: string;
  line?: number;
  column?: number;
}

/** Finds the line and column (1-based) of a path in the file's text, for messages. */
export type Locator = (path: readonly (string | number)[]) => { line: number; column: number } | undefined;

export class LabFormatError extends Error {
  constructor(readonly file: string, readonly issues: LabIssue[]) {
    // With a line and column, a problem of the whole file (a JSON error) needs no path.
    super(issues.map((i) => (i.line !== undefined ? `${file}:${i.line}:${i.column}: ${i.path ? `${i.path}: ` : ''}${i.message}` : `${file}: ${i.path || '(top)'}: ${i.message}`)).join('\n'));
    this.name = 'LabFormatError';
  }
}

/** Every variant reference in `value` (a scenario or part of one), with its path. */
export function variantRefs(value: unknown, path: (string | number)[] = []): { path: (string | number)[]; ref: VariantRef }[] {
  if (Array.isArray(value)) return value.flatMap((v, i) => variantRefs(v, [...path, i]));
  if (value === null || typeof value !== 'object') return [];
  if (typeof (value as { var?: unknown }).var === 'string') return [{ path, ref: value as VariantRef }];
  return Object.entries(value).flatMap(([k, v]) => variantRefs(v, [...path, k]));
}

/** A copy of `value` with each variant reference replaced by `valueOf(ref)`. */
export function replaceRefs(value: unknown, valueOf: (ref: VariantRef) => number): unknown {
  if (Array.isArray(value)) return value.map((v) => replaceRefs(v, valueOf));
  if (value === null || typeof value !== 'object') return value;
  if (typeof (value as { var?: unknown }).var === 'string') return valueOf(value as VariantRef);
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, replaceRefs(v, valueOf)]));
}

/**
 * A number that fails a field's bounds fails both branches of its union (number or variant
 * reference): report what the number branch said, which is the useful part.
 */
function numberIssues(issues: readonly z.core.$ZodIssue[]): { path: PropertyKey[]; message: string }[] {
  return issues.flatMap((issue) => {
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // The branch that got past the type check at the field itself (a number out of range, or a
      // reference with a bad field) says what is wrong; if none did, the number branch.
      const branch = issue.errors.find((e) => !e.some((i) => i.code === 'invalid_type' && i.path.length === 0)) ?? issue.errors[0]!;
      return numberIssues(branch).map((inner) => ({ path: [...issue.path, ...inner.path], message: inner.message }));
    }
    return [{ path: [...issue.path], message: issue.message }];
  });
}

const pathText = (path: readonly PropertyKey[]) => path.map(String).join('.');

/** The adapter numbers a step or expectation names, with the path of each. */
function adapterRefs(scenario: { steps: readonly object[]; expectations: readonly object[] }): { path: (string | number)[]; adapter: number }[] {
  const refs: { path: (string | number)[]; adapter: number }[] = [];
  for (const list of ['steps', 'expectations'] as const) {
    scenario[list].forEach((item, j) => {
      const adapter = (item as { adapter?: unknown }).adapter;
      if (typeof adapter === 'number') refs.push({ path: [list, j, 'adapter'], adapter });
    });
  }
  return refs;
}

/**
 * What the schema cannot say about scenarios: ids used twice (`takenIds` are the ids already used,
 * with where), variants that are not declared or whose range does not fit a field, adapters the
 * scenario's machine does not have. `at(i)` is the path of scenario i in its file.
 */
function scenarioIssues(scenarios: readonly Scenario[], variants: Lab['variants'], at: (i: number) => (string | number)[], takenIds: Map<string, string> = new Map()): { path: (string | number)[]; message: string }[] {
  const issues: { path: (string | number)[]; message: string }[] = [];
  const seen = new Map(takenIds);
  const declared = Object.keys(variants);
  scenarios.forEach((scenario, i) => {
    const where = seen.get(scenario.id);
    if (where !== undefined) issues.push({ path: [...at(i), 'id'], message: `two scenarios are called "${scenario.id}" (the other: ${where})` });
    else seen.set(scenario.id, pathText(at(i)));
    for (const ref of adapterRefs(scenario)) {
      if (ref.adapter >= scenario.machine.nics) {
        issues.push({ path: [...at(i), ...ref.path], message: `adapter ${ref.adapter} is not on this scenario's machine: it has ${scenario.machine.nics} NIC(s), adapters 0 to ${scenario.machine.nics - 1} (machine.nics, default 2)` });
      }
    }
    const refs = variantRefs(scenario, at(i));
    const unknown = refs.filter((r) => !(r.ref.var in variants));
    for (const r of unknown) {
      issues.push({ path: r.path, message: `uses the variant "${r.ref.var}", which the lab does not declare (${declared.length ? `its variants: ${declared.join(', ')}` : 'it declares no variants'})` });
    }
    if (unknown.length > 0 || refs.length === 0) return;
    // The field's own bounds must hold for every value a student can draw: check both ends.
    for (const end of ['min', 'max'] as const) {
      const check = ScenarioSchema.safeParse(replaceRefs(scenario, (ref) => variants[ref.var]![end] + (ref.plus ?? 0)));
      if (check.success) continue;
      for (const issue of numberIssues(check.error.issues)) {
        const path = [...at(i), ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
        const ref = refs.find((r) => pathText(r.path) === pathText(path));
        const drawn = ref ? `the variant "${ref.ref.var}" at its ${end} (${variants[ref.ref.var]![end]}${ref.ref.plus ? ` plus ${ref.ref.plus}` : ''})` : `a variant at its ${end}`;
        issues.push({ path, message: `with ${drawn}: ${issue.message}` });
      }
    }
  });
  return issues;
}

function located(issues: readonly { path: readonly PropertyKey[]; message: string }[], locate: Locator | undefined): LabIssue[] {
  return issues.map((issue) => {
    const at = locate?.(issue.path.map((p) => (typeof p === 'number' ? p : String(p))));
    return { path: pathText(issue.path), message: issue.message, ...(at ?? {}) };
  });
}

/**
 * Validates a parsed lab.json; throws LabFormatError naming the file, each path and what was
 * expected: unknown variants, variants whose range does not fit the field they are used in,
 * adapters the machine does not have. `locate` adds each path's line and column.
 */
export function parseLab(data: unknown, file: string, locate?: Locator): Lab {
  const result = LabSchema.safeParse(data);
  if (!result.success) throw new LabFormatError(file, located(numberIssues(result.error.issues), locate));
  const lab = result.data;
  const issues = scenarioIssues(lab.scenarios, lab.variants, (i) => ['scenarios', i]);
  if (issues.length > 0) throw new LabFormatError(file, located(issues, locate));
  return lab;
}

/** A file of hidden scenarios (`--hidden DIR` reads `DIR/<lab id>.json`). */
export const HiddenFileSchema = z.object({
  /** The lab's id, if the file says which lab it is for. */
  lab: z.string().optional(),
  scenarios: z.array(ScenarioSchema).min(1),
}).strict();

/**
 * Validates a hidden file's data against its lab; returns its scenarios, every one hidden. Its
 * errors name the hidden file (`file`): an object with `scenarios` is expected (not `null`), no
 * scenario may say `"hidden": false`, ids may not repeat the lab's, and each scenario meets the
 * lab's own checks (its variants, its machine's adapters).
 */
export function parseHiddenScenarios(data: unknown, file: string, lab: Lab, labFile: string, locate?: Locator): Scenario[] {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    throw new LabFormatError(file, located([{ path: [], message: `expected an object { "scenarios": [...] } (the lab's hidden scenarios); got ${data === null ? 'null' : Array.isArray(data) ? 'an array' : typeof data}` }], locate));
  }
  const issues: { path: PropertyKey[]; message: string }[] = [];
  const raw = (data as { scenarios?: unknown }).scenarios;
  if (Array.isArray(raw)) {
    raw.forEach((s, i) => {
      if (s !== null && typeof s === 'object' && (s as { hidden?: unknown }).hidden === false) {
        issues.push({ path: ['scenarios', i, 'hidden'], message: 'a hidden file\'s scenarios are always hidden: remove "hidden": false, or move the scenario to the lab\'s lab.json' });
      }
    });
  }
  const result = HiddenFileSchema.safeParse(data);
  if (!result.success) issues.push(...numberIssues(result.error.issues));
  if (issues.length > 0) throw new LabFormatError(file, located(issues, locate));
  const hidden = result.data!;
  const more: { path: PropertyKey[]; message: string }[] = [];
  if (hidden.lab !== undefined && hidden.lab !== lab.id) more.push({ path: ['lab'], message: `is "${hidden.lab}", but these scenarios are being added to the lab "${lab.id}"` });
  const taken = new Map(lab.scenarios.map((s, i) => [s.id, `scenarios.${i} of ${labFile}`]));
  more.push(...scenarioIssues(hidden.scenarios, lab.variants, (i) => ['scenarios', i], taken));
  if (more.length > 0) throw new LabFormatError(file, located(more, locate));
  return hidden.scenarios.map((s) => ({ ...s, hidden: true }));
}
