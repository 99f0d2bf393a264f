/**
 * Jump hosts (docs/inventory.md `jump:`): every host behind the same bastion goes through ONE shared ssh2 connection
 * to it, each in its own `direct-tcpip` channel. The connection is opened when the first host needs it and
 * kept until the pool is closed (or until it drops; the next host then opens a new one).
 */
import type { Duplex } from 'node:stream';
import { TransportError, type JumpHostConfig } from '../model.js';
import { abortError, asTransportError, messageOf, raceAbort } from './errors.js';
import { describeTarget, type SshSession } from './sshSession.js';

export interface BastionPool {
  /**
   * A stream to `address:port` as seen from the bastion.
   * @param timeoutMs the deadline for the bastion to open it (the connect timeout of the host behind it);
   *   the pool's `tunnelTimeoutMs` when absent
   * @throws TransportError whose message names the bastion (its kind is the bastion's failure: hostkey, auth…)
   */
  tunnel(jump: JumpHostConfig, address: string, port: number, signal?: AbortSignal, timeoutMs?: number): Promise<Duplex>;
  /** Close every bastion connection (and with them every tunnel). */
  close(): Promise<void>;
}

export interface BastionPoolOptions {
  /** Open an authenticated session to a bastion (no signal: it is shared, so no one host may cancel it). */
  openSession(jump: JumpHostConfig): Promise<SshSession>;
  /** Deadline for the bastion to open a tunnel (it may be waiting on a TCP connect of its own), unless `tunnel` names one. */
  tunnelTimeoutMs: number;
}

/**
 * The same bastion connection only for the same hop in every respect: name, address, user, keys, known_hosts,
 * policy from ssh_config and the chain in front of it. A hop `gw` that one group's ssh_config trusts under
 * accept-new must never carry hosts whose own settings would refuse it. (Key order can only split a share.)
 */
function bastionKey(jump: JumpHostConfig): string {
  return JSON.stringify(jump);
}

export function createBastionPool(options: BastionPoolOptions): BastionPool {
  const sessions = new Map<string, Promise<SshSession>>();
  let closed = false;

  const sessionFor = (jump: JumpHostConfig): Promise<SshSession> => {
    const key = bastionKey(jump);
    let session = sessions.get(key);
    if (!session) {
      session = options.openSession(jump);
      sessions.set(key, session);
      session.then(
        (open) => {
          // Dropped connections are forgotten, so the next host behind this bastion reconnects.
          void open.closed.then(() => {
            if (sessions.get(key) === session) sessions.delete(key);
          });
          if (closed) open.shutdown();
        },
        // A failure is shared by the hosts already waiting, not cached for later ones (a retry may succeed).
        () => {
          if (sessions.get(key) === session) sessions.delete(key);
        },
      );
    }
    return session;
  };

  async function tunnel(jump: JumpHostConfig, address: string, port: number, signal?: AbortSignal, timeoutMs?: number): Promise<Duplex> {
    const via = `via jump host ${jump.name} (${describeTarget(jump)})`;
    if (closed) throw new TransportError('cancelled', `${via}: the connector is closed`);
    let session: SshSession;
    try {
      session = await raceAbort(sessionFor(jump), signal, `connecting to jump host ${jump.name}`);
    } catch (error) {
      if (error instanceof TransportError && (error.kind === 'cancelled' || error.kind === 'timeout') && signal?.aborted) throw error;
      throw asTransportError(error, 'unreachable', `${via}: `);
    }
    return openTunnel(session, address, port, signal, via, timeoutMs ?? options.tunnelTimeoutMs);
  }

  async function close(): Promise<void> {
    closed = true;
    const pending = [...sessions.values()];
    sessions.clear();
    await Promise.all(
      pending.map(async (session) => {
        const open = await session.catch(() => null);
        if (!open) return;
        open.shutdown();
        await open.closed;
      }),
    );
  }

  return { tunnel, close };
}

/** Ask the bastion for a `direct-tcpip` channel to address:port. */
function openTunnel(
  session: SshSession,
  address: string,
  port: number,
  signal: AbortSignal | undefined,
  via: string,
  timeoutMs: number,
): Promise<Duplex> {
  if (signal?.aborted) return Promise.reject(abortError(signal, `opening a tunnel ${via}`));
  return new Promise<Duplex>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outcome();
    };
    const onAbort = () => settle(() => reject(abortError(signal!, `opening a tunnel ${via}`)));
    const timer = setTimeout(
      () => settle(() => reject(new TransportError('timeout', `${via}: no tunnel to ${address}:${port} within ${timeoutMs} ms`))),
      timeoutMs,
    );
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      // The originator address is informational for the bastion; loopback says "this process".
      session.client.forwardOut('127.0.0.1', 0, address, port, (error, channel) => {
        if (error) {
          settle(() => reject(new TransportError('unreachable', `${via}: cannot reach ${address}:${port}: ${error.message}`)));
          return;
        }
        channel.on('error', () => {});
        if (settled) {
          channel.close(); // nobody waits for it any more (aborted or timed out)
          return;
        }
        settle(() => resolve(channel));
      });
    } catch (error) {
      settle(() => reject(new TransportError('unreachable', `${via}: the connection to the jump host is gone: ${messageOf(error)}`)));
    }
  });
}
