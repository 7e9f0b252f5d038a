// The library files the editor's language service checks a driver against (vite.config.ts:
// driverLibs), by file name: lib.es2022.d.ts and what it references.
declare module 'virtual:driver-libs' {
  const libs: Readonly<Record<string, string>>;
  export default libs;
}
