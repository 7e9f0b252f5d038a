// Labs on disk: a lab is a folder with a lab.json manifest and the files it names (instructions,
// starter, solution, and optionally its own reference drivers), in the course's labs/ or anywhere
// an instructor keeps one. Loading checks all of it and says which file is wrong, and where: a
// JSON error or a schema error gives the file, the line and the column.

import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative, resolve, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseTree, findNodeAtLocation, printParseErrorCode, type ParseError, type Node as JsonNode } from 'jsonc-parser';
import { parseLab, parseHiddenScenarios, LabFormatError, type Lab, type Locator } from '../scenario/schema.ts';
import type { ReferenceDrivers } from '../scenario/runner.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LABS_DIR = join(REPO_ROOT, 'labs');
const COURSE_REFERENCES = join(LABS_DIR, 'reference');

export interface LoadedLab extends Lab {
  dir: string;
  instructionsText: string;
  starterSource: string;
  solutionSource: string;
}

/** A lab that is not there (not a folder with a lab.json, not a course lab's id): a usage error. */
export class LabNotFoundError extends RangeError {
  override name = 'LabNotFoundError';
}

/** `--hidden DIR` has no `<lab id>.json` for this lab. */
export class HiddenFileMissingError extends RangeError {
  override name = 'HiddenFileMissingError';
  constructor(readonly hiddenDir: string, readonly labId: string) {
    super(`${hiddenDir} has no ${labId}.json (the hidden scenarios of the lab "${labId}")`);
  }
}

/**
 * How a file is named in messages: inside the repository, from its root (labs/x/lab.json);
 * elsewhere, from the current folder if it is below it, else in full.
 */
export function displayPath(file: string): string {
  const absolute = resolve(file);
  for (const base of [REPO_ROOT, process.cwd()]) {
    const rel = relative(base, absolute);
    if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) return rel;
  }
  return absolute;
}

const PARSE_ERRORS: Record<string, string> = {
  InvalidSymbol: 'unexpected character',
  InvalidNumberFormat: 'a malformed number',
  PropertyNameExpected: 'expected a property name in double quotes',
  ValueExpected: 'expected a value',
  ColonExpected: 'expected a colon (:)',
  CommaExpected: 'expected a comma (,) or the end of the object or array',
  CloseBraceExpected: 'expected a closing brace (})',
  CloseBracketExpected: 'expected a closing bracket (])',
  EndOfFileExpected: 'expected the end of the file (text after the JSON value)',
  InvalidCommentToken: 'comments are not JSON',
  UnexpectedEndOfComment: 'comments are not JSON',
  UnexpectedEndOfString: 'a string that does not end on its line',
  UnexpectedEndOfNumber: 'a malformed number',
  InvalidUnicode: 'a malformed \\u escape',
  InvalidEscapeCharacter: 'an invalid escape in a string',
  InvalidCharacter: 'a control character inside a string',
};

/** Line and column (1-based) of a character offset in `text`. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: Math.min(offset, text.length) - lineStart + 1 };
}

/** A JSON file's value and a locator for paths inside it; a LabFormatError with line and column if it is not JSON. */
export function readJsonFile(file: string): { data: unknown; locate: Locator } {
  const name = displayPath(file);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new LabFormatError(name, [{ path: '', message: `cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})` }]);
  }
  // A byte order mark is not JSON, but editors write one; skip it as Node's own loaders do.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { disallowComments: true, allowTrailingComma: false, allowEmptyContent: false });
  let data: unknown;
  try {
    if (errors.length > 0) throw new SyntaxError('');
    data = JSON.parse(text);
  } catch (error) {
    // jsonc-parser knows where; JSON.parse is the judge of what JSON is (they agree on JSON).
    const first = errors[0];
    const offset = first?.offset ?? Number(/at position (\d+)/.exec((error as Error).message)?.[1] ?? text.length);
    const what = first ? PARSE_ERRORS[printParseErrorCode(first.error)] ?? printParseErrorCode(first.error) : (error as Error).message.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/s, '');
    throw new LabFormatError(name, [{ path: '', message: `not valid JSON: ${text.trim() === '' ? 'the file is empty' : what}`, ...lineAndColumn(text, offset) }]);
  }
  const locate: Locator = (path) => {
    if (!tree) return undefined;
    // The deepest node the path reaches (a missing field: the object that should have it).
    for (let n = path.length; n >= 0; n--) {
      const node: JsonNode | undefined = findNodeAtLocation(tree, [...path.slice(0, n)]);
      if (node) return lineAndColumn(text, node.parent?.type === 'property' && n > 0 ? node.parent.offset : node.offset);
    }
    return undefined;
  };
  return { data, locate };
}

/** The lab.json in `dir`, checked. */
export function readManifest(dir: string): Lab {
  const file = join(dir, 'lab.json');
  const { data, locate } = readJsonFile(file);
  return parseLab(data, displayPath(file), locate);
}

/**
 * A file the manifest names (`field`, a dotted path in lab.json), or a LabFormatError naming the
 * manifest, the field and its line and column.
 */
export function readLabFile(dir: string, name: string, field: string): string {
  const path = resolve(dir, name);
  const manifestFile = join(dir, 'lab.json');
  const problem = (message: string) => {
    let at: { line: number; column: number } | undefined;
    try {
      at = readJsonFile(manifestFile).locate(field.split('.'));
    } catch {
      at = undefined; // the manifest was read a moment ago; if it is gone now, the field still says where
    }
    return new LabFormatError(displayPath(manifestFile), [{ path: field, message, ...(at ?? {}) }]);
  };
  const rel = relative(resolve(dir), path);
  if (rel.startsWith('..') || isAbsolute(rel)) throw problem(`names ${name}, which is outside the lab's folder`);
  if (!existsSync(path) || !statSync(path).isFile()) throw problem(`names ${name}, which does not exist in ${displayPath(dir)}`);
  return readFileSync(path, 'utf8');
}

/** The hidden scenarios of `lab` from `hiddenDir/<lab id>.json` (found by the id in lab.json, whatever the folder is called). */
export function readHiddenScenarios(lab: Lab, dir: string, hiddenDir: string): Lab['scenarios'] {
  const file = join(hiddenDir, `${lab.id}.json`);
  if (!existsSync(file)) throw new HiddenFileMissingError(displayPath(hiddenDir), lab.id);
  const { data, locate } = readJsonFile(file);
  return parseHiddenScenarios(data, displayPath(file), lab, displayPath(join(dir, 'lab.json')), locate);
}

/** Loads and checks the lab in `dir` (with the hidden scenarios from `hiddenDir/<id>.json` if given). */
export function loadLab(dir: string, hiddenDir?: string): LoadedLab {
  const lab = readManifest(dir);
  const hidden = hiddenDir === undefined ? [] : readHiddenScenarios(lab, dir, hiddenDir);
  for (const [kind, name] of Object.entries(lab.references ?? {})) if (name !== undefined) readLabFile(dir, name, `references.${kind}`);
  return {
    ...lab,
    scenarios: [...lab.scenarios, ...hidden],
    dir,
    instructionsText: readLabFile(dir, lab.instructions, 'instructions'),
    starterSource: readLabFile(dir, lab.starter, 'starter'),
    solutionSource: readLabFile(dir, lab.solution, 'solution'),
  };
}

/** The folders in `root` that hold a lab.json. */
export function labFolders(root: string): string[] {
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'lab.json')) && statSync(join(root, name)).isDirectory())
    .sort()
    .map((name) => join(root, name));
}

/** Every lab in a folder of labs, in course order, and each one that did not load with why. */
export function scanLabs(root = LABS_DIR): { labs: LoadedLab[]; problems: { dir: string; message: string }[] } {
  const labs: LoadedLab[] = [];
  const problems: { dir: string; message: string }[] = [];
  for (const dir of labFolders(root)) {
    try {
      const lab = loadLab(dir);
      const twin = labs.find((l) => l.id === lab.id);
      if (twin) throw new LabFormatError(displayPath(join(dir, 'lab.json')), [{ path: 'id', message: `"${lab.id}" is also the id of ${displayPath(twin.dir)}` }]);
      labs.push(lab);
    } catch (error) {
      if (!(error instanceof LabFormatError)) throw error;
      problems.push({ dir, message: error.message });
    }
  }
  labs.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));
  return { labs, problems };
}

/** Every lab in labs/, in course order; throws if any does not load. */
export function listLabs(root = LABS_DIR): LoadedLab[] {
  const { labs, problems } = scanLabs(root);
  if (problems.length > 0) throw new LabFormatError(displayPath(root), problems.map((p) => ({ path: displayPath(p.dir), message: p.message })));
  return labs;
}

/** The ids of the course's labs that load, in course order (for messages). */
export function courseLabIds(): string[] {
  return scanLabs(LABS_DIR).labs.map((lab) => lab.id);
}

/** The course lab with this id, or a clear error listing the ones that exist. */
export function labById(id: string, hiddenDir?: string): LoadedLab {
  const dir = join(LABS_DIR, id);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(join(dir, 'lab.json'))) {
    throw new LabNotFoundError(`no such lab "${id}": the course has no lab of that id, and it is not a lab folder (the course's labs: ${courseLabIds().join(', ')})`);
  }
  return loadLab(dir, hiddenDir);
}

/** Whether a lab argument names a folder: it has a path separator, or it is a folder with a lab.json. */
export function isLabFolderArgument(ref: string): boolean {
  return /[\\/]/.test(ref) || ref === '.' || ref === '..' || (existsSync(join(ref, 'lab.json')) && statSync(ref).isDirectory());
}

/** The folder a lab argument names (a lab folder anywhere, or a course lab's id). */
export function labFolder(ref: string): string {
  if (!isLabFolderArgument(ref)) {
    if (/^[a-z0-9-]+$/.test(ref) && existsSync(join(LABS_DIR, ref, 'lab.json'))) return join(LABS_DIR, ref);
    throw new LabNotFoundError(`no such lab "${ref}": the course has no lab of that id, and it is not a lab folder (the course's labs: ${courseLabIds().join(', ')})`);
  }
  if (!existsSync(ref)) throw new LabNotFoundError(`no such lab folder ${ref}`);
  if (!statSync(ref).isDirectory()) throw new LabNotFoundError(`${ref} is not a folder (a lab is a folder with a lab.json)`);
  if (!existsSync(join(ref, 'lab.json'))) throw new LabNotFoundError(`${ref} has no lab.json (a lab is a folder with a lab.json)`);
  return resolve(ref);
}

/** The lab a command-line argument names: a lab folder anywhere, or a course lab's id. */
export function resolveLab(ref: string, hiddenDir?: string): LoadedLab {
  return loadLab(labFolder(ref), hiddenDir);
}

/**
 * The reference drivers the scenarios load beside the learner's: the lab's own where its
 * lab.json names them (`references`), else the course's (labs/reference/).
 */
export function referenceDrivers(lab?: Pick<LoadedLab, 'dir' | 'references'>): ReferenceDrivers {
  const own = lab?.references ?? {};
  return {
    protocol: own.protocol !== undefined ? readLabFile(lab!.dir, own.protocol, 'references.protocol') : readFileSync(join(COURSE_REFERENCES, 'protocol.ts'), 'utf8'),
    filter: own.filter !== undefined ? readLabFile(lab!.dir, own.filter, 'references.filter') : readFileSync(join(COURSE_REFERENCES, 'counting-filter.ts'), 'utf8'),
  };
}
