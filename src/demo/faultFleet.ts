/**
 * The fault fleet: the demo's ordinary hosts with hostile ones sprinkled evenly among them, each with the
 * outcome its audit must have. The fault tier audits it under forced garbage collections; `bench:faults` times it
 * at 1,000 and 5,000 hosts against the same fleet without its hostile hosts.
 */
import { loadDemoEntries, replayingHost } from './fleet.js';
import { HOSTILE_KINDS, HOSTILE_BEHAVIOURS, hostileHost, type Expectation, type HostileKind } from './hostile.js';
import { startServedFleet, type HostSpec, type ServedFleet } from './servedFleet.js';

export interface FaultFleetOptions {
  /** Hosts in all, ordinary and hostile. */
  hosts: number;
  /** Hostile hosts of each kind (0: an ordinary fleet of the same size, to compare with). @default 1 */
  perKind?: number;
  /** Only these kinds. @default every kind */
  kinds?: readonly HostileKind[];
}

export interface FaultFleet extends ServedFleet {
  /** Every host's expected outcome, by name. */
  expected: ReadonlyMap<string, Expectation>;
  /** Host name → the hostile kind it plays (ordinary hosts are absent). */
  kindOf: ReadonlyMap<string, HostileKind>;
}

const ORDINARY: Expectation = { status: 'ok', errorKind: null };

export async function startFaultFleet(options: FaultFleetOptions): Promise<FaultFleet> {
  const bundled = await loadDemoEntries();
  const hostile = (options.kinds ?? HOSTILE_KINDS).flatMap((kind) => Array.from({ length: options.perKind ?? 1 }, () => kind));
  if (hostile.length > options.hosts) throw new Error(`${hostile.length} hostile hosts do not fit in a fleet of ${options.hosts}`);
  // Hostile hosts at evenly spaced positions, so they meet ordinary hosts in flight all through the run.
  const hostileAt = new Map(hostile.map((kind, i) => [Math.floor(((i + 0.5) * options.hosts) / hostile.length), kind]));

  const specs: HostSpec[] = [];
  const expected = new Map<string, Expectation>();
  const kindOf = new Map<string, HostileKind>();
  for (let i = 0; i < options.hosts; i++) {
    const { entry, capture } = bundled[i % bundled.length]!;
    const kind = hostileAt.get(i);
    const name = kind ? `bad-${kind}-${String(i).padStart(4, '0')}` : `hv-${String(i).padStart(4, '0')}`;
    specs.push(kind ? hostileHost(name, kind, capture) : replayingHost(name, entry, capture));
    expected.set(name, kind ? HOSTILE_BEHAVIOURS[kind].expect : ORDINARY);
    if (kind) kindOf.set(name, kind);
  }
  const fleet = await startServedFleet(specs, 'faults');
  return { ...fleet, expected, kindOf };
}
