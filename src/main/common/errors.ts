import type { ErrorCode, ErrorInfo } from '../../shared/model.ts';

/**
 * A failure caused by the input or the environment (not a bug): it carries a code the UI can act
 * on and a message that names what is wrong in words a person understands. Anything thrown that
 * is not an InputError is reported as `INTERNAL` with its message.
 */
export class InputError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string) {
    super(message);
    this.name = 'InputError';
    this.code = code;
  }
}

/** Turns anything thrown into an `ErrorInfo` that can cross a process boundary. */
export function toErrorInfo(error: unknown): ErrorInfo {
  if (error instanceof InputError) return { code: error.code, message: error.message };
  const errno = (error as NodeJS.ErrnoException | null)?.code;
  if (errno) {
    const known = fileSystemErrors[errno];
    if (known) return known;
  }
  if (error instanceof Error) return { code: 'INTERNAL', message: error.message };
  return { code: 'INTERNAL', message: String(error) };
}

/** File-system failures on the input, in words (the engine adds the file name). */
const fileSystemErrors: Record<string, ErrorInfo> = {
  ENOENT: { code: 'NOT_FOUND', message: 'the file is gone (deleted or moved before it was processed)' },
  EACCES: { code: 'UNREADABLE', message: 'permission denied: the file cannot be read' },
  EPERM: { code: 'UNREADABLE', message: 'permission denied: the file cannot be read' },
  EISDIR: { code: 'UNSUPPORTED_FORMAT', message: 'this is a folder, not a file' },
  EIO: { code: 'UNREADABLE', message: 'the disk reported a read error' },
};
