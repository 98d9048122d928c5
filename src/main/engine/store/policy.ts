import type { ErrorCode } from '../../../shared/model.ts';

/** How often a task is tried and how long to wait in between. */
export interface RetryPolicy {
  /** Attempts per page (and per probe / export) before it fails for good. */
  maxAttempts: number;
  /** Delay before the second attempt; doubles with each further attempt. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 5 * 60_000 };

/** Delay before attempt `attempts + 1`, after `attempts` failed ones (exponential backoff). */
export function backoffDelay(policy: RetryPolicy, attempts: number): number {
  return Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, attempts - 1));
}

/**
 * Errors worth another attempt: the process died, timed out or hit something passing.
 * The input's own faults (damaged, encrypted, too large…) give the same answer every time, and an
 * existing output file waits for the user's decision, so those fail at once.
 */
export function isRetryable(code: ErrorCode): boolean {
  return (
    code === 'WORKER_CRASHED' ||
    code === 'TIMEOUT' ||
    code === 'INTERNAL' ||
    code === 'OCR_FAILED' ||
    code === 'OUTPUT_FAILED' ||
    code === 'UNREADABLE'
  );
}

/**
 * Default priority from the file size, small first, so a quick document is not stuck behind a
 * 500-page one. Higher runs sooner; the user may set 0–9.
 */
export function priorityForSize(bytes: number): number {
  const mb = 1024 * 1024;
  if (bytes <= 1 * mb) return 6;
  if (bytes <= 10 * mb) return 5;
  if (bytes <= 50 * mb) return 4;
  return 3;
}

export const MIN_PRIORITY = 0;
export const MAX_PRIORITY = 9;

export function clampPriority(value: number): number {
  return Math.min(MAX_PRIORITY, Math.max(MIN_PRIORITY, Math.round(value)));
}
