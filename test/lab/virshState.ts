/**
 * Libvirt state that the test driver cannot read from a node file.
 *
 * `virsh -c test:///ABS/node.xml` is libvirt's real test driver, but it starts every `<network>` of the
 * node file (`virNetworkObjSetActive(obj, true)` in testParseNetworks), marks no network or domain
 * autostart, cannot undefine an active network, and forgets every change when the connection closes.
 * Each probe command is a new virsh process, so a state change has to happen inside that same process.
 *
 * The lab therefore puts a small wrapper at `/usr/bin/virsh` (a bind mount inside the private mount
 * namespace that `ip netns exec` already creates, so nothing outside the lab host sees it). The wrapper
 * runs the real virsh with the state commands (`net-autostart default; net-destroy old-lan; …`) placed
 * before the caller's command, in one command string. Every line the probe records is still printed by
 * the real virsh and its test driver. The state commands need a read-write connection, so the wrapper
 * drops `-r`; with `-q` (which the probe always passes) they print nothing.
 */

/** State to apply on top of the node file, by object name. */
export interface LibvirtState {
  /** Networks to stop (`net-destroy`): the test driver starts every network of the node file. */
  inactiveNetworks?: string[];
  /** Networks to mark autostart (`net-autostart`). */
  autostartNetworks?: string[];
  /** Domains to mark autostart (`autostart`). */
  autostartDomains?: string[];
}

const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.+-]*$/;

/**
 * The virsh commands that produce `state`, as one command string, or '' when there is nothing to do.
 * Autostart comes first: libvirt allows it on inactive networks either way, and this order reads naturally.
 * @example stateCommands({ autostartNetworks: ['default'] }) // 'net-autostart default;'
 */
export function stateCommands(state: LibvirtState | undefined): string {
  if (!state) return '';
  const commands: string[] = [];
  const add = (verb: string, names: string[] | undefined) => {
    for (const name of names ?? []) {
      // Names are written by lab specs, but they end up inside a virsh command string: keep them plain.
      if (!NAME_PATTERN.test(name)) throw new Error(`libvirt state: ${JSON.stringify(name)} is not a plain name`);
      commands.push(`${verb} ${name};`);
    }
  };
  add('net-autostart', state.autostartNetworks);
  add('autostart', state.autostartDomains);
  add('net-destroy', state.inactiveNetworks);
  return commands.join(' ');
}

/** Quote a value for the POSIX shell (single quotes, embedded quotes closed and escaped). */
function shQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Options of {@link virshWrapperScript}. */
export interface VirshWrapperOptions {
  /**
   * Append one line per virsh invocation to this file (`virsh pid=PID COMMAND…`, the command cut at its
   * first line break and 120 bytes), so a test can count how many virsh processes a probe started.
   */
  callLog?: string;
}

/**
 * The wrapper script installed over `/usr/bin/virsh` in the lab host's mount namespace.
 * @param realVirsh where the real virsh binary is still reachable (a bind mount of it).
 * @param commands from {@link stateCommands}; may be empty only when `options.callLog` is given.
 */
export function virshWrapperScript(realVirsh: string, commands: string, options: VirshWrapperOptions = {}): string {
  const { callLog } = options;
  if (!commands && callLog === undefined) throw new Error('virsh wrapper without state commands');
  // Only shell builtins here: the wrapper must not start processes of its own (tests count processes).
  const logging =
    callLog === undefined
      ? ''
      : `# Count this invocation: one line each, whatever the arguments hold.
nl='
'
last=''
for a do last=$a; done
printf 'virsh pid=%s %.120s\\n' "$$" "\${last%%"$nl"*}" >> ${shQuote(callLog)}
`;
  const head = `#!/bin/sh
# kvm-netaudit lab host: apply this host's libvirt state in the same virsh process as the caller's
# command, because libvirt's test driver keeps no state between connections. See test/lab/virshState.ts.
real=${shQuote(realVirsh)}
${logging}`;
  if (!commands) return `${head}exec "$real" "$@"
`;
  return `${head}state=${shQuote(commands)}
# A quote in an argument cannot be carried into a virsh command string below: run such a call unchanged.
for a do case $a in *"'"*) exec "$real" "$@" ;; esac; done
# Keep options (dropping -r: the state commands write), collect the command words.
opts=1; want_uri=0; words=0; raw=''; quoted=''
for a do
  shift
  if [ "$opts" = 1 ]; then
    if [ "$want_uri" = 1 ]; then set -- "$@" "$a"; want_uri=0; continue; fi
    case $a in
      -r|--readonly) continue ;;
      -c|--connect) set -- "$@" "$a"; want_uri=1; continue ;;
      -?*) set -- "$@" "$a"; continue ;;
    esac
    opts=0
  fi
  words=$((words + 1)); raw=$a; quoted="$quoted '$a'"
done
case $words in
  0) exec "$real" "$@" ;;
  1) exec "$real" "$@" "$state $raw" ;; # already a command string, maybe several commands
  *) exec "$real" "$@" "$state$quoted" ;;
esac
`;
}

/**
 * The `sh -c` program that mounts the wrapper over the real virsh and then execs the command given as
 * its remaining arguments. Arguments: $1 real virsh path, $2 file to bind the real virsh on, $3 wrapper.
 * Run only inside `ip netns exec`, whose mount namespace is a slave of the machine's: the mounts
 * vanish with the process and never reach the rest of the machine.
 */
export const MOUNT_WRAPPER_PROGRAM =
  'mount --bind "$1" "$2" && mount --bind "$3" "$1" && shift 3 && exec "$@"';
