/**
 * The remote probe: one POSIX sh script, sent over one exec channel, that gathers everything the
 * classifier needs in one round trip (the README's "What runs on a host"). Every command is read-only.
 *
 * Output framing (see framing.ts): each section is
 *   \n@@KNA-<nonce> BEGIN <id>\n<stdout>\n@@KNA-<nonce> END <id> <exit>\n<stderr>\n@@KNA-<nonce> DONE <id>\n
 * The nonce is random per run, so nothing a VM or network name contains can forge a section.
 */
import { randomBytes } from 'node:crypto';
import { LIBVIRT_SET_NAMES, LIBVIRT_SETS, OBJECT_COMMANDS } from './libvirtLists.js';
import { sectionId, sectionLine, type ProbeTarget } from './sections.js';
import { shellQuote } from './shell.js';

export interface ProbeOptions extends ProbeTarget {
  /** 32 hex characters; random unless given (tests, show-probe). */
  nonce?: string;
}

const URI_PATTERN = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[A-Za-z0-9._~%!$&()*+,;=:@/?-]*$/;

/** True when a libvirt URI is safe to embed (also checked by the inventory schema). */
export function isValidLibvirtUri(uri: string): boolean {
  return URI_PATTERN.test(uri) && !uri.includes("'");
}

export function newNonce(): string {
  return randomBytes(16).toString('hex');
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
# vin: virsh reading its commands from stdin. Its readline echoes each command after a prompt (framing.ts drops
# those lines); a wide COLUMNS keeps it from folding the long ones.
vin() { COLUMNS=100000 ${virsh} -q -r -c "$URI"; }

# lists ID ERRID CMD...: keep CMD's stdout in $OUT and frame it as section ID; its stderr goes straight to the
# output while it runs, framed as section ERRID (sh cannot keep both in variables without a file).
lists() {
  id=$1; errid=$2; shift 2
  printf '\\n@@KNA-%s BEGIN %s\\n' "$N" "$errid"
  OUT=$("$@" 2>&3); rc=$?
  printf '\\n@@KNA-%s END %s %s\\n\\n@@KNA-%s DONE %s\\n' "$N" "$errid" "$rc" "$N" "$errid"
  printf '\\n@@KNA-%s BEGIN %s\\n%s\\n@@KNA-%s END %s %s\\n\\n@@KNA-%s DONE %s\\n' \\
    "$N" "$id" "$OUT" "$N" "$id" "$rc" "$N" "$id"
}

# obj KIND UUID PART CMD: one object command for the objects virsh, introduced by a marker that virsh echoes
# (split by quotes, so the command line virsh may echo back is never a marker itself).
obj() { printf 'echo "@@KNA-%s:%s:%s:"%s\\n%s\\n' "$N" "$1" "$2" "$3" "$4"; }

listed ${sectionId('tools')} sh -c 'for t in virsh ip brctl bridge; do p=$(command -v "$t") && echo "$t $p" || echo "$t -"; done'

# One virsh process lists every network and domain, as sets by state (probe/libvirtLists.ts).
lists ${sectionId('libvirt-lists')} ${sectionId('libvirt-lists-stderr')} v "${listingCommands()}"

# One more virsh process reads every object command from stdin, however many objects the host has: no command
# line grows with the host. Only UUID-shaped words of the listing are used, so no remote text reaches a command.
# The closing marker says virsh lived to the end: objects after a crash stay unread, never silently missing.
objects() {
  s=''
  for w in $OUT; do
    case $w in
      "@@KNA-$N:set:"*) s=\${w#"@@KNA-$N:set:"}; continue ;;
      ????????-????-????-????-????????????) ;;
      *) continue ;;
    esac
    case $w in *[!0-9a-fA-F-]*) continue ;; esac
    case $s in
${objectCases()}
    esac
  done
  printf 'echo "@@KNA-%s:"end\\n' "$N"
}
if [ -n "$OUT" ]; then objects | section ${sectionId('objects')} vin; fi

if ip -j link show lo >/dev/null 2>&1; then
  ${sectionLine('ip-link')}
  ${sectionLine('ip-addr')}
  ${sectionLine('ip-route')}
else
  ${sectionLine('ip-link-oneline')}
  ${sectionLine('ip-addr-oneline')}
  ${sectionLine('ip-route-oneline')}
fi

if command -v brctl >/dev/null 2>&1; then
  ${sectionLine('brctl')}
else
  ${sectionLine('bridge-link')}
fi
`;
}

/**
 * The listing virsh's commands: the daemon's version, then each set after a marker on stdout and the same marker
 * on stderr (`echo --err`), so an error can be pinned on the set it cost. The marker ends in a space because
 * `virsh -q` prints echo's text without a newline, and the probe's loop splits the listing into words.
 */
function listingCommands(): string {
  const sets = LIBVIRT_SET_NAMES.map((name) => {
    // virsh's backslash keeps the space; a quote would not survive every virsh wrapper (the lab's among them).
    const marker = `@@KNA-$N:set:${name}\\ `;
    return `echo ${marker}; echo --err ${marker}; ${LIBVIRT_SETS[name].command}`;
  });
  return ['version --daemon', ...sets].join('; ');
}

/** The `case` arms that print each set member's object commands for the objects virsh (see OBJECT_COMMANDS). */
function objectCases(): string {
  const bySet = new Map<string, string[]>();
  for (const { set, kind, part, command } of OBJECT_COMMANDS) {
    const calls = bySet.get(set) ?? [];
    calls.push(`obj ${kind} "$w" ${part} "${command.replace('UUID', '$w')}"`);
    bySet.set(set, calls);
  }
  return [...bySet].map(([set, calls]) => `      ${set}) ${calls.join('; ')} ;;`).join('\n');
}
