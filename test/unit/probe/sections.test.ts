import { describe, expect, it } from 'vitest';
import { buildProbeScript } from '../../../src/probe/script.js';
import { commandOfSection, SECTION_IDS, sectionSpec } from '../../../src/probe/sections.js';

const script = buildProbeScript({ libvirtUri: 'qemu:///system', sudo: false, nonce: '0'.repeat(32) });

/** The section ids the script frames: the first word after each call of its section, listed and lists helpers. */
function idsInScript(text: string): string[] {
  const ids: string[] = [];
  for (const line of text.split('\n')) {
    const call = /(?:^|\| )\s*(section|listed|lists) ([a-z-]+)(?: ([a-z-]+))?/.exec(line.trim());
    if (!call || line.includes('()')) continue;
    ids.push(call[2]!);
    if (call[1] === 'lists') ids.push(call[3]!);
  }
  return ids;
}

describe('the probe section table', () => {
  it('is what the script frames: every declared section is printed, and the script prints no other', () => {
    const framed = idsInScript(script);
    expect([...framed].sort()).toEqual([...SECTION_IDS].sort());
  });

  it('notices a section the script frames that the table does not declare', () => {
    expect(idsInScript(`${script}\nsection ip-neigh ip -j neigh show\n`)).toContain('ip-neigh');
    expect(sectionSpec('ip-neigh')).toBeUndefined();
  });

  it('runs each plain section with the command reports show for it', () => {
    for (const id of SECTION_IDS) {
      const { argv } = sectionSpec(id)!;
      if (argv === null) continue;
      expect(script, id).toContain(`section ${id} ${argv}\n`);
      expect(commandOfSection(id, { libvirtUri: 'qemu:///system', sudo: false })).toBe(argv);
    }
  });

  it('shows the virsh sections with the URI quoted and sudo when the host uses it', () => {
    const shown = commandOfSection('objects', { libvirtUri: "qemu+ssh://x/system?a='b'", sudo: true });
    expect(shown.startsWith(`sudo -n virsh -q -r -c 'qemu+ssh://x/system?a='\\''b'\\'''`)).toBe(true);
    expect(shown).toContain('dumpxml');
  });

  it('does not take an inherited property name for a section', () => {
    expect(sectionSpec('constructor')).toBeUndefined();
    expect(sectionSpec('__proto__')).toBeUndefined();
    expect(commandOfSection('toString', { libvirtUri: 'test:///default', sudo: false })).toBe('toString');
  });
});
