/**
 * Whether ssh_config can tell one host from another. Most machines have only Debian's `/etc/ssh/ssh_config`
 * (`Host *`: SendEnv, HashKnownHosts, GSSAPIAuthentication): then every host resolves alike and one `ssh -G`
 * answers for the whole fleet, instead of one process per host (5,000 hosts would cost about 25 s of CPU).
 * Anything this cannot read for certain (a Match, a Host pattern other than `*`, an Include whose directory is a
 * glob, a file it cannot parse) counts as host-specific: the slow path is always right.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import SSHConfig from 'ssh-config';
import { matchWildcard } from '../transport/knownHosts.js';

/** Include depth OpenSSH allows (readconf.c's READCONF_MAX_DEPTH is 16). */
const MAX_INCLUDE_DEPTH = 16;

/**
 * @param files the files OpenSSH reads, user file first.
 * @param userFile which of them is the user's (its relative Includes are under ~/.ssh; the system file's under /etc/ssh).
 */
export function isHostIndependent(files: readonly string[], userFile: string | null, opensshHome: string): boolean {
  return files.every((file) => fileIsHostIndependent(file, file === userFile ? path.join(opensshHome, '.ssh') : '/etc/ssh', opensshHome, 0));
}

function fileIsHostIndependent(file: string, includeBase: string, home: string, depth: number): boolean {
  if (depth > MAX_INCLUDE_DEPTH) return false;
  let lines: SSHConfig;
  try {
    lines = SSHConfig.parse(readFileSync(file, 'utf8'));
  } catch {
    return false;
  }
  const linesIndependent = (list: Iterable<SSHConfig[number]>): boolean => {
    for (const line of list) {
      if (line.type !== SSHConfig.DIRECTIVE) continue;
      const param = line.param.toLowerCase();
      if (param === 'match') return false;
      if (param === 'host' && !(typeof line.value === 'string' && line.value === '*')) return false;
      if (param === 'include') {
        const included = includedFiles(valuesOf(line.value), includeBase, home);
        if (included === null || !included.every((f) => fileIsHostIndependent(f, includeBase, home, depth + 1))) return false;
      }
      if ('config' in line && !linesIndependent(line.config)) return false;
    }
    return true;
  };
  return linesIndependent(lines);
}

function valuesOf(value: unknown): string[] {
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value)) return value.map((part: { val: string }) => part.val);
  return [];
}

/** The files an Include names, sorted as glob(3) sorts them; null when a pattern is beyond a last-component glob. */
function includedFiles(patterns: string[], base: string, home: string): string[] | null {
  const files: string[] = [];
  for (const raw of patterns) {
    const pattern = raw.startsWith('~/') ? path.join(home, raw.slice(2)) : path.isAbsolute(raw) ? raw : path.join(base, raw);
    const dir = path.dirname(pattern);
    const name = path.basename(pattern);
    if (/[*?[]/.test(dir) || name.includes('[')) return null;
    if (!/[*?]/.test(name)) {
      files.push(pattern);
      continue;
    }
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      continue; // a folder that is not there includes nothing, as for OpenSSH
    }
    files.push(...entries.filter((entry) => !entry.startsWith('.') && matchWildcard(entry, name)).sort().map((entry) => path.join(dir, entry)));
  }
  return files.filter((file) => existsSync(file));
}
