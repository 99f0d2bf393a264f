/**
 * Turning the ways a connection can fail into the report's error kinds: ssh2 already says why
 * (`err.level`), and an AbortSignal's reason says whether a deadline or a cancel stopped us.
 */
import { messageOf } from '../errors.js';
import { TransportError, type ErrorKind } from '../model.js';

/** Re-exported: the transport modules take it from here with the rest of their error helpers. */
export { messageOf };

/** ssh2's `err.level` values and the report kind each one means. */
const KIND_BY_SSH2_LEVEL: Readonly<Record<string, ErrorKind>> = {
  'client-socket': 'unreachable',
  'client-dns': 'unreachable',
  'client-timeout': 'timeout',
  'client-authentication': 'auth',
  agent: 'auth',
};

/**
 * The error kind for an error ssh2 emitted. Levels ssh2 gives to protocol trouble (`protocol`,
 * `handshake`) count as `unreachable`: the host did not give us a working SSH session.
 */
export function kindOfSsh2Error(error: unknown): ErrorKind {
  const level = typeof error === 'object' && error !== null ? (error as { level?: unknown }).level : undefined;
  return (typeof level === 'string' && KIND_BY_SSH2_LEVEL[level]) || 'unreachable';
}


/** True when an abort reason says a deadline ran out (AbortSignal.timeout, or a TimeoutError of our own). */
export function isTimeoutReason(reason: unknown): boolean {
  return typeof reason === 'object' && reason !== null && (reason as { name?: unknown }).name === 'TimeoutError';
}

/**
 * The TransportError to reject with when `signal` aborted `what` (e.g. `connecting to hv01`):
 * kind `timeout` for a deadline, `cancelled` otherwise. A TransportError given as the reason is kept as is,
 * so a caller can abort with the exact error it wants reported.
 */
export function abortError(signal: AbortSignal, what: string): TransportError {
  const reason: unknown = signal.reason;
  if (reason instanceof TransportError) return reason;
  if (isTimeoutReason(reason)) return new TransportError('timeout', `deadline exceeded while ${what}`);
  return new TransportError('cancelled', `cancelled while ${what}`);
}

/** Wrap anything thrown as a TransportError, keeping one that already is. */
export function asTransportError(error: unknown, fallbackKind: ErrorKind, prefix = ''): TransportError {
  if (error instanceof TransportError) {
    return prefix ? new TransportError(error.kind, `${prefix}${error.message}`) : error;
  }
  return new TransportError(fallbackKind, `${prefix}${messageOf(error)}`);
}

/** Wait for `promise`, or reject as soon as `signal` aborts (the promise itself keeps running for others). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (!signal) return promise;
  if (signal.aborted) return Promise.reject(abortError(signal, what));
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(abortError(signal, what));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}
