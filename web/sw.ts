// The service worker: precaches the whole built site (so it works offline after the first
// visit) and adds the cross-origin isolation headers to every response it serves, so the site
// is isolated on any static host, even one that sends no such headers. Built by vite-plugin-pwa
// (injectManifest), which fills in self.__WB_MANIFEST with the build's files and their hashes.

/// <reference lib="webworker" />
import { precacheAndRoute, cleanupOutdatedCaches, addPlugins } from 'workbox-precaching';
import { setDefaultHandler } from 'workbox-routing';
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

addPlugins([addIsolationHeaders]);
cleanupOutdatedCaches();
precacheAndRoute(self.__WB_MANIFEST, { ignoreURLParametersMatching: [/.*/] });

// What is not precached (nothing should be, but a request may still reach the network) gets the
// headers too, so an isolated page never loads a resource it would then refuse.
setDefaultHandler(async ({ request }) => isolated(await fetch(request)));
