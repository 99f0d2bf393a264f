/**
 * The embedded demo fleet: one local ssh2 server per demo hypervisor, each answering the real probe with
 * a capture of real tool output (fixtures/demo, made by scripts/make-demo-captures.ts), plus one host
 * that rejects our key and one that never answers. Host keys are checked strictly against a throw-away
 * known_hosts file, so the demo exercises the same path as a real audit.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorKind, HostConfig, RawCapture } from '../model.js';
import { readCapture, replayCapture } from '../transport/replay.js';
import { startServedFleet, type FleetKeys, type HostSpec, type ServedEndpoint } from './servedFleet.js';
import { startSshServer, type RunningSshServer } from './sshServer.js';

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
  const count = options.hosts > 0 ? options.hosts : bundled.length;
  const specs: HostSpec[] = [];
  for (let i = 0; i < count; i++) {
    const { entry, capture } = bundled[i % bundled.length]!;
    const round = Math.floor(i / bundled.length);
    specs.push(replayingHost(round === 0 ? entry.name : `${entry.name}-r${round + 1}`, entry, capture));
  }
  const expectedFailures = new Map<string, ErrorKind>();
  if (options.hosts === 0) {
    // A host that only knows some other key: authentication fails.
    specs.push(
      brokenHost('hv-locked-90', (keys) => startSshServer({ hostKeyPem: keys.hostKeyPem, authorizedKey: keys.strangerPublicKey, onExec: (s) => s.exit(1) })),
    );
    expectedFailures.set('hv-locked-90', 'auth');
    // A host that accepts the TCP connection and then says nothing: the deadline ends it.
    specs.push(brokenHost('hv-hung-99', (keys) => startSshServer({ hostKeyPem: keys.hostKeyPem, behaviour: 'never-answer', onExec: (s) => s.exit(1) })));
    expectedFailures.set('hv-hung-99', 'timeout');
  }
  const fleet = await startServedFleet(specs);
  return { ...fleet, expectedFailures };
}

/** A well-behaved host answering every probe with `capture`. */
export function replayingHost(name: string, entry: Pick<DemoHostEntry, 'groups' | 'uplinkInterfaces'>, capture: RawCapture): HostSpec {
  return {
    name,
    groups: entry.groups,
    uplinkInterfaces: entry.uplinkInterfaces,
    start: (keys) =>
      endpointOf(
        startSshServer({
          hostKeyPem: keys.hostKeyPem,
          authorizedKey: keys.clientPublicKey,
          onExec: async (session) => {
            await session.write(replayCapture(capture, await session.stdin));
            session.exit(0);
          },
        }),
      ),
  };
}

function brokenHost(name: string, start: (keys: FleetKeys) => Promise<RunningSshServer>): HostSpec {
  return { name, groups: ['legacy'], uplinkInterfaces: [], start: (keys) => endpointOf(start(keys)) };
}

/** An embedded SSH server as a fleet endpoint, known by the key it presents. */
export async function endpointOf(server: Promise<RunningSshServer>): Promise<ServedEndpoint> {
  const running = await server;
  return { port: running.port, knownKey: running.hostKey, close: () => running.close() };
}
