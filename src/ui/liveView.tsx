/**
 * The live view: subscribes to run events, folds every event into a plain object at once, and
 * lets React see that object at most once per frame, so a burst of 5,000 events costs one redraw.
 * It never starts I/O; keys only ever call `onInterrupt`, and what stopping means is the CLI's call.
 */
import { render, useInput, useStdin, useStdout } from 'ink';
import { useEffect, useState } from 'react';
import type { RunEvent } from '../model.js';
import { FleetTable } from './FleetTable.js';
import { initialFleetState, isRunActive, reduceFleet, type FleetState } from './fleetState.js';

/** What one frame is drawn from; `version` changes whenever anything in it changed. */
export interface FleetSnapshot {
  state: FleetState;
  reportPaths: readonly string[];
  version: number;
}

/** Props of {@link LiveFleetApp}. */
export interface LiveFleetAppProps {
  /** Reads the latest snapshot; called once per frame, not per event. */
  source: () => FleetSnapshot;
  inventory: string;
  /** Called on Ctrl-C, and on `q`, while the run is not finished. */
  onInterrupt: () => void;
  /** Minimum time between two redraws. @default 100 */
  frameMs?: number;
  /** Draw the latest snapshot now and stop ticking (the frame that stays in the scrollback). @default false */
  final?: boolean;
  /** Use colours. @default true */
  colors?: boolean;
  /** The time source, for tests. @default Date.now */
  clock?: () => number;
}

/** Terminal height when the output stream does not know it (not a TTY). */
const DEFAULT_ROWS = 24;
const DEFAULT_COLUMNS = 80;

interface Frame {
  snapshot: FleetSnapshot;
  now: number;
}

/**
 * The Ink root of the live view: ticks every `frameMs`, redrawing only when the snapshot changed or
 * a host is in flight (spinner and clocks move), and reads Ctrl-C / `q` when stdin is a TTY.
 */
export function LiveFleetApp({
  source,
  inventory,
  onInterrupt,
  frameMs = 100,
  final = false,
  colors = true,
  clock = Date.now,
}: LiveFleetAppProps) {
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const [frame, setFrame] = useState<Frame>(() => ({ snapshot: source(), now: clock() }));

  useEffect(() => {
    if (final) return;
    const timer = setInterval(() => {
      const snapshot = source();
      const now = clock();
      // Idle and unchanged: keep the same object so React skips the redraw.
      setFrame((previous) =>
        snapshot.version === previous.snapshot.version && !isRunActive(snapshot.state) ? previous : { snapshot, now },
      );
    }, frameMs);
    // The view must never be what keeps the process alive.
    timer.unref?.();
    return () => clearInterval(timer);
  }, [source, frameMs, final, clock]);

  useEffect(() => {
    // Redraw at the new size at once, even when nothing else is changing.
    const onResize = () => setFrame((previous) => ({ ...previous }));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  const shown = final ? { snapshot: source(), now: clock() } : frame;
  const running = shown.snapshot.state.phase !== 'finished';
  // Raw mode is only possible on a TTY; without one, Ctrl-C reaches the CLI as SIGINT instead.
  const readKeys = Boolean(isRawModeSupported) && running && !final;
  useInput(
    (input, key) => {
      if ((key.ctrl && input === 'c') || input === 'q') onInterrupt();
    },
    { isActive: readKeys },
  );

  return (
    <FleetTable
      state={shown.snapshot.state}
      inventory={inventory}
      now={shown.now}
      rows={stdout.rows || DEFAULT_ROWS}
      columns={stdout.columns || DEFAULT_COLUMNS}
      reportPaths={shown.snapshot.reportPaths}
      stopHint={readKeys}
      colors={colors}
    />
  );
}

/** Options of {@link startLiveView}. */
export interface LiveViewOptions {
  /** Subscribe to the runner's events; returns the unsubscribe function. */
  subscribe(listener: (event: RunEvent) => void): () => void;
  /** Inventory label for the header. */
  inventory: string;
  /** @default process.stdout */
  stdout?: NodeJS.WriteStream;
  /** Keys are read from it only when it is a TTY. @default process.stdin */
  stdin?: NodeJS.ReadStream;
  /** Ctrl-C or `q` during the run: the CLI stops new connections (a second call may mean "now"). */
  onInterrupt(): void;
  /** Minimum time between redraws, in ms. @default 100 */
  frameMs?: number;
  /**
   * Let Ink print `console.*` output above the table instead of through it. Turn off where
   * `console` is not Node's own (test runners replace it). @default true
   */
  patchConsole?: boolean;
}

/** Handle on a running live view. */
export interface LiveView {
  /** Report files to list in the final summary. */
  setReportPaths(paths: string[]): void;
  /** Draw the final frame (summary and report paths), unmount, and leave that frame on screen. */
  finish(): Promise<void>;
}

/** Colours unless NO_COLOR is set to a non-empty value (https://no-color.org); chalk ignores it. */
function colorsWanted(env: NodeJS.ProcessEnv): boolean {
  return !env['NO_COLOR'];
}

/** Mount the live fleet table and keep it fed from the run's events until `finish()`. */
export function startLiveView(options: LiveViewOptions): LiveView {
  let snapshot: FleetSnapshot = { state: initialFleetState(), reportPaths: [], version: 0 };
  const unsubscribe = options.subscribe((event) => {
    // The reducer runs on every event; React only reads the result once per frame.
    snapshot = { ...snapshot, state: reduceFleet(snapshot.state, event), version: snapshot.version + 1 };
  });
  const source = () => snapshot;
  const app = (final: boolean) => (
    <LiveFleetApp
      source={source}
      inventory={options.inventory}
      onInterrupt={options.onInterrupt}
      frameMs={options.frameMs ?? 100}
      final={final}
      colors={colorsWanted(process.env)}
    />
  );
  const instance = render(app(false), {
    stdout: options.stdout ?? process.stdout,
    stdin: options.stdin ?? process.stdin,
    // Ctrl-C is a request to stop early and still write the report, never an instant exit.
    exitOnCtrlC: false,
    patchConsole: options.patchConsole ?? true,
  });

  let finishing: Promise<void> | null = null;
  return {
    setReportPaths(paths) {
      snapshot = { ...snapshot, reportPaths: [...paths], version: snapshot.version + 1 };
    },
    finish() {
      finishing ??= (async () => {
        unsubscribe();
        instance.rerender(app(true));
        instance.unmount();
        await instance.waitUntilExit();
      })();
      return finishing;
    },
  };
}
