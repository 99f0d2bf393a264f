import { describe, expect, it } from 'vitest';
import { attr, child, decodeEntities, parseXmlDocument, text } from '../../../src/parse/xml.js';

describe('decodeEntities', () => {
  it('decodes the five XML entities and numeric references', () => {
    expect(decodeEntities('a &amp; b &lt;x&gt; &quot;q&quot; it&apos;s &#39;s&#39; &#x1b;[31m')).toBe(`a & b <x> "q" it's 's' \u001b[31m`);
  });

  it('decodes in one pass, so an escaped ampersand before a reference stays literal', () => {
    expect(decodeEntities('&amp;#39; &amp;amp;')).toBe('&#39; &amp;');
  });

  it('leaves unknown names and impossible code points as written', () => {
    expect(decodeEntities('&nbsp; &#0; &#xD800; &#x110000; & alone')).toBe('&nbsp; &#0; &#xD800; &#x110000; & alone');
  });
});

describe('parseXmlDocument', () => {
  it('gives attribute values and text with their entities decoded', () => {
    // Given a network whose name holds every character libvirt escapes
    const doc = parseXmlDocument(`<network><name>lab &amp; &lt;x&gt; &#39;q&#39;</name><bridge name='br&apos;0'/></network>`, 'network');
    expect(text(child(doc, 'name'))).toBe(`lab & <x> 'q'`);
    expect(attr(child(doc, 'bridge'), 'name')).toBe(`br'0`);
  });

  it('refuses a DOCTYPE, so no entity can be declared or expanded', () => {
    expect(() => parseXmlDocument('<!DOCTYPE n [<!ENTITY a "aaaa">]><network><name>&a;</name></network>', 'network')).toThrow(/DOCTYPE/);
  });

  it('refuses malformed XML', () => {
    expect(() => parseXmlDocument('<network><name>x</nam></network>', 'network')).toThrow(/malformed/);
  });
});
