import type { ApiError } from '../../shared/api.ts';

/** A refusal with an API code, thrown inside a handler and returned as a value by the router. */
export class ApiFailure extends Error {
  readonly code: ApiError['code'];
  /** The request fields to blame (see `ApiError.fields`). */
  readonly fields: Record<string, string> | undefined;
  constructor(code: ApiError['code'], message: string, fields?: Record<string, string>) {
    super(message);
    this.code = code;
    this.fields = fields;
  }
}
