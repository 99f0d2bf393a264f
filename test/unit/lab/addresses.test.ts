import { describe, expect, it } from 'vitest';
import { isAllowedLabAddress, parseLabCidr } from '../../lab/addresses.js';

describe('lab addresses', () => {
  it('allows the benchmarking range, the TEST-NETs, 2001:db8::/32 and loopback', () => {
    for (const address of ['198.18.0.1', '198.19.255.254', '192.0.2.7', '198.51.100.1', '203.0.113.9', '127.0.0.1', '2001:db8::1', '::1']) {
      expect(isAllowedLabAddress(address), address).toBe(true);
    }
  });

  it('refuses private, public and neighbouring addresses', () => {
    for (const address of ['192.168.122.1', '10.0.0.1', '198.17.255.255', '198.20.0.0', '8.8.8.8', '2001:db9::1', 'fe80::1', '198.18.0.256']) {
      expect(isAllowedLabAddress(address), address).toBe(false);
    }
  });

  it('parses ADDRESS/PREFIX into family, address and prefix', () => {
    expect(parseLabCidr('198.19.2.12/24', 'br0')).toEqual({ family: 'ipv4', address: '198.19.2.12', prefix: 24 });
    expect(parseLabCidr('2001:db8:2::12/64', 'br0')).toEqual({ family: 'ipv6', address: '2001:db8:2::12', prefix: 64 });
  });

  it('names the place of a bad address in its error', () => {
    expect(() => parseLabCidr('192.168.1.1/24', 'hv-x, link br0')).toThrow(/hv-x, link br0: 192\.168\.1\.1\/24 is outside/);
    expect(() => parseLabCidr('198.18.0.1', 'br0')).toThrow(/not ADDRESS\/PREFIX/);
    expect(() => parseLabCidr('198.18.0.1/33', 'br0')).toThrow(/too long/);
  });
});
