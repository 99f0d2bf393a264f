import { describe, expect, it } from 'vitest';
import { scrollWindow } from '../../../src/ui/visibleRows.js';

describe('scrollWindow', () => {
  it('shows everything when the list fits', () => {
    expect(scrollWindow({ length: 5, height: 10, scroll: 3 })).toEqual({ start: 0, end: 5 });
  });

  it('stays where it is while the focus is inside the window', () => {
    expect(scrollWindow({ length: 100, height: 10, scroll: 20, focus: { from: 25, to: 25 } })).toEqual({ start: 20, end: 30 });
  });

  it('moves just enough to show a focus below or above the window', () => {
    expect(scrollWindow({ length: 100, height: 10, scroll: 0, focus: { from: 12, to: 12 } })).toEqual({ start: 3, end: 13 });
    expect(scrollWindow({ length: 100, height: 10, scroll: 50, focus: { from: 40, to: 40 } })).toEqual({ start: 40, end: 50 });
  });

  it('shows the whole focus when it spans several lines, its top line first when it is taller than the window', () => {
    expect(scrollWindow({ length: 100, height: 10, scroll: 0, focus: { from: 8, to: 12 } })).toEqual({ start: 3, end: 13 });
    expect(scrollWindow({ length: 100, height: 3, scroll: 0, focus: { from: 8, to: 12 } })).toEqual({ start: 8, end: 11 });
  });

  it('never scrolls past either end of the list', () => {
    expect(scrollWindow({ length: 100, height: 10, scroll: 500 })).toEqual({ start: 90, end: 100 });
    expect(scrollWindow({ length: 100, height: 10, scroll: -5 })).toEqual({ start: 0, end: 10 });
    expect(scrollWindow({ length: 0, height: 10, scroll: 3, focus: { from: 0, to: 0 } })).toEqual({ start: 0, end: 0 });
  });
});
