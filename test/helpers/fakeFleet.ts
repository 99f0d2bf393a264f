/**
 * A command-table fake fleet for runner tests: each host name maps to how its "remote" behaves (a capture, a
 * refusal, a hang that honours the abort, or one that ignores it as a broken transport would).
 */
import { readFileSync } from 'node:fs';
import type { Connector, HostConfig, RawCapture, Transport } from '../../src/model.js';
import { TransportError } from '../../src/model.js';
import { replayCapture } from '../../src/transport/replay.js';

export const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`../fixtures/parse/probe/${name}.json`, import.meta.url), 'utf8')) as RawCapture;

export function host(name: string): HostConfig {
  return {
    name,
    address: '198.18.0.1',
    port: 22,
    user: 'root',
    groups: ['g'],
    identityFile: null,
    passphraseEnv: null,
    agent: false,
    passwordEnv: null,
    knownHostsFile: '/dev/null',
    libvirtUri: 'qemu:///system',
    sudo: false,
    uplinkInterfaces: [],
    jump: null,
  };
}

export type Behaviour =
  | { kind: 'capture'; capture: RawCapture; delayMs?: number; truncate?: boolean; exitCode?: number | null }
  | { kind: 'refuse'; error: TransportError }
  /** Never answers, but honours the abort like a real transport. */
  | { kind: 'hang' }
  /** Never answers and ignores the abort: a transport with a bug. */
  | { kind: 'deaf' }
  /** Connects only after `delayMs`, whatever the abort says, then hangs like `hang`. */
  | { kind: 'late-connect'; delayMs: number };

/** A command-table fake: each host name maps to how its "remote" behaves. */
export function fakeConnector(table: Record<string, Behaviour>) {
  const stats = { inFlight: 0, maxInFlight: 0, closed: [] as string[] };
  const connector: Connector = {
    async connect(h, { signal }) {
      const behaviour = table[h.name]!;
      stats.inFlight++;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      const done = () => stats.inFlight--;
      if (behaviour.kind === 'refuse') {
        done();
        throw behaviour.error;
      }
      if (behaviour.kind === 'late-connect') await new Promise((resolve) => setTimeout(resolve, behaviour.delayMs));
      const transport: Transport = {
        exec(script, options) {
          return new Promise((resolve, reject) => {
            if (behaviour.kind === 'deaf') return;
            const onAbort = () => reject(options.signal?.reason ?? new Error('aborted'));
            options.signal?.addEventListener('abort', onAbort, { once: true });
            if (behaviour.kind === 'hang' || behaviour.kind === 'late-connect') return;
            setTimeout(() => {
              const stdout = replayCapture(behaviour.capture, script);
              const cut = behaviour.truncate ? stdout.slice(0, stdout.length / 2) : stdout;
              const truncated = Boolean(behaviour.truncate);
              const code = behaviour.exitCode === undefined ? 0 : behaviour.exitCode;
              resolve({ code, signal: null, stdout: cut, stderr: '', truncated, bytes: cut.length, cutOffBy: truncated ? 'host-cap' : null });
            }, behaviour.delayMs ?? 5);
          });
        },
        close() {
          done();
          stats.closed.push(h.name);
        },
      };
      if (signal?.aborted && behaviour.kind !== 'late-connect') throw new TransportError('cancelled', 'aborted');
      return transport;
    },
    async close() {},
  };
  return { connector, stats };
}

