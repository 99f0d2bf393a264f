/**
 * Where libvirt's own test XML is (README, Tests): the folder named by $KVM_NETAUDIT_CORPUS, never a copy in this
 * repo. Unset: the corpus tests are skipped with one line (failing under KVM_NETAUDIT_REQUIRE_ALL=1). Set but
 * without network/ and domain/: they fail.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Requirement } from './prerequisites.js';

/** The corpus as a tier's prerequisite (see prerequisites.ts): the same folder {@link locateCorpus} finds. */
export const CORPUS_REQUIREMENT: Requirement = {
  kind: 'folder',
  env: 'KVM_NETAUDIT_CORPUS',
  subfolders: ['network', 'domain'],
  what: "a folder of libvirt's own test XML, network/ (from tests/networkxml2xmlin) and domain/ (qemu, LXC and Xen domains with interfaces)",
};

export type Corpus =
  | { state: 'unset' }
  | { state: 'missing'; setting: string; dir: string }
  | { state: 'found'; dir: string; networkDir: string; domainDir: string };

export function locateCorpus(env: NodeJS.ProcessEnv = process.env): Corpus {
  const setting = env['KVM_NETAUDIT_CORPUS'];
  if (!setting) return { state: 'unset' };
  const dir = resolve(setting);
  const networkDir = join(dir, 'network');
  const domainDir = join(dir, 'domain');
  if (!existsSync(networkDir) || !existsSync(domainDir)) return { state: 'missing', setting, dir };
  return { state: 'found', dir, networkDir, domainDir };
}

/** The `.xml` files of a corpus folder, sorted. */
export function xmlFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.xml')).sort();
}

export function readXml(dir: string, file: string): string {
  return readFileSync(join(dir, file), 'utf8');
}
