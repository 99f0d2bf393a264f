/**
 * An SSH host certificate authority for the system tier, made with `ssh-keygen` as an operator's PKI would:
 * an ed25519 CA key, host keys signed by it (`ssh-keygen -s CA -h`), and the one known_hosts line a client
 * then needs, `@cert-authority PATTERN <CA public key>`, in place of a pinned key per host.
 *
 * @example
 *   const ca = await createHostCa(workDir);
 *   const sshd = await startSshd({ …, hostCertificate: (key) => ca.certify(key.publicKeyPath, { identity: 'hv1', principals: ['198.18.4.111'] }) });
 *   await writeFile(knownHosts, `${ca.knownHostsLine('198.18.4.*')}\n`);
 *   // known_hosts: @cert-authority 198.18.4.* ssh-ed25519 AAAAC3…
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { generateKeyPair } from './sshd.js';

const execFileAsync = promisify(execFile);

/** What a host certificate says. */
export interface HostCertificateRequest {
  /** The certificate's key id (`-I`), shown in sshd's and ssh's logs. */
  identity: string;
  /** The names the certificate is valid for (`-n`): what the client connects to, e.g. the host's address. */
  principals: readonly string[];
}

/** A host CA whose key lives in a directory of the caller's. */
export interface HostCa {
  privateKeyPath: string;
  /** `ssh-ed25519 AAAA… comment`. */
  publicKey: string;
  /**
   * Sign a host's public key (`ssh-keygen -s CA -I ID -h -n PRINCIPALS KEY.pub`), valid from now on with no
   * expiry. Resolves with the certificate's path, `KEY-cert.pub` beside the key.
   */
  certify(hostPublicKeyPath: string, request: HostCertificateRequest): Promise<string>;
  /** `@cert-authority PATTERN TYPE BLOB`: trusts every host matching `pattern` that presents a certificate from this CA. */
  knownHostsLine(pattern: string): string;
}

/** Write a fresh ed25519 CA key pair at `<dir>/<name>` and return the CA. */
export async function createHostCa(dir: string, name = 'host_ca'): Promise<HostCa> {
  const key = await generateKeyPair(dir, name, 'kvm-netaudit lab host CA');
  const [type, blob] = key.publicKey.split(/\s+/);
  if (!type || !blob) throw new Error(`ssh-keygen wrote an unreadable CA public key: ${key.publicKey}`);
  return {
    privateKeyPath: key.privateKeyPath,
    publicKey: key.publicKey,
    async certify(hostPublicKeyPath, request) {
      if (!hostPublicKeyPath.endsWith('.pub')) throw new Error(`${hostPublicKeyPath} is not a .pub file`);
      if (request.principals.length === 0) throw new Error('a host certificate without principals is valid for any host name');
      const args = ['-q', '-s', key.privateKeyPath, '-I', request.identity, '-h', '-n', request.principals.join(','), hostPublicKeyPath];
      try {
        await execFileAsync('ssh-keygen', args);
      } catch (error) {
        throw new Error(`ssh-keygen could not sign ${hostPublicKeyPath}: ${(error as { stderr?: string }).stderr?.trim() || (error as Error).message}`);
      }
      return `${hostPublicKeyPath.slice(0, -'.pub'.length)}-cert.pub`;
    },
    knownHostsLine: (pattern) => `@cert-authority ${pattern} ${type} ${blob}`,
  };
}
