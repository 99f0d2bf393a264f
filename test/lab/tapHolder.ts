/**
 * Give lab taps a carrier, the way QEMU does for a running guest.
 *
 * A tap made by `ip tuntap add` has no carrier until a process attaches to it (`NO-CARRIER`, operstate
 * DOWN), which would make every guest port of a lab bridge look unplugged. One small perl process per lab
 * host (perl-base is part of every Debian system) opens /dev/net/tun once per tap, attaches with
 * TUNSETIFF, says `ready`, and holds the taps until its standard input closes or it is killed by pid.
 * Because it exits on end of input, it cannot outlive the Node process that started it.
 */
import { spawn, type ChildProcess } from 'node:child_process';

/**
 * TUNSETIFF = _IOW('T', 202, int) and IFF_TAP | IFF_NO_PI: the flags `ip tuntap add … mode tap` gives a
 * persistent tap, which an attaching process must repeat exactly.
 */
const HOLDER_PROGRAM = `
use strict;
my @held;
for my $name (@ARGV) {
  open(my $fh, '+<', '/dev/net/tun') or die "open /dev/net/tun: $!\\n";
  my $ifr = pack('a16 s', $name, 0x0002 | 0x1000);
  ioctl($fh, 0x400454ca, $ifr) or die "attach to tap $name: $!\\n";
  push @held, $fh;
}
$| = 1;
print "ready\\n";
1 while <STDIN>;
`;

/** A running holder; `release` stops it (by pid) and waits for it to exit. */
export interface TapHolder {
  pid: number;
  release(): Promise<void>;
}

function waitForExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/**
 * Attach to `taps` from inside the network namespace given by `launch` (an argv prefix such as
 * `['ip', 'netns', 'exec', NS]`), and resolve once every tap has a carrier.
 */
export async function holdTaps(launch: readonly string[], taps: readonly string[]): Promise<TapHolder> {
  const [file, ...args] = [...launch, 'perl', '-e', HOLDER_PROGRAM, '--', ...taps];
  const child = spawn(file!, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  let stdout = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  // Kept for the holder's whole life: an 'error' without a listener would crash the test process.
  child.stdin.on('error', () => undefined);
  const ready = new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`tap holder for ${taps.join(', ')}: ${why} ${stderr.trim()}`));
    child.on('error', (error) => fail(error.message));
    child.once('close', (code) => fail(`exited with ${code}`)); // 'close': stderr is complete by then
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('ready\n')) resolve();
    });
  });
  await ready; // a later 'close' rejects an already settled promise: harmless
  const pid = child.pid!;
  let released = false;
  return {
    pid,
    async release() {
      if (released) return;
      released = true;
      child.stdin.end();
      if (!(await waitForExit(child, 2_000))) {
        process.kill(pid, 'SIGKILL');
        await waitForExit(child, 2_000);
      }
    },
  };
}
