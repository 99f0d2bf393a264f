import { describe, expect, it } from 'vitest';
import { bigHostCapture } from '../../../src/demo/hostileCaptures.js';
import { parseCapture, parseCaptureYielding } from '../../../src/parse/index.js';

describe('parsing a big host without holding the event loop', () => {
  it('gives the event loop back while reading 3,000 VMs, and reads the same facts as the plain parse', async () => {
    // Given a 3,000-VM capture, and a timer-like task queued behind the parse
    const capture = bigHostCapture('0'.repeat(32), 3_000);
    let parsing = true;
    let ranDuringParse = 0;
    const tick = () => {
      if (!parsing) return;
      ranDuringParse += 1;
      setImmediate(tick);
    };
    setImmediate(tick);
    // When it is parsed in slices
    const sliced = await parseCaptureYielding(capture);
    parsing = false;
    // Then other work ran many times meanwhile, and the facts are the plain parse's
    expect(ranDuringParse).toBeGreaterThanOrEqual(20);
    expect(sliced.domains).toHaveLength(3_000);
    expect(sliced).toEqual(parseCapture(capture));
  });
});
