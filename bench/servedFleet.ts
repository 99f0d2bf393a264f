/**
 * The benches' served fleet: bench/serveFleet.ts in a process of its own (so the measured clients are alone in
 * theirs), and the inventory YAML that points the CLI at it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { stringify } from 'yaml';
import type { Expectation } from '../src/demo/hostile.js';
import type { HostConfig } from '../src/model.js';
import { tsChild } from './tsChild.js';

export interface Served {
  hosts: HostConfig[];
  knownHostsFile: string;
  expected: Record<string, Expectation> | null;
}

export interface ServedFleet {
  served: Served;
  /** Stop the servers and wait for their process to end. */
  close(): Promise<void>;
}

/** Serve `hosts` embedded hosts (`serveArgs`: e.g. `faults 1`, see serveFleet.ts). */
export async function serveFleet(hosts: number, ...serveArgs: string[]): Promise<ServedFleet> {
  const server: ChildProcess = spawn(process.execPath, tsChild('serveFleet.ts', String(hosts), ...serveArgs), { stdio: ['pipe', 'pipe', 'inherit'] });
  const line = await new Promise<string>((resolve, reject) => {
    createInterface({ input: server.stdout! }).once('line', resolve);
    server.once('exit', (code) => reject(new Error(`fleet server exited (${code})`)));
  });
  return {
    served: JSON.parse(line) as Served,
    async close() {
      server.stdin!.end();
      if (server.exitCode === null && server.signalCode === null) await new Promise((resolve) => server.once('exit', resolve));
    },
  };
}

/** An inventory file for the served hosts. */
export async function writeInventory(file: string, hosts: readonly HostConfig[]): Promise<void> {
  await writeFile(file, stringify({ hosts: hosts.map(inventoryEntry) }));
}

function inventoryEntry(host: HostConfig) {
  return {
    name: host.name,
    address: host.address,
    port: host.port,
    user: host.user,
    identityFile: host.identityFile,
    knownHostsFile: host.knownHostsFile,
    uplinkInterfaces: host.uplinkInterfaces,
  };
}
