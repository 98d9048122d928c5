/**
 * Command-line handling for the harness scripts (fuzz, kill, worker faults, soak): `--help` prints
 * the usage, and a mistyped option gets one line and the usage instead of a stack trace.
 */
export function parseOrExplain<R>(usage: string, parse: () => R): R {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`${usage.trim()}\n`);
    process.exit(0);
  }
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n\n${usage.trim()}\n`);
    process.exit(2);
  }
}
