/**
 * Bench helper process: serves N embedded hosts and prints their configs as one JSON line, so the clients being
 * measured run in processes of their own. Ends when its stdin closes.
 *
 * Usage: node --import tsx bench/serveFleet.ts N            the demo fleet's hosts, N of them
 *        node --import tsx bench/serveFleet.ts N faults K    the fault fleet: K hostile hosts of each kind among N
 */
import { startDemoFleet } from '../src/demo/fleet.js';
import { startFaultFleet } from '../src/demo/faultFleet.js';

const count = Number(process.argv[2] ?? '500');
const perKind = process.argv[3] === 'faults' ? Number(process.argv[4] ?? '1') : null;
const fleet = perKind === null ? await startDemoFleet({ hosts: count }) : await startFaultFleet({ hosts: count, perKind });
const expected = 'expected' in fleet ? Object.fromEntries(fleet.expected) : null;
process.stdout.write(`${JSON.stringify({ hosts: fleet.hosts, knownHostsFile: fleet.knownHostsFile, expected })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void fleet.close().then(() => process.exit(0));
});
