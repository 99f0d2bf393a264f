/**
 * Deadlines the garbage collector cannot take away. `AbortSignal.any([stop, AbortSignal.timeout(ms)])` loses its
 * timeout on Node 20 once a GC runs, because nothing holds the timeout signal (a 222-host run never finished):
 * here the timer is a plain `setTimeout` that this module holds and clears, and the signal is a controller's.
 */

/** A per-host deadline: its signal aborts when the time is up (reason: a `TimeoutError`) or when `stop` aborts. */
export interface Deadline {
  readonly signal: AbortSignal;
  /** `performance.now()` at which the deadline passes. */
  readonly endsAt: number;
  /** Release the timer and the listener on `stop` (idempotent); call it once the host is done. */
  clear(): void;
}

/** The reason a deadline aborts with: the same shape `AbortSignal.timeout` uses, so one check recognises both. */
export function timeoutReason(message: string): DOMException {
  return new DOMException(message, 'TimeoutError');
}

/** Start a deadline of `ms` milliseconds, also ended early by `stop`. */
export function startDeadline(ms: number, stop: AbortSignal): Deadline {
  const controller = new AbortController();
  const onStop = () => controller.abort(stop.reason);
  const timer = setTimeout(() => controller.abort(timeoutReason(`deadline of ${ms} ms exceeded`)), ms);
  if (stop.aborted) onStop();
  else stop.addEventListener('abort', onStop, { once: true });
  return {
    signal: controller.signal,
    endsAt: performance.now() + ms,
    clear() {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    },
  };
}
