/**
 * The live view's handle for the CLI: subscribes to run events, queues them, and folds the queue into
 * the fleet state once per frame, so a burst of 5,000 events costs one fold and one redraw. On a TTY it
 * stays open after the run for browsing and re-audits until the operator quits; on anything else it
 * behaves as a plain live table that ends with the run.
 */
// First: it must run before React is loaded (see the module).
import './reactProduction.js';
import { render } from 'ink';
import { createElement } from 'react';
import type { RawCapture, RunEvent } from '../model.js';
import { initialFleetState, reduceFleetBatch } from './fleetState.js';
import { LiveFleetApp, type FleetSnapshot, type FramePacing } from './LiveFleetApp.js';
import { colorsWanted } from './styles.js';

export { LiveFleetApp, type FleetSnapshot, type LiveFleetAppProps } from './LiveFleetApp.js';

/** Options of {@link startLiveView}. */
export interface LiveViewOptions {
  /** Subscribe to the runner's events; returns the unsubscribe function. */
  subscribe(listener: (event: RunEvent) => void): () => void;
  /** Inventory label for the header. */
  inventory: string;
  /** Ctrl-C, or `q` confirmed, during the run: stop new connections (a second call may mean "now"). */
  onInterrupt(): void;
  /**
   * Audit these hosts again, after the run. Their events are expected through `subscribe` as usual
   * (`host-connecting`, `host-probing`, `host-done`; no second `run-started` is needed). Without it,
   * `r` says re-audits are not available.
   */
  onReaudit?(hostNames: string[]): void;
  /** The raw probe output of a host, shown by `x` in the host view. */
  captureOf?(hostName: string): RawCapture | undefined;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** Keys are read from it only when it is a TTY. @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /**
   * Minimum time between redraws, in ms. Frames that cost more are spaced further apart, so drawing
   * stays within about 5 % of the wall-clock time (see `nextFrameDelay`). @default 100
   */
  frameMs?: number;
  /**
   * Let Ink print `console.*` output above the table instead of through it. Turn off where
   * `console` is not Node's own (test runners replace it). @default true
   */
  patchConsole?: boolean;
  /** Space frames by what they cost (see `nextFrameDelay`); off: every `frameMs`, for tests. @default true */
  pacing?: boolean;
  /** Called after each frame Ink renders (benchmarks count them). */
  onFrame?: () => void;
  /** Environment for the colour decision (NO_COLOR, FORCE_COLOR, TERM). @default process.env */
  env?: NodeJS.ProcessEnv;
}

/** Handle on a running live view. */
export interface LiveView {
  /** Report files to list in the final frame. */
  setReportPaths(paths: string[]): void;
  /**
   * Resolves when the operator is done: `q` after the run (or the run ended after a stop they asked
   * for). When stdin is not a TTY there are no keys, and it resolves as soon as the run has finished.
   */
  waitForQuit(): Promise<void>;
  /** End the wait as if the operator had quit (SIGTERM, SIGHUP: there may be nobody at the keyboard any more). */
  requestQuit(): void;
  /** Draw the final frame (the fleet, the summary and the report paths), unmount, and leave it on screen. */
  finish(): Promise<void>;
}

/** Mount the live view and keep it fed from the run's events until `finish()`. */
export function startLiveView(options: LiveViewOptions): LiveView {
  const stdout = options.stdout ?? process.stdout;
  const stdin = options.stdin ?? process.stdin;
  const interactive = Boolean(stdin.isTTY);
  let resolveQuit: () => void = () => {};
  const quit = new Promise<void>((resolve) => (resolveQuit = resolve));

  let snapshot: FleetSnapshot = { state: initialFleetState(), reportPaths: [], version: 0 };
  // Events wait here until a frame reads them: a burst costs one fold and one copy of the rows.
  let pending: RunEvent[] = [];
  const unsubscribe = options.subscribe((event) => {
    pending.push(event);
    if (event.type === 'run-finished' && !interactive) resolveQuit();
  });
  const source = () => {
    if (pending.length > 0) {
      const events = pending;
      pending = [];
      snapshot = { ...snapshot, state: reduceFleetBatch(snapshot.state, events), version: snapshot.version + 1 };
    }
    return snapshot;
  };
  const pacing: FramePacing = { renderStartedAt: 0, lastFrameMs: 0 };
  const colors = colorsWanted(options.env ?? process.env, stdout);
  // createElement rather than JSX: a TSX module would load React's JSX runtime before reactProduction.
  const app = (final: boolean) =>
    createElement(LiveFleetApp, {
      source,
      inventory: options.inventory,
      onInterrupt: options.onInterrupt,
      onQuit: resolveQuit,
      onReaudit: options.onReaudit,
      captureOf: options.captureOf,
      frameMs: options.frameMs ?? 100,
      pacing: options.pacing === false ? undefined : pacing,
      final,
      colors,
      interactive,
    });
  const instance = render(app(false), {
    stdout,
    stdin,
    // Ctrl-C is a request to stop early and still write the report, never an instant exit.
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
    // Rewrite only the lines that changed: most of a frame stays the same from one redraw to the next.
    incrementalRendering: false,
    onRender: () => {
      pacing.lastFrameMs = performance.now() - pacing.renderStartedAt;
      options.onFrame?.();
    },
  });

  let finishing: Promise<void> | null = null;
  return {
    setReportPaths(paths) {
      snapshot = { ...snapshot, reportPaths: [...paths], version: snapshot.version + 1 };
    },
    waitForQuit: () => quit,
    requestQuit: () => resolveQuit(),
    finish() {
      finishing ??= (async () => {
        unsubscribe();
        resolveQuit();
        instance.rerender(app(true));
        instance.unmount();
        await instance.waitUntilExit();
      })();
      return finishing;
    },
  };
}
