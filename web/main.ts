// The web lab's entry: make the page cross-origin isolated (the service worker does it on a plain
// static host; the dev server sends the headers), then start the application.

import { ensureIsolation } from './isolation.ts';
import './components/nic-lab-app/nic-lab-app.ts';

// Only the built site has a service worker (vite-plugin-pwa writes sw.js beside index.html).
const serviceWorkerUrl = import.meta.env.PROD ? new URL('./sw.js', document.baseURI).href : undefined;
const isolation = await ensureIsolation(serviceWorkerUrl);
const app = document.querySelector('nic-lab-app');
if (app) app.isolation = isolation;
