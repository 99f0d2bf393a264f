/**
 * Hostile hosts for the fault tier and the fault benchmark: every way a hypervisor (or what sits in front of it)
 * can refuse, hang, drip, drop, flood or lie, each with the outcome the audit must give it. They are fleet specs
 * (see servedFleet.ts), so they run beside ordinary hosts in one fleet. Every loop here is bounded and stops when
 * the client goes away.
 */
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import ssh2 from 'ssh2';
import type { ErrorKind, HostStatus, RawCapture } from '../model.js';
import { frame, nonceOfScript } from '../probe/framing.js';
import { endpointOf } from './fleet.js';
import {
  bigHostCapture,
  cutInHalf,
  encodeWithInvalidUtf8,
  entityBombXml,
  withControlBytes,
  withFirstDomainXml,
  withListedDomains,
  withVlanLoop,
} from './hostileCaptures.js';
import type { FleetKeys, HostSpec, ServedEndpoint } from './servedFleet.js';
import { generateEd25519KeyPair, startSshServer, type ExecContext } from './sshServer.js';

/** What the audit must make of a host. */
export interface Expectation {
  status: HostStatus;
  /** The error kind of a failed (or partial) host; null when it has none. */
  errorKind: ErrorKind | null;
  /** A warning kind the host's report must carry. */
  warning?: string;
  /** It ends by its deadline: its duration must be within a second of --timeout. */
  endsByDeadline?: boolean;
}

export interface HostileBehaviour {
  what: string;
  expect: Expectation;
  /** Start the endpoint; `capture` is an ordinary host's capture to lie about. */
  start(keys: FleetKeys, capture: RawCapture): Promise<ServedEndpoint>;
}

/** Bounds for the endless behaviours, in case a client never goes away. */
const DRIP_INTERVAL_MS = 200;
const DRIP_MAX_TICKS = 3_000;
const FLOOD_CHUNK = Buffer.alloc(64 * 1024, 'x');
const FLOOD_MAX_BYTES = 1024 * 1024 * 1024;

/** How many guests the big host has, and how many domains the lying host lists. */
export const BIG_HOST_VMS = 3_000;
export const LISTED_DOMAINS = 40_000;

export const HOSTILE_BEHAVIOURS = {
  refused: {
    what: 'nothing listens on its port',
    expect: { status: 'failed', errorKind: 'unreachable' },
    start: () => closedPort(),
  },
  'silent-banner': {
    what: 'accepts TCP, never sends the SSH banner',
    expect: { status: 'failed', errorKind: 'timeout', endsByDeadline: true },
    start: (keys) => endpointOf(startSshServer({ hostKeyPem: keys.hostKeyPem, behaviour: 'never-answer' })),
  },
  'stuck-kex': {
    what: 'sends its banner, then never answers the key exchange',
    expect: { status: 'failed', errorKind: 'timeout', endsByDeadline: true },
    start: () => bannerOnly(),
  },
  'auth-refused': {
    what: 'accepts only some other key',
    expect: { status: 'failed', errorKind: 'auth' },
    start: (keys) => endpointOf(startSshServer({ hostKeyPem: keys.hostKeyPem, authorizedKey: keys.strangerPublicKey })),
  },
  'hostkey-changed': {
    what: 'presents a host key other than the one known for it',
    expect: { status: 'failed', errorKind: 'hostkey' },
    start: async (keys) => {
      const endpoint = await endpointOf(
        startSshServer({ hostKeyPem: generateEd25519KeyPair().private, authorizedKey: keys.clientPublicKey }),
      );
      return { ...endpoint, knownKey: publicKeyOf(keys.hostKeyPem) };
    },
  },
  'exec-hang': {
    what: 'runs the probe and never answers',
    expect: { status: 'failed', errorKind: 'timeout', endsByDeadline: true },
    start: (keys) => probeServer(keys, async (exec) => void (await untilClosed(exec))),
  },
  drip: {
    what: 'answers one byte every 200 ms, forever',
    expect: { status: 'failed', errorKind: 'timeout', endsByDeadline: true },
    start: (keys) =>
      probeServer(keys, async (exec) => {
        for (let tick = 0; tick < DRIP_MAX_TICKS && !exec.signal.aborted; tick++) {
          await exec.write('.');
          await sleep(DRIP_INTERVAL_MS, exec.signal);
        }
      }),
  },
  'drop-mid-stream': {
    what: 'sends half its answer, then the connection drops',
    expect: { status: 'failed', errorKind: 'unreachable' },
    start: (keys, capture) => droppingMidStream(keys, capture),
  },
  'flood-stdout': {
    what: 'answers in full, then floods stdout without end',
    expect: { status: 'partial', errorKind: 'command', warning: 'output-truncated' },
    start: (keys, capture) =>
      probeServer(keys, async (exec, script) => {
        await exec.write(answer(capture, script));
        await flood(exec, (chunk) => exec.write(chunk));
      }),
  },
  'flood-stderr': {
    what: 'floods stderr before it prints anything',
    expect: { status: 'failed', errorKind: 'command' },
    start: (keys) => probeServer(keys, (exec) => flood(exec, (chunk) => exec.writeStderr(chunk))),
  },
  'no-exit-status': {
    what: 'answers in full, then closes the channel without an exit status',
    expect: { status: 'ok', errorKind: null, warning: 'exit-status-missing' },
    start: (keys, capture) =>
      probeServer(keys, async (exec, script) => {
        await exec.write(answer(capture, script));
        exec.closeWithoutStatus();
      }),
  },
  'entity-bomb': {
    what: "a guest's XML declares nested entities (billion laughs)",
    expect: { status: 'partial', errorKind: 'parse', warning: 'object-unparsed' },
    start: (keys, capture) => replaying(keys, withFirstDomainXml(capture, () => entityBombXml('bomb'))),
  },
  'truncated-xml': {
    what: "a guest's XML is cut off mid-document",
    expect: { status: 'partial', errorKind: 'parse', warning: 'object-unparsed' },
    start: (keys, capture) => replaying(keys, withFirstDomainXml(capture, cutInHalf)),
  },
  'control-bytes': {
    what: 'link names with terminal escapes, bidi controls and bytes that are not UTF-8',
    expect: { status: 'ok', errorKind: null },
    start: (keys, capture) => replaying(keys, withControlBytes(capture)),
  },
  'vlan-loop': {
    what: 'two VLANs name each other as lower device, one VLAN names itself',
    expect: { status: 'ok', errorKind: null },
    start: (keys, capture) => replaying(keys, withVlanLoop(capture)),
  },
  'uuid-flood': {
    what: `lists ${LISTED_DOMAINS.toLocaleString('en')} domains it never dumps`,
    expect: { status: 'partial', errorKind: 'command', warning: 'object-cap' },
    start: (keys, capture) => replaying(keys, withListedDomains(capture, LISTED_DOMAINS)),
  },
  'big-host': {
    what: `${BIG_HOST_VMS.toLocaleString('en')} running guests on one NAT network`,
    expect: { status: 'ok', errorKind: null },
    start: (keys, capture) => replaying(keys, bigHostCapture(capture.nonce, BIG_HOST_VMS)),
  },
} satisfies Record<string, HostileBehaviour>;

export type HostileKind = keyof typeof HOSTILE_BEHAVIOURS;
export const HOSTILE_KINDS = Object.keys(HOSTILE_BEHAVIOURS) as HostileKind[];

/** A fleet spec for a hostile host of `kind` that lies about `capture` (an ordinary host's). */
export function hostileHost(name: string, kind: HostileKind, capture: RawCapture): HostSpec {
  const behaviour: HostileBehaviour = HOSTILE_BEHAVIOURS[kind];
  return { name, groups: ['hostile'], uplinkInterfaces: [], start: (keys) => behaviour.start(keys, capture) };
}

/** The probe's answer to `script`: the capture framed under the script's nonce. */
function answer(capture: RawCapture, script: string): Buffer {
  const nonce = nonceOfScript(script);
  if (nonce === null) throw new Error('not a kvm-netaudit probe script (no nonce)');
  return encodeWithInvalidUtf8(frame(capture, nonce));
}

/** A well-behaved server that runs `handle` for every probe, with the script it was sent. */
function probeServer(keys: FleetKeys, handle: (exec: ExecContext, script: string) => Promise<void>): Promise<ServedEndpoint> {
  return endpointOf(
    startSshServer({
      hostKeyPem: keys.hostKeyPem,
      authorizedKey: keys.clientPublicKey,
      onExec: async (exec) => handle(exec, await exec.stdin),
    }),
  );
}

/** A server that answers every probe with `capture` (possibly carrying bytes that are not UTF-8). */
function replaying(keys: FleetKeys, capture: RawCapture): Promise<ServedEndpoint> {
  return probeServer(keys, async (exec, script) => {
    await exec.write(answer(capture, script));
    exec.exit(0);
  });
}

async function flood(exec: ExecContext, write: (chunk: Buffer) => Promise<void>): Promise<void> {
  for (let sent = 0; sent < FLOOD_MAX_BYTES && !exec.signal.aborted; sent += FLOOD_CHUNK.length) await write(FLOOD_CHUNK);
}

function untilClosed(exec: ExecContext): Promise<void> {
  return new Promise((resolve) => {
    if (exec.signal.aborted) resolve();
    else exec.signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * An address nothing listens on: every server here listens on 127.0.0.1 only, so the same port on 127.0.0.2 (also
 * loopback) refuses, and no later server can take it over the way a freed port on 127.0.0.1 could be.
 */
async function closedPort(): Promise<ServedEndpoint> {
  const server = await listening(createServer());
  const port = portOf(server);
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return { address: '127.0.0.2', port, knownKey: null, close: async () => {} };
}

/** Sends an SSH banner, then reads and drops whatever comes, never answering. */
async function bannerOnly(): Promise<ServedEndpoint> {
  const sockets = new Set<Socket>();
  const server = await listening(
    createServer((socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {});
      socket.write('SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n');
      socket.resume();
    }),
  );
  return { port: portOf(server), knownKey: null, close: () => closeServer(server, sockets) };
}

/**
 * A TCP relay in front of a working SSH server whose probe writes half its answer and then has the relay cut
 * every connection: what a rebooting host or a dying link does mid-transfer.
 */
async function droppingMidStream(keys: FleetKeys, capture: RawCapture): Promise<ServedEndpoint> {
  const sockets = new Set<Socket>();
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  const inner = await probeServer(keys, async (exec, script) => {
    const whole = answer(capture, script);
    await exec.write(whole.subarray(0, Math.floor(whole.length / 2)));
    await sleep(50, exec.signal);
    dropAll();
  });
  const relay = await listening(
    createServer((client) => {
      const upstream = netConnect({ host: '127.0.0.1', port: inner.port });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => {
          sockets.delete(socket);
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    }),
  );
  return {
    port: portOf(relay),
    knownKey: inner.knownKey,
    close: async () => {
      await closeServer(relay, sockets);
      await inner.close();
    },
  };
}

function listening(server: Server): Promise<Server> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.removeListener('error', reject);
      server.on('error', () => {});
      resolve(server);
    });
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no TCP address');
  return address.port;
}

function closeServer(server: Server, sockets: Set<Socket>): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    for (const socket of sockets) socket.destroy();
  });
}

/** The public half of a host key, as known_hosts records it. */
function publicKeyOf(pem: string): { type: string; base64: string } {
  const key = ssh2.utils.parseKey(pem);
  if (key instanceof Error) throw key;
  return { type: key.type, base64: key.getPublicSSH().toString('base64') };
}
