/**
 * What the system tier's audits of the lab fleet are checked against (fleet.ts), shared by the tests that audit it
 * in other ways than audit.test.ts does (through ssh_config, an Ansible inventory…).
 */
import { expect } from 'vitest';
import type { FleetReport, HostReport, Mode } from '../../src/model.js';
import type { CommandResult } from '../lab/run.js';
import { SYSTEM_FLEET, type SystemHost } from './fleet.js';

/** The fleet member called `name` in fleet.ts. */
export function fleetHost(name: string): SystemHost {
  const host = SYSTEM_FLEET.find((h) => h.spec.name === name);
  if (!host) throw new Error(`fleet.ts has no host ${name}`);
  return host;
}

/** Parse the CLI's `--json -` output, saying what it printed when that is not a report. */
export function parseReport(result: CommandResult): FleetReport {
  try {
    return JSON.parse(result.stdout) as FleetReport;
  } catch {
    throw new Error(`the CLI did not print a JSON report (exit ${result.code}).\nstdout:\n${result.stdout.slice(0, 2000)}\nstderr:\n${result.stderr.slice(0, 4000)}`);
  }
}

export function hostReport(report: FleetReport, name: string): HostReport {
  const found = report.hosts.find((h) => h.name === name);
  if (!found) throw new Error(`the report has no host ${name} (hosts: ${report.hosts.map((h) => h.name).join(', ')})`);
  return found;
}

/** Every host's error, for the message of a failed expectation. */
export const errorsOf = (report: FleetReport) => JSON.stringify(report.hosts.map((h) => ({ host: h.name, error: h.error })));

/** What audit.test.ts checks of each host: status, networks, bridges and their uplinks, VMs and every NIC's mode. */
export function expectAuditedAsExpected(report: FleetReport, expected: SystemHost): void {
  const host = hostReport(report, expected.spec.name);
  expect.soft(host.status, `${host.name}: ${JSON.stringify(host.error)}`).toBe('ok');
  expect.soft(host.error, host.name).toBeNull();
  expect.soft(host.networks.map((n) => n.name).sort(), `${host.name} networks`).toEqual(expected.networks.map((n) => n.name).sort());
  for (const want of expected.networks) {
    expect.soft(host.networks.find((n) => n.name === want.name), `${host.name} network ${want.name}`).toMatchObject(want);
  }
  for (const want of expected.bridges) {
    const got = host.bridges.find((b) => b.name === want.name);
    expect.soft(got?.uplinks.slice().sort(), `${host.name} bridge ${want.name} uplinks`).toEqual(want.uplinks.slice().sort());
  }
  expect.soft(Object.fromEntries(host.vms.map((vm) => [vm.name, vm.state])), `${host.name} VM states`).toEqual(expected.vmStates);
  const nics = host.vms.flatMap((vm) => vm.interfaces.map((nic) => ({ vm: vm.name, mac: nic.mac, mode: nic.mode, via: nic.via })));
  expect.soft(nics.sort((a, b) => String(a.mac).localeCompare(String(b.mac))), `${host.name} VM NICs`).toEqual(
    expected.nics.slice().sort((a, b) => a.mac.localeCompare(b.mac)),
  );
  expect.soft(host.modes, `${host.name} modes`).toEqual([...new Set<Mode>(expected.nics.map((n) => n.mode))].sort());
}
