/**
 * Waivers: which failing checks a waiver covers, and whether it still holds on a given day.
 */
import { matchesAnyGlob } from './conditions.js';
import { selectsHost } from './selector.js';
import type { Waiver, WaiverRef } from './types.js';

const ISO_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC midnight that starts `YYYY-MM-DD`, or null when it is not a real calendar date. */
export function parseIsoDate(text: string): Date | null {
  const match = ISO_DATE.exec(text);
  if (!match) return null;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  // Date.UTC rolls 2026-02-30 over into March: a date that does not round-trip is not a real one.
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day ? date : null;
}

/** A waiver holds through its expiry day (UTC) and stops at the next midnight. */
export function isExpired(waiver: Pick<Waiver, 'expires'>, now: Date): boolean {
  const day = parseIsoDate(waiver.expires);
  if (!day) return true; // the loader refuses such dates; never let a malformed one waive anything
  return now.getTime() >= day.getTime() + 24 * 60 * 60 * 1000;
}

/** True when the waiver is about this rule, host and subject. */
export function waiverCovers(waiver: Waiver, rule: string, host: string, groups: readonly string[], subject: string): boolean {
  return waiver.rule === rule && selectsHost(waiver.hosts, host, groups) && matchesAnyGlob([waiver.subject], subject);
}

/** The waiver as findings and reports refer to it. */
export function waiverRef(waiver: Waiver): WaiverRef {
  return {
    rule: waiver.rule,
    subject: waiver.subject,
    justification: waiver.justification,
    expires: waiver.expires,
    owner: waiver.owner,
    origin: waiver.origin,
  };
}
