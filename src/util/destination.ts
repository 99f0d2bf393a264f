/**
 * `[user@]host[:port]` as OpenSSH splits a destination (`ssh`, `-J`, ProxyJump): the user is everything before the
 * last `@`; an IPv6 address takes brackets to carry a port (`[addr]:port`), and a bare address with two or more
 * colons is IPv6 without one. Only the syntax: each caller (command-line hosts, Ansible's ssh options, ssh_config's
 * ProxyJump) checks names and words its messages itself.
 */
import { isIPv6 } from 'node:net';

export interface Destination {
  user: string | null;
  address: string;
  port: number | null;
  /** Written as `[addr]` (a glob-looking name in brackets is an address, not a node set). */
  bracketed: boolean;
}

/** What is wrong with the syntax; `port` carries its own message, the same for every caller. */
export type DestinationProblem =
  | { kind: 'unclosed-bracket' }
  | { kind: 'after-bracket'; after: string }
  | { kind: 'colons' }
  | { kind: 'port'; message: string };

/**
 * @example splitDestination('audit@[2001:db8::1]:2222') // { ok: true, value: { user: 'audit', address: '2001:db8::1', port: 2222, … } }
 */
export function splitDestination(text: string): { ok: true; value: Destination } | { ok: false; problem: DestinationProblem } {
  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : null;
  const rest = at >= 0 ? text.slice(at + 1) : text;
  let address: string;
  let portText: string | null = null;
  let bracketed = false;
  if (rest.startsWith('[')) {
    const close = rest.indexOf(']');
    if (close < 0) return { ok: false, problem: { kind: 'unclosed-bracket' } };
    address = rest.slice(1, close);
    bracketed = true;
    const after = rest.slice(close + 1);
    if (after.startsWith(':')) portText = after.slice(1);
    else if (after !== '') return { ok: false, problem: { kind: 'after-bracket', after } };
  } else if (rest.indexOf(':') !== rest.lastIndexOf(':')) {
    if (!isIPv6(rest)) return { ok: false, problem: { kind: 'colons' } };
    address = rest;
  } else {
    const colon = rest.indexOf(':');
    address = colon >= 0 ? rest.slice(0, colon) : rest;
    portText = colon >= 0 ? rest.slice(colon + 1) : null;
  }
  let port: number | null = null;
  if (portText !== null) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      return { ok: false, problem: { kind: 'port', message: `port "${portText}": expected a number from 1 to 65535` } };
    }
    port = Number(portText);
  }
  return { ok: true, value: { user, address, port, bracketed } };
}
