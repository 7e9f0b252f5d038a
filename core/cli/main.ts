// The `nic-lab` command line: one function per command, each with its own --help. Usage errors
// (an unknown command or flag, a bad value) print one line naming the problem and exit 2.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runDemo } from './demo.ts';
import { runBenchCommand, BENCH_NAMES } from './bench.ts';
import { layoutMachine, describeLayout } from '../memory/map.ts';
import { RULES, catalogJson, SEEDS } from '../verifier/rules.ts';
import { runLabsCommand, runGradeCommand, runRunCommand, runGradeBatchCommand, runMergeCommand, limitsFrom, checkSeeds, LABS_INCOMPLETE_EXIT, MAX_JOBS, MIN_SCORE_EXIT } from './grade.ts';
import { DEFAULT_LIMITS, DEFAULT_HANG_MS } from '../sandbox/sandbox.ts';
import { runLabCheckCommand, runLabNewCommand, runLabScenariosCommand, DEFAULT_SEEDS } from './lab.ts';
import { UsageError } from './usage.ts';

export { UsageError };

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes (default none). */
  positionals?: number;
  /** How many of those may be left out (default none). */
  optionalPositionals?: number;
  run(values: Record<string, string | boolean | undefined>, positionals: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  demo: {
    summary: 'two virtual e1000 NICs on a faulty cable, stepped frame by frame',
    usage: 'nic-lab demo [--seed N] [--frames N]',
    options: { seed: { type: 'string' }, frames: { type: 'string' } },
    run: async (values) => runDemo({ seed: intOption(values, 'seed', 1), frames: intOption(values, 'frames', 200) }),
  },
  bench: {
    summary: 'measure the datapath (median of several runs); --json for one JSON object',
    usage: `nic-lab bench [--json] [--quick] [--only NAME[,NAME...]]\n  names: ${BENCH_NAMES.join(', ')}`,
    options: { json: { type: 'boolean' }, quick: { type: 'boolean' }, only: { type: 'string' } },
    run: async (values) => runBenchCommand({ json: values.json === true, quick: values.quick === true, only: typeof values.only === 'string' ? values.only.split(',') : undefined }),
  },
  rules: {
    summary: 'the verifier\'s rule catalog: id, statement, where NDIS says so, severity',
    usage: 'nic-lab rules [--json]',
    options: { json: { type: 'boolean' } },
    run: async (values) => {
      if (values.json) {
        console.log(JSON.stringify(catalogJson(), null, 2));
        return 0;
      }
      for (const r of RULES) console.log(`${r.id}  [${r.severity}, bug check 0x${r.bugCheck.toString(16).toUpperCase()}]\n  ${r.statement}\n  source: ${r.seed}\n${r.driverVerifier ? `  Driver Verifier: ${r.driverVerifier}${r.bugCheckParameter1 !== undefined ? ` (0xC4, Parameter 1 0x${r.bugCheckParameter1.toString(16).toUpperCase().padStart(8, '0')})` : ''}\n` : ''}`);
      console.log('Seeds: ' + Object.entries(SEEDS).map(([n, s]) => `${n} ${s.title}`).join('; '));
      return 0;
    },
  },
  labs: {
    summary: 'the course in order, or the labs of a folder',
    usage: `nic-lab labs [DIR] [--json]

  DIR     a folder of labs (each a folder with a lab.json), or one lab folder (default: the course)
  --json  [{ id, title, order, kind, seed, dir, starter, solution }]
A lab that does not load is named with its error on stderr and the others are listed;
exit status: 0 when every lab loaded, ${LABS_INCOMPLETE_EXIT} when one did not, 2 for unusable input`,
    options: { json: { type: 'boolean' } },
    positionals: 1,
    optionalPositionals: 1,
    run: async (values, positionals) => runLabsCommand(values.json === true, positionals[0]),
  },
  grade: {
    summary: 'grade a driver against a lab: every scenario under N seeds, in a sandboxed child process',
    usage: `nic-lab grade <lab> <driver.ts|.js> [--seeds N] [--student ID] [--hidden DIR] [--json]
         [--junit FILE] [--gradescope FILE] [--hidden-visibility V] [--prairielearn FILE]
         [--github-classroom FILE] [--reveal-hidden] [--min-score N]
         [--time-limit SECONDS] [--hang-limit SECONDS] [--memory-limit MIB] [--in-process] [--tmp DIR]

  <lab>                a lab folder (a path with a /, or a folder here with a lab.json), or a course lab's id
  --seeds N            seeds per scenario (default 8); a scenario passes only under all of them
  --student ID         the student whose variant of the lab's values the scenarios use
  --hidden DIR         add the hidden scenarios in DIR/<lab id>.json (the id in the lab's lab.json)
  --json               print the report as JSON instead of text
  --junit FILE         also write JUnit XML (a testcase per scenario)
  --gradescope FILE    also write Gradescope's results.json (a test per scenario, output_format "text")
  --hidden-visibility V  hidden scenarios' Gradescope tests: hidden, after_due_date, after_published
                       (default) or visible; "hidden" hides the student's total on Gradescope too, the
                       others show those tests as points and pass/fail only
  --prairielearn FILE  also write PrairieLearn's results.json (score 0..1; gradable false if it does
                       not compile or the grader failed)
  --github-classroom FILE  also write the result GitHub Classroom's autograding reporter reads (base64 it)
  --reveal-hidden      show hidden scenarios' names, seeds and failures (instructors; learners see pass/fail only)
  --min-score N        exit ${MIN_SCORE_EXIT} when the score is below N points (a CI check that must pass)
  --time-limit S       wall-clock limit for grading (default ${DEFAULT_LIMITS.timeLimitMs / 1000}, at least 1); the child is killed after it
  --hang-limit S       wall-clock seconds the driver may keep control, one handler call with what it
                       leads to (default ${DEFAULT_HANG_MS / 1000}): past it the handler is named in a DriverHung finding,
                       that scenario scores 0 and the others are graded in a fresh child
  --memory-limit MIB   memory limit of the child, a whole number of MiB (default ${DEFAULT_LIMITS.memoryMiB}, at least 256)
  --in-process         grade in this process, without the sandbox: faster, for trusted drivers only
                       (nothing stops a driver that hangs there)
  --tmp DIR            the only folder nic-lab may write temporary files in (its TypeScript cache)
exit status: 0 when graded, whatever the score (unless --min-score); 1 below --min-score;
2 for unusable input; 3 when the grader itself failed`,
    options: {
      seeds: { type: 'string' }, student: { type: 'string' }, hidden: { type: 'string' }, json: { type: 'boolean' },
      junit: { type: 'string' }, gradescope: { type: 'string' }, prairielearn: { type: 'string' }, 'reveal-hidden': { type: 'boolean' },
      'hidden-visibility': { type: 'string' }, 'github-classroom': { type: 'string' }, 'min-score': { type: 'string' },
      'time-limit': { type: 'string' }, 'hang-limit': { type: 'string' }, 'memory-limit': { type: 'string' }, 'in-process': { type: 'boolean' },
    },
    positionals: 2,
    run: async (values, positionals) => runGradeCommand(positionals[0]!, positionals[1]!, {
      seeds: intOption(values, 'seeds', 8), student: stringOption(values, 'student'), hidden: stringOption(values, 'hidden'), json: values.json === true,
      junit: stringOption(values, 'junit'), gradescope: stringOption(values, 'gradescope'), prairielearn: stringOption(values, 'prairielearn'),
      githubClassroom: stringOption(values, 'github-classroom'), hiddenVisibility: stringOption(values, 'hidden-visibility'), minScore: numberOption(values, 'min-score'),
      inProcess: values['in-process'] === true, revealHidden: values['reveal-hidden'] === true,
      limits: limitsFrom(numberOption(values, 'time-limit'), numberOption(values, 'memory-limit'), numberOption(values, 'hang-limit')),
    }),
  },
  run: {
    summary: 'run one scenario of a lab under one seed; write its packet capture and trace',
    usage: `nic-lab run <lab>[:<scenario>] --driver FILE [--seed N] [--student ID] [--hidden DIR] [--pcap FILE] [--trace FILE] [--hang-limit S]

  <lab>          a lab folder or a course lab's id, as for grade
  <scenario>     the scenario's id (default: the lab's first scenario)
  --driver FILE  the driver to run (each driver on a thread of its own, confined, as in the web lab)
  --hidden DIR   add the hidden scenarios in DIR/<lab id>.json, to replay one of them
  --seed N       the seed (default 1); grade reports name the shortest failing one
  --student ID   the student whose variant of the lab's values the scenario uses
  --pcap FILE    write the frames on the wire as pcapng (Wireshark, tshark)
  --trace FILE   write the trace as JSON lines; the same seed writes the same bytes
  --hang-limit S wall-clock seconds a handler may take (default ${DEFAULT_HANG_MS / 1000}): past it its thread is
                 stopped and the run ends with a DriverHung finding naming the handler
Prints pass or fail, each failure and finding, and the trace's SHA-256. Exit 0 when it ran.`,
    options: { driver: { type: 'string' }, seed: { type: 'string' }, student: { type: 'string' }, hidden: { type: 'string' }, pcap: { type: 'string' }, trace: { type: 'string' }, 'hang-limit': { type: 'string' } },
    positionals: 1,
    run: async (values, positionals) => runRunCommand(positionals[0]!, {
      driver: stringOption(values, 'driver'), seed: intOption(values, 'seed', 1), student: stringOption(values, 'student'), hidden: stringOption(values, 'hidden'),
      pcap: stringOption(values, 'pcap'), trace: stringOption(values, 'trace'), hangLimitMs: limitsFrom(undefined, undefined, numberOption(values, 'hang-limit')).hangMs,
    }),
  },
  'grade-batch': {
    summary: 'grade a class: every submission in a folder, sandboxed, a JSON report each and a CSV',
    usage: `nic-lab grade-batch <lab> <dir-of-submissions> [--out DIR] [--shard i/n] [--seeds N] [--hidden DIR]
         [--jobs N] [--time-limit SECONDS] [--hang-limit SECONDS] [--memory-limit MIB] [--student-id-from S] [--regrade]
         [--in-process] [--tmp DIR]

  a submission is a .ts/.js file in the folder, or a subfolder holding one; its name is the student id
  --out DIR            where <submission>.json and class.csv go (default grades)
  --shard i/n          grade only the i-th of n slices of the sorted submissions (a CI matrix)
  --seeds N            seeds per scenario (default 8)
  --hidden DIR         add the hidden scenarios in DIR/<lab id>.json
  --jobs N             child processes at a time (default 2, at most ${MAX_JOBS})
  --time-limit S       wall-clock limit per submission (default ${DEFAULT_LIMITS.timeLimitMs / 1000}, at least 1): past it the
                       submission scores zero, "timed out"
  --hang-limit S       wall-clock seconds a driver may keep control (default ${DEFAULT_HANG_MS / 1000}): a driver that hangs is
                       stopped with DriverHung, that scenario scores 0 and the others are graded
  --memory-limit MIB   memory limit per submission, a whole number of MiB (default ${DEFAULT_LIMITS.memoryMiB}, at least 256)
  --student-id-from S  the student id that picks a submission's variant values: folder-name (default:
                       the subfolder's name, or the file's name without .ts/.js), file-name (the
                       driver file's name without .ts/.js, inside a subfolder too), or csv:PATH (a CSV
                       with the columns submission,student naming every submission)
  --tmp DIR            the only folder nic-lab may write temporary files in (its TypeScript cache)
  --regrade            grade every submission again (default: keep a report made for the same lab,
                       options and submission file, so a rerun after a crash grades only the rest)
  --in-process         grade in this process, without the sandbox: for trusted submissions only
Each report is written as soon as its submission is graded; class.csv is built from the reports.
A submission that runs out of time, crashes or does not compile gets zero and the reason; one that
hangs loses the scenarios it hangs in; the batch goes on.
exit status: 0 when the class was graded; 2 for unusable input; 3 when the grader itself failed for any submission`,
    options: {
      out: { type: 'string' }, shard: { type: 'string' }, seeds: { type: 'string' }, hidden: { type: 'string' }, jobs: { type: 'string' },
      'time-limit': { type: 'string' }, 'hang-limit': { type: 'string' }, 'memory-limit': { type: 'string' }, 'in-process': { type: 'boolean' }, regrade: { type: 'boolean' },
      'student-id-from': { type: 'string' },
    },
    positionals: 2,
    run: async (values, positionals) => runGradeBatchCommand(positionals[0]!, positionals[1]!, {
      seeds: intOption(values, 'seeds', 8), hidden: stringOption(values, 'hidden'), out: stringOption(values, 'out') ?? 'grades',
      shard: stringOption(values, 'shard'), jobs: intOption(values, 'jobs', 2), inProcess: values['in-process'] === true, regrade: values.regrade === true,
      studentIdFrom: stringOption(values, 'student-id-from'),
      limits: limitsFrom(numberOption(values, 'time-limit'), numberOption(values, 'memory-limit'), numberOption(values, 'hang-limit')),
    }),
  },
  merge: {
    summary: "join the report folders of several grade-batch runs (a CI matrix's shards) into one class.csv",
    usage: `nic-lab merge <report-dir>... --out DIR

  <report-dir>  a grade-batch --out folder (its <submission>.json reports)
  --out DIR     where every report and class.csv go
A submission reported in two folders is kept once if the reports are equal, and refused (both
files named) if they differ; reports of different labs are refused. Exit 0, or 2 for unusable input.`,
    options: { out: { type: 'string' } },
    positionals: 64,
    optionalPositionals: 64,
    run: async (values, positionals) => {
      const out = stringOption(values, 'out');
      if (out === undefined) throw new UsageError('merge needs --out DIR (where class.csv goes)');
      return runMergeCommand(positionals, out);
    },
  },
  'lab check': {
    summary: 'validate a lab the way grading uses it: its files, scenarios, hidden file, starter and solution',
    usage: `nic-lab lab check <dir> [--seeds N] [--hidden DIR] [--in-process] [--time-limit S] [--hang-limit S] [--memory-limit MIB]

  checks, each printed with pass or FAIL: lab.json is JSON and matches the schema; every file it names
  is there; the hidden file DIR/<lab id>.json (with --hidden) is valid for the lab and all hidden;
  the starter compiles and runs and earns nothing (it fails every scored scenario); the solution
  scores full marks under every seed (and for other students' variant values, if the lab has variants)
  --seeds N            seeds per scenario (default ${DEFAULT_SEEDS})
  --hidden DIR         check DIR/<lab id>.json too, and grade the starter and solution with it
  --in-process         grade in this process rather than in the sandbox grading uses (faster)
  --time-limit S, --hang-limit S, --memory-limit MIB   the sandbox's limits, as for grade
exit status: 0 when every check passes, 1 when one fails, 2 for unusable input`,
    options: { seeds: { type: 'string' }, hidden: { type: 'string' }, 'in-process': { type: 'boolean' }, 'time-limit': { type: 'string' }, 'hang-limit': { type: 'string' }, 'memory-limit': { type: 'string' } },
    positionals: 1,
    run: async (values, positionals) => {
      const seeds = intOption(values, 'seeds', DEFAULT_SEEDS);
      checkSeeds(seeds);
      return runLabCheckCommand(positionals[0]!, {
        seeds, hidden: stringOption(values, 'hidden'), inProcess: values['in-process'] === true,
        limits: limitsFrom(numberOption(values, 'time-limit'), numberOption(values, 'memory-limit'), numberOption(values, 'hang-limit')),
      });
    },
  },
  'lab new': {
    summary: 'write a new lab that passes lab check as it stands: lab.json, instructions, starter, solution',
    usage: `nic-lab lab new <dir> [--kind protocol|filter] [--id ID] [--title TEXT]

  <dir>          a new or empty folder; its name is the lab's id unless --id
  --kind K       the learner writes a protocol (default) or a filter driver
  --id ID        the lab's id (lowercase letters, digits and dashes)
  --title TEXT   the lab's title (default: from the id)
Nothing is overwritten: a folder that is not empty is refused.`,
    options: { kind: { type: 'string' }, id: { type: 'string' }, title: { type: 'string' } },
    positionals: 1,
    run: async (values, positionals) => runLabNewCommand(positionals[0]!, { kind: stringOption(values, 'kind'), id: stringOption(values, 'id'), title: stringOption(values, 'title') }),
  },
  'lab scenarios': {
    summary: "list a lab's scenarios: id, title, points, hidden or not, the seeds each runs under",
    usage: `nic-lab lab scenarios <lab> [--hidden DIR] [--json]

  <lab>         a lab folder or a course lab's id, as for grade
  --hidden DIR  add the hidden scenarios in DIR/<lab id>.json
  --json        [{ id, title, points, hidden, seeds, ownSeeds }] (ownSeeds: the scenario names its seeds; else --seeds decides, default ${DEFAULT_SEEDS})`,
    options: { hidden: { type: 'string' }, json: { type: 'boolean' } },
    positionals: 1,
    run: async (values, positionals) => runLabScenariosCommand(positionals[0]!, { hidden: stringOption(values, 'hidden'), json: values.json === true }),
  },
  'memory-map': {
    summary: 'print where every region of a machine lives in the shared memory',
    usage: 'nic-lab memory-map [--nics N]',
    options: { nics: { type: 'string' } },
    run: async (values) => {
      console.log(describeLayout(layoutMachine({ nics: intOption(values, 'nics', 2) })));
      return 0;
    },
  },
};

function intOption(values: Record<string, unknown>, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  if (raw === '') throw new UsageError(`--${name} is empty; it needs a whole number (e.g. --${name}=${fallback})`);
  const n = Number(raw);
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new UsageError(`--${name} must be a whole number; got "${String(raw)}"`);
  return n;
}

function stringOption(values: Record<string, unknown>, name: string): string | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw === '') throw new UsageError(`--${name} needs a value`);
  return raw;
}

function numberOption(values: Record<string, unknown>, name: string): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (raw === '') throw new UsageError(`--${name} is empty; it needs a number`);
  const n = Number(raw);
  if (!Number.isFinite(n) || String(raw).trim() === '') throw new UsageError(`--${name} must be a number; got "${String(raw)}"`);
  return n;
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    'nic-lab: an emulated e1000 NIC and the NDIS lab around it',
    '',
    'usage: nic-lab <command> [options]     nic-lab <command> --help',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
  ].join('\n');
}

/** `lab <subcommand>` is one command of the table under the name "lab <subcommand>". */
function commandName(argv: string[]): { name: string | undefined; rest: string[] } {
  const [first, second, ...others] = argv;
  if (first === 'lab') {
    if (second === undefined || second.startsWith('-')) throw new UsageError(`lab needs a subcommand: ${Object.keys(COMMANDS).filter((c) => c.startsWith('lab ')).map((c) => c.slice(4)).join(', ')} (nic-lab lab check --help)`);
    if (!COMMANDS[`lab ${second}`]) throw new UsageError(`unknown command "lab ${second}"; the lab commands: ${Object.keys(COMMANDS).filter((c) => c.startsWith('lab ')).join(', ')}`);
    return { name: `lab ${second}`, rest: others };
  }
  return { name: first, rest: argv.slice(1) };
}

export async function main(argv: string[]): Promise<number> {
  if (argv[0] === undefined || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    console.log(help());
    return argv[0] === undefined ? 2 : 0;
  }
  try {
    const { name, rest } = commandName(argv);
    const command = COMMANDS[name!];
    if (!command) throw new UsageError(`unknown command "${name}"; commands: ${Object.keys(COMMANDS).join(', ')}`);
    const { values, positionals } = (() => {
      try {
        return parseArgs({ args: rest, options: { ...command.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: (command.positionals ?? 0) > 0, strict: true });
      } catch (error) {
        throw new UsageError(`${name}: ${(error as Error).message.split('\n')[0]}`);
      }
    })();
    if (values.help) {
      console.log(`${command.summary}\n\nusage: ${command.usage}`);
      return 0;
    }
    if (positionals.length > (command.positionals ?? 0) || positionals.length < (command.positionals ?? 0) - (command.optionalPositionals ?? 0)) {
      throw new UsageError(`${name} takes ${command.positionals ?? 0} argument(s); got ${positionals.length} (usage: ${command.usage.split('\n')[0]})`);
    }
    return await command.run(values as Record<string, string | boolean | undefined>, positionals);
  } catch (error) {
    if (error instanceof UsageError || error instanceof RangeError) {
      console.error(`nic-lab: ${error.message}`);
      return 2;
    }
    throw error;
  }
}
