// The course as the browser sees it: every labs/<id>/ folder bundled by Vite (lab.json, the
// Markdown instructions, the starter and solution drivers as text) and checked with the same
// schema the command line uses. Hidden scenarios are instructors': the build leaves them out of
// the site (vite.config.ts), and they are filtered here too, so the in-page grader never has
// them. The reference drivers some scenarios load are bundled beside the labs: the course's
// (labs/reference/), or a lab's own where its lab.json names them, as on the command line.

import { parseLab, LabFormatError, type Lab, type Scenario } from '../../core/scenario/schema.ts';
import referenceProtocol from '../../labs/reference/protocol.ts?raw';
import referenceFilter from '../../labs/reference/counting-filter.ts?raw';
import trafficProtocol from '../../labs/reference/stack-protocol.ts?raw';

const manifests = import.meta.glob<unknown>('../../labs/*/lab.json', { eager: true, import: 'default' });
const texts = import.meta.glob<string>(['../../labs/*/*.md', '../../labs/*/*.ts', '!../../labs/reference/**', '!../../labs/**/*.test.ts'], { eager: true, query: '?raw', import: 'default' });

export interface CourseLab extends Lab {
  instructionsText: string;
  starterSource: string;
  solutionSource: string;
  /** The reference drivers its scenarios load (its own, else the course's). */
  referenceSources: { protocol: string; filter: string };
}

export interface Course {
  labs: CourseLab[];
  /** Labs that failed to load, each with the file and what is wrong. */
  problems: string[];
}

function folderOf(path: string): string {
  return path.replace(/\/[^/]+$/, '');
}

function loadCourse(): Course {
  const labs: CourseLab[] = [];
  const problems: string[] = [];
  for (const [path, data] of Object.entries(manifests)) {
    const folder = folderOf(path);
    const file = `${folder.replace(/^(\.\.\/)+/, '')}/lab.json`;
    try {
      const lab = parseLab(data, file);
      const read = (name: string, field: string) => {
        const text = texts[`${folder}/${name}`];
        if (text === undefined) throw new LabFormatError(file, [{ path: field, message: `names ${name}, which is not in ${folder.replace(/^(\.\.\/)+/, '')}` }]);
        return text;
      };
      labs.push({
        ...lab,
        instructionsText: read(lab.instructions, 'instructions'),
        starterSource: read(lab.starter, 'starter'),
        solutionSource: read(lab.solution, 'solution'),
        referenceSources: {
          protocol: lab.references?.protocol !== undefined ? read(lab.references.protocol, 'references.protocol') : referenceProtocol,
          filter: lab.references?.filter !== undefined ? read(lab.references.filter, 'references.filter') : referenceFilter,
        },
        scenarios: lab.scenarios.filter((s: Scenario) => !s.hidden),
      });
    } catch (error) {
      problems.push(error instanceof Error ? error.message : String(error));
    }
  }
  labs.sort((a, b) => a.order - b.order);
  return { labs, problems };
}

export const course: Course = loadCourse();

/** The drivers scenarios load beside the learner's, and the protocol that makes Live traffic. */
export const references = { protocol: referenceProtocol, filter: referenceFilter, trafficProtocol };

export function labById(id: string): CourseLab | undefined {
  return course.labs.find((lab) => lab.id === id);
}
