/**
 * The embedded demo fleet's committed captures (fixtures/demo, made by scripts/make-demo-captures.ts):
 * they are complete, well-formed RawCaptures, in step with the host specs that made them, and together
 * they show every mode of docs/report.md, each host exactly the modes it was built to show.
 */
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { classifyHost } from '../../src/classify/index.js';
import { MODES, type RawCapture } from '../../src/model.js';
import { parseCapture, parseLibvirtLists } from '../../src/parse/index.js';
import { LIBVIRT_SET_NAMES } from '../../src/probe/libvirtLists.js';
import { demoFleetEntries, demoFleetHosts } from '../../scripts/demo-fleet/entries.js';
import { demoFleet } from '../../scripts/demo-fleet/index.js';

const DEMO_DIR = fileURLToPath(new URL('../../fixtures/demo/', import.meta.url));

interface FleetEntry {
  name: string;
  groups: string[];
  uplinkInterfaces: string[];
  capture: string;
}

const fleet = JSON.parse(readFileSync(join(DEMO_DIR, 'fleet.json'), 'utf8')) as FleetEntry[];

/** Read a capture, checking its shape field by field (a RawCapture is plain JSON, nothing checks it on load). */
function readCapture(entry: FleetEntry): RawCapture {
  const value = JSON.parse(readFileSync(join(DEMO_DIR, entry.capture), 'utf8')) as Record<string, unknown>;
  expect(value.nonce).toMatch(/^[0-9a-f]{32}$/);
  expect(value.truncated).toBe(false);
  expect(typeof value.bytes).toBe('number');
  expect(Array.isArray(value.sections)).toBe(true);
  for (const section of value.sections as Record<string, unknown>[]) {
    expect(Object.keys(section).sort()).toEqual(['command', 'exit', 'id', 'stderr', 'stdout']);
    expect(typeof section.id).toBe('string');
    expect(typeof section.command).toBe('string');
    expect(section.exit === null || typeof section.exit === 'number').toBe(true);
    expect(typeof section.stdout).toBe('string');
    expect(typeof section.stderr).toBe('string');
  }
  return value as unknown as RawCapture;
}

function sectionOf(capture: RawCapture, id: string) {
  const section = capture.sections.find((s) => s.id === id);
  if (!section) throw new Error(`capture has no section ${id}`);
  return section;
}

describe('demo fleet fixtures', () => {
  it('lists the hosts of scripts/demo-fleet, then the real-libvirtd ones, in order, with their groups and uplink globs', () => {
    // Given the host declarations and the committed fleet.json
    const fromSpecs = demoFleetEntries();
    // Then they agree (a spec changed without regenerating the fixtures would fail here)
    expect(fleet).toEqual(fromSpecs);
    expect(fleet.length).toBeGreaterThanOrEqual(12);
  });

  it('keeps each node file identical to the one its spec generates', () => {
    for (const spec of demoFleet) {
      const path = join(DEMO_DIR, 'nodes', `${spec.name}.xml`);
      expect(existsSync(path), path).toBe(true);
      expect(readFileSync(path, 'utf8'), spec.name).toBe(spec.nodeXml);
    }
  });

  describe.each(fleet)('$name', (entry) => {
    it('has a capture that parses as a RawCapture with the probe sections, in probe order', () => {
      const capture = readCapture(entry);
      expect(capture.sections.map((s) => s.id)).toEqual([
        'tools',
        'libvirt-lists-stderr',
        'libvirt-lists',
        'objects',
        'ip-link',
        'ip-addr',
        'ip-route',
        'brctl',
      ]);
    });

    it('lists networks and domains successfully, every set without an error', () => {
      const capture = readCapture(entry);
      const listing = sectionOf(capture, 'libvirt-lists');
      expect(listing.exit).toBe(0);
      const lists = parseLibvirtLists(listing.stdout, sectionOf(capture, 'libvirt-lists-stderr').stdout, capture.nonce);
      expect([...lists.failed]).toEqual([]);
      expect([...lists.sets.keys()].sort()).toEqual([...LIBVIRT_SET_NAMES].sort());
      expect(lists.sets.get('dom-all')!.size).toBeGreaterThan(0);
    });

    it('has no failed section', () => {
      const failed = readCapture(entry).sections.filter((s) => s.exit !== 0);
      expect(failed.map((s) => `${s.id}: ${s.stderr}`)).toEqual([]);
    });

    it('shows exactly the modes its spec claims, and the warnings it is built to raise', () => {
      // Given the host's spec and its capture, classified with the host's uplink globs
      const spec = demoFleetHosts().find((s) => s.name === entry.name)!;
      const facts = parseCapture(readCapture(entry));
      // When it is classified
      const audit = classifyHost(facts, { uplinkInterfaces: entry.uplinkInterfaces });
      // Then its VM NICs show the claimed modes, and the claimed warnings are among its warnings
      expect(audit.modes).toEqual([...spec.shows].sort());
      const kinds = new Set(audit.warnings.map((w) => w.kind));
      for (const kind of spec.warns) expect([...kinds], kind).toContain(kind);
    });
  });

  it('shows every mode of docs/report.md across the fleet', () => {
    const shown = new Set(demoFleet.flatMap((s) => s.shows));
    expect([...MODES].filter((m) => !shown.has(m))).toEqual([]);
  });
});
