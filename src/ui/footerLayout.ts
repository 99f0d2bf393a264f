/**
 * The one line under every interactive screen: the filter being typed, a question, a notice, or the
 * keys that work here. Always exactly one line, so the frame does not jump when it changes. Pure.
 */
import type { RunPhase } from './fleetState.js';
import { formatCount } from './format.js';
import { segmentsLine, type FrameLine } from './lines.js';
import { sanitizeForTerminal } from './sanitize.js';
import type { Segment } from './styles.js';
import type { ViewState } from './viewState.js';

/** What the footer needs to know besides the view. */
export interface FooterContext {
  run: RunPhase;
  inFlight: number;
  /** The host `r` + Enter would re-audit. */
  reauditTarget: string | null;
  failedCount: number;
}

function hints(view: ViewState, ctx: FooterContext): string {
  const quit = ctx.run === 'finished' ? 'q quit' : 'q stop';
  if (view.screen === 'detail') {
    const raw = view.detail?.raw ? 'x back to details' : 'x raw output';
    return ['↑↓ NIC', 'PgUp/PgDn scroll', raw, 'Esc back', ctx.run === 'finished' ? 'r re-audit' : '', '? help', quit].filter(Boolean).join(' · ');
  }
  return ['↑↓ move', 'Enter open', '/ filter', 's sort', 'f failed only', ctx.run === 'finished' ? 'r re-audit' : '', '? help', quit]
    .filter(Boolean)
    .join(' · ');
}

/** The footer line for `view`, fitted to `columns`. */
export function footerLine(view: ViewState, ctx: FooterContext, columns: number): FrameLine {
  let segments: Segment[];
  if (view.editing) {
    segments = [
      { text: '/', bold: true, color: 'cyan' },
      { text: sanitizeForTerminal(view.query.filter) },
      { text: '█', color: 'cyan' },
      { text: '   Enter keep · Esc undo · e.g. mode:bridged status:failed group:prod', dim: true },
    ];
  } else if (view.prompt === 'quit') {
    const question =
      ctx.run === 'finished'
        ? `${formatCount(ctx.inFlight)} re-audit(s) still running. Quit anyway?`
        : 'Stop the run? No new connections; hosts in flight are closed; the report is marked incomplete.';
    segments = [{ text: question, color: 'yellow', bold: true }, { text: '  y yes · n no' }];
  } else if (view.prompt === 'reaudit') {
    const target = ctx.reauditTarget === null ? '' : `Enter ${sanitizeForTerminal(ctx.reauditTarget)} · `;
    segments = [
      { text: 'Re-audit: ', color: 'cyan', bold: true },
      { text: `${target}a all ${formatCount(ctx.failedCount)} failed host${ctx.failedCount === 1 ? '' : 's'} · Esc cancel` },
    ];
  } else if (view.notice) {
    segments = [{ text: sanitizeForTerminal(view.notice), color: 'cyan' }];
  } else if (view.quitting && ctx.run === 'finished') {
    segments = [{ text: 'Finishing: writing the reports…', dim: true }];
  } else {
    segments = [{ text: hints(view, ctx), dim: true }];
  }
  return segmentsLine('footer', segments, columns);
}
