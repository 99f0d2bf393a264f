import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { parseDomInfo, parseNetInfo, parseUuidList } from '../../../src/parse/virshInfo.js';
import { fixture, probeCapture } from './fixtures.js';

describe('parseNetInfo on real virsh net-info output', () => {
  it('reads name, UUID, state flags and bridge', () => {
    // Given net-info of the default network; When parsed
    const info = parseNetInfo(fixture('virsh/net-info.default.txt'));
    // Then
    expect(info).toEqual({
      name: 'default',
      uuid: '0b1e5c1a-0000-4000-8000-000000000001',
      active: true,
      persistent: true,
      autostart: false,
      bridge: 'virbr0',
    });
  });

  it('gives bridge null for a network that has none (virsh prints no Bridge line)', () => {
    const text = fixture('virsh/net-info.macvtap-vepa.txt');
    expect(text).not.toMatch(/^Bridge:/m);
    expect(parseNetInfo(text).bridge).toBeNull();
  });

  it('keeps a hostile name exactly', () => {
    expect(parseNetInfo(fixture('virsh/net-info.hostile-name.txt')).name).toBe('lab net; $(id) & <x>');
  });

  it('reads inactive and autostarted networks and keeps leading spaces of a name', () => {
    const text = fixture('virsh/net-info.default.txt')
      .replace(/^Name: {11}default$/m, 'Name:             two spaces')
      .replace(/^Active:( +)yes$/m, 'Active:$1no')
      .replace(/^Autostart:( +)no$/m, 'Autostart:$1yes');
    expect(parseNetInfo(text)).toMatchObject({ name: '  two spaces', active: false, autostart: true });
  });
});

describe('parseDomInfo on real virsh dominfo output', () => {
  it('reads a running domain', () => {
    expect(parseDomInfo(fixture('virsh/dominfo.web01.txt'))).toEqual({
      id: 1,
      name: 'web01',
      uuid: 'd0e1a1b2-0000-4000-8000-000000000001',
      state: 'running',
      persistent: true,
      autostart: false,
    });
  });

  it('maps Id "-" to null and keeps a two-word state and a hostile name', () => {
    const info = parseDomInfo(fixture('virsh/dominfo.hostile-name.txt'));
    expect(info).toMatchObject({ id: null, state: 'shut off', name: 'db 02 "quoted" & <x>' });
  });

  it('reads paused and transient (not persistent) domains', () => {
    expect(parseDomInfo(fixture('virsh/dominfo.misc03.txt')).state).toBe('paused');
    expect(parseDomInfo(fixture('virsh/dominfo.transient04.txt')).persistent).toBe(false);
  });

  it('reads Autostart "enable" as true', () => {
    const text = fixture('virsh/dominfo.web01.txt').replace(/^Autostart:( +)disable$/m, 'Autostart:$1enable');
    expect(parseDomInfo(text).autostart).toBe(true);
  });
});

describe('virsh info parsers on bad input', () => {
  it.each([
    ['empty output', ''],
    ['an error message', "error: failed to get network '0b1e5c1a-0000-4000-8000-000000000001'\n"],
    ['XML', fixture('virsh/net-dumpxml.default.xml')],
  ])('throw ParseError on %s', (_label, text) => {
    expect(() => parseNetInfo(text)).toThrow(ParseError);
    expect(() => parseDomInfo(text)).toThrow(ParseError);
  });

  it('give null for fields whose value is not understood', () => {
    const info = parseNetInfo('Name:           n\nActive:         maybe\n');
    expect(info).toMatchObject({ name: 'n', uuid: null, active: null, persistent: null, bridge: null });
  });
});

describe('parseUuidList', () => {
  it('reads the real net-list and list --uuid sections of a probe run', () => {
    // Given the probe's listing sections; When parsed
    const capture = probeCapture('ok');
    const section = (id: string) => capture.sections.find((s) => s.id === id)?.stdout ?? '';
    // Then every network and domain of the node file is listed once
    expect(parseUuidList(section('net-uuids'))).toHaveLength(12);
    expect(parseUuidList(section('dom-uuids')).sort()).toEqual([1, 2, 3, 4].map((n) => `d0e1a1b2-0000-4000-8000-00000000000${n}`));
  });

  it('lowercases and de-duplicates, and reads empty output as no objects', () => {
    expect(parseUuidList('0B1E5C1A-0000-4000-8000-000000000001\n0b1e5c1a-0000-4000-8000-000000000001\n')).toEqual(['0b1e5c1a-0000-4000-8000-000000000001']);
    expect(parseUuidList('\n')).toEqual([]);
  });

  it('throws ParseError on a line that is not a UUID', () => {
    expect(() => parseUuidList(' default   active   yes   yes\n')).toThrow(ParseError);
  });
});
