import type { Database } from 'better-sqlite3';
import { up as initial } from './0001-initial.ts';
import { up as watch } from './0002-watch.ts';
import { up as exportTasks } from './0003-export-tasks.ts';
import { up as search } from './0004-search.ts';
import { up as outputFiles } from './0005-output-files.ts';
import { up as searchTerms } from './0006-search-terms.ts';

/** Ordered migrations: entry i brings the schema from version i to i + 1. Append only. */
export const migrations: ReadonlyArray<(db: Database) => void> = [
  initial,
  watch,
  exportTasks,
  search,
  outputFiles,
  searchTerms,
];

export const SCHEMA_VERSION = migrations.length;
