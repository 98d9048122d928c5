/**
 * `npm run bench` options (see bench/run.ts for what each does), parsed and checked once.
 */
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    jobs: { type: 'string', default: '2' },
    'skip-native': { type: 'boolean', default: false },
    'quality-only': { type: 'boolean', default: false },
    'skip-quality': { type: 'boolean', default: false },
    rounds: { type: 'string' },
    'page-view-only': { type: 'boolean', default: false },
    search: { type: 'boolean', default: false },
    'search-only': { type: 'boolean', default: false },
    'search-pages': { type: 'string' },
    'search-results': { type: 'string' },
    cluster: { type: 'boolean', default: false },
    'cluster-only': { type: 'boolean', default: false },
    'skip-cluster': { type: 'boolean', default: false },
  },
});

export const quick = values.quick === true;
export const jobs = Number(values.jobs);
if (!Number.isInteger(jobs) || jobs < 1 || jobs > 64)
  throw new Error(`--jobs must be 1–64, not ${values.jobs}`);
export const skipNative = values['skip-native'] === true;
export const qualityOnly = values['quality-only'] === true;
export const skipQuality = values['skip-quality'] === true;
export const pageViewOnly = values['page-view-only'] === true;
/**
 * How many times ours and the native anchor run over the page set, back to back. On a shared
 * virtual machine the speed of the whole machine drifts by 10–20% within minutes, so one run of
 * each says little about their ratio; the target is judged on the median of the rounds' ratios.
 */
export const rounds = Number(values.rounds ?? (quick ? 1 : 3));
if (!Number.isInteger(rounds) || rounds < 1 || rounds > 9)
  throw new Error(`--rounds must be 1–9, not ${values.rounds}`);

export const BORN_DIGITAL_PAGES = quick ? 100 : 1_000;
export const QUEUE_DOCS = quick ? 10_000 : 100_000;
export const QUEUE_PAGES = quick ? 200 : 2_000;
export const searchOnly = values['search-only'] === true;
/**
 * The search section from an earlier `--search-only` run (its results.search.json) instead of
 * building 1,000,000 pages again: it has no anchors to run beside, and its report names its own
 * load averages. Implies `--search`.
 */
export const searchResultsFile = values['search-results'];
export const withSearch = searchOnly || values.search === true || searchResultsFile !== undefined;
export const SEARCH_PAGES = Number(values['search-pages'] ?? (quick ? 100_000 : 1_000_000));
if (!Number.isInteger(SEARCH_PAGES) || SEARCH_PAGES < 1_000)
  throw new Error(`--search-pages must be a whole number of at least 1000, not ${values['search-pages']}`);

export const clusterOnly = values['cluster-only'] === true;
/** The cluster section runs in a full run unless skipped, and in a quick run when asked for. */
export const withCluster =
  clusterOnly || values.cluster === true || (!quick && values['skip-cluster'] !== true);
