/**
 * The run's last line of defence: whatever a transport does (a promise that never settles, a close that never
 * comes), no host stays in flight longer than its deadline plus a grace period. One interval sweeps every host in
 * flight, so this does not depend on the per-host timers it backs up.
 */

export interface WatchdogOptions {
  /** How long past its deadline a host may still be in flight. */
  graceMs: number;
  /** How often in-flight hosts are checked. @default 250 */
  sweepMs?: number;
}

export interface Watchdog {
  /**
   * Settle with `work`, or with `overdue()` once `performance.now()` passes `endsAt + graceMs` (a throwing
   * `overdue` rejects). `work` rejecting rejects the guard as well: the caller decides what a failure means.
   * @param onLate receives what `work` gives after the guard gave up on it (e.g. a connection to close)
   */
  guard<T>(work: Promise<T>, endsAt: number, overdue: () => T, onLate?: (value: T) => void): Promise<T>;
  /** Hosts in flight right now. */
  readonly inFlight: number;
}

interface Guarded {
  overdueAt: number;
  fire(): void;
}

export function createWatchdog(options: WatchdogOptions): Watchdog {
  const sweepMs = options.sweepMs ?? 250;
  const guarded = new Set<Guarded>();
  // Runs only while something is guarded; referenced, so a host whose transport holds no socket still ends.
  let interval: NodeJS.Timeout | null = null;

  const sweep = () => {
    const now = performance.now();
    for (const entry of guarded) if (now >= entry.overdueAt) entry.fire();
  };
  const release = (entry: Guarded) => {
    guarded.delete(entry);
    if (guarded.size === 0 && interval !== null) {
      clearInterval(interval);
      interval = null;
    }
  };

  return {
    guard<T>(work: Promise<T>, endsAt: number, overdue: () => T, onLate?: (value: T) => void): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        let gaveUp = false;
        const entry: Guarded = {
          overdueAt: endsAt + options.graceMs,
          fire() {
            gaveUp = true;
            release(entry);
            try {
              resolve(overdue());
            } catch (error) {
              reject(error);
            }
          },
        };
        guarded.add(entry);
        interval ??= setInterval(sweep, sweepMs);
        work.then(
          (value) => {
            if (gaveUp) onLate?.(value);
            release(entry);
            resolve(value);
          },
          (error: unknown) => {
            release(entry);
            reject(error);
          },
        );
      });
    },
    get inFlight() {
      return guarded.size;
    },
  };
}
