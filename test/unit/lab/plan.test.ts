import { describe, expect, it } from 'vitest';
import { labMac, planLabHost } from '../../lab/plan.js';
import type { LabHostSpec } from '../../lab/spec.js';

const NODE = '<node/>';

function spec(overrides: Partial<LabHostSpec>): LabHostSpec {
  return { name: 'hv-t-01', groups: [], uplinkInterfaces: [], links: [], nodeXml: NODE, ...overrides };
}

/** The `ip -n NS …` arguments of a plan, without the repeated prefix. */
function ipArgs(plan: ReturnType<typeof planLabHost>): string[] {
  return plan.commands.map((argv) => argv.slice(argv[1] === '-n' ? 3 : 1).join(' '));
}

describe('planLabHost', () => {
  it('names the namespace <prefix><name> and starts with it, IPv6 off for new links, lo up', () => {
    const plan = planLabHost(spec({}), 'kna-t-');
    expect(plan.netns).toBe('kna-t-hv-t-01');
    expect(ipArgs(plan).slice(0, 3)).toEqual([
      'netns add kna-t-hv-t-01',
      'netns exec kna-t-hv-t-01 sysctl -qw net.ipv6.conf.default.disable_ipv6=1',
      'link set lo up',
    ]);
  });

  it('creates links in spec order, then MTUs, ports, addresses, admin state and routes', () => {
    // Given a bridge with a NIC stand-in, a guest tap, and a default route
    const plan = planLabHost(
      spec({
        links: [
          { kind: 'bridge', name: 'br0', addresses: ['198.19.1.2/24'] },
          { kind: 'veth', name: 'eno1', peer: 'eno1-sw', master: 'br0', mtu: 9000, mac: '02:00:00:00:00:01', peerMac: '02:00:00:00:00:02' },
          { kind: 'tap', name: 'tap1i0', master: 'br0', up: false, mac: 'fe:54:00:00:00:01' },
        ],
        routes: [{ to: 'default', via: '198.19.1.1', dev: 'br0' }],
      }),
      'kna-t-',
    );
    // Then the commands come in that order, with the given MACs
    expect(ipArgs(plan).slice(3)).toEqual([
      `link add br0 address ${labMac('hv-t-01', 'br0')} type bridge`,
      'link add eno1 address 02:00:00:00:00:01 type veth peer name eno1-sw address 02:00:00:00:00:02',
      'tuntap add dev tap1i0 mode tap',
      'link set dev tap1i0 address fe:54:00:00:00:01',
      'link set dev eno1 mtu 9000',
      'link set dev eno1 master br0',
      'link set dev tap1i0 master br0',
      'addr add 198.19.1.2/24 dev br0',
      'link set dev br0 up',
      'link set dev eno1 up',
      'link set dev eno1-sw up',
      'link set dev tap1i0 down',
      'route add default via 198.19.1.1 dev br0',
    ]);
    expect(plan.carrierTaps).toEqual(['tap1i0']);
  });

  it('gives an IPv6 address without link-local or DAD', () => {
    const plan = planLabHost(spec({ links: [{ kind: 'bridge', name: 'br0', addresses: ['2001:db8::2/64'] }] }), 'kna-t-');
    const args = ipArgs(plan);
    expect(args).toContain('link set dev br0 addrgenmode none');
    expect(args).toContain('netns exec kna-t-hv-t-01 sysctl -qw net/ipv6/conf/br0/disable_ipv6=0');
    expect(args).toContain('addr add 2001:db8::2/64 dev br0 nodad');
  });

  it('leaves taps declared without carrier out of the holder', () => {
    const plan = planLabHost(spec({ links: [{ kind: 'tap', name: 'tap1', carrier: false }, { kind: 'tap', name: 'tap2' }] }), 'kna-t-');
    expect(plan.carrierTaps).toEqual(['tap2']);
  });

  it('derives the same MAC for the same host and link, a different one otherwise, always unicast and local', () => {
    const mac = labMac('hv-a', 'br0');
    expect(labMac('hv-a', 'br0')).toBe(mac);
    expect(labMac('hv-b', 'br0')).not.toBe(mac);
    const first = parseInt(mac.slice(0, 2), 16);
    expect(first & 0x01).toBe(0);
    expect(first & 0x02).toBe(2);
  });

  it.each([
    ['a master that is not a bridge', { links: [{ kind: 'veth', name: 'a', peer: 'b', master: 'eno1' }] }, /master eno1 is not a bridge/],
    ['a macvtap on a bridge port', {
      links: [
        { kind: 'bridge', name: 'br0' },
        { kind: 'veth', name: 'eno1', peer: 'eno1-sw', master: 'br0' },
        { kind: 'macvtap', name: 'mv0', lower: 'eno1', mode: 'vepa' },
      ],
    }, /lower eno1 is a bridge port/],
    ['a macvtap before its lower', {
      links: [
        { kind: 'macvtap', name: 'mv0', lower: 'eno1', mode: 'vepa' },
        { kind: 'veth', name: 'eno1', peer: 'eno1-sw' },
      ],
    }, /must be declared before/],
    ['a name used twice', { links: [{ kind: 'bridge', name: 'br0' }, { kind: 'tap', name: 'br0' }] }, /declared twice/],
    ['a name longer than 15 bytes', { links: [{ kind: 'bridge', name: 'br-much-too-long' }] }, /not usable/],
    ['an address outside the lab ranges', { links: [{ kind: 'bridge', name: 'br0', addresses: ['192.168.122.1/24'] }] }, /outside the lab ranges/],
    ['a route via a real address', { links: [{ kind: 'bridge', name: 'br0' }], routes: [{ to: 'default', via: '10.0.0.1', dev: 'br0' }] }, /not a lab address/],
    ['a route on an unknown link', { routes: [{ to: 'default', dev: 'eth9' }] }, /not a link of this host/],
  ] as [string, Partial<LabHostSpec>, RegExp][])('refuses %s before running anything', (_what, overrides, message) => {
    expect(() => planLabHost(spec(overrides), 'kna-t-')).toThrow(message);
  });

  it('refuses an unusable prefix or host name', () => {
    expect(() => planLabHost(spec({}), 'Bad Prefix')).toThrow(/prefix/);
    expect(() => planLabHost(spec({ name: 'HV_01' }), 'kna-t-')).toThrow(/name/);
  });
});
