// The page's words for what the engine says tersely (issue 20 item 8): the NDIS document a rule
// cites (the engine numbers them "seed 000", which beside the run's random Seed reads as the
// same thing), the e1000 statistics registers a scenario counts (GORCL, MPC), and a compile
// error without the bundler's "Error transforming driver.ts:" in front.

import { SEEDS } from '../../core/verifier/rules.ts';

/** One place the NDIS documentation states a rule: the document (title, address) and what of it. */
export interface RuleSource {
  title: string;
  url?: string;
  /** The section or sentence of the document, as the rule cites it. */
  section: string;
}

/**
 * A rule's `seed` field ("000 Binding States: Pausing; 002 NetEventPause", or a topic such as
 * "NdisOpenAdapterEx: ..."), as the documents it names: a number is one of the five documents
 * the project started from (core/verifier/rules.ts SEEDS), shown by its title, never as "seed".
 */
export function ruleSources(seed: string): RuleSource[] {
  return seed.split(/;\s*/).filter(Boolean).map((part) => {
    const doc = /^\d{3}\b/.test(part) ? SEEDS[part.slice(0, 3)] : undefined;
    return doc ? { title: doc.title, url: doc.url, section: part.slice(4).trim() } : { title: part.trim(), section: '' };
  });
}

/** The same as one line of text ("Binding States of a Protocol Driver (Binding States: Running)"). */
export function ruleSourceText(seed: string): string {
  return ruleSources(seed).map((s) => (s.section ? `${s.title} (${s.section})` : s.title)).join('; ');
}

/** The e1000 statistics registers scenarios count, in words (Intel 8254x manual, section 13.7). */
export const REGISTER_WORDS: Readonly<Record<string, string>> = {
  GPRC: 'good packets received',
  GPTC: 'good packets sent',
  TPR: 'total packets received',
  TPT: 'total packets sent',
  BPRC: 'broadcast packets received',
  MPRC: 'multicast packets received',
  GORCL: 'good octets received',
  GORCH: 'good octets received, high half',
  GOTCL: 'good octets sent',
  GOTCH: 'good octets sent, high half',
  CRCERRS: 'frames with a bad CRC',
  MPC: 'missed packets: no receive descriptor was free',
  RNBC: 'receive: no buffers',
  RUC: 'receive: undersized',
  ROC: 'receive: oversized',
  ALGNERRC: 'alignment errors',
  SYMERRS: 'symbol errors',
  RXERRC: 'receive errors',
  SCC: 'single collisions',
  ECOL: 'excessive collisions',
  MCC: 'multiple collisions',
  LATECOL: 'late collisions',
  COLC: 'collisions',
};

/** `text` with every statistics register it names followed by its meaning: "GORCL (good octets received)". */
export function explainRegisters(text: string): string {
  return text.replace(/\b([A-Z]{3,8})\b(?! \()/g, (name: string) => (REGISTER_WORDS[name] ? `${name} (${REGISTER_WORDS[name]})` : name));
}

/** A failure or a load error as the learner reads it: no bundler prefix, registers explained. */
export function plainFailure(text: string): string {
  return explainRegisters(text.replace(/Error transforming [^:\s]+: /g, ''));
}

/**
 * A failed run's story, cause first (issue 20 item 8): what went wrong (a driver that did not
 * load; each finding: its rule, trace event, where known the driver's file:line:column of the call
 * that broke it, and its message's first line), then what the scenario
 * expected and did not get. An expectation that only restates the findings ("expected no finding;
 * got ...") is said briefly, and the bug check that a fatal finding caused is not said twice.
 */
export function failureStory(failures: readonly string[], findings: readonly { rule: string; message: string; event: number; location?: { file: string; line: number; column: number } }[]): { causes: string[]; effects: string[] } {
  const rules = new Set(findings.map((f) => f.rule));
  const expected = failures.filter((f) => f.startsWith('expected '));
  const other = failures.filter((f) => !f.startsWith('expected ') && !(/^bug check 0x[0-9A-F]+ \((\w+)\)/.exec(f) && rules.has(/^bug check 0x[0-9A-F]+ \((\w+)\)/.exec(f)![1]!)));
  const causes = [...other.map(plainFailure), ...findings.map((f) => `${f.rule} (trace event ${f.event}${f.location ? `, ${f.location.file}:${f.location.line}:${f.location.column}` : ''}): ${f.message.split('\n')[0]}`)];
  const effects = expected.map((f) => (findings.length > 0 && f.startsWith('expected no finding; got ') ? 'expected no finding' : plainFailure(f)));
  return { causes, effects };
}

/** The five NDIS documents the labs cite by number ("seed 000"), in order. */
export function ndisDocuments(): { number: string; title: string; url: string }[] {
  return Object.entries(SEEDS).map(([number, doc]) => ({ number, ...doc }));
}

/**
 * Markdown (a lab's instructions) with each "seed 000" (a document, which beside the run's random
 * Seed reads as one) made "NDIS doc 000", a link to the document with its title.
 */
export function documentLinks(markdown: string): string {
  return markdown.replace(/\bseed (\d{3})\b/g, (all, number: string) => {
    const doc = SEEDS[number];
    return doc ? `[NDIS doc ${number}](${doc.url} "${doc.title.replace(/"/g, "'")}")` : all;
  });
}

/** Plain text (a lab's summary) with "seed 000" said as "NDIS doc 000 (its title)". */
export function documentNames(text: string): string {
  return text.replace(/\bseed (\d{3})\b/g, (all, number: string) => (SEEDS[number] ? `NDIS doc ${number} (${SEEDS[number]!.title})` : all));
}
