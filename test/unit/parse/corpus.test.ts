/**
 * libvirt's own test XML, read from $KVM_NETAUDIT_CORPUS (never copied into this repo): every domain file's
 * interfaces and every network file must parse. Unset variable → skipped with one line (a failure under
 * KVM_NETAUDIT_REQUIRE_ALL=1, as in CI); set but pointing nowhere → failure.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDomainXml } from '../../../src/parse/domainXml.js';
import { parseNetworkXml } from '../../../src/parse/networkXml.js';
import { CORPUS_REQUIREMENT, locateCorpus, xmlFiles as corpusFiles } from '../../helpers/corpus.js';
import { gateTier } from '../../helpers/prerequisites.js';

const corpus = locateCorpus();
const gate = gateTier('unit tier (libvirt XML corpus)', [CORPUS_REQUIREMENT]);
const xmlFiles = (dir: string) => (existsSync(dir) ? corpusFiles(dir) : []);

if (corpus.state === 'unset') {
  describe.skipIf(gate.skip)('libvirt XML corpus', () => {
    it('is found where KVM_NETAUDIT_CORPUS points', () => gate.enforce());
  });
} else {
  const root = corpus.dir;
  const domainDir = join(root, 'domain');
  const networkDir = join(root, 'network');

  describe(`libvirt domain XML corpus in ${domainDir}`, () => {
    it('exists and holds domain files', () => {
      expect(existsSync(domainDir), `KVM_NETAUDIT_CORPUS is set but ${domainDir} does not exist`).toBe(true);
      expect(xmlFiles(domainDir).length).toBeGreaterThan(0);
    });

    it.each(xmlFiles(domainDir))('%s: every <interface> parses, with a type, and no <hostdev> among them', (file) => {
      // Given a libvirt test domain
      const xml = readFileSync(join(domainDir, file), 'utf8');
      // When it is parsed
      const vm = parseDomainXml(xml);
      // Then there is one InterfaceFacts per <interface> element, each with its type
      const written = [...xml.matchAll(/<interface\s[^>]*type=['"]([^'"]+)['"]/g)].map((m) => m[1]);
      expect(vm.interfaces.map((i) => i.type)).toEqual(written);
      expect(vm.name).not.toBe('');
    });

    it('reads the details that classify the trickier files', () => {
      const dom = (file: string) => parseDomainXml(readFileSync(join(domainDir, file), 'utf8'));
      expect(dom('net-hostdev-vfio.xml').interfaces[0]).toMatchObject({ type: 'hostdev', vlanTags: [42], source: { pciAddress: '0000:06:12.1' } });
      expect(dom('net-user-passt.xml').interfaces[0]).toMatchObject({ backendType: 'passt', source: { dev: 'eth42' } });
      expect(dom('net-virtio-teaming-hostdev.xml').interfaces.map((i) => i.type)).toEqual(['user', 'user']);
      expect(dom('net-bandwidth.xml').interfaces[0]?.source.network).toBe('nat-network;plug-network-basic');
      expect(dom('test-fullvirt-ovswitch-tagged.xml').interfaces[0]).toMatchObject({ virtualportType: 'openvswitch', vlanTags: [42], source: { bridge: 'ovsbr0' } });
      expect(dom('lxcconf2xml-macvlannetwork.xml').interfaces[0]?.source).toMatchObject({ dev: 'eth0', mode: 'vepa' });
    });
  });

  describe(`libvirt network XML corpus in ${networkDir}`, () => {
    it('exists and holds network files', () => {
      expect(existsSync(networkDir), `KVM_NETAUDIT_CORPUS is set but ${networkDir} does not exist`).toBe(true);
      expect(xmlFiles(networkDir).length).toBeGreaterThan(0);
    });

    it.each(xmlFiles(networkDir))('%s parses, with <forward> present exactly when written', (file) => {
      const xml = readFileSync(join(networkDir, file), 'utf8');
      const net = parseNetworkXml(xml);
      expect(net.name).not.toBe('');
      expect(net.forward !== null).toBe(/<forward[\s/>]/.test(xml));
    });

    it('reads the details that classify the trickier files', () => {
      const net = (file: string) => parseNetworkXml(readFileSync(join(networkDir, file), 'utf8'));
      expect(net('netboot-network.xml').forward?.mode).toBeNull();
      expect(net('8021Qbh-net.xml')).toMatchObject({ virtualportType: '802.1Qbh', vlanTags: [549], forward: { mode: 'private', interfaces: ['eth1', 'eth2', 'eth3', 'eth4', 'eth5'] } });
      expect(net('hostdev.xml').forward?.pciAddresses).toEqual(['0000:03:00.1', '0000:03:00.2', '0000:03:00.3', '0000:03:00.4']);
      expect(net('passthrough-pf.xml').forward).toMatchObject({ pfs: ['eth0'], interfaces: ['eth10', 'eth11'] });
      expect(net('openvswitch-net.xml').portgroups.map((p) => [p.name, p.isDefault, p.vlanTags])).toEqual([
        ['bob', true, [666]],
        ['alice', false, [777, 888, 999]],
      ]);
      expect(net('nat-network-forward-nat-ipv6.xml').forward?.natIpv6).toBe(true);
    });
  });
}
