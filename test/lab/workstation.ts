/**
 * An operator's workstation for the system tier: commands run as root in the root network namespace (where
 * the lab's fabric is), but in a mount namespace of their own in which
 *
 * - root's home is a folder of the test's (a copy of /etc/passwd saying so is bound over /etc/passwd);
 * - /etc/ssh is an empty folder of the test's: no system-wide ssh_config or ssh_known_hosts of the machine;
 * - /etc/resolv.conf names only 127.0.0.1: a name no ssh_config resolves is asked of loopback, never of
 *   the machine's resolver, so the run sends nothing outside the lab ranges and loopback;
 * - /usr/bin/ssh is a wrapper that logs its arguments, then execs the real client (bound beside it), so a
 *   test can tell which runs connected through OpenSSH's client and which only asked it `ssh -G`.
 *
 * Why passwd and not just $HOME: OpenSSH ignores $HOME. It finds ~/.ssh/config, expands `~` and picks its
 * default keys and known_hosts from the user's passwd entry (getpwuid), so `HOME=/tmp/x ssh -G alias`
 * still reads /root/.ssh/config. With the home in passwd and in $HOME alike, `ssh`, `ssh -G` and Node's
 * os.homedir() agree on one home, as they do on a real workstation; nothing of the machine's /root is
 * read or written. Mounts end with the namespace (when the command exits): there is nothing to undo.
 *
 * @example
 *   const ws = await createWorkstation(join(workDir, 'ws'));
 *   await writeFile(join(ws.sshDir, 'config'), 'Host lab-hv-1\n  HostName 198.18.4.11\n');
 *   const { stdout } = await ws.run(['ssh', '-G', 'lab-hv-1']); // hostname 198.18.4.11
 */
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { resolveTool, runCollect, type CommandResult } from './run.js';

/** The client the workstation wraps: OpenSSH's, where Debian installs it (and where the openssh transport runs it). */
const SSH_PATH = '/usr/bin/ssh';

/**
 * Binds the workstation's files over the machine's, then execs the command:
 * `sh -c PROGRAM sh PASSWD ETC_SSH RESOLV REAL_SSH SSH_WRAPPER ARGV…` (REAL_SSH: an empty file the real client is bound onto).
 */
const MOUNT_PROGRAM = [
  'set -e',
  'mount --bind "$1" /etc/passwd',
  'mount --bind "$2" /etc/ssh',
  // Without the file at all, glibc already asks 127.0.0.1 alone; a bind needs something to cover.
  'if [ -e /etc/resolv.conf ]; then mount --bind "$3" /etc/resolv.conf; fi',
  `mount --bind ${SSH_PATH} "$4"`,
  `mount --bind "$5" ${SSH_PATH}`,
  'shift 5',
  'exec "$@"',
].join('\n');

/** Separates one call's arguments in the ssh call log (a line per call). */
const FIELD = '\x1f';

/** The wrapper put over /usr/bin/ssh: one line per call (a single write, so parallel calls do not interleave). */
function sshWrapperScript(realSsh: string, log: string): string {
  return [
    '#!/bin/sh',
    `line=$(printf '%s\\037' "$@")`,
    `printf '%s\\n' "$line" >> '${log}'`,
    `exec '${realSsh}' "$@"`,
    '',
  ].join('\n');
}

/** Options of {@link Workstation.run}. */
export interface WorkstationRunOptions {
  /** Killed (SIGKILL) after this long. @default 60000 */
  timeoutMs?: number;
  /** Added to the workstation's environment (PATH, HOME, USER, LOGNAME, CI=1, NO_COLOR=1). */
  env?: Readonly<Record<string, string>>;
  /** Written to the command's standard input. */
  stdin?: string;
}

/** A workstation whose files live in a directory of the caller's (removed with it). */
export interface Workstation {
  /** Root's home in the workstation (`~`), mode 0700. */
  home: string;
  /** `~/.ssh`, mode 0700, empty. */
  sshDir: string;
  /** What the workstation sees as /etc/ssh: empty until the test puts files there. */
  etcSsh: string;
  /** Run `argv` as root on the workstation (resolved in PATH there) and collect its output. */
  run(argv: readonly string[], options?: WorkstationRunOptions): Promise<CommandResult>;
  /**
   * The arguments of every `ssh` run on the workstation since the last call (ProxyJump's own hops and the
   * product's `ssh -G` included), oldest first; the log is emptied.
   */
  takeSshCalls(): Promise<string[][]>;
}

/** True for an `ssh` call that connects somewhere (not `ssh -G`, which only prints the configuration). */
export function connects(call: readonly string[]): boolean {
  return !call.includes('-G');
}

/** The machine's passwd with root's home (the 6th field of uid 0's line) replaced by `home`. */
export function passwdWithRootHome(passwd: string, home: string): string {
  if (/[:\n]/.test(home)) throw new Error(`${home} cannot be a passwd home`);
  let found = false;
  const lines = passwd.split('\n').map((line) => {
    const fields = line.split(':');
    if (fields.length !== 7 || fields[2] !== '0' || found) return line;
    found = true;
    fields[5] = home;
    return fields.join(':');
  });
  if (!found) throw new Error('/etc/passwd has no line for uid 0');
  return lines.join('\n');
}

/** Make the workstation's files under `dir` (created if needed). */
export async function createWorkstation(dir: string): Promise<Workstation> {
  const home = join(dir, 'home');
  const sshDir = join(home, '.ssh');
  const etcSsh = join(dir, 'etc-ssh');
  await mkdir(sshDir, { recursive: true, mode: 0o700 });
  await mkdir(etcSsh, { recursive: true, mode: 0o755 });
  const passwd = join(dir, 'passwd');
  await writeFile(passwd, passwdWithRootHome(await readFile('/etc/passwd', 'utf8'), home), { mode: 0o644 });
  const resolvConf = join(dir, 'resolv.conf');
  await writeFile(resolvConf, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n', { mode: 0o644 });
  // Named `ssh`, so that the client's messages still begin `ssh: ` (it names itself after argv[0]).
  const realSsh = join(dir, 'real', 'ssh');
  const sshWrapper = join(dir, 'ssh');
  const sshCallLog = join(dir, 'ssh-calls.log');
  if (/'/.test(dir)) throw new Error(`${dir}: a workstation folder cannot contain a quote`);
  await mkdir(join(dir, 'real'));
  await writeFile(realSsh, '', { mode: 0o755 });
  await writeFile(sshWrapper, sshWrapperScript(realSsh, sshCallLog), { mode: 0o755 });
  await writeFile(sshCallLog, '');
  const unshare = resolveTool('unshare');
  const path = [process.env.PATH, '/usr/sbin', '/usr/bin', '/sbin', '/bin'].filter(Boolean).join(':');
  if (!existsSync('/etc/ssh')) throw new Error('/etc/ssh does not exist: the workstation binds its own over it');
  if (!existsSync(SSH_PATH)) throw new Error(`${SSH_PATH} does not exist (Debian package openssh-client)`);

  return {
    home,
    sshDir,
    etcSsh,
    run(argv, options = {}) {
      return runCollect(
        [unshare, '-m', '--propagation', 'private', 'sh', '-c', MOUNT_PROGRAM, 'sh', passwd, etcSsh, resolvConf, realSsh, sshWrapper, ...argv],
        {
          env: { PATH: path, HOME: home, USER: 'root', LOGNAME: 'root', CI: '1', NO_COLOR: '1', ...options.env },
          timeoutMs: options.timeoutMs ?? 60_000,
          ...(options.stdin !== undefined ? { stdin: options.stdin } : {}),
        },
      );
    },
    async takeSshCalls() {
      const text = await readFile(sshCallLog, 'utf8');
      await writeFile(sshCallLog, '');
      return text
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => line.split(FIELD).slice(0, -1));
    },
  };
}
