// Cross-origin isolation for the page: SharedArrayBuffer (the machine's shared memory) exists only
// in an isolated page. A server that sends the headers isolates it at once; on a plain static
// host, the service worker adds them to every response it serves, which takes one reload the
// first time (the page that registered it was not served by it). If isolation still cannot be
// had, `reason` says why, in words the learner can act on.

export interface IsolationState {
  isolated: boolean;
  reason?: string;
}

const RELOADED = 'nic-lab:isolation-reload';
/** How long the service worker may take to install and activate (ms). */
const READY_TIMEOUT_MS = 10_000;
/** How long it may take to claim the page once active (ms). */
const CLAIM_TIMEOUT_MS = 3_000;

/** `promise`'s value, or undefined if it takes longer than `ms`. */
function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  return Promise.race([promise, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms))]);
}

/** Reloads unless this session already reloaded for isolation; says whether it did. */
function reloadOnce(): boolean {
  if (sessionStorage.getItem(RELOADED) === '1') return false;
  sessionStorage.setItem(RELOADED, '1');
  location.reload();
  return true;
}

/** Registers the service worker (built site only) and makes the page isolated, reloading once if needed. */
export async function ensureIsolation(serviceWorkerUrl: string | undefined): Promise<IsolationState> {
  if (!serviceWorkerUrl) {
    return globalThis.crossOriginIsolated ? { isolated: true } : { isolated: false, reason: 'the development server did not send the Cross-Origin-Opener-Policy and Cross-Origin-Embedder-Policy headers (start it with `npm start`)' };
  }
  if (!('serviceWorker' in navigator)) {
    return globalThis.crossOriginIsolated ? { isolated: true } : { isolated: false, reason: 'this browser has no service workers (or they are disabled, as in some private windows), and the server does not send the cross-origin isolation headers itself' };
  }
  try {
    await navigator.serviceWorker.register(serviceWorkerUrl, { scope: './' });
  } catch (error) {
    if (globalThis.crossOriginIsolated) return { isolated: true };
    return { isolated: false, reason: `the service worker that adds the isolation headers could not be installed (${(error as Error).message})` };
  }
  if (globalThis.crossOriginIsolated) {
    sessionStorage.removeItem(RELOADED);
    return { isolated: true };
  }
  const ready = await within(navigator.serviceWorker.ready, READY_TIMEOUT_MS);
  if (!ready) {
    // A slow first download may still finish: take over then, once.
    navigator.serviceWorker.addEventListener('controllerchange', () => reloadOnce(), { once: true });
    return { isolated: false, reason: `the service worker that adds the isolation headers did not start within ${READY_TIMEOUT_MS / 1000} s (this browser may block service workers for this site), and the server does not send the headers itself` };
  }
  if (!navigator.serviceWorker.controller) {
    // First visit: the worker claims the page as it activates; its responses carry the headers.
    await within(new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true })), CLAIM_TIMEOUT_MS);
  }
  if (reloadOnce()) return new Promise(() => {}); // the page is going away
  sessionStorage.removeItem(RELOADED);
  return {
    isolated: false,
    reason: 'the page is still not cross-origin isolated after the service worker took over and the page reloaded. The browser may block the required headers, or an extension or a proxy strips them; try another browser or serve the site with Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp',
  };
}
