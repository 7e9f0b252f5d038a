// Types for what Vite adds to modules: import.meta.glob, import.meta.env and `?raw` imports.
/// <reference types="vite/client" />
