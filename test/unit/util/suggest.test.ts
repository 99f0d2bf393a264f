import { describe, expect, it } from 'vitest';
import { closestName, unknownKeyMessage } from '../../../src/util/suggest.js';

describe('closestName', () => {
  it.each([
    ['identityfile', ['identityFile', 'knownHostsFile'], 'identityFile'], // case
    ['except_names', ['names', 'exceptNames'], 'exceptNames'], // separators
    ['demoo', ['audit', 'demo', 'diff'], 'demo'], // one edit
    ['dif', ['demo', 'diff'], 'diff'], // the closest of two candidates within reach
    ['timeot', ['timeout', 'connect-timeout'], 'timeout'],
    ['frobnicate', ['audit', 'demo', 'diff'], null], // nothing close
    ['', ['a'], 'a'], // a one-letter name is one edit from nothing
  ] as const)('%s among %j → %s', (typed, known, meant) => {
    expect(closestName(typed, known)).toBe(meant);
  });
});

describe('unknownKeyMessage', () => {
  it('names the key meant, or lists the keys allowed', () => {
    expect(unknownKeyMessage('descripton', ['id', 'description'])).toBe('unknown key (did you mean description?)');
    expect(unknownKeyMessage('colour', ['id', 'description'])).toBe('unknown key (allowed here: id, description)');
  });
});
