/**
 * The two ways a VM NIC is written as text, each computed here only: its id within its VM, and its `via`. The
 * classifier writes both into the report; read.ts computes the id for reports written before it existed. Pure.
 */
import type { Through } from './schema.js';

/**
 * A NIC's id within its VM: its MAC, else its target device, else `nic<position>` (its 0-based index among the
 * VM's interfaces). Empty values count as absent: an id is never empty.
 * @example interfaceId(null, 'vnet3', 2) // 'vnet3'
 */
export function interfaceId(mac: string | null | undefined, target: string | null | undefined, position: number): string {
  if (typeof mac === 'string' && mac !== '') return mac;
  if (typeof target === 'string' && target !== '') return target;
  return `nic${position}`;
}

/**
 * `via` as report.json writes it: the kind, then the name when there is one.
 * @example viaOf({ kind: 'network', name: 'default' }) // 'network default'
 * @example viaOf({ kind: 'slirp', name: null }) // 'slirp'
 */
export function viaOf(through: Through): string;
export function viaOf(through: Through | null): string | null;
export function viaOf(through: Through | null): string | null {
  if (through === null) return null;
  return through.name === null ? through.kind : `${through.kind} ${through.name}`;
}
