// Per-student variants: each student of a class gets their own values for a lab's variants
// (a blocked EtherType, a size limit...), drawn from the student id so that the same id always
// gets the same values and the grader needs nothing but the id. A value is
//   min + Prng(FNV-1a-64(utf8(studentId + "\n" + variantName))).below(max - min + 1)
// (the PRNG is core/sched/prng.ts's xoshiro128**). Without a student id each variant takes its
// `default`, else its `min`. The driver reads them as configuration (NdisReadConfiguration) under
// the variant's name; scenarios use them in place of numbers as { "var": name }.

import { Prng } from '../sched/prng.ts';
import { replaceRefs, type Lab, type Scenario, type ResolvedScenario, type VariantRef } from './schema.ts';

const FNV_OFFSET = 0xcbf29ce484222325n;
const FNV_PRIME = 0x100000001b3n;

/** FNV-1a over the UTF-8 bytes of `text`: a 64-bit seed that any engine computes alike. */
export function fnv1a64(text: string): bigint {
  let hash = FNV_OFFSET;
  for (const byte of new TextEncoder().encode(text)) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * FNV_PRIME);
  return hash;
}

/** The value of every variant of `lab` for `student` (undefined: the defaults). */
export function variantValues(lab: Pick<Lab, 'variants'>, student?: string): Record<string, number> {
  const values: Record<string, number> = {};
  for (const [name, v] of Object.entries(lab.variants)) {
    values[name] = student === undefined ? v.default ?? v.min : v.min + new Prng(fnv1a64(`${student}\n${name}`)).below(v.max - v.min + 1);
  }
  return values;
}

/**
 * The scenario with its variant references replaced by `values`, and the configuration the
 * driver reads: the variants under their names, then the scenario's own `configuration`.
 * Throws a RangeError naming the scenario if a reference has no value (parseLab refuses such labs).
 */
export function resolveScenario(scenario: Scenario, values: Record<string, number>): { scenario: ResolvedScenario; configuration: Record<string, number> } {
  const valueOf = (ref: VariantRef) => {
    const value = values[ref.var];
    if (value === undefined) throw new RangeError(`scenario ${scenario.id} uses the variant "${ref.var}", which has no value`);
    return value + (ref.plus ?? 0);
  };
  const resolved = replaceRefs(scenario, valueOf) as ResolvedScenario;
  return { scenario: resolved, configuration: { ...values, ...resolved.configuration } };
}
