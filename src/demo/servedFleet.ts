/**
 * A fleet of local SSH endpoints, each described by a spec that knows how to start itself: the demo fleet and
 * the fault fleet are both lists of specs. This module owns what they share: one client key (in a private
 * temporary folder, removed on every way out), one host key, a known_hosts file checked strictly, the HostConfigs.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HostConfig } from '../model.js';
import { generateEd25519KeyPair } from './sshServer.js';

/** What every endpoint of one fleet may use. */
export interface FleetKeys {
  /** The key our client logs in with (its private half is in `identityFile`). */
  clientPublicKey: string;
  /** A key nobody uses to log in: a server that only accepts it refuses us. */
  strangerPublicKey: string;
  /** The host key every well-behaved endpoint presents. */
  hostKeyPem: string;
}

/** One listening endpoint. */
export interface ServedEndpoint {
  /** @default '127.0.0.1' */
  address?: string;
  port: number;
  /**
   * The known_hosts key for it (`type base64`); usually the key it presents, but a spec may record another
   * (a host whose key changed). Null: it never gets as far as a key exchange.
   */
  knownKey: { type: string; base64: string } | null;
  close(): Promise<void>;
}

/** How to serve one host of the fleet. */
export interface HostSpec {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  start(keys: FleetKeys): Promise<ServedEndpoint>;
}

export interface ServedFleet {
  hosts: HostConfig[];
  knownHostsFile: string;
  close(): Promise<void>;
}

/** Start every spec (in order) on 127.0.0.1 and write the known_hosts file for them. */
export async function startServedFleet(specs: readonly HostSpec[], label = 'demo'): Promise<ServedFleet> {
  const dir = await mkdtemp(path.join(tmpdir(), `kvm-netaudit-${label}-`));
  // The folder holds a private key: gone on every way out, also a second Ctrl-C's process.exit or a crash
  // ('exit' listeners run then, and must be synchronous).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const endpoints: ServedEndpoint[] = [];
  const close = async () => {
    await Promise.all(endpoints.map((e) => e.close()));
    removeDir();
    process.off('exit', removeDir);
  };
  try {
    const clientKey = generateEd25519KeyPair();
    const identityFile = path.join(dir, 'id_ed25519');
    await writeFile(identityFile, clientKey.private, { mode: 0o600 });
    const keys: FleetKeys = {
      clientPublicKey: clientKey.public,
      strangerPublicKey: generateEd25519KeyPair().public,
      hostKeyPem: generateEd25519KeyPair().private,
    };
    const knownHostsFile = path.join(dir, 'known_hosts');
    const hosts: HostConfig[] = [];
    for (const spec of specs) {
      const endpoint = await spec.start(keys);
      endpoints.push(endpoint);
      hosts.push(servedHost(spec, endpoint, identityFile, knownHostsFile));
    }
    const lines = endpoints.flatMap((e) => (e.knownKey ? [`[${e.address ?? LOOPBACK}]:${e.port} ${e.knownKey.type} ${e.knownKey.base64}`] : []));
    await writeFile(knownHostsFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    return { hosts, knownHostsFile, close };
  } catch (err) {
    await close();
    throw err;
  }
}

const LOOPBACK = '127.0.0.1';

function servedHost(spec: HostSpec, endpoint: ServedEndpoint, identityFile: string, knownHostsFile: string): HostConfig {
  return {
    name: spec.name,
    address: endpoint.address ?? LOOPBACK,
    port: endpoint.port,
    user: 'demo',
    groups: spec.groups,
    identityFile,
    passphraseEnv: null,
    agent: false,
    passwordEnv: null,
    knownHostsFile,
    libvirtUri: 'qemu:///system',
    sudo: false,
    uplinkInterfaces: spec.uplinkInterfaces,
    jump: null,
  };
}
