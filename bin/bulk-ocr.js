#!/usr/bin/env node
/* global process */
// The `bulk-ocr` command. Runs the TypeScript sources directly (Node >= 22.18 strips types), so there
// is no build step between `npm ci` and the first run.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  process.stderr.write(
    `bulk-ocr needs Node 22.18 or newer (this is ${process.version}). Run it through npx or npm scripts, ` +
      `which use the Node of the "node" devDependency, or install a newer Node.\n`,
  );
  process.exit(2);
}
const { main } = await import('../src/main/cli/main.ts');
await main(process.argv);
