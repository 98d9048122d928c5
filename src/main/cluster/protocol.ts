/**
 * What the coordinator (the app, or `bulk-ocr run|watch|serve --redis URL`) and the worker nodes
 * (`bulk-ocr worker`) agree on: Redis key and queue names, the job payloads, and which versions
 * may work together. Both sides import this module; nothing else crosses the network.
 *
 * The flow of one page:
 *   coordinator claims it in SQLite → adds a `page` job to the PAGES queue (priority mapped, job id
 *   = page id + lease token) → a node takes it, fetches the document (file endpoint or a mapped
 *   shared path), OCRs it in its worker processes → adds the outcome as a job to the RESULTS queue
 *   → the coordinator's results worker records it in SQLite (once: by page id + lease token).
 */
import type { ClusterNode, ErrorInfo, OcrOptions, PageResult } from '../../shared/model.ts';
import type { SourceIdentity } from '../worker/protocol.ts';
import type { Limits } from '../worker/ocrTypes.ts';

/**
 * Bumped when a payload or a key changes shape. Nodes and coordinators must also run the same app
 * version: the OCR code decides the text, and outputs must not depend on which machine read a page.
 */
export const CLUSTER_PROTOCOL = 1;

/** Every key Bulk OCR writes in Redis starts with this (BullMQ's own keys included: it is their prefix). */
export const KEY_PREFIX = 'bulk-ocr';

export const QUEUES = {
  /** Page tasks, coordinator → nodes. */
  pages: 'pages',
  /** Page outcomes, nodes → coordinator. */
  results: 'results',
} as const;

export const KEYS = {
  /** JSON: the coordinator's record (see CoordinatorRecord). */
  coordinator: `${KEY_PREFIX}:coordinator`,
  /** Sorted set: node id → last heartbeat (ms). */
  nodes: `${KEY_PREFIX}:nodes`,
  /** JSON per node: its last heartbeat (see NodeHeartbeat), expiring a minute after it goes silent. */
  node: (id: string) => `${KEY_PREFIX}:node:${id}`,
} as const;

/** What the coordinator publishes for nodes: who it is and where documents can be fetched. */
export interface CoordinatorRecord {
  version: string;
  protocol: number;
  /** The file endpoint's base URLs, best first (`http://10.0.0.5:7781`); nodes use the first that answers. */
  fileUrls: string[];
  /** Bearer token for the file endpoint. Anyone who can read Redis can read it: Redis AUTH guards both. */
  token: string;
  /**
   * How long a node may be silent (crashed, cut off) before its pages are given to others: the
   * BullMQ lock duration every node uses (`--node-timeout` on the coordinator).
   */
  nodeTimeoutMs: number;
  /** Last heartbeat of the coordinator (ms). */
  seenAt: number;
  /** The coordinator's process and host, for messages. */
  host: string;
  pid: number;
}

/** One page to OCR, as a job's data. */
export interface PageJob {
  protocol: number;
  pageId: number;
  /** The claim this job belongs to: a result is recorded only for the claim that holds the page. */
  token: string;
  docId: number;
  pageNo: number;
  /** The document's path on the coordinator (for `--path-map` and for messages). */
  path: string;
  /** Content address of the document (the file endpoint serves it by this). */
  sha256: string;
  identity: SourceIdentity;
  options: OcrOptions;
  limits?: Partial<Limits>;
}

/** What a node says about a page, as a job of the RESULTS queue. */
export type ResultJob = {
  protocol: number;
  pageId: number;
  token: string;
  docId: number;
  pageNo: number;
  sha256: string;
  /** Id and name of the node that did it (logs, the nodes view). */
  node: { id: string; name: string };
  /** Milliseconds the node spent on it, fetching included. */
  ms: number;
} & ({ ok: true; value: PageResult } | { ok: false; error: ErrorInfo });

/** A node as its heartbeat describes it (the coordinator adds whether it is recent). */
export type NodeHeartbeat = Omit<ClusterNode, 'gone'>;

/** A heartbeat older than this means the node is gone (crashed, cut off, stopped). */
export const NODE_SILENT_AFTER_MS = 15_000;
export const HEARTBEAT_MS = 3_000;

/**
 * BullMQ priority (1 first … 2^21 last) from a document's (0 last … 9 first). Within one priority
 * BullMQ is FIFO, and the coordinator adds pages in its claim order (document, then page): the
 * order nodes take pages in is the order a single machine would.
 */
export function bullPriority(priority: number): number {
  return 10 - Math.max(0, Math.min(9, Math.round(priority)));
}

/** A job id BullMQ accepts (not a plain integer, no `:`), unique per claim. */
export function pageJobId(pageId: number, token: string): string {
  return `p${pageId}-${token}`;
}

/** Why a node and a coordinator cannot work together, in words naming both versions, or null. */
export function incompatibility(
  node: { version: string; protocol: number },
  coordinator: { version: string; protocol: number },
): string | null {
  if (node.version === coordinator.version && node.protocol === coordinator.protocol) return null;
  return (
    `this node runs Bulk OCR ${node.version} (cluster protocol ${node.protocol}) and the coordinator ` +
    `runs ${coordinator.version} (protocol ${coordinator.protocol}); install the same version on both, ` +
    `so that every page is read by the same OCR code`
  );
}
