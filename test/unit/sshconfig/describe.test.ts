import { describe, expect, it } from 'vitest';
import { renderSettingRows } from '../../../src/sshconfig/describe.js';
import { sanitizeForTerminal } from '../../../src/ui/sanitize.js';

describe('the ssh-settings table', () => {
  it('keeps every row on its own line whatever the inventory or ssh_config hold, so show-probe stays a script of comments', () => {
    const rows = [
      { setting: 'address', value: 'hv1\necho pwned', source: 'ssh_config (HostName, for a\x1b[2Jb)' },
      { setting: 'user', value: 'audit', source: 'inventory' },
    ];
    const text = renderSettingRows(rows, sanitizeForTerminal);
    const lines = text.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    expect(text).not.toContain('\x1b');
    expect(lines[1]).toMatch(/^address\s+hv1\\x0aecho pwned\s+ssh_config \(HostName, for a\\x1b\[2Jb\)$/);
  });
});
