/**
 * The Ink root of the live view. It reads the fleet once per frame (never per event), keeps the
 * operator's place (viewState.ts), picks the screen — fleet, host, help — and turns keys into actions.
 * It starts no I/O: stopping, quitting and re-auditing are callbacks the CLI answers.
 */
import { useInput, useStdin, useStdout } from 'ink';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { RawCapture } from '../model.js';
import { hostDetailBody, nicCountOf } from './detailLayout.js';
import { layoutDetailFrame } from './detailFrame.js';
import { inFlightCount, isRunActive, type FleetState, type HostRow } from './fleetState.js';
import { footerLine } from './footerLayout.js';
import { FrameView } from './FrameView.js';
import { layoutHelp } from './helpLayout.js';
import { keyModeOf, keyToAction } from './keymap.js';
import type { FrameLine } from './lines.js';
import { eagerLines, rawCaptureLines } from './rawLayout.js';
import { orderRows } from './rowQuery.js';
import { DEFAULT_QUERY, layoutFleet } from './tableLayout.js';
import { initialViewState, reduceView, selectedPosition, type ViewAction, type ViewContext, type ViewEffect, type ViewState } from './viewState.js';

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
  /** Stop the run: Ctrl-C, or `q` confirmed, while the run is on. */
  onInterrupt: () => void;
  /** The operator is done (q after the run, or the run ended after a stop they asked for). */
  onQuit?: () => void;
  /** Audit these hosts again (offered only when given). */
  onReaudit?: (hostNames: string[]) => void;
  /** The raw probe output of a host, for `x` in the host view. */
  captureOf?: (hostName: string) => RawCapture | undefined;
  /** Minimum time between two redraws. @default 100 */
  frameMs?: number;
  /**
   * Where the cost of the last frame is reported (see {@link FramePacing}); frames are then spaced so
   * that drawing takes at most a small share of the time. Without it, frames come every `frameMs`.
   */
  pacing?: FramePacing;
  /** Draw the closing frame (the fleet, unfiltered, with the report paths) and stop ticking. @default false */
  final?: boolean;
  /** Use colours. @default true */
  colors?: boolean;
  /** Read keys (only possible when stdin is a TTY). @default true */
  interactive?: boolean;
  /** The time source, for tests. @default Date.now */
  clock?: () => number;
}

/**
 * The measured cost of drawing: the view notes when it starts rendering, the renderer notes when the
 * frame is out, and the frame timer spaces frames by that cost.
 */
export interface FramePacing {
  /** `performance.now()` when the last render started. */
  renderStartedAt: number;
  /** Wall time of the last frame, from render start to Ink's output (ms). */
  lastFrameMs: number;
}

/**
 * Drawing may take at most 1/FRAME_BUDGET_FACTOR of the wall-clock time (5 %): a frame that cost 15 ms
 * is followed by the next one no sooner than 300 ms later. Ink lays out and re-encodes the whole frame
 * on every redraw, so its cost follows the terminal size, not the fleet; this keeps it a small share of
 * a run's CPU on any terminal and machine.
 */
const FRAME_BUDGET_FACTOR = 20;
/** Even a slow frame does not make the view slower than this. */
const MAX_FRAME_DELAY_MS = 1000;

/** The delay before the next frame, from the minimum interval and the last frame's cost. */
export function nextFrameDelay(frameMs: number, lastFrameMs: number): number {
  return Math.min(Math.max(frameMs, lastFrameMs * FRAME_BUDGET_FACTOR), Math.max(frameMs, MAX_FRAME_DELAY_MS));
}

/** Terminal size when the output stream does not know it (not a TTY). */
const DEFAULT_ROWS = 24;
const DEFAULT_COLUMNS = 80;

interface Frame {
  snapshot: FleetSnapshot;
  now: number;
}

function rowOf(state: FleetState, name: string): HostRow | undefined {
  const position = state.index.get(name);
  return position === undefined ? undefined : state.rows[position];
}

function failedHostNames(state: FleetState): string[] {
  return state.rows.filter((row) => row.phase === 'done' && row.status === 'failed').map((row) => row.name);
}

/** The live view: fleet table, host view and help, driven by the keyboard when there is one. */
export function LiveFleetApp({
  source,
  inventory,
  onInterrupt,
  onQuit,
  onReaudit,
  captureOf,
  frameMs = 100,
  pacing,
  final = false,
  colors = true,
  interactive = true,
  clock = Date.now,
}: LiveFleetAppProps) {
  if (pacing) pacing.renderStartedAt = performance.now();
  const { stdout } = useStdout();
  const { isRawModeSupported } = useStdin();
  const [frame, setFrame] = useState<Frame>(() => ({ snapshot: source(), now: clock() }));
  const [view, setView] = useState<ViewState>(initialViewState);
  const viewRef = useRef(view);
  const ctxRef = useRef<ViewContext | null>(null);

  useEffect(() => {
    if (final) return;
    let timer: NodeJS.Timeout | undefined;
    const tick = () => {
      const snapshot = source();
      const now = clock();
      // Idle and unchanged: keep the same object so React skips the redraw.
      setFrame((previous) =>
        snapshot.version === previous.snapshot.version && !isRunActive(snapshot.state) ? previous : { snapshot, now },
      );
      timer = setTimeout(tick, nextFrameDelay(frameMs, pacing?.lastFrameMs ?? 0));
      // The view must never be what keeps the process alive.
      timer.unref?.();
    };
    timer = setTimeout(tick, frameMs);
    timer.unref?.();
    return () => clearTimeout(timer);
  }, [source, frameMs, final, clock, pacing]);

  useEffect(() => {
    // Re-lay out at the new size at once, even when nothing else is changing.
    const onResize = () => setFrame((previous) => ({ ...previous }));
    stdout.on('resize', onResize);
    return () => {
      stdout.off('resize', onResize);
    };
  }, [stdout]);

  const runEffect = useCallback(
    (effect: ViewEffect) => {
      if (effect.type === 'interrupt') onInterrupt();
      else if (effect.type === 'quit') onQuit?.();
      else onReaudit?.(effect.hosts);
    },
    [onInterrupt, onQuit, onReaudit],
  );

  const dispatch = useCallback(
    (action: ViewAction) => {
      const ctx = ctxRef.current;
      if (!ctx) return;
      const update = reduceView(viewRef.current, action, ctx);
      viewRef.current = update.view;
      setView(update.view);
      for (const effect of update.effects) runEffect(effect);
    },
    [runEffect],
  );

  const shown = final ? { snapshot: source(), now: clock() } : frame;
  const { state } = shown.snapshot;
  const runFinished = state.phase === 'finished';
  useEffect(() => {
    if (runFinished) dispatch({ type: 'run-finished' });
  }, [runFinished, dispatch]);

  const readKeys = interactive && Boolean(isRawModeSupported) && !final;
  useInput(
    (input, key) => {
      const action = keyToAction(keyModeOf(viewRef.current), input, key);
      if (action) dispatch(action);
    },
    { isActive: readKeys },
  );

  const rows = stdout.rows || DEFAULT_ROWS;
  const columns = stdout.columns || DEFAULT_COLUMNS;
  const query = final ? DEFAULT_QUERY : view.query;
  // Sorting by duration depends on the clock (hosts in flight); the other orders only on the rows.
  const sortClock = query.sort === 'duration' ? shown.now : 0;
  const list = useMemo(() => orderRows(state, query, sortClock), [state, query, sortClock]);

  const detailHost = !final && view.screen === 'detail' && view.detail ? view.detail.host : null;
  const detailRow = detailHost === null ? undefined : rowOf(state, detailHost);
  const nic = view.detail?.nic ?? 0;
  const raw = view.detail?.raw ?? false;
  const detailBody = useMemo(() => (detailRow ? hostDetailBody(detailRow, { columns, selectedNic: nic }) : null), [detailRow, columns, nic]);
  const rawBody = useMemo(
    () => (detailRow && raw ? rawCaptureLines(captureOf?.(detailRow.name), columns) : null),
    // A re-audit brings a new capture along with the new report.
    [detailRow?.name, detailRow?.report, raw, columns, captureOf],
  );

  const inFlight = inFlightCount(state);
  const footer: FrameLine[] = readKeys
    ? [
        footerLine(
          view,
          {
            run: state.phase,
            inFlight,
            reauditTarget: detailHost ?? list[selectedPosition(view, list)]?.name ?? null,
            failedCount: view.prompt === 'reaudit' ? failedHostNames(state).length : 0,
          },
          columns,
        ),
      ]
    : [];

  let lines: FrameLine[];
  let detailCtx: ViewContext['detail'] = null;
  let listWindow = { start: 0, page: 1 };
  if (!final && view.help) {
    lines = layoutHelp(columns, rows, colors);
  } else if (detailRow && detailBody && view.detail) {
    const body = rawBody ?? eagerLines(detailBody.lines);
    const focus = view.detail.follow && !raw ? detailBody.nicAnchors[Math.min(nic, detailBody.nicAnchors.length - 1)] : undefined;
    const laidOut = layoutDetailFrame({ state, row: detailRow, now: shown.now, rows, columns, body, raw, focus, scroll: view.detail.scroll, footer });
    lines = laidOut.lines;
    detailCtx = { bodyLength: body.length, start: laidOut.window.start, page: laidOut.page, nicCount: nicCountOf(detailRow.report) };
  } else {
    const laidOut = layoutFleet({
      state,
      inventory,
      now: shown.now,
      rows,
      columns,
      reportPaths: shown.snapshot.reportPaths,
      query,
      list,
      selected: readKeys ? selectedPosition(view, list) : undefined,
      scroll: final ? 0 : view.scroll,
      footer,
      colors,
    });
    lines = laidOut.lines;
    listWindow = { start: laidOut.window.start, page: laidOut.page };
  }

  ctxRef.current = {
    run: state.phase,
    inFlight,
    list,
    listWindow,
    detail: detailCtx,
    canReaudit: onReaudit !== undefined,
    failedHosts: () => failedHostNames(state),
    row: (name) => rowOf(state, name),
  };

  return <FrameView lines={lines} colors={colors} />;
}
