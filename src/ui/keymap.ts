/**
 * Which key does what, in one table per situation (the help screen is drawn from the same table, so
 * the two cannot drift apart). Pure: Ink's `(input, key)` in, a {@link ViewAction} or null out.
 */
import type { Key } from 'ink';
import type { ViewAction, ViewState } from './viewState.js';

/** The situations in which keys mean different things. */
export type KeyMode = 'fleet' | 'detail' | 'filter' | 'prompt-quit' | 'prompt-reaudit' | 'help';

/** The key situation of a view. */
export function keyModeOf(view: ViewState): KeyMode {
  if (view.prompt === 'quit') return 'prompt-quit';
  if (view.prompt === 'reaudit') return 'prompt-reaudit';
  if (view.help) return 'help';
  if (view.editing) return 'filter';
  return view.screen;
}

/** The parts of Ink's key object used here (so tests can build keys by hand). */
export type KeyInfo = Partial<Pick<Key, 'upArrow' | 'downArrow' | 'pageUp' | 'pageDown' | 'home' | 'end' | 'return' | 'escape' | 'ctrl' | 'backspace' | 'delete' | 'tab' | 'meta'>>;

function navigation(input: string, key: KeyInfo): ViewAction | null {
  if (key.upArrow || input === 'k') return { type: 'move', unit: 'row', by: -1 };
  if (key.downArrow || input === 'j') return { type: 'move', unit: 'row', by: 1 };
  if (key.pageUp) return { type: 'move', unit: 'page', by: -1 };
  if (key.pageDown || input === ' ') return { type: 'move', unit: 'page', by: 1 };
  if (key.home || input === 'g') return { type: 'move-to', end: 'first' };
  if (key.end || input === 'G') return { type: 'move-to', end: 'last' };
  return null;
}

// Terminals send DEL (0x7f) for Backspace, which Ink calls `delete`.
const isErase = (key: KeyInfo) => Boolean(key.backspace || key.delete);

/**
 * The action for a key press in `mode`, or null when the key means nothing there.
 * Ctrl-C is always `interrupt`.
 */
export function keyToAction(mode: KeyMode, input: string, key: KeyInfo): ViewAction | null {
  if (key.ctrl && input === 'c') return { type: 'interrupt' };
  switch (mode) {
    case 'prompt-quit':
      if (input === 'y' || input === 'Y') return { type: 'answer', yes: true };
      if (input === 'n' || input === 'N' || key.escape || key.return || input === 'q') return { type: 'answer', yes: false };
      return null;
    case 'prompt-reaudit':
      if (key.return || input === 'r' || input === 's') return { type: 'reaudit-choose', which: 'selected' };
      if (input === 'a' || input === 'f') return { type: 'reaudit-choose', which: 'failed' };
      if (key.escape || input === 'n' || input === 'q' || isErase(key)) return { type: 'answer', yes: false };
      return null;
    case 'help':
      return { type: 'help' }; // any key closes it
    case 'filter':
      if (key.return) return { type: 'filter-apply' };
      if (key.escape) return { type: 'filter-cancel' };
      if (isErase(key)) return { type: 'filter-erase' };
      if (key.upArrow || key.downArrow || key.pageUp || key.pageDown || key.tab || key.ctrl || key.meta) return null;
      // Pasted text arrives as one input; keep printable characters only.
      return /^[^\x00-\x1f\x7f-\x9f]+$/.test(input) ? { type: 'filter-type', text: input } : null;
    case 'fleet':
    case 'detail': {
      const move = navigation(input, key);
      if (move) return move;
      if (key.return) return mode === 'fleet' ? { type: 'open' } : null;
      if (key.escape || isErase(key)) return { type: 'back' };
      switch (input) {
        case '/':
          return mode === 'fleet' ? { type: 'filter-start' } : null;
        case 's':
          return mode === 'fleet' ? { type: 'sort' } : null;
        case 'f':
          return mode === 'fleet' ? { type: 'problems' } : null;
        case 'x':
          return mode === 'detail' ? { type: 'raw' } : null;
        case 'r':
          return { type: 'reaudit' };
        case '?':
        case 'h':
          return { type: 'help' };
        case 'q':
          return { type: 'quit' };
      }
      return null;
    }
  }
}

/** The keys, as the help screen and the README list them. */
export const KEY_HELP: readonly { keys: string; what: string }[] = [
  { keys: '↑ ↓  (k j)', what: 'move the selection (in a host: select a VM NIC and show its evidence)' },
  { keys: 'PgUp PgDn  (space)', what: 'a page up or down' },
  { keys: 'Home End  (g G)', what: 'first or last; Home follows the top of the list again' },
  { keys: 'Enter', what: 'open the selected host' },
  { keys: 'Esc  Backspace', what: 'back: close the host (or its raw output); in the list, clear the filter' },
  { keys: '/', what: 'filter: words match name, group, status or mode; name: group: status: mode: narrow; ! negates' },
  { keys: 's', what: 'sort by status, name, duration (slowest first) or mode' },
  { keys: 'f', what: 'only failed and partial hosts (again: all)' },
  { keys: 'x', what: 'in a host: its raw probe output, section by section' },
  { keys: 'r', what: 're-audit (after the run): Enter the selected host, a all failed hosts' },
  { keys: '?', what: 'this help (any key closes it)' },
  { keys: 'q', what: 'quit; during the run, asks, then stops new connections (report marked incomplete)' },
  { keys: 'Ctrl-C', what: 'stop the run at once (a second Ctrl-C leaves without a report)' },
];
