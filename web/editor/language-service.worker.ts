// The editor's language service worker: TypeScript 6's language service (the JavaScript compiler;
// the project's own tsc 7 is native and has no JavaScript API) over the learner's driver, with
// core/ndis/ndis.d.ts and the ES2022 library bundled into this file (`virtual:driver-libs`, made
// by vite.config.ts), so it needs no network: the service worker precaches it with the site.
// The page reaches it through comlink (web/components/code-editor/ts-language.ts).

import * as Comlink from 'comlink';
import ts from 'typescript-6';
import ndis from '../../core/ndis/ndis.d.ts?raw';
import libs from 'virtual:driver-libs';
import { createDriverLanguageService, type DriverLanguageService } from './driver-language-service.ts';

const started = performance.now();
const service: DriverLanguageService = createDriverLanguageService(ts, { libs, ndis });

/** What the page calls (each method as in DriverLanguageService), and when the worker was ready. */
export const languageServiceWorkerApi = {
  ...service,
  /** Milliseconds from this module's start to the service's creation (its parse of TypeScript is before). */
  startupMs: () => performance.now() - started,
};
export type LanguageServiceWorkerApi = typeof languageServiceWorkerApi;

Comlink.expose(languageServiceWorkerApi);
