/**
 * The built CLI auditing hosts named on the command line (`audit user@127.0.0.1:PORT …`) against in-process SSH
 * servers that answer the real probe with real captures, and this machine with `--local` (the probe run by `sh -s`
 * here, with stand-ins for virsh, ip and brctl first on PATH that answer as a captured hypervisor did): no root, no
 * libvirtd.
 */
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport, RawCapture } from '../../src/model.js';
import { DEMO_FIXTURES_DIR, endpointOf } from '../../src/demo/fleet.js';
import { startServedFleet, type HostSpec, type ServedFleet } from '../../src/demo/servedFleet.js';
import { startSshServer } from '../../src/demo/sshServer.js';
import { localHostName } from '../../src/inventory/index.js';
import { readCapture, replayCapture } from '../../src/transport/replay.js';
import { ensureBuilt, LAUNCHER } from '../helpers/cli.js';
import { gateTier, tool } from '../helpers/prerequisites.js';
import { expectValidReport } from '../helpers/reportSchema.js';
import { runCollect, type CommandResult } from '../lab/run.js';

/** The captures the servers (and the local stand-ins) answer with, and the mode each host then has. */
const CAPTURES = ['hv-nat-01', 'hv-lab-03', 'hv-route-08'];

let dir: string;
let captures: Map<string, RawCapture>;
beforeAll(async () => {
  await ensureBuilt();
  dir = await mkdtemp(path.join(tmpdir(), 'kna-adhoc-'));
  captures = new Map(await Promise.all(CAPTURES.map(async (name) => [name, await readCapture(path.join(DEMO_FIXTURES_DIR, 'captures', `${name}.json`))] as const)));
}, 120_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/**
 * `kvm-netaudit ARGS…` with exactly this environment (runCli passes the test's own): the plain log, no colours, and
 * neither the operator's agent nor their user name, so only what the test sets up can log in.
 */
function runCliWith(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandResult> {
  return runCollect([process.execPath, LAUNCHER, ...args], {
    env: { PATH: process.env.PATH, CI: '1', NO_COLOR: '1', USER: 'not-the-audit-user', LOGNAME: 'not-the-audit-user', ...env },
    timeoutMs: 60_000,
  });
}

function reportOf(result: CommandResult): FleetReport {
  expect(result.stderr).not.toMatch(/internal error/);
  const report = JSON.parse(result.stdout) as FleetReport;
  expectValidReport(report);
  return report;
}

describe('audit user@host:port … (hosts on the command line, no inventory)', () => {
  let fleet: ServedFleet;
  let home: string;
  let ports: number[];

  beforeAll(async () => {
    // Given SSH servers that only let user `audit` in with the fleet's key, each answering as one captured hypervisor
    const specs = CAPTURES.map(
      (name): HostSpec => ({
        name,
        groups: [],
        uplinkInterfaces: [],
        start: (keys) =>
          endpointOf(
            startSshServer({
              hostKeyPem: keys.hostKeyPem,
              authorizedKey: keys.clientPublicKey,
              username: 'audit',
              onExec: async (session) => {
                await session.write(replayCapture(captures.get(name)!, await session.stdin));
                session.exit(0);
              },
            }),
          ),
      }),
    );
    fleet = await startServedFleet(specs, 'adhoc-test');
    ports = fleet.hosts.map((h) => h.port);
    // and the key where OpenSSH looks when nothing names one: ~/.ssh/id_ed25519 of a home of the test's own
    home = path.join(dir, 'home');
    await mkdir(path.join(home, '.ssh'), { recursive: true, mode: 0o700 });
    await copyFile(fleet.hosts[0]!.identityFile!, path.join(home, '.ssh', 'id_ed25519'));
    await chmod(path.join(home, '.ssh', 'id_ed25519'), 0o600);
  }, 60_000);
  afterAll(async () => {
    await fleet?.close();
  });

  it('audits every host given as an argument or with -H, in that order, as the user and port written (exit 0)', async () => {
    // When the hosts are named on the command line, one as an argument and two with -H, with their known_hosts
    const [a, b, c] = ports;
    const result = await runCliWith(
      ['audit', `audit@127.0.0.1:${a}`, '-H', `audit@127.0.0.1:${b},audit@127.0.0.1:${c}`, '--known-hosts', fleet.knownHostsFile, '--no-tui', '--json', '-', '--out', path.join(dir, 'adhoc')],
      { HOME: home },
    );

    // Then every host is audited, named by address and (one address on several ports) port
    expect(result.stderr).not.toMatch(/^failed/m);
    expect(result.code).toBe(0);
    const report = reportOf(result);
    const names = ports.map((port) => `127.0.0.1-${port}`);
    expect(report.hosts.map((h) => [h.name, h.address, h.status])).toEqual(names.map((name) => [name, '127.0.0.1', 'ok']));
    // each answered as its own captured hypervisor: hv-nat-01's one network is NAT
    expect(report.hosts[0]!.modes).toEqual(['nat']);
    expect(report.run.inventory).toBe(`(ad-hoc: ${names.join(', ')})`);
    const md = await readFile(path.join(dir, 'adhoc', 'report.md'), 'utf8');
    expect(md).toContain(`inventory (ad-hoc: ${names[0]}`);
  });

  it('still applies --limit to them', async () => {
    const [a, b] = ports;
    const result = await runCliWith(
      ['audit', `audit@127.0.0.1:${a}`, `audit@127.0.0.1:${b}`, '--limit', `*-${b}`, '--known-hosts', fleet.knownHostsFile, '--no-tui', '--json', '-', '--out', path.join(dir, 'limited')],
      { HOME: home },
    );
    expect(result.code).toBe(0);
    expect(reportOf(result).hosts.map((h) => [h.name, h.status])).toEqual([[`127.0.0.1-${b}`, 'ok']]);
  });

  it('refuses a bad entry before connecting to anything, naming it (exit 64)', async () => {
    const result = await runCliWith(['audit', `audit@127.0.0.1:${ports[0]}`, 'audit@hv[01-03]', '--no-tui'], { HOME: home });
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('kvm-netaudit: host "audit@hv[01-03]": ranges and globs (hv[01-03], hv*) are not expanded here');
    expect(result.stdout).toBe('');
  });
});

describe('audit --local (this machine, no SSH)', () => {
  /** The libvirt URI the stand-in virsh insists on: it proves --libvirt-uri reached the probe. */
  const URI = 'test:///kna-local-test';

  /**
   * A folder of stand-ins for virsh, ip and brctl that print what hv-nat-01's did (virsh's under the nonce of the
   * probe that runs them), so the audit is the same on any machine and needs no libvirtd and no root.
   */
  async function standInTools(capture: RawCapture): Promise<string> {
    const bin = path.join(dir, 'bin');
    const data = path.join(dir, 'bin-data');
    await mkdir(bin, { recursive: true });
    await mkdir(data, { recursive: true });
    const stdoutOf = (id: string) => capture.sections.find((s) => s.id === id)!;
    for (const id of ['libvirt-lists', 'objects', 'ip-link', 'ip-addr', 'ip-route', 'brctl']) {
      await writeFile(path.join(data, `${id}.out`), stdoutOf(id).stdout);
      await writeFile(path.join(data, `${id}.err`), stdoutOf(id).stderr);
    }
    // The listing virsh's stderr is its own section in the capture.
    await writeFile(path.join(data, 'libvirt-lists.err'), stdoutOf('libvirt-lists-stderr').stdout);
    const tool = async (name: string, body: string) => {
      await writeFile(path.join(bin, name), `#!/bin/sh\n# kvm-netaudit test stand-in for ${name}\nD='${data}'\n${body}\n`);
      await chmod(path.join(bin, name), 0o755);
    };
    await tool(
      'virsh',
      [
        "uri=''",
        'while [ $# -gt 0 ]; do case $1 in -q|-r) shift ;; -c) uri=$2; shift 2 ;; *) break ;; esac; done',
        `[ "$uri" = '${URI}' ] || { echo "error: failed to connect to the hypervisor ($uri)" >&2; exit 1; }`,
        // the listing virsh gets its commands as one argument, the objects virsh on stdin; both hold the nonce
        'if [ $# -gt 0 ]; then part=libvirt-lists; text=$1; else part=objects; text=$(cat); fi',
        "n=$(printf '%s\\n' \"$text\" | sed -n 's/.*@@KNA-\\([0-9a-f]\\{32\\}\\).*/\\1/p' | head -n 1)",
        `sed "s/${capture.nonce}/$n/g" "$D/$part.out"`,
        `sed "s/${capture.nonce}/$n/g" "$D/$part.err" >&2`,
      ].join('\n'),
    );
    await tool(
      'ip',
      [
        'case "$*" in',
        "  '-j link show lo') exit 0 ;;",
        "  '-j -d link show') cat \"$D/ip-link.out\" ;;",
        "  '-j addr show') cat \"$D/ip-addr.out\" ;;",
        "  '-j route show default') cat \"$D/ip-route.out\" ;;",
        '  *) echo "ip stand-in: unexpected: $*" >&2; exit 1 ;;',
        'esac',
      ].join('\n'),
    );
    await tool('brctl', '[ "$*" = show ] || exit 1\ncat "$D/brctl.out"');
    return bin;
  }

  it('audits this machine through sh -s, as one host named after it, with the same reports (exit 0)', async () => {
    // Given stand-ins for virsh, ip and brctl first on PATH
    const bin = await standInTools(captures.get('hv-nat-01')!);
    const out = path.join(dir, 'local');

    // When this machine is audited with the stand-ins' libvirt URI, and no SSH set up at all
    const result = await runCliWith(['audit', '--local', '--libvirt-uri', URI, '--no-tui', '--json', '-', '--out', out], {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
      HOME: path.join(dir, 'no-home'),
    });

    // Then the report has exactly one host, this machine, audited through the stand-ins: hv-nat-01's NAT network
    expect(result.code).toBe(0);
    const report = reportOf(result);
    const name = localHostName();
    expect(report.hosts.map((h) => [h.name, h.address, h.status])).toEqual([[name, 'localhost', 'ok']]);
    expect(report.hosts[0]!.modes).toEqual(['nat']);
    expect(report.summary).toMatchObject({ hosts: 1, ok: 1, failed: 0 });
    expect(report.run.inventory).toBe(`(local: ${name})`);
    expect(JSON.parse(await readFile(path.join(out, 'report.json'), 'utf8'))).toEqual(report);
    expect(result.stderr).toMatch(new RegExp(`^ok\\s+${name.replace(/\./g, '\\.')}`, 'm'));
  });

  it('runs virsh on the --libvirt-uri given: another URI and the stand-in refuses, so the host is not ok', async () => {
    const bin = await standInTools(captures.get('hv-nat-01')!);
    const result = await runCliWith(['audit', '--local', '--no-tui', '--json', '-', '--out', path.join(dir, 'local-default-uri')], {
      PATH: `${bin}${path.delimiter}${process.env.PATH ?? '/usr/bin:/bin'}`,
    });
    const report = reportOf(result);
    expect(report.hosts).toHaveLength(1);
    expect(report.hosts[0]!.status).not.toBe('ok');
    expect(JSON.stringify(report.hosts[0])).toContain('failed to connect to the hypervisor (qemu:///system)');
  });

  const realVirsh = gateTier('integration tier (--local with the real virsh, on libvirt\'s built-in test driver)', [tool('virsh')]);
  it.skipIf(realVirsh.skip)('audits this machine with the real virsh on libvirt\'s test driver (test:///default): no daemon, no root', async () => {
    realVirsh.enforce();
    // When this machine is audited with the real tools, virsh reading the test driver's built-in host
    const result = await runCliWith(['audit', '--local', '--libvirt-uri', 'test:///default', '--no-tui', '--json', '-', '--out', path.join(dir, 'local-real')], {});
    // Then one host, named after this machine, audited: the test driver's network "default" is NAT
    const report = reportOf(result);
    expect(report.hosts.map((h) => h.name)).toEqual([localHostName()]);
    // ip or brctl may be missing here (a recorded fact: partial), virsh is not
    expect(['ok', 'partial']).toContain(report.hosts[0]!.status);
    expect(report.hosts[0]!.modes).toContain('nat');
  });

  it('refuses --local with hosts or an inventory (exit 64)', async () => {
    const result = await runCliWith(['audit', '--local', 'hv1'], {});
    expect(result.code).toBe(64);
    expect(result.stderr).toContain('--local audits this machine alone');
  });
});
