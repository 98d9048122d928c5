#!/usr/bin/env node
/* global process, console */
/**
 * Builds the optional native Tesseract addon (native/tesseract_addon.cc) against the system's
 * libtesseract 5, into native/build/bulk_ocr_tesseract.node. Runs after `npm ci` (postinstall).
 *
 * Optional by design: when there is no C++ compiler or no libtesseract headers (Debian/Ubuntu:
 * `apt-get install libtesseract-dev`), it says so in one line and exits 0; the OCR workers then use
 * the bundled WASM build. Plain JavaScript so it runs on whichever Node npm happens to use.
 *
 *   node scripts/build-native.js           build (skip with a note when impossible)
 *   node scripts/build-native.js --strict  fail (exit 1) when it cannot be built
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const source = path.join(root, 'native', 'tesseract_addon.cc');
const outDir = path.join(root, 'native', 'build');
const target = path.join(outDir, 'bulk_ocr_tesseract.node');
const strict = process.argv.includes('--strict');

function skip(reason) {
  const line = `native Tesseract addon not built: ${reason}. OCR will use the bundled WASM build.`;
  if (strict) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

/** Node-API headers: those of the Node running this script, else a system-wide copy. */
function nodeApiInclude() {
  const candidates = [
    path.resolve(path.dirname(process.execPath), '..', 'include', 'node'),
    path.join(
      root,
      'node_modules',
      'node',
      'node_modules',
      `node-${process.platform}-${process.arch}`,
      'include',
      'node',
    ),
    '/usr/include/node',
    '/usr/local/include/node',
  ];
  return candidates.find((dir) => existsSync(path.join(dir, 'node_api.h')));
}

function pkgConfig(args) {
  try {
    return execFileSync('pkg-config', args, { encoding: 'utf8' }).trim().split(/\s+/).filter(Boolean);
  } catch {
    return null;
  }
}

if (process.platform === 'win32') skip('building it on Windows is not set up');
const include = nodeApiInclude();
if (!include) skip('no Node-API headers (node_api.h) found');
const cflags = pkgConfig(['--cflags', 'tesseract', 'lept']);
const libs = pkgConfig(['--libs', 'tesseract', 'lept']);
if (!cflags || !libs) skip('libtesseract development files not found (apt-get install libtesseract-dev)');

mkdirSync(outDir, { recursive: true });
const temporary = `${target}.${process.pid}.tmp`;
const compiler = process.env.CXX || 'c++';
const args = [
  '-O2',
  '-std=c++17',
  '-shared',
  '-fPIC',
  '-Wall',
  '-DNAPI_VERSION=8',
  `-I${include}`,
  ...cflags,
  source,
  '-o',
  temporary,
  // Node-API symbols come from the host process (node or Electron) at load time.
  ...(process.platform === 'darwin' ? ['-undefined', 'dynamic_lookup'] : []),
  ...libs,
];
try {
  execFileSync(compiler, args, { stdio: ['ignore', 'inherit', 'pipe'] });
} catch (error) {
  rmSync(temporary, { force: true });
  const detail = String(error.stderr || error.message)
    .trim()
    .split('\n')
    .slice(-3)
    .join(' ');
  skip(`${compiler} failed: ${detail}`);
}
renameSync(temporary, target); // atomic: a half-written addon is never loaded
console.log(`native Tesseract addon built: ${path.relative(root, target)}`);
