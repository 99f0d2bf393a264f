import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { RawCapture } from '../../../src/model.js';
import { splitObjects } from '../../../src/probe/framing.js';
import { compactDomainXml, parseDomainXml, parseDomainXmlFully } from '../../../src/parse/domainXml.js';
import { ParseError } from '../../../src/parse/errors.js';
import { fixture } from './fixtures.js';

const dump = (slug: string) => parseDomainXml(fixture(`virsh/dumpxml.${slug}.xml`));

describe('parseDomainXml on real virsh dumpxml output', () => {
  it('reads a running domain: id, and every <interface> but not the plain <hostdev>', () => {
    // Given web01: network, bridge, OVS bridge, network+portgroup, direct and hostdev NICs, plus a PCI <hostdev>
    // When it is parsed
    const vm = dump('web01');
    // Then the six interfaces come out in order, and the plain hostdev is not one of them
    expect(vm).toMatchObject({ name: 'web01', uuid: 'd0e1a1b2-0000-4000-8000-000000000001', id: 1 });
    expect(vm.interfaces.map((i) => i.type)).toEqual(['network', 'bridge', 'bridge', 'network', 'direct', 'hostdev']);
    expect(vm.interfaces.map((i) => i.source.pciAddress).filter(Boolean)).toEqual(['0000:03:10.1']);
  });

  it('reads source, mac, model, target, link state, virtualport and VLAN tags of each NIC', () => {
    const [nat, bridged, ovs, portgroup, direct, hostdev] = dump('web01').interfaces;
    expect(nat).toMatchObject({ mac: '52:54:00:00:00:01', model: 'virtio', source: { network: 'default', bridge: null } });
    // The test driver names the tap of a running domain itself (testnetN).
    expect(nat?.target).toMatch(/^testnet\d+$/);
    expect(bridged).toMatchObject({ model: 'e1000', linkState: 'down', source: { bridge: 'br0' } });
    expect(ovs).toMatchObject({ virtualportType: 'openvswitch', vlanTags: [20, 30], source: { bridge: 'ovsbr0' } });
    expect(portgroup?.source).toMatchObject({ network: 'ovs-net', portgroup: 'dmz' });
    expect(direct?.source).toMatchObject({ dev: 'eth1', mode: 'vepa' });
    expect(hostdev).toMatchObject({ vlanTags: [42], linkState: null, backendType: null });
  });

  it('reads every other interface type with the source fields that identify it', () => {
    // Given misc03 (paused), holding user, vhostuser, ethernet, mcast, udp, server, client, null, vdpa, vds, network
    const vm = dump('misc03');
    const byType = new Map(vm.interfaces.map((i) => [i.type, i]));
    // Then each type is present once, with its identifying source attributes
    expect([...byType.keys()]).toEqual(['user', 'vhostuser', 'ethernet', 'mcast', 'udp', 'server', 'client', 'null', 'vdpa', 'vds', 'network']);
    expect(byType.get('vhostuser')?.source).toMatchObject({ path: '/run/vhost/sock0', mode: 'server' });
    expect(byType.get('ethernet')?.target).toBe('tap7');
    expect(byType.get('mcast')?.source).toMatchObject({ address: '239.255.0.1', port: '5558' });
    // The nested <local> of a udp tunnel does not overwrite the remote end
    expect(byType.get('udp')?.source).toMatchObject({ address: '198.18.40.1', port: '5511' });
    expect(byType.get('vdpa')?.source.dev).toBe('/dev/vhost-vdpa-0');
    expect(byType.get('network')?.source.network).toBe('sriov-pool');
    expect(vm.id).toBe(2);
  });

  it('decodes a hostile domain name and network reference, and has no id when shut off', () => {
    const vm = dump('hostile-name');
    expect(vm.name).toBe('db 02 "quoted" & <x>');
    expect(vm.id).toBeNull();
    expect(vm.interfaces[0]?.source.network).toBe('lab net; $(id) & <x>');
  });
});

describe('parseDomainXml on hand-written XML (shapes libvirt 9.0 refuses or never prints)', () => {
  it('reads a passt backend and a hostdev PCI address given in decimal', () => {
    const vm = parseDomainXml(`<domain type='kvm'><name>p</name><devices>
      <interface type='user'><source dev='eth42'/><backend type='passt' logFile='/tmp/x'/></interface>
      <interface type='hostdev'><source><address type='pci' domain='0' bus='6' slot='18' function='1'/></source></interface>
    </devices></domain>`);
    expect(vm.interfaces[0]).toMatchObject({ type: 'user', backendType: 'passt', source: { dev: 'eth42' } });
    expect(vm.interfaces[1]?.source.pciAddress).toBe('0000:06:12.1');
  });

  it('keeps an unknown interface type as written and an interface without type as empty', () => {
    const vm = parseDomainXml(`<domain><name>u</name><devices><interface type='quantum'/><interface/></devices></domain>`);
    expect(vm.interfaces.map((i) => i.type)).toEqual(['quantum', '']);
    expect(vm.interfaces[0]?.source).toMatchObject({ network: null, bridge: null, dev: null, pciAddress: null });
  });

  it('gives no interfaces for a domain without devices', () => {
    expect(parseDomainXml('<domain><name>empty</name></domain>').interfaces).toEqual([]);
  });
});

describe('parseDomainXml on bad input', () => {
  it.each([
    ['empty output', ''],
    ['truncated XML', fixture('virsh/dumpxml.web01.xml').slice(0, 300)],
    ['a network instead of a domain', fixture('virsh/net-dumpxml.default.xml')],
    ['a domain without a name', '<domain><devices/></domain>'],
  ])('throws ParseError on %s', (_label, xml) => {
    expect(() => parseDomainXml(xml)).toThrow(ParseError);
  });

  it('refuses a DOCTYPE with entities', () => {
    const xml = `<!DOCTYPE domain [<!ENTITY a "x">]><domain><name>&a;</name></domain>`;
    expect(() => parseDomainXml(xml)).toThrow(ParseError);
  });
});

describe('parseDomainXml keeps names exactly', () => {
  it('does not trim spaces a name really has, so it still matches the interfaces that name it', () => {
    const vm = parseDomainXml(`<domain><name> padded </name><uuid>
      d0e1a1b2-0000-4000-8000-000000000009 </uuid><devices><interface type='network'><source network=' padded net'/></interface></devices></domain>`);
    expect(vm.name).toBe(' padded ');
    expect(vm.uuid).toBe('d0e1a1b2-0000-4000-8000-000000000009');
    expect(vm.interfaces[0]?.source.network).toBe(' padded net');
  });
});

describe('the compact path of parseDomainXml (root, name, uuid and interfaces only)', () => {
  /** Every domain XML virsh printed in the committed captures (demo fleet and parser fixtures). */
  function capturedDomainXml(): string[] {
    const dirs = [fileURLToPath(new URL('../../../fixtures/demo/captures/', import.meta.url)), fileURLToPath(new URL('../../fixtures/parse/probe/', import.meta.url))];
    const xmls: string[] = [];
    for (const dir of dirs) {
      for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
        const capture = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as RawCapture;
        for (const section of capture.sections.filter((s) => s.id === 'objects')) {
          for (const [key, { xml }] of splitObjects(section.stdout, capture.nonce)) if (key.startsWith('dom:') && xml) xmls.push(xml);
        }
      }
    }
    return xmls;
  }

  it('gives exactly what the whole-document parse gives, on every domain virsh printed', () => {
    const xmls = capturedDomainXml();
    expect(xmls.length).toBeGreaterThan(80);
    for (const xml of xmls) {
      expect(compactDomainXml(xml)).not.toBeNull();
      expect(parseDomainXml(xml)).toEqual(parseDomainXmlFully(xml));
    }
  });

  it('falls back to the whole document when it is not laid out as libvirt writes it', () => {
    const nic = `<interface type='network'><source network='default'/></interface>`;
    // a comment inside <devices>, <name> after other elements, two <devices> blocks
    const odd = [
      `<domain type='kvm'><name>a</name><uuid>u</uuid><devices><!-- <interface type='user'/> -->${nic}</devices></domain>`,
      `<domain type='kvm'><memory>1</memory><name>a</name><uuid>u</uuid><devices>${nic}</devices></domain>`,
      `<domain type='kvm'><name>a</name><uuid>u</uuid><devices>${nic}</devices><devices>${nic}</devices></domain>`,
    ];
    for (const xml of odd) {
      expect(compactDomainXml(xml)).toBeNull();
      expect(parseDomainXml(xml)).toEqual(parseDomainXmlFully(xml));
    }
    expect(parseDomainXml(odd[0]!).interfaces.map((i) => i.type)).toEqual(['network']);
  });

  it('skips the <interface> names inside a <hostdev type="net">, as the whole-document parse does', () => {
    // Given an LXC domain that moves host netdevs in with <hostdev>, beside one real interface
    const xml = `<domain type='lxc'>\n  <name>c1</name>\n  <uuid>u</uuid>\n  <devices>\n    <interface type='direct'><source dev='eth0' mode='vepa'/></interface>\n    <hostdev mode='capabilities' type='net'><source><interface>eth0</interface></source></hostdev>\n    <hostdev mode='capabilities' type='net'/>\n  </devices>\n</domain>`;
    // When parsed by the compact path
    expect(compactDomainXml(xml)).not.toBeNull();
    // Then only the real interface is there
    expect(parseDomainXml(xml).interfaces.map((i) => i.type)).toEqual(['direct']);
    expect(parseDomainXml(xml)).toEqual(parseDomainXmlFully(xml));
  });

  it('keeps entities, self-closing interfaces and the running id', () => {
    const xml = `<domain type='kvm' id='7'>\n  <name>db &amp; &lt;x&gt;</name>\n  <uuid>u</uuid>\n  <devices>\n    <disk type='file'/>\n    <interface type='bridge'><source bridge='br&apos;0'/></interface>\n    <interface type='user'/>\n    <video/>\n  </devices>\n</domain>`;
    expect(compactDomainXml(xml)).not.toBeNull();
    expect(parseDomainXml(xml)).toMatchObject({ name: 'db & <x>', id: 7, interfaces: [{ type: 'bridge', source: { bridge: "br'0" } }, { type: 'user' }] });
  });
});
