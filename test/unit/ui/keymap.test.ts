import { describe, expect, it } from 'vitest';
import { keyModeOf, keyToAction } from '../../../src/ui/keymap.js';
import { initialViewState } from '../../../src/ui/viewState.js';

describe('keyToAction', () => {
  it('maps the navigation keys in the list and in a host', () => {
    for (const mode of ['fleet', 'detail'] as const) {
      expect(keyToAction(mode, '', { upArrow: true })).toEqual({ type: 'move', unit: 'row', by: -1 });
      expect(keyToAction(mode, '', { downArrow: true })).toEqual({ type: 'move', unit: 'row', by: 1 });
      expect(keyToAction(mode, '', { pageUp: true })).toEqual({ type: 'move', unit: 'page', by: -1 });
      expect(keyToAction(mode, '', { pageDown: true })).toEqual({ type: 'move', unit: 'page', by: 1 });
      expect(keyToAction(mode, '', { home: true })).toEqual({ type: 'move-to', end: 'first' });
      expect(keyToAction(mode, '', { end: true })).toEqual({ type: 'move-to', end: 'last' });
      expect(keyToAction(mode, '', { escape: true })).toEqual({ type: 'back' });
      expect(keyToAction(mode, '', { delete: true })).toEqual({ type: 'back' }); // what Backspace sends
      expect(keyToAction(mode, 'q', {})).toEqual({ type: 'quit' });
      expect(keyToAction(mode, '?', {})).toEqual({ type: 'help' });
      expect(keyToAction(mode, 'r', {})).toEqual({ type: 'reaudit' });
    }
  });

  it('gives the list its own keys, and the host view its own', () => {
    expect(keyToAction('fleet', '', { return: true })).toEqual({ type: 'open' });
    expect(keyToAction('fleet', '/', {})).toEqual({ type: 'filter-start' });
    expect(keyToAction('fleet', 's', {})).toEqual({ type: 'sort' });
    expect(keyToAction('fleet', 'f', {})).toEqual({ type: 'problems' });
    expect(keyToAction('fleet', 'x', {})).toBeNull();
    expect(keyToAction('detail', 'x', {})).toEqual({ type: 'raw' });
    expect(keyToAction('detail', '/', {})).toBeNull();
    expect(keyToAction('detail', '', { return: true })).toBeNull();
  });

  it('types into the filter, and only printable text', () => {
    expect(keyToAction('filter', 'q', {})).toEqual({ type: 'filter-type', text: 'q' });
    expect(keyToAction('filter', 'mode:nat', {})).toEqual({ type: 'filter-type', text: 'mode:nat' });
    expect(keyToAction('filter', '\x1b[2J', {})).toBeNull();
    expect(keyToAction('filter', '', { backspace: true })).toEqual({ type: 'filter-erase' });
    expect(keyToAction('filter', '', { return: true })).toEqual({ type: 'filter-apply' });
    expect(keyToAction('filter', '', { escape: true })).toEqual({ type: 'filter-cancel' });
  });

  it('answers questions with y/n, and Enter means no when stopping a run', () => {
    expect(keyToAction('prompt-quit', 'y', {})).toEqual({ type: 'answer', yes: true });
    expect(keyToAction('prompt-quit', '', { return: true })).toEqual({ type: 'answer', yes: false });
    expect(keyToAction('prompt-quit', 'x', {})).toBeNull();
    expect(keyToAction('prompt-reaudit', '', { return: true })).toEqual({ type: 'reaudit-choose', which: 'selected' });
    expect(keyToAction('prompt-reaudit', 'a', {})).toEqual({ type: 'reaudit-choose', which: 'failed' });
    expect(keyToAction('prompt-reaudit', '', { escape: true })).toEqual({ type: 'answer', yes: false });
  });

  it('treats Ctrl-C as an interrupt everywhere', () => {
    for (const mode of ['fleet', 'detail', 'filter', 'prompt-quit', 'prompt-reaudit', 'help'] as const) {
      expect(keyToAction(mode, 'c', { ctrl: true })).toEqual({ type: 'interrupt' });
    }
  });
});

describe('keyModeOf', () => {
  it('puts questions first, then help, then the filter, then the screen', () => {
    const view = initialViewState();
    expect(keyModeOf(view)).toBe('fleet');
    expect(keyModeOf({ ...view, editing: { before: '' } })).toBe('filter');
    expect(keyModeOf({ ...view, editing: { before: '' }, help: true })).toBe('help');
    expect(keyModeOf({ ...view, help: true, prompt: 'quit' })).toBe('prompt-quit');
    expect(keyModeOf({ ...view, screen: 'detail' })).toBe('detail');
  });
});
