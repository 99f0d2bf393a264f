/**
 * Which kind of inventory `-i` names (docs/inventory.md, "Ansible inventories"): decided here and nowhere else.
 * Pure: io/inventoryFile.ts says what the path is (a directory, or a file's text and whether it may be run), this
 * says how to read it.
 *
 * 1. a directory: Ansible's (read through `ansible-inventory`);
 * 2. an executable file that starts with `#!` (or is a compiled program): Ansible's dynamic inventory (the same);
 * 3. a JSON object with `_meta.hostvars`: what `ansible-inventory --list` prints, read as it is;
 * 4. YAML with a top-level `hosts:` list: kvm-netaudit's own;
 * 5. YAML whose top-level entries hold `hosts:`, `children:` or `vars:` (Ansible's groups), or a `plugin:` (an
 *    inventory plugin's configuration): Ansible's;
 * 6. text that YAML cannot read as a mapping but that has an INI section line (`[group]`, `[group:children]`,
 *    `[group:vars]`), or that YAML reads as a bare string (INI host lines and nothing else): Ansible's INI;
 * 7. anything else: kvm-netaudit's own, whose errors then say line by line what is wrong with it.
 */
import { parseDocument } from 'yaml';
import { isAnsibleList } from './ansible.js';
import { isRecord } from '../util/records.js';

/** What the path of `-i` is. */
export type InventorySource = { kind: 'directory' } | { kind: 'file'; text: string; executable: boolean };

/** How to read it. */
export type InventoryFormat =
  /** kvm-netaudit's YAML (docs/inventory.md). */
  | { format: 'kvm-netaudit' }
  /** Ansible's JSON inventory, already listed: `data` is it. */
  | { format: 'ansible-json'; data: Record<string, unknown> }
  /** An Ansible inventory to list with `ansible-inventory`; `why` says what gave it away, for messages. */
  | { format: 'ansible'; why: string };

const ANSIBLE_GROUP_KEYS = ['hosts', 'children', 'vars'];

/** An INI section header on a line of its own: `[group]`, `[group:vars]`, `[group:children]` (a comment may follow). */
const INI_SECTION = /^[ \t]*\[[^\]\s]+\][ \t]*(?:[#;].*)?$/m;

/** Decide how to read an inventory (the rules above, in order). */
export function detectInventoryFormat(source: InventorySource): InventoryFormat {
  if (source.kind === 'directory') return { format: 'ansible', why: 'a directory' };
  const { text } = source;
  if (source.executable && (text.startsWith('#!') || text.startsWith('\x7fELF'))) return { format: 'ansible', why: 'an executable: a dynamic inventory' };

  if (text.trimStart().startsWith('{')) {
    try {
      const data: unknown = JSON.parse(text);
      if (isAnsibleList(data)) return { format: 'ansible-json', data };
    } catch {
      // Not JSON after all: YAML's turn.
    }
  }

  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: false });
  const data: unknown = doc.errors.length === 0 ? safeToJs(doc) : undefined;
  if (isRecord(data)) {
    if (Array.isArray(data.hosts)) return { format: 'kvm-netaudit' };
    if (typeof data.plugin === 'string') return { format: 'ansible', why: `the configuration of inventory plugin ${data.plugin}` };
    const groups = Object.values(data).some((value) => isRecord(value) && ANSIBLE_GROUP_KEYS.some((key) => key in value));
    return groups ? { format: 'ansible', why: 'YAML whose groups hold hosts:, children: or vars:' } : { format: 'kvm-netaudit' };
  }
  if (INI_SECTION.test(text)) return { format: 'ansible', why: 'INI with [group] sections' };
  if (typeof data === 'string') return { format: 'ansible', why: 'INI host lines' };
  return { format: 'kvm-netaudit' };
}

function safeToJs(doc: ReturnType<typeof parseDocument>): unknown {
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

