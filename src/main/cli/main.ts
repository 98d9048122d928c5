import { Command, CommanderError, Option } from 'commander';
import { DatabaseError } from '../engine/store/db.ts';
import { defaultDatabasePath } from '../engine/dataDir.ts';
import { defaultLanguages, listInstalledLanguages } from '../worker/languages.ts';
import {
  parseDpi,
  parseFormats,
  parseJobs,
  parseLang,
  parseMode,
  parsePriority,
  preprocessSwitches,
  UsageError,
} from './options.ts';
import { runCommand } from './run.ts';
import { parsePort, serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';

const EXAMPLES = `
Examples:
  bulk-ocr run ~/Scans --out ~/Scans-OCR          every PDF and image under ~/Scans, mirrored into ~/Scans-OCR
  bulk-ocr run letter.pdf --lang eng+fra          one file; outputs letter.ocr.pdf and letter.ocr.txt beside it
  bulk-ocr run ~/Scans --out ~/OCR --format txt   text only
  bulk-ocr status                                 what the queue holds, what failed and why

The queue lives in a database (--db; by default the desktop app's own). Stop a run with Ctrl-C at any
time: finished pages are kept, and running the same command again continues where it stopped.`;

function buildProgram(): Command {
  const program = new Command('bulk-ocr')
    .description(
      'Turn folders of scanned PDFs and images into searchable PDFs and plain text, on this machine.',
    )
    .version('0.1.0')
    .showHelpAfterError('(run "bulk-ocr --help" for usage)')
    .addHelpText('after', EXAMPLES)
    .exitOverride();

  program
    .command('run')
    .description('OCR files and folders (recursively) and write a .txt and a searchable .pdf for each')
    .argument('<paths...>', 'PDF or image files, or folders to search for them')
    .option(
      '-o, --out <dir>',
      'output folder; the folder structure below each input folder is kept (default: next to each input, as NAME.ocr.pdf / NAME.ocr.txt)',
    )
    .option('-j, --jobs <n>', 'OCR worker processes (default: one per CPU core)')
    .option('--dpi <n>', 'resolution to render PDF pages at (default: 300)')
    .option(
      '-l, --lang <codes>',
      `OCR languages joined with +, e.g. eng+fra (installed: ${listInstalledLanguages().join(', ')}; default from the system locale: ${defaultLanguages().join('+')})`,
    )
    .addOption(
      new Option('--ocr <mode>', 'auto: keep pages that already have text; force: OCR every page')
        .choices(['auto', 'force'])
        .default('auto'),
    )
    .option('--no-rotate', 'do not detect page orientation (pages are read as they are turned)')
    .option('--no-deskew', 'do not straighten skewed pages before recognition')
    .option('--no-remove-rules', 'do not paint out table rules and long lines before recognition')
    .option(
      '--no-estimate-dpi',
      "trust the images' stated resolution (default: judge it from the text size, upscale tiny text)",
    )
    .option('-f, --format <list>', 'outputs to write: txt, pdf or txt,pdf (default: txt,pdf)')
    .option('--priority <n>', '0 (last) to 9 (first); default by file size, small files first')
    .option(
      '--overwrite',
      'replace output files that already exist (default: such a file fails with a message)',
    )
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('--json', 'print a JSON summary on stdout instead of the text summary')
    .action(async (paths: string[], o: Record<string, string | boolean | undefined>) => {
      process.exitCode = await runCommand({
        paths,
        outDir: (o.out as string | undefined) ?? null,
        dbPath: (o.db as string | undefined) ?? defaultDatabasePath(),
        jobs: parseJobs(o.jobs as string | undefined),
        options: {
          languages: parseLang(o.lang as string | undefined),
          dpi: parseDpi(o.dpi as string | undefined),
          mode: parseMode(o.ocr as string | undefined),
          ...preprocessSwitches(o),
        },
        formats: parseFormats(o.format as string | undefined),
        overwrite: o.overwrite === true,
        priority: parsePriority(o.priority as string | undefined),
        json: o.json === true,
      });
    });

  program
    .command('status')
    .description('show what the queue holds: counts by state, pages, recent failures')
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('--json', 'machine-readable output')
    .action((o: { db?: string; json?: boolean }) => {
      process.exitCode = statusCommand(o.db ?? defaultDatabasePath(), o.json === true);
    });

  program
    .command('serve')
    .description('serve the app to a browser: the queue, its progress and its failures, with an access token')
    .option('-p, --port <n>', 'port to listen on; 0 picks a free one (default: 7780)')
    .option('--host <address>', 'address to listen on (default: 127.0.0.1, this machine only)', '127.0.0.1')
    .option('-j, --jobs <n>', 'OCR worker processes (default: one per CPU core)')
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .action(async (o: { port?: string; host: string; jobs?: string; db?: string }) => {
      process.exitCode = await serveCommand({
        host: o.host,
        port: parsePort(o.port),
        jobs: o.jobs === undefined ? null : parseJobs(o.jobs),
        dbPath: o.db ?? defaultDatabasePath(),
        token: process.env.BULK_OCR_TOKEN || null,
      });
    });
  return program;
}

/** Runs the CLI; every failure becomes one line on stderr and an exit code, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  try {
    if (argv.length <= 2) {
      program.outputHelp();
      process.exitCode = 2;
      return;
    }
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      // --help and --version end here with code 0; commander has printed the reason otherwise.
      process.exitCode = error.exitCode === 0 ? 0 : 2;
    } else if (error instanceof UsageError) {
      process.stderr.write(`bulk-ocr: ${error.message}\n`);
      process.exitCode = 2;
    } else if (error instanceof DatabaseError) {
      process.stderr.write(`bulk-ocr: ${error.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`bulk-ocr: unexpected error: ${(error as Error).message ?? String(error)}\n`);
      if (process.env.BULK_OCR_DEBUG) process.stderr.write(`${(error as Error).stack}\n`);
      process.exitCode = 1;
    }
  }
}
