// Loads the virtual NIC in a real browser on a shared memory and runs the replay scenario; the
// result lands on window.__nicLabResult for the test that drives this page.

import { runReplayScenario } from '../replay-scenario.ts';

const params = new URLSearchParams(location.search);
const target = window as unknown as { __nicLabResult?: unknown; __nicLabError?: string };
try {
  if (!crossOriginIsolated) throw new Error('the page is not cross-origin isolated: SharedArrayBuffer is unavailable');
  target.__nicLabResult = await runReplayScenario(Number(params.get('seed') ?? '1'));
} catch (error) {
  target.__nicLabError = error instanceof Error ? `${error.message}\n${error.stack}` : String(error);
}
