import { describe, expect, it } from 'vitest';
import { createOutputBudget, createOutputCollector } from '../../../src/transport/outputCollector.js';

const exited = { code: 0, signal: null };

describe('createOutputCollector', () => {
  it('keeps everything up to the cap across both streams, then refuses and marks truncated', () => {
    // Given a 10-byte cap
    const output = createOutputCollector(10);

    // When 6 bytes of stdout, 4 of stderr, then more arrive
    const accepted = [output.push('stdout', 'abcdef'), output.push('stderr', 'ghij'), output.push('stdout', 'k')];

    // Then the first two fit exactly and the third trips the cap; the byte count covers stderr too
    expect(accepted).toEqual([true, true, false]);
    expect(output.truncated).toBe(true);
    expect(output.finish(exited)).toEqual({ ...exited, stdout: 'abcdef', stderr: 'ghij', truncated: true, bytes: 10, cutOffBy: 'host-cap' });
  });

  it('cuts the chunk that crosses the cap at the cap', () => {
    // Given a 5-byte cap
    const output = createOutputCollector(5);

    // When one 8-byte chunk arrives
    output.push('stdout', Buffer.from('12345678'));

    // Then its first 5 bytes are kept
    expect(output.bytes).toBe(5);
    expect(output.finish(exited).stdout).toBe('12345');
  });

  it('decodes a UTF-8 character split across chunks once, intact', () => {
    // Given a character whose bytes arrive in two chunks
    const bytes = Buffer.from('é', 'utf8');
    const output = createOutputCollector(100);

    // When both halves are pushed
    output.push('stdout', bytes.subarray(0, 1));
    output.push('stdout', bytes.subarray(1));

    // Then the text holds the character, not two replacement characters
    const result = output.finish(exited);
    expect(result.stdout).toBe('é');
    expect(result.truncated).toBe(false);
  });
});

describe('the fleet-wide output budget', () => {
  it('cuts off the host that would pass the budget, and holds a finished host bytes until the caller gives them back', () => {
    // Given a 10-byte budget shared by two hosts, each allowed 8 bytes
    const budget = createOutputBudget(10);
    const first = createOutputCollector(8, budget);
    const second = createOutputCollector(8, budget);

    // When the first holds 6 bytes and the second asks for 6 more
    expect(first.push('stdout', 'abcdef')).toBe(true);
    expect(second.push('stdout', 'ghijkl')).toBe(false);

    // Then the second is cut off by the budget (not its own cap), and the first is untouched
    expect(second.finish(exited)).toMatchObject({ truncated: true, cutOffBy: 'fleet-budget', bytes: 0 });
    expect(budget.inUse).toBe(6);
    // and a failed host's bytes come back at once, only once
    first.release();
    first.release();
    expect(budget.inUse).toBe(0);
    // while a finished host's bytes stay reserved (its output is still being judged) until the caller gives them back
    const third = createOutputCollector(8, budget);
    expect(third.push('stderr', '12345678')).toBe(true);
    const result = third.finish(exited);
    third.release();
    expect(budget.inUse).toBe(8);
    budget.give(result.bytes);
    expect(budget.inUse).toBe(0);
  });
});
