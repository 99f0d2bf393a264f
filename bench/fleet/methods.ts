/**
 * The ways of auditing the bench hosts that the fleet bench compares: each is a command line (run as one
 * process tree, see measure.ts) and a check of what it brought back, so a method that fails fast cannot
 * look fast. The fan-out tools all run the same remote loop as bench/baselines/manual-method.sh (its -p).
 */
import { accessSync, constants } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { FleetReport } from '../../src/model.js';
import { buildProbeScript } from '../../src/probe/script.js';
import { REPO_ROOT } from '../../test/helpers/cli.js';
import type { ChildOutcome } from './measure.js';

/** Everything a method needs to know about the built hosts and this run. */
export interface MethodContext {
  hosts: readonly { name: string; address: string }[];
  libvirtUri: string;
  keyPath: string;
  knownHostsPath: string;
  inventoryPath: string;
  concurrency: number;
  /** An empty folder for this run's files. */
  runDir: string;
  /** The manual method's remote loop (manual-method.sh -p). */
  remoteLoop: string;
  /** What each host holds, for the checks. */
  expected: { guests: number; networks: number };
  /** The bound given to each host (or to the whole run, for tools without a per-host one). */
  timeoutSeconds: number;
}

/** A prepared run: the command line and how to read its result. */
export interface PreparedRun {
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** Names of the hosts whose audit brought back everything. */
  succeeded(outcome: ChildOutcome): Promise<string[]>;
}

export interface Method {
  id: string;
  label: string;
  /** Why it cannot run here (a tool not installed), or null. */
  missing(): string | null;
  prepare(ctx: MethodContext): Promise<PreparedRun>;
}

export const MANUAL_METHOD_SCRIPT = join(REPO_ROOT, 'bench', 'baselines', 'manual-method.sh');
const CLI_LAUNCHER = join(REPO_ROOT, 'bin', 'kvm-netaudit.js');
const BARE_CLIENT = fileURLToPath(new URL('./bareClient.js', import.meta.url));

function onPath(tool: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

const countLines = (text: string, pattern: RegExp) => text.match(pattern)?.length ?? 0;
const DOMAIN_DOC = /^<domain /gm;
const NETWORK_DOC = /^<network[ >]/gm;

/** The manual loop's output is complete: every guest's and network's XML, `ip a` and `brctl show`. */
function manualOutputComplete(text: string, ctx: MethodContext): boolean {
  return (
    countLines(text, DOMAIN_DOC) === ctx.expected.guests &&
    countLines(text, NETWORK_DOC) === ctx.expected.networks &&
    /^\s*inet .* mgmt0\r?$/m.test(text) &&
    /^bridge name/m.test(text)
  );
}

/** Hosts whose file `dir/<address>` (plus `suffix`) holds the complete manual output. */
async function completeFiles(ctx: MethodContext, dir: string, suffix: string): Promise<string[]> {
  const done: string[] = [];
  for (const host of ctx.hosts) {
    const text = await readFile(join(dir, `${host.address}${suffix}`), 'utf8').catch(() => '');
    if (manualOutputComplete(text, ctx)) done.push(host.name);
  }
  return done;
}

/** The SSH options every OpenSSH-based method uses: the bench key, strict host keys, no ssh_config. */
function opensshOptions(ctx: MethodContext): string[] {
  return [
    '-F', 'none',
    '-i', ctx.keyPath,
    '-o', 'BatchMode=yes',
    '-o', 'IdentitiesOnly=yes',
    '-o', 'StrictHostKeyChecking=yes',
    '-o', `UserKnownHostsFile=${ctx.knownHostsPath}`,
  ];
}

/** The built CLI as an operator runs it, through the SSH client `transport` names. */
function cliMethod(id: string, label: string, transport: 'ssh2' | 'openssh', missing: () => string | null): Method {
  return {
    id,
    label,
    missing,
    async prepare(ctx) {
      const out = join(ctx.runDir, 'report');
      return {
        // The operator's command line: reports to a folder (report.json and report.md), the plain line log. The
        // deadlines are generous so that a loaded machine fails no host; unreached, they cost nothing.
        argv: [
          process.execPath, CLI_LAUNCHER, 'audit', '-i', ctx.inventoryPath, '--no-tui', '-o', out, '--transport', transport,
          '--concurrency', String(ctx.concurrency), '--timeout', String(ctx.timeoutSeconds), '--connect-timeout', '60',
        ],
        env: { ...process.env, CI: '1', NO_COLOR: '1' },
        async succeeded() {
          const text = await readFile(join(out, 'report.json'), 'utf8').catch(() => '');
          if (!text) return [];
          const report = JSON.parse(text) as FleetReport;
          return report.hosts
            .filter((h) => h.status === 'ok' && h.vms.length === ctx.expected.guests && h.networks.length === ctx.expected.networks)
            .map((h) => h.name);
        },
      };
    },
  };
}

const kvmNetaudit = cliMethod('kvm-netaudit', 'kvm-netaudit (built CLI)', 'ssh2', () => null);
/** The same CLI through OpenSSH's client (`--transport openssh`): what one `ssh` per host costs both ends. */
const kvmNetauditOpenssh = cliMethod('kvm-netaudit-openssh', 'kvm-netaudit --transport openssh', 'openssh', () =>
  onPath('ssh') ? null : 'ssh not installed',
);

const bareSsh2: Method = {
  id: 'bare-ssh2',
  label: 'bare ssh2 loop, same probe',
  missing: () => null,
  async prepare(ctx) {
    const configPath = join(ctx.runDir, 'bare.json');
    const hosts = ctx.hosts.map((h) => ({
      name: h.name,
      address: h.address,
      port: 22,
      user: 'root',
      script: buildProbeScript({ libvirtUri: ctx.libvirtUri, sudo: false }),
    }));
    await writeFile(configPath, JSON.stringify({ hosts, identityFile: ctx.keyPath, concurrency: ctx.concurrency, timeoutMs: ctx.timeoutSeconds * 1000 }));
    return {
      // Plain node, as the CLI runs: see bareAudit.js.
      argv: [process.execPath, BARE_CLIENT, configPath],
      async succeeded(outcome) {
        const line = outcome.stdout.trim().split('\n').at(-1) ?? '';
        if (!line.startsWith('{')) return [];
        const { results } = JSON.parse(line) as { results: { name: string; code: number | null; domains: number; networks: number }[] };
        // The probe also dumps running guests' persistent XML (--inactive): at least one document each.
        return results
          .filter((r) => r.code === 0 && r.domains >= ctx.expected.guests && r.networks >= ctx.expected.networks)
          .map((r) => r.name);
      },
    };
  },
};

const xargsOpenssh: Method = {
  id: 'xargs-ssh',
  label: 'xargs -P + OpenSSH, manual loop',
  missing: () => (onPath('xargs') && onPath('ssh') ? null : 'xargs or ssh not installed'),
  async prepare(ctx) {
    const out = join(ctx.runDir, 'out');
    return {
      argv: [
        MANUAL_METHOD_SCRIPT, '-P', String(ctx.concurrency), '-F', 'none', '-i', ctx.keyPath, '-k', ctx.knownHostsPath,
        '-u', 'root', '-c', ctx.libvirtUri, '-o', out, ...ctx.hosts.map((h) => h.address),
      ],
      succeeded: () => completeFiles(ctx, out, '.out'),
    };
  },
};

const pssh: Method = {
  id: 'pssh',
  label: 'parallel-ssh, manual loop',
  missing: () => (onPath('parallel-ssh') ? null : 'not installed'),
  async prepare(ctx) {
    const hostsFile = join(ctx.runDir, 'hosts');
    await writeFile(hostsFile, ctx.hosts.map((h) => `${h.address}\n`).join(''));
    const out = join(ctx.runDir, 'out');
    const extra = opensshOptions(ctx).flatMap((arg) => ['-X', arg]);
    return {
      argv: [
        'parallel-ssh', '-h', hostsFile, '-l', 'root', '-p', String(ctx.concurrency), '-t', String(ctx.timeoutSeconds),
        '-o', out, '-e', join(ctx.runDir, 'err'), ...extra, ctx.remoteLoop,
      ],
      succeeded: () => completeFiles(ctx, out, ''),
    };
  },
};

const clush: Method = {
  id: 'clush',
  label: 'ClusterShell clush, manual loop',
  missing: () => (onPath('clush') ? null : 'not installed'),
  async prepare(ctx) {
    // clush joins its -o text with shlex: quote each option (the paths are plain, but be safe).
    const sshOptions = opensshOptions(ctx)
      .map((arg) => `'${arg.replace(/'/g, `'\\''`)}'`)
      .join(' ');
    return {
      argv: [
        'clush', '-w', ctx.hosts.map((h) => h.address).join(','), '-l', 'root', '-f', String(ctx.concurrency),
        '-o', sshOptions, '-u', String(ctx.timeoutSeconds), '-S', ctx.remoteLoop,
      ],
      async succeeded(outcome) {
        // clush prefixes every line with `HOST: `.
        const byHost = new Map<string, string[]>();
        for (const line of outcome.stdout.split('\n')) {
          const colon = line.indexOf(': ');
          if (colon <= 0) continue;
          const host = line.slice(0, colon);
          let lines = byHost.get(host);
          if (!lines) byHost.set(host, (lines = []));
          lines.push(line.slice(colon + 2));
        }
        return ctx.hosts.filter((h) => manualOutputComplete((byHost.get(h.address) ?? []).join('\n'), ctx)).map((h) => h.name);
      },
    };
  },
};

const ansibleRaw: Method = {
  id: 'ansible-raw',
  label: 'ansible -m raw, manual loop',
  missing: () => (onPath('ansible') ? null : 'not installed'),
  async prepare(ctx) {
    const home = join(ctx.runDir, 'ansible-home');
    await mkdir(home, { recursive: true });
    const inventory = join(ctx.runDir, 'inventory.yaml');
    await writeFile(
      inventory,
      stringify({ all: { hosts: Object.fromEntries(ctx.hosts.map((h) => [h.name, { ansible_host: h.address }])) } }),
    );
    // An empty config, so no ansible.cfg of this machine or the working folder changes the run.
    const config = join(ctx.runDir, 'ansible.cfg');
    await writeFile(config, '');
    // Ansible's default ssh_args are `-C -o ControlMaster=auto -o ControlPersist=60s`. Compression is kept; the
    // persistent master is not: it would outlive the run (escaping both its CPU count and the cleanup) and
    // gains nothing for one command per host.
    const sshArgs = ['-C', '-o', 'ControlMaster=no', ...opensshOptions(ctx).filter((a) => a !== '-i' && a !== ctx.keyPath)].join(' ');
    return {
      argv: [
        'ansible', 'all', '-i', inventory, '-m', 'raw', '-a', ctx.remoteLoop, '-u', 'root', '--private-key', ctx.keyPath,
        '-f', String(ctx.concurrency), '-T', '60',
      ],
      cwd: ctx.runDir,
      env: {
        ...process.env,
        ANSIBLE_CONFIG: config,
        ANSIBLE_HOME: home,
        ANSIBLE_LOCAL_TEMP: join(home, 'tmp'),
        ANSIBLE_HOST_KEY_CHECKING: 'True',
        ANSIBLE_SSH_ARGS: sshArgs,
        ANSIBLE_NOCOLOR: '1',
        ANSIBLE_FORCE_COLOR: '0',
      },
      async succeeded(outcome) {
        // The default callback prints `NAME | CHANGED | rc=0 >>` and then the host's output.
        const blocks = outcome.stdout.split(/^(?=\S+ \| \S+ \| rc=-?\d+ >>\r?$)/m);
        const done: string[] = [];
        for (const block of blocks) {
          const header = /^(\S+) \| (\S+) \| rc=(-?\d+) >>/.exec(block);
          if (header && header[3] === '0' && manualOutputComplete(block.replace(/\r/g, ''), ctx)) done.push(header[1]!);
        }
        return done;
      },
    };
  },
};

/** Every method, in the order the table lists them. */
export const METHODS: readonly Method[] = [kvmNetaudit, kvmNetauditOpenssh, bareSsh2, xargsOpenssh, pssh, clush, ansibleRaw];
