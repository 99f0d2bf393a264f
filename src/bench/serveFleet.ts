/**
 * Bench helper process: serves N embedded demo hosts and prints their configs as one JSON line, so the
 * clients being measured run in processes of their own. Ends when its stdin closes.
 */
import { startDemoFleet } from '../demo/fleet.js';

const count = Number(process.argv[2] ?? '500');
const fleet = await startDemoFleet({ hosts: count });
process.stdout.write(`${JSON.stringify({ hosts: fleet.hosts, knownHostsFile: fleet.knownHostsFile })}\n`);
process.stdin.resume();
process.stdin.on('end', () => {
  void fleet.close().then(() => process.exit(0));
});
