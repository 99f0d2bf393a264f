/**
 * The remote probe: one POSIX sh script, sent over one exec channel, that gathers everything the
 * classifier needs in one round trip (the README's "What runs on a host"). Every command is read-only.
 *
 * Output framing (see framing.ts): each section is
 *   \n@@KNA-<nonce> BEGIN <id>\n<stdout>\n@@KNA-<nonce> END <id> <exit>\n<stderr>\n@@KNA-<nonce> DONE <id>\n
 * The nonce is random per run, so nothing a VM or network name contains can forge a section.
 */
import { randomBytes } from 'node:crypto';

/** How many objects one virsh process handles: keeps its argument well under the ~128 KiB limit. */
export const VIRSH_BATCH_SIZE = 200;

export interface ProbeOptions {
  /** 32 hex characters; random unless given (tests, show-probe). */
  nonce?: string;
  libvirtUri: string;
  sudo: boolean;
}

const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9._~%!$&()*+,;=:@/?-]*$/;

/** True when a libvirt URI is safe to embed (also checked by the inventory schema). */
export function isValidLibvirtUri(uri: string): boolean {
  return URI_PATTERN.test(uri) && !uri.includes("'");
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
}

/** Quote a string for POSIX sh: single quotes, with embedded quotes closed and escaped. */
export function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/**
 * Build the probe script for one host.
 * @example buildProbeScript({ libvirtUri: 'qemu:///system', sudo: false, nonce: '0'.repeat(32) })
 */
export function buildProbeScript(options: ProbeOptions): string {
  const nonce = options.nonce ?? newNonce();
  if (!/^[0-9a-f]{32}$/.test(nonce)) throw new Error('probe nonce must be 32 hex characters');
  if (!isValidLibvirtUri(options.libvirtUri)) throw new Error(`invalid libvirt URI: ${options.libvirtUri}`);
  const virsh = options.sudo ? 'sudo -n virsh' : 'virsh';
  return `# kvm-netaudit probe: read-only. Every command below only lists or prints.
set -f
LC_ALL=C; export LC_ALL
PATH="\${PATH:-/usr/bin:/bin}:/usr/sbin:/sbin"; export PATH
N=${nonce}
URI=${shellQuote(options.libvirtUri)}
B=${VIRSH_BATCH_SIZE}
exec 3>&1

# section ID CMD...: stream CMD's stdout, keep its stderr and exit status, frame all three.
section() {
  id=$1; shift
  printf '\\n@@KNA-%s BEGIN %s\\n' "$N" "$id"
  res=$( { "$@"; } 2>&1 1>&3 3>&-; printf '\\n%s' "$?")
  rc=\${res##*
}
  err=\${res%
*}
  printf '\\n@@KNA-%s END %s %s\\n%s\\n@@KNA-%s DONE %s\\n' "$N" "$id" "$rc" "$err" "$N" "$id"
}

# listed ID CMD...: like section, but also keeps stdout in $OUT for the loops below.
listed() {
  id=$1; shift
  OUT=$("$@" 2>&1); rc=$?
  if [ "$rc" -eq 0 ]; then o=$OUT; e=''; else o=''; e=$OUT; OUT=''; fi
  printf '\\n@@KNA-%s BEGIN %s\\n%s\\n@@KNA-%s END %s %s\\n%s\\n@@KNA-%s DONE %s\\n' \\
    "$N" "$id" "$o" "$N" "$id" "$rc" "$e" "$N" "$id"
}

v() { ${virsh} -q -r -c "$URI" "$@"; }

# batch KIND INFO XML UUIDS: one virsh process per $B objects, each object's output introduced by a
# marker line. Only UUID-shaped words are used, so no remote text reaches the command line.
batch() {
  kind=$1; info=$2; xml=$3; list=$4
  cmds=''; n=0; i=0
  for u in $list; do
    case $u in
      ????????-????-????-????-????????????) ;;
      *) continue ;;
    esac
    case $u in *[!0-9a-fA-F-]*) continue ;; esac
    cmds="$cmds echo @@KNA-$N:$kind:$u:info; $info $u; echo @@KNA-$N:$kind:$u:xml; $xml $u;"
    n=$((n + 1))
    if [ "$n" -ge "$B" ]; then section "$kind-batch-$i" v "$cmds"; cmds=''; n=0; i=$((i + 1)); fi
  done
  if [ -n "$cmds" ]; then section "$kind-batch-$i" v "$cmds"; fi
}

listed tools sh -c 'for t in virsh ip brctl bridge; do p=$(command -v "$t") && echo "$t $p" || echo "$t -"; done'
section virsh-version v version --daemon

listed net-uuids v net-list --all --uuid
batch net net-info net-dumpxml "$OUT"

listed dom-uuids v list --all --uuid
batch dom dominfo dumpxml "$OUT"

if ip -j link show lo >/dev/null 2>&1; then
  section ip-link ip -j -d link show
  section ip-addr ip -j addr show
  section ip-route ip -j route show default
else
  section ip-link-oneline ip -o -d link show
  section ip-addr-oneline ip -o addr show
  section ip-route-oneline ip -o route show default
fi

if command -v brctl >/dev/null 2>&1; then
  section brctl brctl show
else
  section bridge-link bridge -j link show
fi
`;
}

/** The command line behind a section id, for reports and `--save-captures`. */
export function commandOfSection(id: string, options: Pick<ProbeOptions, 'libvirtUri' | 'sudo'>): string {
  const virsh = `${options.sudo ? 'sudo -n ' : ''}virsh -q -r -c ${shellQuote(options.libvirtUri)}`;
  const batch = /^(net|dom)-batch-(\d+)$/.exec(id);
  if (batch) {
    return batch[1] === 'net'
      ? `${virsh} 'net-info UUID; net-dumpxml UUID; …' (networks, ${VIRSH_BATCH_SIZE} per process)`
      : `${virsh} 'dominfo UUID; dumpxml UUID; …' (domains, ${VIRSH_BATCH_SIZE} per process)`;
  }
  const fixed: Record<string, string> = {
    tools: 'command -v virsh ip brctl bridge',
    'virsh-version': `${virsh} version --daemon`,
    'net-uuids': `${virsh} net-list --all --uuid`,
    'dom-uuids': `${virsh} list --all --uuid`,
    'ip-link': 'ip -j -d link show',
    'ip-addr': 'ip -j addr show',
    'ip-route': 'ip -j route show default',
    'ip-link-oneline': 'ip -o -d link show',
    'ip-addr-oneline': 'ip -o addr show',
    'ip-route-oneline': 'ip -o route show default',
    brctl: 'brctl show',
    'bridge-link': 'bridge -j link show',
  };
  return fixed[id] ?? id;
}
