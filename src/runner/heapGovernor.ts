/**
 * Keeps the CLI's peak memory near what it holds. With finished hosts spilled to disk (io/hostSpill.ts), a
 * 5,000-host run holds ~20 MiB at its end, yet V8 let its heap grow to ~180 MiB of mostly garbage (parsed XML of
 * hosts long finished, promoted before it died), about 300 MiB of RSS. Every HOSTS_PER_CHECK finished hosts, when
 * the heap in use passes both HEAP_LIMIT and twice what the last collection left, this asks V8 for a full
 * collection: measured by `npm run bench -- --hosts 5000`, peak RSS fell from ~300 to ~240 MiB, at no CPU cost the
 * bench could tell apart from run-to-run noise (a 64 MiB limit gave ~220 MiB for ~15% more CPU). Small runs never
 * pass the limit, and a heap that is full of live data is not collected again and again for nothing.
 */
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

const HOSTS_PER_CHECK = 32;
const HEAP_LIMIT = 80 * 1024 * 1024;

/** A counter of finished hosts that collects garbage when due; a no-op where V8 will not hand out `gc`. */
export function createHeapGovernor(): { hostDone(): void } {
  let finished = 0;
  let leftAfterLast = 0;
  return {
    hostDone() {
      finished += 1;
      if (finished % HOSTS_PER_CHECK !== 0) return;
      if (getHeapStatistics().used_heap_size <= Math.max(HEAP_LIMIT, 2 * leftAfterLast)) return;
      // Asked for only now: the context that hands it out costs a few milliseconds a small run need not pay.
      const collect = fullCollection();
      if (collect === null) return;
      collect();
      leftAfterLast = getHeapStatistics().used_heap_size;
    },
  };
}

let gcFunction: (() => void) | null | undefined;

/**
 * V8's `gc`, without starting node with --expose-gc: the flag set at run time applies to contexts made after it,
 * so one fresh context hands the function out (the way Node's own tests get it). Made once per process; the flag
 * is set back at once, so later contexts and workers do not get a global `gc`.
 */
function fullCollection(): (() => void) | null {
  if (gcFunction !== undefined) return gcFunction;
  try {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as unknown;
    gcFunction = typeof gc === 'function' ? () => (gc as () => void)() : null;
  } catch {
    gcFunction = null;
  } finally {
    setFlagsFromString('--no-expose-gc');
  }
  return gcFunction;
}
