/**
 * The embedded demo fleet: one local ssh2 server per demo hypervisor, each answering the real probe with
 * a capture of real tool output (fixtures/demo, made by scripts/make-demo-captures.ts), plus one host
 * that rejects our key and one that never answers. Host keys are checked strictly against a throw-away
 * known_hosts file, so the demo exercises the same path as a real audit.
 */
import { rmSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorKind, HostConfig, RawCapture } from '../model.js';
import { readCapture, replayCapture } from '../transport/replay.js';
import { generateEd25519KeyPair, startSshServer, type RunningSshServer } from './sshServer.js';

/** One entry of fixtures/demo/fleet.json. */
export interface DemoHostEntry {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  /** Path of the capture, relative to fleet.json. */
  capture: string;
}

export interface DemoFleet {
  hosts: HostConfig[];
  knownHostsFile: string;
  /** The demo's deliberately broken hosts and how they fail when all is well. */
  expectedFailures: ReadonlyMap<string, ErrorKind>;
  close(): Promise<void>;
}

export interface DemoFleetOptions {
  /** Number of hosts; 0 = the bundled fleet plus its two failing hosts. Above the bundled count, captures repeat. */
  hosts: number;
  /** Folder holding fleet.json. @default the package's fixtures/demo */
  fixturesDir?: string;
}

export const DEMO_FIXTURES_DIR = fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));

export async function loadDemoEntries(fixturesDir = DEMO_FIXTURES_DIR): Promise<{ entry: DemoHostEntry; capture: RawCapture }[]> {
  const entries = JSON.parse(await readFile(path.join(fixturesDir, 'fleet.json'), 'utf8')) as DemoHostEntry[];
  return Promise.all(entries.map(async (entry) => ({ entry, capture: await readCapture(path.join(fixturesDir, entry.capture)) })));
}

export async function startDemoFleet(options: DemoFleetOptions): Promise<DemoFleet> {
  const bundled = await loadDemoEntries(options.fixturesDir);
  const dir = await mkdtemp(path.join(tmpdir(), 'kvm-netaudit-demo-'));
  // The folder holds a private key: gone on every way out, also a second Ctrl-C's process.exit or a crash
  // ('exit' listeners run then, and must be synchronous).
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.once('exit', removeDir);
  const cleanUp = async () => {
    await Promise.all(servers.map((s) => s.close()));
    removeDir();
    process.off('exit', removeDir);
  };
  const servers: RunningSshServer[] = [];
  try {
    const clientKey = generateEd25519KeyPair();
    const identityFile = path.join(dir, 'id_ed25519');
    await writeFile(identityFile, clientKey.private, { mode: 0o600 });
    const strangerKey = generateEd25519KeyPair();
    const hostKeyPem = generateEd25519KeyPair().private;
    const knownHostsFile = path.join(dir, 'known_hosts');

    const count = options.hosts > 0 ? options.hosts : bundled.length;
    const hosts: HostConfig[] = [];
    const expectedFailures = new Map<string, ErrorKind>();
    for (let i = 0; i < count; i++) {
      const { entry, capture } = bundled[i % bundled.length]!;
      const round = Math.floor(i / bundled.length);
      const server = await startSshServer({
        hostKeyPem,
        authorizedKey: clientKey.public,
        onExec: async (session) => {
          session.write(replayCapture(capture, await session.stdin));
          session.exit(0);
        },
      });
      servers.push(server);
      hosts.push(demoHost(round === 0 ? entry.name : `${entry.name}-r${round + 1}`, server.port, entry, identityFile, knownHostsFile));
    }
    if (options.hosts === 0) {
      // A host that only knows some other key: authentication fails.
      const locked = await startSshServer({ hostKeyPem, authorizedKey: strangerKey.public, onExec: async (s) => s.exit(1) });
      servers.push(locked);
      hosts.push(demoHost('hv-locked-90', locked.port, { groups: ['legacy'], uplinkInterfaces: [] }, identityFile, knownHostsFile));
      expectedFailures.set('hv-locked-90', 'auth');
      // A host that accepts the TCP connection and then says nothing: the deadline ends it.
      const hung = await startSshServer({ hostKeyPem, behaviour: 'never-answer', onExec: async (s) => s.exit(1) });
      servers.push(hung);
      hosts.push(demoHost('hv-hung-99', hung.port, { groups: ['legacy'], uplinkInterfaces: [] }, identityFile, knownHostsFile));
      expectedFailures.set('hv-hung-99', 'timeout');
    }
    const knownHosts = servers.map((s) => `[127.0.0.1]:${s.port} ${s.hostKey.type} ${s.hostKey.base64}`);
    await writeFile(knownHostsFile, `${knownHosts.join('\n')}\n`, { mode: 0o600 });
    return {
      hosts,
      knownHostsFile,
      expectedFailures,
      close: cleanUp,
    };
  } catch (err) {
    await cleanUp();
    throw err;
  }
}

function demoHost(
  name: string,
  port: number,
  entry: Pick<DemoHostEntry, 'groups' | 'uplinkInterfaces'>,
  identityFile: string,
  knownHostsFile: string,
): HostConfig {
  return {
    name,
    address: '127.0.0.1',
    port,
    user: 'demo',
    groups: entry.groups,
    identityFile,
    passphraseEnv: null,
    agent: false,
    passwordEnv: null,
    knownHostsFile,
    libvirtUri: 'qemu:///system',
    sudo: false,
    uplinkInterfaces: entry.uplinkInterfaces,
    jump: null,
  };
}
