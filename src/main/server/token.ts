import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A fresh access token: 192 random bits, URL-safe. */
export function newToken(): string {
  return randomBytes(24).toString('base64url');
}

/**
 * Constant-time comparison. Both sides are hashed first so the buffers have equal length whatever
 * was sent (timingSafeEqual throws on unequal lengths, and an early length check would leak it).
 */
export function tokenMatches(given: string | null, expected: string): boolean {
  if (given === null) return false;
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}
