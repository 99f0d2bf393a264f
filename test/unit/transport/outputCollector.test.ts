import { describe, expect, it } from 'vitest';
import { createOutputCollector } from '../../../src/transport/outputCollector.js';

describe('createOutputCollector', () => {
  it('keeps everything up to the cap across both streams, then refuses and marks truncated', () => {
    // Given a 10-byte cap
    const output = createOutputCollector(10);

    // When 6 bytes of stdout, 4 of stderr, then more arrive
    const accepted = [output.push('stdout', 'abcdef'), output.push('stderr', 'ghij'), output.push('stdout', 'k')];

    // Then the first two fit exactly and the third trips the cap
    expect(accepted).toEqual([true, true, false]);
    expect(output.truncated).toBe(true);
    expect(output.text()).toEqual({ stdout: 'abcdef', stderr: 'ghij' });
  });

  it('cuts the chunk that crosses the cap at the cap', () => {
    // Given a 5-byte cap
    const output = createOutputCollector(5);

    // When one 8-byte chunk arrives
    output.push('stdout', Buffer.from('12345678'));

    // Then its first 5 bytes are kept
    expect(output.text().stdout).toBe('12345');
    expect(output.bytes).toBe(5);
  });

  it('decodes a UTF-8 character split across chunks once, intact', () => {
    // Given a character whose bytes arrive in two chunks
    const bytes = Buffer.from('é', 'utf8');
    const output = createOutputCollector(100);

    // When both halves are pushed
    output.push('stdout', bytes.subarray(0, 1));
    output.push('stdout', bytes.subarray(1));

    // Then the text holds the character, not two replacement characters
    expect(output.text().stdout).toBe('é');
    expect(output.truncated).toBe(false);
  });
});
