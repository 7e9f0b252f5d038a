// The service worker: precaches the whole built site (so it works offline after the first
// visit) and adds the cross-origin isolation headers to every response it serves, so the site
// is isolated on any static host, even one that sends no such headers. Built by vite-plugin-pwa
// (injectManifest), which fills in self.__WB_MANIFEST with the build's files and their hashes.
//
// One file waits: the editor's language service worker (4 MB, TypeScript and its library files,
// more than the rest of the site together) is cached a few seconds after the worker starts
// serving, not while it installs, so that a first visit downloads and stores what it did before
// the service existed before it is ready (the page waits for that on a host without the headers),
// and a first Run is not slowed by 4 MB more being stored meanwhile. From then on it is served
// from that cache too, offline; before, from the network, and cached as it passes.

/// <reference lib="webworker" />
import { precacheAndRoute, cleanupOutdatedCaches, addPlugins } from 'workbox-precaching';
import { registerRoute, setDefaultHandler } from 'workbox-routing';
import type { WorkboxPlugin } from 'workbox-core/types.js';
import { ISOLATION_HEADERS } from './isolation-headers.ts';

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (string | { url: string; revision: string | null })[] };

/** A copy of `response` with the isolation headers (opaque responses cannot be copied and pass as they are). */
function isolated(response: Response): Response {
  if (response.type === 'opaque' || response.status === 0) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(ISOLATION_HEADERS)) headers.set(name, value);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers });
}

const addIsolationHeaders: WorkboxPlugin = {
  handlerWillRespond: async ({ response }) => isolated(response),
};

self.addEventListener('install', () => void self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

/** What is cached after the install, and where. */
const LATER = /(^|\/)language-service\.worker-[^/]+\.js$/;
const LATER_CACHE = 'nic-lab-later';
/** How long after the worker's first request the later files are fetched. */
const LATER_DELAY_MS = 5000;

const manifest = self.__WB_MANIFEST;
const urlOf = (entry: string | { url: string }) => (typeof entry === 'string' ? entry : entry.url);
const later = new Set(manifest.filter((e) => LATER.test(urlOf(e))).map((e) => new URL(urlOf(e), self.location.href).href));

// Before Workbox's listener, which answers every request: the first listener to answer one stops
// the event from reaching listeners added after it.
let laterScheduled = false;
self.addEventListener('fetch', (event) => {
  if (laterScheduled || later.size === 0 || event.request.mode === 'navigate') return;
  laterScheduled = true;
  event.waitUntil(new Promise((resolve) => setTimeout(resolve, LATER_DELAY_MS)).then(cacheLater).catch(() => void (laterScheduled = false)));
});

addPlugins([addIsolationHeaders]);
cleanupOutdatedCaches();
precacheAndRoute(manifest.filter((e) => !LATER.test(urlOf(e))), { ignoreURLParametersMatching: [/.*/] });

/** Stores the later files this build has and drops those of earlier builds. */
async function cacheLater(): Promise<void> {
  const cache = await caches.open(LATER_CACHE);
  for (const request of await cache.keys()) if (!later.has(request.url)) await cache.delete(request);
  for (const url of later) {
    if (await cache.match(url)) continue;
    const response = await fetch(url);
    if (response.ok) await cache.put(url, response);
  }
}

// The later files: from their cache, else from the network (and into the cache as they pass).
registerRoute(({ url }) => later.has(url.href), async ({ request, event }) => {
  const cache = await caches.open(LATER_CACHE);
  const cached = await cache.match(request.url);
  if (cached) return isolated(cached);
  const response = await fetch(request);
  if (response.ok) (event as ExtendableEvent).waitUntil(cache.put(request.url, response.clone()));
  return isolated(response);
});

// What is not precached (nothing should be, but a request may still reach the network) gets the
// headers too, so an isolated page never loads a resource it would then refuse.
setDefaultHandler(async ({ request }) => isolated(await fetch(request)));
