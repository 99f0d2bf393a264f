import { describe, expect, it } from 'vitest';
import { HostSelectionError, InventoryError, parseInventory, selectHosts } from '../../../src/inventory/index.js';

const { hosts } = parseInventory(
  [
    'groups: { prod: {}, dmz: {}, lab: {} }',
    'hosts:',
    '  - { name: hv01, address: a, groups: [prod] }',
    '  - { name: hv02, address: b, groups: [prod, dmz] }',
    '  - { name: hv10, address: c, groups: [dmz] }',
    '  - { name: lab-1, address: d, groups: [lab] }',
    '  - { name: edge, address: e }',
  ].join('\n'),
  'inventory.yaml',
  { homeDir: '/home/x' },
);

const names = (patterns: string[]): string[] => selectHosts(hosts, patterns).map((host) => host.name);

function selectionErrors(patterns: string[]): string[] {
  try {
    selectHosts(hosts, patterns);
  } catch (error) {
    expect(error).toBeInstanceOf(HostSelectionError);
    expect(error).toBeInstanceOf(InventoryError);
    return [...(error as HostSelectionError).messages];
  }
  throw new Error('expected a HostSelectionError');
}

describe('selectHosts (--limit)', () => {
  it('keeps every host when no pattern is given', () => {
    expect(names([])).toEqual(hosts.map((host) => host.name));
    expect(names(['', ' , '])).toEqual(hosts.map((host) => host.name));
  });

  it('matches host names with * and ? globs, keeping inventory order', () => {
    expect(names(['hv?0'])).toEqual(['hv10']);
    expect(names(['edge,hv*'])).toEqual(['hv01', 'hv02', 'hv10', 'edge']);
  });

  it('matches with classes and braces as a shell does, a comma inside braces not splitting the list', () => {
    expect(names(['hv[01]?'])).toEqual(['hv01', 'hv02', 'hv10']);
    expect(names(['hv0[!1]'])).toEqual(['hv02']);
    expect(names(['{edge,lab-*},hv1?'])).toEqual(['hv10', 'lab-1', 'edge']);
    expect(names(['!{prod,lab}'])).toEqual(['hv10', 'edge']);
    expect(names(['hv0[1,2]:hv1[0]'])).toEqual(['hv01', 'hv02', 'hv10']);
  });

  it("takes Ansible's patterns: `:` as well as `,`, `&` intersects and `!` excludes whatever the order", () => {
    expect(names(['prod:&dmz'])).toEqual(['hv02']);
    expect(names(['prod:!dmz'])).toEqual(['hv01']);
    expect(names(['!dmz:prod'])).toEqual(['hv01']);
    expect(names(['hv*:&dmz:!hv10'])).toEqual(['hv02']);
    expect(selectionErrors(['prod:&'])).toEqual(['--limit: "&" intersects with nothing: write &NAME or &GLOB']);
  });

  it('takes ranges of host names, zero-padded as written, and picks hosts of a group by position', () => {
    expect(names(['hv[01:02]'])).toEqual(['hv01', 'hv02']);
    expect(names(['hv[09:10]'])).toEqual(['hv10']);
    expect(selectionErrors(['hv[1:2]'])).toEqual(['--limit: "hv[1:2]" matches no host name or group']);
    expect(names(['prod[0]'])).toEqual(['hv01']);
    expect(names(['dmz[-1]'])).toEqual(['hv10']);
    expect(names(['prod[0:1],lab[0:]'])).toEqual(['hv01', 'hv02', 'lab-1']);
    expect(selectionErrors(['hv[0:99999999]'])[0]).toMatch(/holds more than 100000 names/);
  });

  it('refuses a pattern that reads both as positions in a group and as a range of names, rather than guess', () => {
    const { hosts: web } = parseInventory(
      'groups: { web: {} }\nhosts:\n' + ['web01', 'web02', 'web03', 'web04'].map((n) => `  - { name: ${n}, address: a, groups: [web] }`).join('\n'),
      'inventory.yaml',
      { homeDir: '/home/x' },
    );
    expect(() => selectHosts(web, ['web[01:03]'])).toThrow(/reads both as hosts 01…03 of the group web by position and as a range of host names/);
    expect(selectHosts(web, ['web[2:]']).map((h) => h.name)).toEqual(['web03', 'web04']);
  });

  it('refuses a pattern whose braces expand past the limit, naming it', () => {
    expect(selectionErrors(['{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}{a,b}'])[0]).toMatch(/^--limit: ".*" expands to more than 256 patterns/);
  });

  it('matches group names', () => {
    expect(names(['dmz'])).toEqual(['hv02', 'hv10']);
    expect(names(['l*'])).toEqual(['lab-1']);
  });

  it('takes comma-separated and repeated patterns alike', () => {
    expect(names(['lab', 'edge'])).toEqual(names(['lab,edge']));
    expect(names(['lab', 'edge'])).toEqual(['lab-1', 'edge']);
  });

  it('excludes with !pattern, from the includes or from all hosts', () => {
    expect(names(['prod,!dmz'])).toEqual(['hv01']);
    expect(names(['!prod', '!lab'])).toEqual(['hv10', 'edge']);
    expect(names(['hv*', '!hv0?'])).toEqual(['hv10']);
  });

  it('treats a glob as a whole-name match, with other characters literal', () => {
    expect(selectionErrors(['hv'])).toEqual(['--limit: "hv" matches no host name or group']);
    expect(selectionErrors(['hv.1'])).toEqual(['--limit: "hv.1" matches no host name or group']);
  });

  it('names every pattern that matches nothing, included or excluded', () => {
    expect(selectionErrors(['prod,prdo', '!lba', 'edge'])).toEqual([
      '--limit: "prdo" matches no host name or group',
      '--limit: "!lba" matches no host name or group',
    ]);
  });

  it('refuses a selection that leaves no host', () => {
    expect(selectionErrors(['lab,!lab-*'])).toEqual(['--limit lab,!lab-*: no host left to audit']);
  });

  it('refuses a bare !', () => {
    expect(selectionErrors(['prod,!'])).toEqual(['--limit: "!" excludes nothing: write !NAME or !GLOB']);
  });
});
