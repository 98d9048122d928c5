import { Command, CommanderError, Option } from 'commander';
import { DatabaseError } from '../engine/engine.ts';
import { defaultDatabasePath } from '../engine/dataDir.ts';
import { defaultLanguages, listInstalledLanguages } from '../engine/installation.ts';
import {
  parseDpi,
  parseFormats,
  parseJobs,
  parseLang,
  parseMaxImageMpixels,
  parseMaxPages,
  parseMode,
  parsePriority,
  preprocessSwitches,
  TESSERACT_HELP,
  UsageError,
  useTesseractBuild,
} from './options.ts';
import { runCommand } from './run.ts';
import { parsePort, serveCommand } from './serve.ts';
import { statusCommand } from './status.ts';
import { statusWatchCommand } from './statusWatch.ts';
import { parseRedisUrl } from '../cluster/redisUrl.ts';
import { addClusterOptions, clusterSettings, parseJobsFor } from './clusterOptions.ts';
import { SEARCH_HELP, searchCommand } from './search.ts';
import { diagnosticsCommand } from './diagnostics.ts';
import { Engine } from '../engine/engine.ts';
import { forkSpawner } from '../engine/spawnNode.ts';
import { folderOptions, listWatchedFolders, parseSettle, watchCommand } from './watch.ts';
import { defaultCacheDir, parseCacheMb, workerCommand } from './worker.ts';
import { languageName } from '../../shared/languages.ts';

const EXAMPLES = `
Examples:
  bulk-ocr run ~/Scans --out ~/Scans-OCR          every PDF and image under ~/Scans, mirrored into ~/Scans-OCR
  bulk-ocr run letter.pdf --lang eng+fra          one file; outputs letter.ocr.pdf and letter.ocr.txt beside it
  bulk-ocr run ~/Scans --out ~/OCR --format txt   text only
  bulk-ocr run ~/Scans --out ~/OCR -f pdf,alto    searchable PDFs and ALTO XML for a digital library
  bulk-ocr status                                 what the queue holds, what failed and why
  bulk-ocr search '"annual report" 2019'          the pages that match, best first (see search --help)
  bulk-ocr watch ~/Scans/inbox --out ~/Scans/OCR  OCR every scan that arrives there, until Ctrl-C

The queue lives in a database (--db; by default the desktop app's own). Stop a run with Ctrl-C at any
time: finished pages are kept, and running the same command again continues where it stopped.`;

const MAX_IMAGE_MPIXELS_HELP =
  "refuse images larger than this many megapixels (image files, and images inside PDF pages), with a message, rather than decode them: a guard against decompression bombs; raise it for large maps and plans (default: the image limit of the settings, 150 unless changed; as OCRmyPDF's option)";

const FORMAT_HELP =
  'outputs to write, comma-separated: txt (plain text), pdf (searchable PDF), alto (ALTO 4.4 XML, NAME.alto.xml), hocr (hOCR, NAME.hocr) (default: txt,pdf)';

const MAX_PAGES_HELP =
  'refuse documents with more pages than this, with a message (default: the page limit of the settings, 10000 unless changed)';

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
      `OCR languages joined with +, e.g. eng+fra (installed: ${listInstalledLanguages()
        .map((c) => `${c} ${languageName(c)}`)
        .join(', ')}; default from the system locale: ${defaultLanguages().join('+')})`,
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
    .option(
      '--no-correct-photos',
      'read phone photos of pages as they are (default: find the page, undo the perspective, even out the light)',
    )
    .option(
      '--no-despeckle',
      'keep specks on speckled pages (default: remove isolated specks far smaller than the text strokes)',
    )
    .option('-f, --format <list>', FORMAT_HELP)
    .option('--priority <n>', '0 (last) to 9 (first); default by file size, small files first')
    .option(
      '--overwrite',
      'replace output files that already exist (default: such a file fails with a message)',
    )
    .option('--max-pages <n>', MAX_PAGES_HELP)
    .option('--max-image-mpixels <n>', MAX_IMAGE_MPIXELS_HELP)
    .option('--tesseract <build>', TESSERACT_HELP)
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('--json', 'print a JSON summary on stdout instead of the text summary')
    .action(async (paths: string[], o: Record<string, string | boolean | undefined>) => {
      useTesseractBuild(o.tesseract as string | undefined);
      const cluster = await clusterSettings(o);
      process.exitCode = await runCommand({
        paths,
        outDir: (o.out as string | undefined) ?? null,
        dbPath: (o.db as string | undefined) ?? defaultDatabasePath(),
        jobs: parseJobsFor(o.jobs as string | undefined, cluster !== undefined),
        ...(cluster ? { cluster } : {}),
        options: {
          languages: parseLang(o.lang as string | undefined),
          dpi: parseDpi(o.dpi as string | undefined),
          mode: parseMode(o.ocr as string | undefined),
          ...preprocessSwitches(o),
        },
        formats: parseFormats(o.format as string | undefined),
        overwrite: o.overwrite === true,
        priority: parsePriority(o.priority as string | undefined),
        maxPages: parseMaxPages(o.maxPages as string | undefined),
        maxImageMpixels: parseMaxImageMpixels(o.maxImageMpixels as string | undefined),
        json: o.json === true,
      });
    });

  program
    .command('watch')
    .description(
      'watch folders and OCR every PDF or image that arrives, once it is completely written; runs until Ctrl-C',
    )
    .argument(
      '[dirs...]',
      'folders to watch; they are remembered (with these options) and a plain "bulk-ocr watch" resumes them all',
    )
    .option(
      '-o, --out <dir>',
      'output folder; the structure below each watched folder is kept (default: next to each file, as NAME.ocr.pdf / NAME.ocr.txt)',
    )
    .option(
      '--move',
      'once a file is done, move it into processed/ inside the watched folder; a failed one into failed/ with NAME.reason.txt saying why',
    )
    .option('--no-recursive', 'only files directly in the folder, not in its subfolders')
    .option(
      '--poll',
      'look for new files every few seconds instead of waiting for file events (network shares; chosen automatically on NFS, SMB and FUSE)',
    )
    .option('--no-poll', 'always rely on file events, never poll')
    .option(
      '--settle <seconds>',
      "how long a file's size must stay unchanged before it is taken (default: 2)",
    )
    .option('-j, --jobs <n>', 'OCR worker processes (default: one per CPU core)')
    .option('--dpi <n>', 'resolution to render PDF pages at (default: 300)')
    .option('-l, --lang <codes>', 'OCR languages joined with +, e.g. eng+fra')
    .addOption(
      new Option('--ocr <mode>', 'auto: keep pages that already have text; force: OCR every page')
        .choices(['auto', 'force'])
        .default('auto'),
    )
    .option('--no-rotate', 'do not detect page orientation')
    .option('--no-deskew', 'do not straighten skewed pages')
    .option('--no-remove-rules', 'do not paint out table rules before recognition')
    .option('--no-estimate-dpi', "trust the images' stated resolution")
    .option('--no-correct-photos', 'read phone photos of pages as they are')
    .option('--no-despeckle', 'keep specks on speckled pages')
    .option('-f, --format <list>', FORMAT_HELP)
    .option('--priority <n>', '0 (last) to 9 (first); default by file size, small files first')
    .option('--max-pages <n>', MAX_PAGES_HELP)
    .option('--max-image-mpixels <n>', MAX_IMAGE_MPIXELS_HELP)
    .option('--list', 'list the remembered watched folders and what they have ingested, then exit')
    .option('--forget <dir>', 'stop watching a remembered folder (its files and outputs stay), then exit')
    .option('--json', 'with --list: JSON output')
    .option('--tesseract <build>', TESSERACT_HELP)
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .addHelpText('after', WATCH_HELP)
    .action(async (dirs: string[], o: Record<string, string | boolean | undefined>) => {
      useTesseractBuild(o.tesseract as string | undefined);
      const dbPath = (o.db as string | undefined) ?? defaultDatabasePath();
      if (o.list === true || typeof o.forget === 'string') {
        process.exitCode = await manageWatched(
          dbPath,
          o.list === true,
          o.forget as string | undefined,
          o.json === true,
        );
        return;
      }
      const cluster = await clusterSettings(o);
      process.exitCode = await watchCommand({
        dirs,
        dbPath,
        jobs: parseJobsFor(o.jobs as string | undefined, cluster !== undefined),
        ...(cluster ? { cluster } : {}),
        settleMs: parseSettle(o.settle as string | undefined),
        maxPages: parseMaxPages(o.maxPages as string | undefined),
        maxImageMpixels: parseMaxImageMpixels(o.maxImageMpixels as string | undefined),
        folder: folderOptions({
          recursive: o.recursive !== false,
          ocr: {
            languages: parseLang(o.lang as string | undefined),
            dpi: parseDpi(o.dpi as string | undefined),
            mode: parseMode(o.ocr as string | undefined),
            ...preprocessSwitches(o),
          },
          formats: parseFormats(o.format as string | undefined),
          outDir: (o.out as string | undefined) ?? null,
          priority: parsePriority(o.priority as string | undefined),
          move: o.move === true,
          poll: o.poll as boolean | undefined,
        }),
      });
    });

  program
    .command('status')
    .description('show what the queue holds: counts by state, pages, recent failures')
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('--json', 'machine-readable output')
    .option('--watch', 'a live view of the queue, the worker nodes and the throughput, until Ctrl-C')
    .option('--redis <url>', "the cluster's Redis: list its worker nodes too")
    .action(async (o: { db?: string; json?: boolean; watch?: boolean; redis?: string }) => {
      const dbPath = o.db ?? defaultDatabasePath();
      if (o.redis !== undefined) {
        try {
          parseRedisUrl(o.redis);
        } catch (error) {
          throw new UsageError((error as Error).message);
        }
      }
      if (o.watch === true) {
        if (o.json === true) throw new UsageError('--watch and --json do not go together');
        process.exitCode = await statusWatchCommand(dbPath, o.redis ?? null);
        return;
      }
      process.exitCode = await statusCommand(dbPath, o.json === true, o.redis ?? null);
    });

  program
    .command('search')
    .description('find pages by their text: words, "exact phrases", prefix*, -excluded, OR (see below)')
    .argument('<query...>', 'what to look for (several arguments are joined with spaces)')
    // No short options: `-notice` (leave out "notice") would read as `-n otice`.
    .option('--limit <n>', 'pages to show, 1–100 (default: 20)')
    .option('--offset <n>', 'skip this many (the next page of results)', '0')
    .option('--folder <dir>', 'only files under this folder (any depth)')
    .option('--from <date>', 'only files dated (last modified) on or after this day, YYYY-MM-DD')
    .option('--to <date>', 'only files dated on or before this day, YYYY-MM-DD')
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('--json', 'machine-readable output (hits as [start, end) offsets in each snippet)')
    .addHelpText('after', SEARCH_HELP)
    // `invoice -paid`: a word to leave out looks like an option; what is not one of ours is query.
    .allowUnknownOption()
    .action(async (query: string[], o: Record<string, string | boolean | undefined>) => {
      process.exitCode = await searchCommand({
        query: query.join(' '),
        dbPath: (o.db as string | undefined) ?? defaultDatabasePath(),
        json: o.json === true,
        limit: parseCount(o.limit as string | undefined, '--limit', 20, 1, 100),
        offset: parseCount(o.offset as string | undefined, '--offset', 0, 0, 1_000_000),
        folder: o.folder as string | undefined,
        from: o.from as string | undefined,
        to: o.to as string | undefined,
      });
    });

  program
    .command('diagnostics')
    .description(
      "versions, queue counts, recent errors, settings and the log's end, as JSON, to send with a problem report",
    )
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .option('-o, --out <file>', 'write the report to this file (default: stdout)')
    .action(async (o: { db?: string; out?: string }) => {
      process.exitCode = await diagnosticsCommand(o.db ?? defaultDatabasePath(), o.out ?? null);
    });

  program
    .command('serve')
    .description('serve the app to a browser: the queue, its progress and its failures, with an access token')
    .option('-p, --port <n>', 'port to listen on; 0 picks a free one (default: 7780)')
    .option('--host <address>', 'address to listen on (default: 127.0.0.1, this machine only)', '127.0.0.1')
    .option('-j, --jobs <n>', 'OCR worker processes (default: one per CPU core)')
    .option('--tesseract <build>', TESSERACT_HELP)
    .option('--db <file>', `queue database (default: ${defaultDatabasePath()})`)
    .action(async (o: { port?: string; host: string; jobs?: string; db?: string; tesseract?: string }) => {
      useTesseractBuild(o.tesseract);
      const cluster = await clusterSettings(o);
      process.exitCode = await serveCommand({
        host: o.host,
        port: parsePort(o.port),
        jobs: o.jobs === undefined ? null : parseJobsFor(o.jobs, cluster !== undefined),
        ...(cluster ? { cluster } : {}),
        dbPath: o.db ?? defaultDatabasePath(),
        token: process.env.BULK_OCR_TOKEN || null,
      });
    });
  program
    .command('worker')
    .description(
      'work as an OCR node for a coordinator (the app, or bulk-ocr run|watch|serve --redis) on another machine, until Ctrl-C',
    )
    .requiredOption(
      '--redis <url>',
      'the Redis the coordinator uses: redis://[:PASSWORD@]HOST:6379, rediss:// for TLS',
    )
    .option('-j, --jobs <n>', 'OCR worker processes (default: one per CPU core)')
    .option('--name <name>', 'name shown in the nodes view (default: the host name)')
    .option(
      '--path-map <from=to>',
      "the coordinator's folder FROM is this machine's TO (a shared folder): read documents there instead of fetching them (repeatable)",
      (v: string, prev: string[]) => [...prev, v],
      [] as string[],
    )
    .option('--cache-dir <dir>', `where fetched documents are kept (default: ${defaultCacheDir()})`)
    .option(
      '--cache-mb <n>',
      'size limit of that folder in MB; least recently used documents go first (default: 2048)',
    )
    .option('--ca <file>', "CA certificate (PEM) to trust for the coordinator's HTTPS file endpoint")
    .option(
      '--exclude-after <n>',
      "this node's own failures in a row (cannot fetch, a missing language) after which it stops taking pages for a while (default: 3)",
    )
    .option(
      '--probation <seconds>',
      'how long it stops the first time; doubled each time again, up to 10 minutes (default: 30)',
    )
    .option('--tesseract <build>', TESSERACT_HELP)
    .addHelpText('after', WORKER_HELP)
    .action(
      async (o: {
        redis: string;
        jobs?: string;
        name?: string;
        pathMap: string[];
        cacheDir?: string;
        cacheMb?: string;
        ca?: string;
        excludeAfter?: string;
        probation?: string;
        tesseract?: string;
      }) => {
        useTesseractBuild(o.tesseract);
        process.exitCode = await workerCommand({
          redis: o.redis,
          jobs: parseJobs(o.jobs),
          ...(o.name ? { name: o.name } : {}),
          ...(o.cacheDir ? { cacheDir: o.cacheDir } : {}),
          cacheMb: parseCacheMb(o.cacheMb),
          pathMap: o.pathMap,
          ...(o.ca ? { ca: o.ca } : {}),
          ...(o.excludeAfter
            ? { excludeAfter: parseCount(o.excludeAfter, '--exclude-after', 3, 1, 1_000) }
            : {}),
          ...(o.probation ? { probationSeconds: parseCount(o.probation, '--probation', 30, 1, 3_600) } : {}),
        });
      },
    );
  // The coordinator's options (--redis and friends) on the commands that run the queue.
  for (const name of ['run', 'watch', 'serve'])
    addClusterOptions(program.commands.find((c) => c.name() === name)!);
  return program;
}

const WORKER_HELP = `
Examples:
  bulk-ocr worker --redis redis://:PASSWORD@ocr-server:6379
  bulk-ocr worker --redis rediss://:PASSWORD@ocr-server:6380 --jobs 8 --name night-pc-3
  bulk-ocr worker --redis redis://ocr-server:6379 --path-map /srv/scans=/mnt/scans

The node takes pages from the coordinator's queue, reads each document from the coordinator (once
per document: it keeps a copy in --cache-dir) or from a shared folder given with --path-map, and
sends back the recognised text. It writes nothing on the coordinator. Ctrl-C (or SIGTERM) finishes
the pages in progress; a second one hands them back to the queue at once. If the node dies, its
pages go back to the queue by themselves after the coordinator's --node-timeout.

Exit codes: 0 stopped, 1 OCR cannot run on this machine, 2 a bad URL, Redis unreachable, a wrong
password, or a coordinator running another version of Bulk OCR.`;

const WATCH_HELP = `
Examples:
  bulk-ocr watch ~/Scans/inbox --out ~/Scans/OCR   OCR what the scanner drops into ~/Scans/inbox
  bulk-ocr watch /mnt/share/scans --move           outputs beside each file; originals to processed/ or failed/
  bulk-ocr watch                                   resume every remembered folder
  bulk-ocr watch --list                            the remembered folders and what each has ingested

What is guaranteed:
  - A file is taken only when it is complete: its size and time stamp unchanged for --settle seconds
    and its content whole (a PDF's end marker, an image's end). A file still being written is waited
    for, however long, while the others go through.
  - Each file once: a rename, a touch, or the same scan copied under another name or into another
    watched folder is not OCR'd again (files are known by path, size and time, then by content
    hash). A file whose content changed is.
  - Nothing is missed: the folder is listed again at start (files added while nothing watched) and
    every few minutes (events lost on a network share). NFS, SMB and FUSE folders are polled.
  - Never its own output: NAME.ocr.pdf / .txt, the --out folder, processed/ and failed/, hidden,
    temporary and partial names (.part, .crdownload, .tmp, ~$…) are ignored.
  - A bad file fails alone with its reason; a folder that disappears (unplugged drive) is waited
    for and caught up when it returns.`;

async function manageWatched(
  dbPath: string,
  list: boolean,
  forget: string | undefined,
  json: boolean,
): Promise<number> {
  // The engine is opened for its database and lock only: no worker is started, nothing is watched.
  const engine = new Engine({ dbPath, spawn: forkSpawner(), jobs: 1 });
  try {
    if (forget !== undefined) {
      const f = engine.watch.findByPath(forget);
      if (!f) {
        process.stderr.write(`bulk-ocr: ${forget} is not a watched folder (see bulk-ocr watch --list)\n`);
        return 1;
      }
      await engine.watch.remove(f.id);
      process.stdout.write(`No longer watching ${f.path}.\n`);
    }
    if (list) process.stdout.write(listWatchedFolders(engine, json));
    return 0;
  } finally {
    await engine.stop();
  }
}

function parseCount(
  text: string | undefined,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`${name} must be a whole number from ${min} to ${max}, not "${text}"`);
  return n;
}

/** Runs the CLI; every failure becomes one line on stderr and an exit code, never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  // `bulk-ocr --help | head`, `bulk-ocr status | less` quit early: the reader going away ends the
  // command quietly, as it would any Unix tool (a run stopped this way continues when run again).
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code !== 'EPIPE') process.stderr.write(`bulk-ocr: cannot write the output: ${error.message}\n`);
    process.exit(error.code === 'EPIPE' ? (process.exitCode ?? 0) : 1);
  });
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
