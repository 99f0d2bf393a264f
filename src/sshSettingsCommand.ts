/**
 * `kvm-netaudit ssh-settings -i INVENTORY --host NAME`: how one host will be connected to and why, without
 * connecting (docs/cli.md). Loaded by cli.ts only when it runs.
 */
import { UsageError, type SshSettingsOptions } from './cliArgs.js';
import { DEFAULT_CONNECT_TIMEOUT_MS } from './defaults.js';
import { EXIT } from './exitCodes.js';
import { localContext } from './inventory/index.js';
import { loadInventory } from './io/inventoryFile.js';
import { TransportError, type HostConfig } from './model.js';
import { InputError } from './errors.js';
import { renderSettingRows, settingRows, type RunOverrides, type SettingRow } from './sshconfig/describe.js';
import { createSshConfigResolver } from './sshconfig/resolver.js';
import { sanitizeForTerminal } from './ui/sanitize.js';

export async function sshSettingsCommand(options: SshSettingsOptions): Promise<number> {
  const inventory = loadInventory(options.inventory);
  const host = inventory.hosts.find((h) => h.name === options.host);
  if (!host) throw new UsageError(`${options.inventory}: no host named "${options.host}"`);
  const rows = await hostSettingRows(host, { ...options, defaultConnectTimeoutMs: DEFAULT_CONNECT_TIMEOUT_MS });
  if (options.json) {
    process.stdout.write(`${JSON.stringify({ host: host.name, settings: rows }, null, 2)}\n`);
  } else {
    process.stdout.write(`${sanitizeForTerminal(host.name)} (${sanitizeForTerminal(options.inventory)})\n`);
    process.stdout.write(renderSettingRows(rows, sanitizeForTerminal));
  }
  return EXIT.ok;
}

/**
 * The rows for one host: ssh_config resolved as an ssh2 run would (an openssh run has OpenSSH's client read the
 * same files itself). A host whose ssh_config cannot be read fails here as it would fail in the run.
 */
export async function hostSettingRows(host: HostConfig, run: RunOverrides): Promise<SettingRow[]> {
  try {
    const resolved = await createSshConfigResolver(localContext()).resolve(host);
    return settingRows(host, resolved, run);
  } catch (error) {
    if (!(error instanceof TransportError)) throw error;
    throw new InputError('inventory', `${host.name}: ${error.message}`);
  }
}
