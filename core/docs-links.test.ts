// Every relative link in the repository's Markdown resolves: the file exists, and a #fragment into
// a Markdown file names one of its headings (GitHub's slugs). A README that points at a moved file
// fails here, not in a newcomer's browser.

import { describe, it, expect } from 'vitest';
import { readdirSync, readFileSync, statSync, existsSync } from 'node:fs';
import { join, dirname, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = normalize(join(dirname(fileURLToPath(import.meta.url)), '..'));
const SKIP = new Set(['node_modules', 'dist', 'build', '.git', 'grades']);

// The seed documents are verbatim copies of pages of the NDIS documentation (labs/seeds/README.md):
// their relative links point into that documentation set, not into this repository.
const VERBATIM = new Set([join('labs', 'seeds')]);

function markdownFiles(dir = ''): string[] {
  const out: string[] = [];
  for (const name of readdirSync(join(ROOT, dir))) {
    if (SKIP.has(name)) continue;
    const path = join(dir, name);
    if (VERBATIM.has(path)) continue;
    if (statSync(join(ROOT, path)).isDirectory()) out.push(...markdownFiles(path));
    else if (name.endsWith('.md')) out.push(path);
  }
  return out;
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
export function slug(heading: string): string {
  return heading.trim().toLowerCase().replace(/`/g, '').replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = slug(m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1'));
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** The relative link targets of a Markdown file (code blocks and inline code left out). */
function linksOf(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '').replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));
}

describe('links in the Markdown', () => {
  const files = markdownFiles();

  it('finds the documents', () => {
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(5);
    expect(linksOf('core/grading/README.md')).toContain('../../labs/README.md#hidden-scenarios');
  });

  it('every relative link resolves to a file, and every #fragment into Markdown to a heading', () => {
    const broken: string[] = [];
    for (const file of files) {
      for (const target of linksOf(file)) {
        const [path, fragment] = target.split('#') as [string, string | undefined];
        const resolved = path === '' ? file : relative(ROOT, normalize(join(ROOT, dirname(file), decodeURIComponent(path))));
        if (!existsSync(join(ROOT, resolved))) {
          broken.push(`${file}: (${target}) -> ${resolved} does not exist`);
          continue;
        }
        if (fragment && resolved.endsWith('.md') && !anchorsOf(resolved).has(fragment.toLowerCase())) {
          broken.push(`${file}: (${target}) -> no heading #${fragment} in ${resolved}`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('slugs headings as GitHub does', () => {
    expect(slug('Grading untrusted code: the threat model')).toBe('grading-untrusted-code-the-threat-model');
    expect(slug('Run a course: for instructors')).toBe('run-a-course-for-instructors');
    expect(slug('`lab.json` fields')).toBe('labjson-fields');
  });
});
