#!/usr/bin/env node
/* global process, console */
// Usage: node scripts/complete-lockfile.js   (run after any `npm install` that rewrote package-lock.json)
//
// The npm registry reachable on our build machines mirrors only the Linux glibc builds of
// @napi-rs/canvas, so npm leaves the other platforms' optional packages out of the lock and
// `npm ci` then refuses the lock as out of sync. This adds them as the public registry would;
// `npm ci` skips them on a machine whose os/cpu/libc does not match, so nothing is fetched.
import { readFileSync, writeFileSync } from 'node:fs';

const path = process.argv[2] ?? 'package-lock.json';
const lock = JSON.parse(readFileSync(path, 'utf8'));
const canvas = lock.packages['node_modules/@napi-rs/canvas'];
const platforms = {
  'android-arm64': { os: ['android'], cpu: ['arm64'] },
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm-gnueabihf': { os: ['linux'], cpu: ['arm'] },
  'linux-arm64-gnu': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'linux-riscv64-gnu': { os: ['linux'], cpu: ['riscv64'], libc: ['glibc'] },
  'linux-x64-gnu': { os: ['linux'], cpu: ['x64'], libc: ['glibc'] },
  'linux-x64-musl': { os: ['linux'], cpu: ['x64'], libc: ['musl'] },
  'win32-arm64-msvc': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64-msvc': { os: ['win32'], cpu: ['x64'] },
};
let added = 0;
for (const [name, version] of Object.entries(canvas?.optionalDependencies ?? {})) {
  const key = `node_modules/${name}`;
  const platform = platforms[name.replace('@napi-rs/canvas-', '')];
  if (lock.packages[key] || !platform) continue;
  lock.packages[key] = { version, ...platform, license: 'MIT', optional: true, engines: { node: '>= 10' } };
  added++;
}
const byKey = ([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : a > b ? 1 : 0);
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(byKey));
writeFileSync(path, JSON.stringify(lock, null, 2) + '\n');
console.log(`${path}: added ${added} optional platform entr${added === 1 ? 'y' : 'ies'}`);
