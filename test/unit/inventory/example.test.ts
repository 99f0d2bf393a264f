import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { ALLOWED_KEYS } from '../../../src/inventory/schema.js';

describe('inventory.example.yaml', () => {
  it('shows every key of defaults, jump hosts and hosts', () => {
    // Given the example's data
    const data = parseDocument(readFileSync(new URL('../../../inventory.example.yaml', import.meta.url), 'utf8')).toJS() as {
      defaults: object;
      jumpHosts: Record<string, object>;
      hosts: object[];
    };
    // When the keys used are collected per kind of mapping
    const hostKeys = new Set(data.hosts.flatMap((host) => Object.keys(host)));
    const jumpKeys = new Set(Object.values(data.jumpHosts).flatMap((jump) => Object.keys(jump)));
    // Then none of the schema's keys is left out
    expect(Object.keys(data).sort()).toEqual([...ALLOWED_KEYS.inventory].sort());
    expect(Object.keys(data.defaults).sort()).toEqual([...ALLOWED_KEYS.settings].sort());
    expect([...jumpKeys].sort()).toEqual([...ALLOWED_KEYS.jumpHost].sort());
    expect([...hostKeys].sort()).toEqual([...ALLOWED_KEYS.host].sort());
  });
});
