/**
 * Path expansion for key and known_hosts files.
 */
import { isAbsolute, resolve } from 'node:path';

/**
 * Expand a leading `~` to `homeDir`, and make a relative path relative to `baseDir` (the inventory's
 * directory, so an inventory and its keys can move together). `~user/…` is not supported: returns null.
 * @example expandPath('~/.ssh/id_ed25519', '/root', '/etc/kna') // '/root/.ssh/id_ed25519'
 */
export function expandPath(path: string, homeDir: string, baseDir: string): string | null {
  if (path === '~') return homeDir;
  if (path.startsWith('~/')) return resolve(homeDir, path.slice(2));
  if (path.startsWith('~')) return null;
  return isAbsolute(path) ? path : resolve(baseDir, path);
}
