import { describe, expect, it } from 'vitest';
import { formatClock, formatDuration, formatModeCounts } from '../../../src/ui/format.js';

describe('formatDuration', () => {
  it.each([
    [412, '412ms'],
    [999.9, '999ms'],
    [1234, '1.2s'],
    [30_000, '30.0s'],
    [125_000, '2m05s'],
    [3_720_000, '1h02m'],
  ])('shows %d ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });
});

describe('formatClock', () => {
  it('shows minutes and seconds, and hours only when needed', () => {
    expect(formatClock(7_900)).toBe('0:07');
    expect(formatClock(725_000)).toBe('12:05');
    expect(formatClock(3_723_000)).toBe('1:02:03');
  });
});

describe('formatModeCounts', () => {
  it('lists the largest count first and breaks ties in vocabulary order', () => {
    expect(formatModeCounts({ bridged: 2, nat: 2, macvtap: 5 })).toBe('macvtap 5, nat 2, bridged 2');
    expect(formatModeCounts({})).toBe('');
  });
});
