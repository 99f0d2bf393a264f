import { describe, expect, it } from 'vitest';
import { interfaceId, viaOf } from '../../../src/report/nic.js';

describe('interfaceId', () => {
  it('is the MAC, else the target device, else the position', () => {
    expect(interfaceId('52:54:00:00:00:01', 'vnet0', 3)).toBe('52:54:00:00:00:01');
    expect(interfaceId(null, 'vnet0', 3)).toBe('vnet0');
    expect(interfaceId(null, null, 3)).toBe('nic3');
    expect(interfaceId(undefined, undefined, 0)).toBe('nic0');
  });

  it('is never empty: an empty MAC or target counts as absent', () => {
    expect(interfaceId('', 'vnet0', 1)).toBe('vnet0');
    expect(interfaceId('', '', 1)).toBe('nic1');
  });
});

describe('viaOf', () => {
  it('writes the kind and the name, or the bare kind, or nothing', () => {
    expect(viaOf({ kind: 'network', name: 'default' })).toBe('network default');
    expect(viaOf({ kind: 'pci', name: '0000:03:07.1' })).toBe('pci 0000:03:07.1');
    expect(viaOf({ kind: 'socket', name: '/run/vhost user.sock' })).toBe('socket /run/vhost user.sock');
    expect(viaOf({ kind: 'slirp', name: null })).toBe('slirp');
    expect(viaOf({ kind: 'udp', name: null })).toBe('udp');
    expect(viaOf(null)).toBeNull();
  });
});
