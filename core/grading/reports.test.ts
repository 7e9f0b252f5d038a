// The report formats, field by field, from a real grade run of a protocol-binding driver with one
// mistake (scenarios that pass, scenarios that fail, a hidden one), and the shortest failing trace.

import { describe, it, expect } from 'vitest';
import { labById, referenceDrivers } from './labs.ts';
import { gradeLab, type GradeReport } from './grade.ts';
import { runScenario } from '../scenario/runner.ts';
import { outcomeOf, learnerView, gradescopeResults, prairieLearnResults, junitXml, xmlEscape, zeroReport, textReport, terminalSafe, githubClassroomResult, type GradeOutcome } from './reports.ts';

const references = referenceDrivers();
const lab = labById('protocol-binding');

describe('report formats from a real grade run', async () => {
  // The solution with one mistake: its unbind does not close the adapter. So `unbind` fails under
  // every seed; the hidden scenario here is a hidden copy of it (the lab's own hidden one it passes).
  const mistaken = lab.solutionSource.replace('const closed = NdisCloseAdapterEx(b.handle!);', 'const closed = NDIS_STATUS_SUCCESS;');
  const unbind = lab.scenarios.find((s) => s.id === 'unbind')!;
  const graded = { ...lab, scenarios: [...lab.scenarios.filter((s) => !s.hidden), { ...unbind, id: 'unbind-again', title: 'Unbound once more', hidden: true }] };
  const report = await gradeLab(graded, mistaken, 'mistaken.ts', references, { seeds: 2 });
  const passing = report.scenarios.find((s) => s.passed && !s.hidden)!;
  const failing = report.scenarios.find((s) => !s.passed && !s.hidden)!;
  const hidden = report.scenarios.find((s) => s.hidden)!;
  const outcome = outcomeOf(report);

  it('the run has a passing, a failing and a hidden (failing) scenario', () => {
    expect(mistaken).not.toBe(lab.solutionSource);
    expect(passing).toBeDefined();
    expect(failing).toMatchObject({ passed: false, points: 0, failingSeed: 1, failingSeeds: [1, 2], shortestFailingSeed: 1 });
    expect(failing.failures.length).toBeGreaterThan(0);
    expect(hidden).toMatchObject({ passed: false, points: 0 });
    expect(outcome.status).toBe('graded');
  });

  it('learnerView keeps a hidden scenario\'s points and verdict and drops what it tests', () => {
    const view = learnerView(report);
    const index = report.scenarios.indexOf(hidden);
    expect(view.scenarios[index]).toEqual({ id: 'hidden-1', title: 'Hidden scenario 1', hidden: true, points: 0, maxPoints: hidden.maxPoints, passed: false, failures: [], findings: [] });
    expect(view.scenarios.filter((s) => !s.hidden)).toEqual(report.scenarios.filter((s) => !s.hidden));
    expect(JSON.stringify(view)).not.toContain(hidden.id);
    expect(JSON.stringify(view)).not.toContain(hidden.title);
    expect({ score: view.score, maxScore: view.maxScore, traceHash: view.traceHash }).toEqual({ score: report.score, maxScore: report.maxScore, traceHash: report.traceHash });
  });

  it('Gradescope results.json: score, a test per scenario, hidden ones with visibility "hidden"', () => {
    const gs = gradescopeResults(lab, outcome, { hiddenVisibility: 'hidden' });
    expect(gs).toMatchObject({ output_format: 'text', test_output_format: 'text' });
    expect(gs.score).toBe(report.score);
    expect(gs.stdout_visibility).toBe('hidden');
    expect(gs.extra_data).toEqual({ lab: 'protocol-binding', status: 'graded', traceHash: report.traceHash });
    expect(gs.tests).toHaveLength(report.scenarios.length);
    const test = (id: string) => gs.tests[report.scenarios.findIndex((s) => s.id === id)]!;
    expect(test(passing.id)).toEqual({ name: `${passing.id}: ${passing.title}`, number: String(report.scenarios.indexOf(passing) + 1), score: passing.points, max_score: passing.maxPoints, status: 'passed', output: 'Passed under every seed.', output_format: 'text', visibility: 'visible' });
    expect(test(failing.id)).toMatchObject({ score: 0, max_score: failing.maxPoints, status: 'failed', visibility: 'visible' });
    expect(test(failing.id).output).toContain('failed under seeds 1, 2; shortest failing trace: seed 1');
    expect(test(failing.id).output).toContain(failing.failures[0]);
    expect(test(hidden.id)).toMatchObject({ score: 0, max_score: hidden.maxPoints, status: 'failed', visibility: 'hidden' });
    // The submission-wide output is shown to students: nothing of the hidden scenario in it.
    expect(gs.output).toBe(`${lab.title}: ${report.score}/${report.maxScore} points. 1 visible scenario(s) failed; each test below says under which seeds and why.`);
    expect(gs.output).not.toContain(hidden.title);
    // Hidden tests hidden: the instructor sees the scenario and why it failed.
    expect(test(hidden.id).name).toBe(`${hidden.id}: ${hidden.title}`);
    expect(test(hidden.id).output).toContain(hidden.failures[0]);
  });

  it('Gradescope --hidden-visibility: by default (after_published) a hidden test will be shown, so it shows points and pass/fail only', () => {
    for (const visibility of ['after_published', 'after_due_date', 'visible'] as const) {
      const gs = visibility === 'after_published' ? gradescopeResults(lab, outcome) : gradescopeResults(lab, outcome, { hiddenVisibility: visibility });
      const test = gs.tests[report.scenarios.indexOf(hidden)]!;
      expect(test).toEqual({ name: 'hidden-1: Hidden scenario 1', number: String(report.scenarios.indexOf(hidden) + 1), score: 0, max_score: hidden.maxPoints, status: 'failed', output: 'Failed.', output_format: 'text', visibility });
      expect(JSON.stringify(gs)).not.toContain(hidden.title);
      expect(gs.score).toBe(report.score);
    }
  });

  it('PrairieLearn results.json: gradable, score 0..1, tests with points and max_points, hidden ones redacted', () => {
    const pl = prairieLearnResults(lab, outcome);
    expect(pl.gradable).toBe(true);
    expect(pl.score).toBeCloseTo(report.score / report.maxScore, 10);
    expect(pl.message).toBe(`${report.score}/${report.maxScore} points`);
    expect(pl.format_errors).toBeUndefined();
    expect(pl.tests.map((t) => [t.points, t.max_points])).toEqual(report.scenarios.map((s) => [s.points, s.maxPoints]));
    const at = (s: typeof passing) => pl.tests[report.scenarios.indexOf(s)]!;
    expect(at(passing)).toEqual({ name: passing.title, description: `Scenario ${passing.id} of protocol-binding`, points: passing.points, max_points: passing.maxPoints, message: 'Passed under every seed.', output: '' });
    expect(at(failing)).toMatchObject({ points: 0, message: 'Failed under seed 1.' });
    expect(at(failing).output).toContain(failing.failures[0]);
    expect(at(hidden)).toEqual({ name: 'Hidden scenario 1', description: 'A scenario the instructor keeps hidden.', points: 0, max_points: hidden.maxPoints, message: 'Failed.', output: '' });
    expect(JSON.stringify(pl)).not.toContain(hidden.title);
    expect(JSON.stringify(pl)).not.toContain(hidden.id);
  });

  it('JUnit XML: a testsuite with a testcase per scenario and a failure for each that failed', () => {
    const xml = junitXml(lab, { ...outcome, report: learnerView(report) });
    const failed = report.scenarios.filter((s) => !s.passed).length;
    expect(xml.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n')).toBe(true);
    expect(xml).toContain(`<testsuite name="protocol-binding" tests="${report.scenarios.length}" failures="${failed}" errors="0" skipped="0">`);
    expect(xml).toContain(`<property name="score" value="${report.score}"/>`);
    expect(xml).toContain(`<property name="maxScore" value="${report.maxScore}"/>`);
    expect(xml.match(/<testcase /g)).toHaveLength(report.scenarios.length);
    expect(xml.match(/<failure /g)).toHaveLength(failed);
    expect(xml).toContain(`<testcase classname="protocol-binding" name="${xmlEscape(`${passing.id}: ${passing.title}`)}"/>`);
    const failingCase = xml.slice(xml.indexOf(`name="${xmlEscape(`${failing.id}: ${failing.title}`)}"`));
    expect(failingCase).toMatch(/^[^\n]*>\n {6}<failure type="ScenarioFailed" message="0\/2: failed under seeds 1, 2; shortest failing trace: seed 1 \(\d+ events\)">/);
    expect(xml).toContain('name="hidden-1: Hidden scenario 1">');
    expect(xml).not.toContain(hidden.title);
    expect(xml.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it('GitHub Classroom: the reporter\'s result with each scenario\'s points (its total is the score), hidden ones redacted', () => {
    const result = githubClassroomResult(outcome);
    expect(result).toMatchObject({ version: 1, status: 'fail', max_score: report.maxScore });
    expect(result.tests.reduce((n, t) => n + t.score, 0)).toBe(report.score);
    expect(result.tests.map((t) => t.status)).toEqual(report.scenarios.map((s) => (s.passed ? 'pass' : 'fail')));
    expect(JSON.stringify(result)).not.toContain(hidden.title);
    const timedOut = githubClassroomResult({ status: 'timed out', reason: 'timed out: no result within 30 s', report: zeroReport(lab, 'x') });
    expect(timedOut.status).toBe('error');
    expect(timedOut.tests[0]).toMatchObject({ status: 'error', score: 0, message: 'Not graded: timed out: no result within 30 s' });
  });

  it('text: each scenario, why it failed and the command that replays the shortest failing trace', () => {
    const text = textReport(lab, outcome, 'labs/protocol-binding/mistaken.ts');
    expect(text.split('\n')[0]).toBe(`${lab.title} (protocol-binding): score ${report.score}/${report.maxScore}`);
    expect(text).toContain(`  FAIL   0/${failing.maxPoints}  ${failing.id}: ${failing.title}`);
    expect(text).toContain(`replay: nic-lab run protocol-binding:${failing.id} --driver labs/protocol-binding/mistaken.ts --seed 1 --trace trace.jsonl --pcap capture.pcapng`);
  });
});

describe('escaping and the reports of drivers that never ran', () => {
  it('xmlEscape escapes markup and drops characters XML cannot hold', () => {
    expect(xmlEscape(`a<b>&"c"'d'\u0000\u0007]]>`)).toBe('a&lt;b&gt;&amp;&quot;c&quot;&apos;d&apos;]]&gt;');
  });

  it('a driver whose error message is markup stays inside its <failure> in JUnit', async () => {
    const source = `export function DriverEntry() { throw new Error('</failure></testcase><testcase name="forged"/>'); }`;
    const outcome = outcomeOf(await gradeLab(lab, source, 'evil.ts', references, { seeds: 1 }));
    const xml = junitXml(lab, outcome);
    expect(xml).not.toContain('<testcase name="forged"/>');
    expect(xml).toContain('&lt;/failure&gt;&lt;/testcase&gt;&lt;testcase name=&quot;forged&quot;/&gt;');
    expect(xml.match(/<testcase /g)).toHaveLength(lab.scenarios.length);
  });

  it('a driver that does not compile: status "does not compile"; PrairieLearn gradable false with the message', async () => {
    const outcome = outcomeOf(await gradeLab(lab, 'export function DriverEntry( {', 'broken.ts', references, { seeds: 1 }));
    expect(outcome.status).toBe('does not compile');
    expect(outcome.reason).toMatch(/^broken\.ts: does not compile: /);
    const pl = prairieLearnResults(lab, outcome);
    expect(pl).toMatchObject({ gradable: false, score: 0, format_errors: [outcome.reason] });
    // The text report says why once, then lists the scenarios, with nothing to replay.
    const text = textReport(lab, outcome, 'broken.ts').split('\n');
    expect(text[0]).toBe(`${lab.title} (${lab.id}): score 0/${outcome.report.maxScore}  [does not compile]`);
    expect(text[1]).toBe(`  ${outcome.reason}`);
    expect(text.slice(2)).toEqual(outcome.report.scenarios.map((s) => `  FAIL   0/${s.maxPoints}  ${s.hidden ? '(hidden) ' : ''}${s.id}: ${s.title}`));
  });

  it('terminalSafe shows control characters as text and keeps newlines', () => {
    expect(terminalSafe('\x1b[2J\rscore 10/10\b\x07\x7f\x9b\u202e\tline\nnext')).toBe('\\u001b[2J\\u000dscore 10/10\\u0008\\u0007\\u007f\\u009b\\u202e\\u0009line\nnext');
  });

  it('text: a finding message or an error a driver wrote cannot drive the terminal or pass for a line of the report', async () => {
    const forged = '\x1b[2J\rscore 10/10';
    const report: GradeReport = {
      lab: lab.id, score: 0, maxScore: 2, variants: {}, traceHash: '',
      scenarios: [{ id: 'bind-and-run', title: 'Bind', hidden: false, points: 0, maxPoints: 2, passed: false, failingSeed: 1, shortestFailingSeed: 1, shortestTraceEvents: 5, failingSeeds: [1],
        failures: [`threw Error: ${forged}\n  pass  10/10  everything`], findings: [{ rule: 'R\x1b', driver: 'd\r', message: forged, event: 3 }] }],
    };
    const text = textReport(lab, { status: 'graded', report }, 'x.ts');
    expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
    expect(text).toContain('          finding R\\u001b (d\\u000d, event 3): \\u001b[2J\\u000dscore 10/10');
    // The driver's newline starts a line indented deeper than any of the report's own.
    expect(text).toContain('          threw Error: \\u001b[2J\\u000dscore 10/10\n              pass  10/10  everything');
    // Through a real grade too: a driver that throws the text.
    const thrown = outcomeOf(await gradeLab(lab, `export function DriverEntry() { throw new Error(${JSON.stringify(forged)}); }`, 'evil.ts', references, { seeds: 1 }));
    const real = textReport(lab, thrown, 'evil.ts');
    expect(real).not.toContain('\x1b');
    expect(real).not.toContain('\r');
    expect(real).toContain('\\u001b[2J\\u000dscore 10/10');
    // A crash's reason (said once, above the scenarios) is escaped the same way.
    const crashed = textReport(lab, { status: 'crashed', reason: `crashed: grading stopped with an error (${forged})`, report: zeroReport(lab, 'x') }, 'evil.ts');
    expect(crashed.split('\n')[1]).toBe('  crashed: grading stopped with an error (\\u001b[2J\\u000dscore 10/10)');
  });

  it('timed out, out of memory, crashed, grader error: JUnit <error>s (not failures) with the reason; PrairieLearn and Gradescope say the reason', () => {
    const reason = 'timed out: no result within 30 s';
    const timedOut: GradeOutcome = { status: 'timed out', reason, report: zeroReport(lab, reason), seconds: 30.2 };
    const xml = junitXml(lab, timedOut);
    const n = lab.scenarios.length;
    expect(xml).toContain(`<testsuites name="nic-lab grade" tests="${n}" failures="0" errors="${n}" time="30.200">`);
    expect(xml).toContain(`<testsuite name="protocol-binding" tests="${n}" failures="0" errors="${n}" skipped="0" time="30.200">`);
    expect(xml.match(/<error type="timed out" message="timed out: no result within 30 s">timed out: no result within 30 s<\/error>/g)).toHaveLength(n);
    expect(xml).not.toContain('<failure');
    const pl = prairieLearnResults(lab, timedOut);
    expect(pl.gradable).toBe(true);
    expect(pl.tests.every((t) => t.message === `Not graded: ${reason}`)).toBe(true);
    expect(JSON.stringify(pl)).not.toContain('undefined');
    const gs = gradescopeResults(lab, timedOut);
    expect(gs.execution_time).toBe(30.2);
    expect(gs.output).toBe(`${lab.title}: 0/${zeroReport(lab, reason).maxScore} points. Not graded (timed out): ${reason}`);
    expect(gs.tests.every((t) => t.output === `Not graded: ${reason}` && t.score === 0)).toBe(true);
    expect(gs.extra_data).toMatchObject({ status: 'timed out', reason });
    // The grader's own failure uses up no PrairieLearn attempt.
    const graderError: GradeOutcome = { status: 'grader error', reason: 'grader error: the grading process ended before grading began (exit code 9)', report: zeroReport(lab, 'x') };
    expect(prairieLearnResults(lab, graderError)).toMatchObject({ gradable: false, score: 0, format_errors: [graderError.reason] });
    expect(junitXml(lab, graderError)).toContain('<error type="grader error"');
  });

  it('JUnit time: each testcase its scenario\'s seconds, the suite the whole grade\'s', async () => {
    const seconds: number[] = [];
    const graded = { ...outcomeOf(await gradeLab(lab, lab.solutionSource, 'solution.ts', references, { seeds: 1, onScenarioTime: (i, t) => { seconds[i] = t; } })), scenarioSeconds: seconds, seconds: 1.5 };
    expect(seconds).toHaveLength(lab.scenarios.length);
    const xml = junitXml(lab, graded);
    expect(xml).toContain(`<testsuite name="protocol-binding" tests="${lab.scenarios.length}" failures="0" errors="0" skipped="0" time="1.500">`);
    for (const [i, s] of lab.scenarios.entries()) expect(xml).toContain(`name="${xmlEscape(`${s.id}: ${s.title}`)}" time="${seconds[i]!.toFixed(3)}"/>`);
  });

  it('zeroReport: every scenario failed with the reason, full maxScore', () => {
    const zero = zeroReport(lab, 'timed out: no result within 5 s');
    expect(zero.score).toBe(0);
    expect(zero.maxScore).toBe(lab.scenarios.reduce((n, s) => n + s.points, 0));
    expect(zero.scenarios.every((s) => !s.passed && s.failures[0] === 'timed out: no result within 5 s')).toBe(true);
    expect(gradescopeResults(lab, { status: 'timed out', reason: 'timed out: no result within 5 s', report: zero }).output).toContain('timed out');
  });
});

describe('the shortest failing trace', () => {
  // The solution, except that it lets a pause complete while its sends are still out: whether
  // that is caught depends on where the seed puts the pause among the sends.
  const racy = lab.solutionSource.replace(/return NDIS_STATUS_PENDING;/g, 'return NDIS_STATUS_SUCCESS;');
  const scenario = lab.scenarios.find((s) => s.id === 'traffic-across-a-pause')!;

  it('every seed runs; failingSeed is the first failing one, shortestFailingSeed the one with the fewest events', async () => {
    expect(racy).not.toBe(lab.solutionSource);
    const only = { ...lab, scenarios: [scenario] };
    const firstSeed = 6;
    const seeds = 21;
    const report: GradeReport = await gradeLab(only, racy, 'racy.ts', references, { seeds, firstSeed });
    const runs = [];
    for (let seed = firstSeed; seed < firstSeed + seeds; seed++) runs.push({ seed, ...(await runScenario(only, scenario, racy, 'racy.ts', seed, references)) });
    const failed = runs.filter((r) => !r.passed);
    const shortest = failed.reduce((a, b) => (b.traceLength < a.traceLength ? b : a));
    const s = report.scenarios[0]!;
    expect(runs.some((r) => r.passed)).toBe(true);
    expect(s.failingSeeds).toEqual(failed.map((r) => r.seed));
    expect(s.failingSeed).toBe(failed[0]!.seed);
    expect(s.failures).toEqual(failed[0]!.failures);
    expect(s.shortestFailingSeed).toBe(shortest.seed);
    expect(s.shortestTraceEvents).toBe(shortest.traceLength);
    // Under these seeds the first failure is not the shortest (so both are really computed).
    expect(s.shortestFailingSeed).not.toBe(s.failingSeed);
  });
});

describe('a finding\'s line in the reports', () => {
  it('prints file:line:column beside a finding that has one, and nothing where it has none', async () => {
    const { failureLines } = await import('./reports.ts');
    const { capScenario } = await import('../sandbox/report-check.ts');
    const base = { id: 's', title: 'S', hidden: false, points: 0, maxPoints: 1, passed: false, failures: [] };
    const located = { rule: 'ProtocolSendWhileNotRunning', driver: 'driver', message: 'NdisSendNetBufferLists while the binding is Pausing', event: 55, location: { file: 'driver.ts', line: 42, column: 3 } };
    expect(failureLines({ ...base, findings: [located] })).toEqual(['finding ProtocolSendWhileNotRunning (driver, event 55, driver.ts:42:3): NdisSendNetBufferLists while the binding is Pausing']);
    expect(failureLines({ ...base, findings: [{ ...located, location: undefined }] })).toEqual(['finding ProtocolSendWhileNotRunning (driver, event 55): NdisSendNetBufferLists while the binding is Pausing']);
    // What a grading child sends as a place is kept only if it is one.
    const forged = { ...located, location: { file: 'driver.ts', line: -1, column: 'x' } } as unknown as typeof located;
    expect(capScenario({ ...base, findings: [forged] }).findings[0]!.location).toBeUndefined();
    expect(capScenario({ ...base, findings: [located] }).findings[0]!.location).toEqual(located.location);
  });

  it('says "handler declared at" for a finding whose place is its handler\'s declaration, and keeps that through the child\'s report', async () => {
    const { failureLines } = await import('./reports.ts');
    const { capScenario } = await import('../sandbox/report-check.ts');
    const base = { id: 's', title: 'S', hidden: false, points: 0, maxPoints: 1, passed: false, failures: [] };
    const declared = { rule: 'FilterPauseNeverCompleted', driver: 'driver', message: 'FilterPause returned NDIS_STATUS_PENDING and NdisFPauseComplete had not been called 10 s later', event: 70, location: { file: 'driver.ts', line: 79, column: 5, kind: 'handler' as const } };
    expect(failureLines({ ...base, findings: [declared] })).toEqual([`finding FilterPauseNeverCompleted (driver, event 70, handler declared at driver.ts:79:5): ${declared.message}`]);
    expect(capScenario({ ...base, findings: [declared] }).findings[0]!.location).toEqual(declared.location);
    // Any other kind a child sends is not one: the place stays, as a call's.
    const odd = { ...declared, location: { ...declared.location, kind: 'verdict' } } as unknown as typeof declared;
    expect(capScenario({ ...base, findings: [odd] }).findings[0]!.location).toEqual({ file: 'driver.ts', line: 79, column: 5 });
  });
});
