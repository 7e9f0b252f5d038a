// The response headers that make a page cross-origin isolated (SharedArrayBuffer and a shared
// WebAssembly.Memory need it). The dev server, `vite preview` and the service worker all send
// exactly these, so the site behaves the same however it is served.

export const ISOLATION_HEADERS: Readonly<Record<string, string>> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
