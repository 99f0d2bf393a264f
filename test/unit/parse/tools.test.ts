import { describe, expect, it } from 'vitest';
import { ParseError } from '../../../src/parse/errors.js';
import { errorCause, parseToolList } from '../../../src/parse/tools.js';
import { probeCapture } from './fixtures.js';

const stdoutOf = (capture: ReturnType<typeof probeCapture>, id: string) => capture.sections.find((s) => s.id === id);

describe('parseToolList on the real tools section', () => {
  it('maps each tool to its path, and a missing one to null', () => {
    // Given the tools section of a run where brctl was missing; When parsed
    const tools = parseToolList(stdoutOf(probeCapture('no-brctl'), 'tools')?.stdout ?? '');
    // Then
    expect([...tools.keys()]).toEqual(['virsh', 'ip', 'brctl', 'bridge']);
    expect(tools.get('brctl')).toBeNull();
    expect(tools.get('ip')).toMatch(/^\/.*\/ip$/);
  });

  it('throws ParseError on a line that is neither a path nor "-"', () => {
    expect(() => parseToolList('virsh is /usr/bin/virsh\n')).toThrow(ParseError);
  });
});

describe('errorCause', () => {
  it('prefers the cause virsh prints after "failed to connect to the hypervisor"', () => {
    const stderr = stdoutOf(probeCapture('libvirt-down'), 'libvirt-lists-stderr')?.stdout ?? '';
    expect(stderr).toMatch(/^error: failed to connect to the hypervisor/);
    expect(errorCause(stderr)).toMatch(/^Failed to connect socket to /);
  });

  it('passes over libxml2 noise before the first error line', () => {
    const stderr = stdoutOf(probeCapture('missing-node-file'), 'libvirt-lists-stderr')?.stdout ?? '';
    expect(stderr).toMatch(/^I\/O warning/);
    expect(errorCause(stderr)).toMatch(/^XML error: /);
  });

  it('falls back to "failed to connect" alone, then to the first line, then to null', () => {
    expect(errorCause('error: failed to connect to the hypervisor\n')).toBe('failed to connect to the hypervisor');
    expect(errorCause('\nsudo: a password is required\n')).toBe('sudo: a password is required');
    expect(errorCause('  \n')).toBeNull();
  });
});
