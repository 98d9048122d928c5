import { resolve } from 'node:path';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';

const root = import.meta.dirname;

/**
 * In `electron-vite dev` Vite injects imported CSS as <style> elements, which the production CSP
 * (`style-src 'self'`) forbids. Relax that one directive for the dev server only; the built
 * index.html keeps the strict policy.
 */
function devCspPlugin(): Plugin {
  return {
    name: 'bulk-ocr:dev-csp',
    apply: 'serve',
    transformIndexHtml: (html) => html.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'"),
  };
}

/**
 * electron-vite's ESM shim (`vite:esm-shim`) prepends `const require = createRequire(import.meta.url)`
 * to every ESM chunk that mentions `require(`, without checking whether the chunk already declares
 * a top-level `require`. Our worker modules do exactly that (`const require = createRequire(import.meta.url)`
 * in recognize.ts, languages.ts, pdfDocument.ts, tesseractThread.entry.ts); Rolldown renames all but
 * one of them, and the survivor collides with the shim: "Identifier 'require' has already been
 * declared" when the worker starts. Both bindings mean the same thing (a require for this chunk's
 * URL), so drop the shim's when the chunk has its own. Runs after the shim: same `post` stage,
 * and electron-vite puts its built-in plugins first.
 */
function dedupeRequireShimPlugin(): Plugin {
  const shimRequire = /^const require = __shims_module__\.createRequire\(import\.meta\.url\);\n/m;
  return {
    name: 'bulk-ocr:dedupe-require-shim',
    apply: 'build',
    enforce: 'post',
    renderChunk(code) {
      if (!shimRequire.test(code)) return null;
      const withoutShim = code.replace(shimRequire, '');
      if (!/^(?:var|let|const) require\b/m.test(withoutShim)) return null;
      return { code: withoutShim, map: null };
    },
  };
}

export default defineConfig({
  main: {
    plugins: [dedupeRequireShimPlugin()],
    build: {
      // Everything in node_modules stays a runtime `import`/`require`: better-sqlite3 and
      // @napi-rs/canvas are native, tesseract.js-core and pdfjs-dist load WASM and data files
      // relative to their own package folders, which bundling would break.
      externalizeDeps: true,
      rolldownOptions: {
        input: {
          // Electron entry.
          index: resolve(root, 'src/main/index.ts'),
          // OCR worker process (utilityProcess.fork in Electron, child_process.fork under Node).
          worker: resolve(root, 'src/main/worker/entry.ts'),
          // tesseract.js's thread script: loaded by path (recognize.ts looks for
          // `./tesseractThread.entry.js` next to the worker bundle), so it must be its own file.
          'tesseractThread.entry': resolve(root, 'src/main/worker/tesseractThread.entry.ts'),
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload is evaluated as one classic script: it cannot `import`, and it can
      // `require` only `electron` (and a few built-ins). So: CommonJS, one self-contained file.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs', codeSplitting: false },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    // React's JSX is transformed by Vite's built-in oxc transform (tsconfig `jsx: react-jsx`);
    // @vitejs/plugin-react would only add Fast Refresh in dev.
    plugins: [devCspPlugin()],
    build: {
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
