// A few error classes, each naming the input it is about; `cause` keeps the underlying error.

/** The config file is invalid; `problems` lists every error as `file:line:col path: message`. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`invalid config ${file}:\n  ${problems.join('\n  ')}`);
  }
}

/** A source could not be fetched: network, HTTP status, size cap, timeout. */
export class FetchError extends Error {
  override name = 'FetchError';
  constructor(
    readonly url: string,
    message: string,
    readonly status: number | null = null,
    options?: { cause?: unknown },
  ) {
    super(`${url}: ${message}`, options);
  }
}

/** A document (feed or seed file) could not be read as what it claims to be. */
export class ParseError extends Error {
  override name = 'ParseError';
  constructor(
    readonly input: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${input}: ${message}`, options);
  }
}

/** The database refused a unit of work (full disk, lock, corruption). */
export class StoreError extends Error {
  override name = 'StoreError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A search query the index cannot run (syntax); the client's mistake, answered with 400. */
export class QueryError extends Error {
  override name = 'QueryError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** Short, single-line description of any thrown value, for logs and the status page. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message.split('\n')[0] ?? error.name;
  return String(error);
}

/** The service cannot take this request now (e.g. too many searches waiting); answered 503 with Retry-After. */
export class BusyError extends Error {
  override name = 'BusyError';
  /** What the 503 tells the client is busy (`Busy: too many searches at once, retry in a moment`). */
  readonly busyWith: string;
  constructor(message: string, options?: { cause?: unknown; busyWith?: string }) {
    super(message, options);
    this.busyWith = options?.busyWith ?? 'too many searches at once';
  }
}
