// What the lab page remembers of how a learner left it, per lab, in localStorage: how many hints
// they had opened. (Drafts and grades live in IndexedDB: progress-store.ts.)

const hintsKey = (lab: string) => `nic-lab:hints:${lab}`;

/** How many hints the learner had opened in this lab (0 if none, or no storage). */
export function recallHints(lab: string): number {
  try {
    const n = Number(globalThis.localStorage?.getItem(hintsKey(lab)) ?? 0);
    return Number.isInteger(n) && n > 0 ? n : 0;
  } catch {
    return 0;
  }
}

export function rememberHints(lab: string, shown: number): void {
  try {
    globalThis.localStorage?.setItem(hintsKey(lab), String(shown));
  } catch {
    // no storage: the hints are forgotten on reload, nothing else
  }
}
