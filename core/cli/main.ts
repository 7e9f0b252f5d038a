// The `nic-lab` command line: one function per command, each with its own --help. Usage errors
// (an unknown command or flag, a bad value) print one line naming the problem and exit 2.

import { parseArgs, type ParseArgsConfig } from 'node:util';
import { runDemo } from './demo.ts';
import { runBenchCommand, BENCH_NAMES } from './bench.ts';
import { layoutMachine, describeLayout } from '../memory/map.ts';
import { RULES, catalogJson, SEEDS } from '../verifier/rules.ts';
import { runLabsCommand, runGradeCommand } from './grade.ts';

export class UsageError extends Error {}

interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** How many positional arguments it takes (default none). */
  positionals?: number;
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
      for (const r of RULES) console.log(`${r.id}  [${r.severity}, bug check 0x${r.bugCheck.toString(16).toUpperCase()}]\n  ${r.statement}\n  source: ${r.seed}\n`);
      console.log('Seeds: ' + Object.entries(SEEDS).map(([n, s]) => `${n} ${s.title}`).join('; '));
      return 0;
    },
  },
  labs: {
    summary: 'the course, in order',
    usage: 'nic-lab labs [--json]',
    options: { json: { type: 'boolean' } },
    run: async (values) => runLabsCommand(values.json === true),
  },
  grade: {
    summary: 'grade a driver against a lab: every scenario under N seeds',
    usage: 'nic-lab grade <lab-id> <driver.ts|.js> [--seeds N] [--json]',
    options: { seeds: { type: 'string' }, json: { type: 'boolean' } },
    positionals: 2,
    run: async (values, positionals) => runGradeCommand(positionals[0]!, positionals[1]!, { seeds: intOption(values, 'seeds', 8), json: values.json === true }),
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
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number; got "${String(raw)}"`);
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

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    console.log(help());
    return name === undefined ? 2 : 0;
  }
  const command = COMMANDS[name];
  try {
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
    if (positionals.length !== (command.positionals ?? 0)) {
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
