/**
 * Small formatting helpers shared by the evidence chains, so every step reads the same way.
 * A chain is a list of short steps; the report joins them with ` → `.
 */
import type { InterfaceFacts } from '../model.js';
import { interfaceId } from '../report/nic.js';

/** `192.168.122.1/24`, or the bare address when the prefix is unknown. */
export function formatAddress(address: string, prefix: number | null): string {
  return prefix === null ? address : `${address}/${prefix}`;
}

/** First step of an interface's chain: `web01/52:54:00:00:02:01` (the NIC's position when it has no MAC). */
export function interfaceLabel(vm: string, nic: InterfaceFacts, position: number): string {
  return `${vm}/${interfaceId(nic.mac, nic.target, position)}`;
}

/** Warning subject for an interface: `vm web01 52:54:00:00:02:01`. */
export function interfaceSubject(vm: string, nic: InterfaceFacts, position: number): string {
  return `vm ${vm} ${interfaceId(nic.mac, nic.target, position)}`;
}

/** `a, b and c`. */
export function joinWithAnd(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Pick the first value that is a non-empty string (XML attributes may be present but empty). */
export function nonEmpty(...values: (string | null | undefined)[]): string | null {
  for (const value of values) if (value !== null && value !== undefined && value.trim() !== '') return value;
  return null;
}
