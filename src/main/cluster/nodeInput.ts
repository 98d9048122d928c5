import type { SourceIdentity } from '../worker/protocol.ts';
import { FetchError, FileCache } from './fileCache.ts';
import { mapPath, MappedFiles, type PathMapping } from './pathMap.ts';
import type { PageJob } from './protocol.ts';

/** Where a node reads a page's document from, and the identity its OCR worker checks it against. */
export interface LocalInput {
  path: string;
  identity: SourceIdentity;
  /** Hand the copy back to the cache when the page is done (a no-op for a mapped file). */
  release(): void;
  via: 'shared-folder' | 'cache' | 'download';
}

/**
 * A failure of the node itself (cannot fetch, cannot write its cache): the page goes back to the
 * queue for another node, and the failures count towards excluding this node.
 */
export class NodeFault extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NodeFault';
  }
}

/** The document is not on the coordinator any more (or changed there): the page's own failure. */
export class InputGone extends Error {
  readonly code: 'NOT_FOUND' | 'FILE_CHANGED';
  constructor(code: 'NOT_FOUND' | 'FILE_CHANGED', message: string) {
    super(message);
    this.name = 'InputGone';
    this.code = code;
  }
}

export class NodeInputs {
  private readonly cache: FileCache;
  private readonly mappings: PathMapping[];
  private readonly mapped = new MappedFiles();

  constructor(cache: FileCache, mappings: PathMapping[]) {
    this.cache = cache;
    this.mappings = mappings;
  }

  get bytesFetched(): number {
    return this.cache.bytesFetched;
  }

  /** The document of `job`: from the shared folder when mapped and proved identical, else the cache. */
  async open(job: PageJob, fileUrls: string[], token: string): Promise<LocalInput> {
    const local = mapPath(this.mappings, job.path);
    if (local) {
      const ok = await this.mapped.check(local, job.sha256);
      if (ok)
        return {
          path: local,
          identity: { size: ok.size, mtimeMs: ok.mtimeMs, sha256: job.sha256 },
          release: () => undefined,
          via: 'shared-folder',
        };
    }
    const cached = this.cache.has(job.sha256);
    let file: string;
    try {
      file = await this.cache.acquire(job.sha256, job.identity.size, job.identity.mtimeMs, fileUrls, token);
    } catch (error) {
      if (error instanceof FetchError && (error.status === 404 || error.status === 410))
        throw new InputGone('NOT_FOUND', `${job.path}: ${error.message}`);
      if (error instanceof FetchError && error.status === 409)
        throw new InputGone('FILE_CHANGED', `${job.path}: ${error.message}`);
      throw new NodeFault((error as Error).message);
    }
    return {
      path: file,
      identity: { size: job.identity.size, mtimeMs: job.identity.mtimeMs, sha256: job.sha256 },
      release: () => this.cache.release(job.sha256),
      via: cached ? 'cache' : 'download',
    };
  }
}
