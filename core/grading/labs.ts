// The course on disk: each lab is a folder labs/<id>/ with a lab.json manifest and the files it
// names (instructions, starter, solution). Loading checks all of it and says which file is wrong.

import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseLab, LabFormatError, type Lab } from '../scenario/schema.ts';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const LABS_DIR = join(REPO_ROOT, 'labs');

export interface LoadedLab extends Lab {
  dir: string;
  instructionsText: string;
  starterSource: string;
  solutionSource: string;
}

function readJson(file: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new LabFormatError(relative(REPO_ROOT, file), [{ path: '', message: 'cannot be read' }]);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new LabFormatError(relative(REPO_ROOT, file), [{ path: '', message: `is not JSON: ${(error as Error).message}` }]);
  }
}

/** Loads and checks the lab in `dir` (merging hidden scenarios from `hiddenDir/<id>.json` if given). */
export function loadLab(dir: string, hiddenDir?: string): LoadedLab {
  const manifest = join(dir, 'lab.json');
  const data = readJson(manifest) as { scenarios?: unknown[]; id?: unknown };
  if (hiddenDir && typeof data.id === 'string') {
    const extra = join(hiddenDir, `${data.id}.json`);
    if (existsSync(extra)) {
      const hidden = readJson(extra) as { scenarios?: unknown[] };
      if (!Array.isArray(hidden.scenarios)) throw new LabFormatError(relative(REPO_ROOT, extra) || extra, [{ path: 'scenarios', message: 'expected an array of scenarios' }]);
      data.scenarios = [...(data.scenarios ?? []), ...hidden.scenarios.map((s) => ({ hidden: true, ...(s as object) }))];
    }
  }
  const lab = parseLab(data, relative(REPO_ROOT, manifest));
  const read = (name: string, field: string) => {
    const path = join(dir, name);
    if (!existsSync(path)) throw new LabFormatError(relative(REPO_ROOT, manifest), [{ path: field, message: `names ${name}, which does not exist in ${relative(REPO_ROOT, dir)}` }]);
    return readFileSync(path, 'utf8');
  };
  return {
    ...lab,
    dir,
    instructionsText: read(lab.instructions, 'instructions'),
    starterSource: read(lab.starter, 'starter'),
    solutionSource: read(lab.solution, 'solution'),
  };
}

/** Every lab in labs/, in course order. */
export function listLabs(root = LABS_DIR): LoadedLab[] {
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'lab.json')) && statSync(join(root, name)).isDirectory())
    .map((name) => loadLab(join(root, name)))
    .sort((a, b) => a.order - b.order);
}

/** The lab with this id, or a clear error listing the ones that exist. */
export function labById(id: string, hiddenDir?: string): LoadedLab {
  const dir = join(LABS_DIR, id);
  if (!/^[a-z0-9-]+$/.test(id) || !existsSync(join(dir, 'lab.json'))) {
    throw new RangeError(`no lab "${id}"; the labs are ${listLabs().map((l) => l.id).join(', ')}`);
  }
  return loadLab(dir, hiddenDir);
}

/** The reference drivers the scenarios load beside the learner's. */
export function referenceDrivers(): { protocol: string; filter: string } {
  return {
    protocol: readFileSync(join(LABS_DIR, 'reference', 'protocol.ts'), 'utf8'),
    filter: readFileSync(join(LABS_DIR, 'reference', 'counting-filter.ts'), 'utf8'),
  };
}
