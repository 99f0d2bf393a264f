/**
 * Turning the probe's framed output back into sections, and (for the demo fleet and tests) framing
 * saved sections again under a new nonce. Pure functions.
 */
import type { ProbeSection, RawCapture } from '../model.js';
import { OBJECT_PARTS, type ObjectPart } from './libvirtLists.js';

const MARK = '@@KNA-';

/** Extract the nonce a probe script was built with (the demo servers answer in kind). */
export function nonceOfScript(script: string): string | null {
  return /^N=([0-9a-f]{32})$/m.exec(script)?.[1] ?? null;
}

/**
 * Split the probe's stdout into sections. A section whose END never arrived (output cut off)
 * is kept with `exit: null`. Text outside sections is ignored: it cannot be trusted to mean anything.
 */
export function unframe(output: string, nonce: string, commandOf: (id: string) => string): ProbeSection[] {
  const prefix = `${MARK}${nonce} `;
  const sections: ProbeSection[] = [];
  let pos = 0;
  for (;;) {
    const begin = output.indexOf(`\n${prefix}BEGIN `, pos);
    if (begin < 0) break;
    const idStart = begin + 1 + prefix.length + 'BEGIN '.length;
    const idEnd = output.indexOf('\n', idStart);
    if (idEnd < 0) break;
    const id = output.slice(idStart, idEnd);
    const endMarker = `\n${prefix}END ${id} `;
    const end = output.indexOf(endMarker, idEnd);
    if (end < 0) {
      sections.push({ id, command: commandOf(id), exit: null, stdout: output.slice(idEnd + 1), stderr: '' });
      break;
    }
    const stdout = output.slice(idEnd + 1, end);
    const rcStart = end + endMarker.length;
    const rcEnd = output.indexOf('\n', rcStart);
    const exitText = output.slice(rcStart, rcEnd < 0 ? undefined : rcEnd);
    const exit = /^\d+$/.test(exitText) ? Number(exitText) : null;
    const doneMarker = `\n${prefix}DONE ${id}\n`;
    const done = rcEnd < 0 ? -1 : output.indexOf(doneMarker, rcEnd);
    const stderr = done < 0 ? output.slice(rcEnd + 1) : output.slice(rcEnd + 1, done);
    sections.push({ id, command: commandOf(id), exit, stdout, stderr });
    if (done < 0) break;
    pos = done + doneMarker.length - 1;
  }
  return sections;
}

/**
 * Frame a capture the way the probe script would have under `nonce` (inverse of `unframe`);
 * the per-object and per-set markers inside the virsh sections are renewed too.
 */
export function frame(capture: RawCapture, nonce: string): string {
  const prefix = `${MARK}${nonce} `;
  const renew = (text: string) => text.split(`${MARK}${capture.nonce}:`).join(`${MARK}${nonce}:`);
  let out = '';
  for (const section of capture.sections) {
    const s = { ...section, stdout: renew(section.stdout) };
    out += `\n${prefix}BEGIN ${s.id}\n${s.stdout}\n${prefix}END ${s.id} ${s.exit ?? 255}\n${s.stderr}\n${prefix}DONE ${s.id}\n`;
  }
  return out;
}

/** What the objects process printed for one network or domain (probe/libvirtLists.ts, OBJECT_COMMANDS). */
export type ObjectOutput = Partial<Record<ObjectPart, string>>;

/**
 * A virsh that reads its commands from stdin through readline echoes each one after a `virsh > ` prompt (`virsh # ` when read-write): one such
 * line comes before a part's output (its own command) and one after it (the next marker's command). They are
 * the probe's own words, never the host's; a virsh without readline prints none.
 */
const LEADING_PROMPT = /^virsh [>#] [^\n]*\n/;
const TRAILING_PROMPT = /(^|\n)virsh [>#] [^\n]*\n?$/;

function withoutPrompts(part: string): string {
  return part.replace(LEADING_PROMPT, '').replace(TRAILING_PROMPT, '$1');
}

/**
 * Split the objects section's stdout into per-object parts, keyed `net:uuid` or `dom:uuid`. Each part runs from its
 * marker to the next marker; the closing `end` marker ends the last one.
 */
export function splitObjects(stdout: string, nonce: string): Map<string, ObjectOutput> {
  const objects = new Map<string, ObjectOutput>();
  const marker = new RegExp(`@@KNA-${nonce}:(?:(net|dom):([0-9a-fA-F-]{36}):(${OBJECT_PARTS.join('|')})|end)\\n?`, 'g');
  let last: { key: string; part: ObjectPart; from: number } | null = null;
  const put = (until: number) => {
    if (!last) return;
    const entry = objects.get(last.key) ?? {};
    entry[last.part] = withoutPrompts(stdout.slice(last.from, until));
    objects.set(last.key, entry);
  };
  for (const m of stdout.matchAll(marker)) {
    put(m.index);
    last = m[1] === undefined ? null : { key: `${m[1]}:${m[2]!.toLowerCase()}`, part: m[3] as ObjectPart, from: m.index + m[0].length };
  }
  put(stdout.length);
  return objects;
}

/** Build a RawCapture from a finished exec. */
export function toCapture(stdout: string, nonce: string, truncated: boolean, commandOf: (id: string) => string): RawCapture {
  return { nonce, sections: unframe(stdout, nonce, commandOf), truncated, bytes: Buffer.byteLength(stdout) };
}
