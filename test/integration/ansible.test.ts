/**
 * Ansible inventories read through Ansible's own `ansible-inventory` (Debian's ansible-core): INI with nested groups,
 * YAML, a directory with group_vars, a dynamic inventory script. Each must give the same hosts as the JSON
 * `ansible-inventory --list` prints for it, read directly (as a machine without Ansible reads it). No root.
 *
 * Gated on ansible-inventory (skipped with one line where it is missing, failing under KVM_NETAUDIT_REQUIRE_ALL=1,
 * as in CI). How `ansible-inventory` is run (deadline, its stderr on failure, not installed) is checked without it,
 * with stand-in programs.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostConfig, Inventory, JumpHostConfig } from '../../src/model.js';
import { InventoryError } from '../../src/inventory/index.js';
import { listAnsibleInventory, loadInventory, type LoadInventoryOptions } from '../../src/io/inventoryFile.js';
import { ensureBuilt, runCli } from '../helpers/cli.js';
import { gateTier, tool } from '../helpers/prerequisites.js';

const ansible = gateTier('integration tier (Ansible inventories read through ansible-inventory)', [tool('ansible-inventory')]);

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kna-ansible-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Who runs the audit, fixed, and where relative paths start. */
const options = (): LoadInventoryOptions => ({ env: { ...process.env, SSH_AUTH_SOCK: '' }, homeDir: '/home/auditor', localUser: 'auditor', cwd: dir });

/** The InventoryError's messages (fails the test when nothing is thrown). */
function errorsOf(load: () => unknown): string[] {
  try {
    load();
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return [...(error as InventoryError).messages];
  }
  throw new Error('expected an InventoryError');
}

/** What `ansible-inventory -i PATH --list` prints, saved beside it as JSON. */
async function listedJson(path: string, name: string): Promise<string> {
  const listed = spawnSync('ansible-inventory', ['-i', path, '--list'], { encoding: 'utf8', env: { ...process.env, ANSIBLE_NOCOLOR: '1' }, timeout: 60_000 });
  expect(listed.status, listed.stderr).toBe(0);
  const json = join(dir, `${name}.json`);
  await writeFile(json, listed.stdout);
  return json;
}

/** What each host is, in short, for expectations a reader can check against the inventory text. */
function summary(inventory: Inventory) {
  const hop = (h: HostConfig) => {
    const hops: string[] = [];
    for (let j: JumpHostConfig | null | undefined = h.jump; j; j = j.jump) hops.unshift(`${j.user}@${j.address}:${j.port}`);
    return hops.join(',');
  };
  return inventory.hosts.map((h) => ({
    name: h.name,
    address: h.address,
    port: h.port,
    user: h.user,
    groups: h.groups,
    sudo: h.sudo,
    libvirtUri: h.libvirtUri,
    uplinkInterfaces: h.uplinkInterfaces,
    identityFile: h.identityFile,
    via: hop(h),
  }));
}

/** Hosts as the INI and the YAML below both describe them. */
const EXPECTED = [
  {
    name: 'hv01',
    address: '198.51.100.11',
    port: 2222,
    user: 'root',
    groups: ['hypervisors', 'kvm', 'site_a'],
    sudo: true,
    libvirtUri: 'qemu:///system',
    uplinkInterfaces: ['eno*', 'bond{0,1}'],
    identityFile: '/home/auditor/.ssh/fleet_ed25519',
    via: '',
  },
  {
    name: 'hv02',
    address: 'hv02',
    port: 22,
    user: 'audit',
    groups: ['hypervisors', 'kvm', 'site_a'],
    sudo: false,
    libvirtUri: 'qemu+tcp://localhost/system',
    uplinkInterfaces: ['eno*', 'bond{0,1}'],
    identityFile: '/home/auditor/.ssh/fleet_ed25519',
    via: '',
  },
  {
    name: 'hv03',
    address: '192.0.2.33',
    port: 22,
    user: 'root',
    groups: ['edge', 'hypervisors'],
    sudo: false,
    libvirtUri: 'qemu:///system',
    uplinkInterfaces: ['eno*', 'bond{0,1}'],
    identityFile: '/home/auditor/.ssh/fleet_ed25519',
    via: 'admin@b1:2200,auditor@b2:22',
  },
];

const INI = `# The fleet, as an Ansible INI inventory with nested groups
[kvm]
hv01 ansible_host=198.51.100.11 ansible_port=2222 ansible_become=yes
hv02 ansible_user=audit kvm_netaudit_libvirt_uri=qemu+tcp://localhost/system

[edge]
hv03 ansible_host=192.0.2.33 ansible_ssh_common_args='-o ProxyJump=admin@b1:2200,b2'

[site_a:children]
kvm

[hypervisors:children]
site_a
edge

[hypervisors:vars]
ansible_user=root
kvm_netaudit_uplink_interfaces="['eno*', 'bond{0,1}']"

[all:vars]
ansible_ssh_private_key_file=~/.ssh/fleet_ed25519
`;

const YAML = `all:
  vars:
    ansible_ssh_private_key_file: ~/.ssh/fleet_ed25519
  children:
    hypervisors:
      vars:
        ansible_user: root
        kvm_netaudit_uplink_interfaces: ['eno*', 'bond{0,1}']
      children:
        site_a:
          children:
            kvm:
              hosts:
                hv01: { ansible_host: 198.51.100.11, ansible_port: 2222, ansible_become: true }
                hv02: { ansible_user: audit, kvm_netaudit_libvirt_uri: 'qemu+tcp://localhost/system' }
        edge:
          hosts:
            hv03:
              ansible_host: 192.0.2.33
              ansible_ssh_common_args: -J admin@b1:2200,b2
`;

describe.skipIf(ansible.skip)('Ansible inventories through ansible-inventory', () => {
  beforeAll(() => ansible.enforce());

  it('reads an INI inventory with nested groups as its --list JSON reads', async () => {
    // Given an INI inventory with [group:children] two deep, [group:vars] and [all:vars]
    const ini = join(dir, 'fleet.ini');
    await writeFile(ini, INI);
    // When it is read through ansible-inventory, and its --list JSON is read directly
    const viaAnsible = loadInventory(ini, options());
    const viaJson = loadInventory(await listedJson(ini, 'fleet-ini'), options());
    // Then both give the hosts the inventory describes, and the same hosts in every respect
    expect(summary(viaAnsible)).toEqual(EXPECTED);
    expect(viaAnsible.hosts).toEqual(viaJson.hosts);
    expect(viaAnsible.groups).toEqual(['edge', 'hypervisors', 'kvm', 'site_a']);
    expect(viaJson.groups).toEqual(viaAnsible.groups);
    expect(viaAnsible.file).toBe(ini);
  });

  it('reads a YAML inventory as its --list JSON reads, and as the same fleet in INI', async () => {
    const yaml = join(dir, 'fleet.yml');
    await writeFile(yaml, YAML);
    const viaAnsible = loadInventory(yaml, options());
    const viaJson = loadInventory(await listedJson(yaml, 'fleet-yml'), options());
    expect(summary(viaAnsible)).toEqual(EXPECTED);
    expect(viaAnsible.hosts).toEqual(viaJson.hosts);
  });

  it('reads a directory with group_vars and host_vars, and a dynamic inventory script', async () => {
    // Given a directory: hosts, and variables in group_vars/ and host_vars/
    const inventoryDir = join(dir, 'inventory.d');
    await mkdir(join(inventoryDir, 'group_vars'), { recursive: true });
    await mkdir(join(inventoryDir, 'host_vars'));
    await writeFile(join(inventoryDir, 'hosts'), '[kvm]\nhv01\nhv02\n[hypervisors:children]\nkvm\n');
    await writeFile(join(inventoryDir, 'group_vars', 'hypervisors.yml'), 'ansible_user: root\nkvm_netaudit_sudo: true\n');
    await writeFile(join(inventoryDir, 'host_vars', 'hv02.yml'), 'ansible_port: 2202\n');
    // When it is read
    const fromDir = loadInventory(inventoryDir, options());
    // Then the variables of both folders apply
    expect(fromDir.hosts.map((h) => [h.name, h.user, h.port, h.sudo, h.groups])).toEqual([
      ['hv01', 'root', 22, true, ['hypervisors', 'kvm']],
      ['hv02', 'root', 2202, true, ['hypervisors', 'kvm']],
    ]);

    // Given a script that prints a dynamic inventory
    const script = join(dir, 'cloud.py');
    await writeFile(
      script,
      [
        '#!/usr/bin/env python3',
        'import json',
        'print(json.dumps({"kvm": {"hosts": ["hv07"], "vars": {"ansible_user": "root"}},',
        '                  "_meta": {"hostvars": {"hv07": {"ansible_host": "192.0.2.77"}}}}))',
        '',
      ].join('\n'),
    );
    await chmod(script, 0o755);
    // When it is read, it is run (by ansible-inventory) and its output taken as any --list output
    expect(loadInventory(script, options()).hosts.map((h) => [h.name, h.address, h.user, h.groups])).toEqual([['hv07', '192.0.2.77', 'root', ['kvm']]]);
  });

  it("fails with ansible-inventory's own words when Ansible cannot read the inventory", async () => {
    const broken = join(dir, 'broken.ini');
    await writeFile(broken, '[kvm]\nhv01 ansible_port\n');
    const [message] = errorsOf(() => loadInventory(broken, options()));
    expect(message).toContain(`${broken}: ansible-inventory -i ${broken} --list failed (exit 1); it said:`);
    // (Ansible wraps its warnings at 79 columns when stderr is no terminal)
    expect(message!.replace(/\s+/g, ' ')).toContain(`${broken}:2: Expected key=value host variable assignment, got: ansible_port`);
    expect(message).toMatch(/ERROR! No inventory was parsed/);
  });

  it('has the built CLI refuse an inventory Ansible cannot read with exit 64, and its words', async () => {
    await ensureBuilt();
    const broken = join(dir, 'broken-cli.ini');
    await writeFile(broken, '[kvm]\nhv01 ansible_port\n');
    const result = await runCli(['audit', '-i', broken, '--no-tui', '--out', join(dir, 'reports')]);
    expect(result.code).toBe(64);
    expect(result.stderr).toContain(`kvm-netaudit: ${broken}: ansible-inventory -i ${broken} --list failed (exit 1)`);
    expect(result.stderr.replace(/\s+/g, ' ')).toContain('Expected key=value host variable assignment, got: ansible_port');
  }, 120_000);
});

describe('running ansible-inventory (stand-in programs: no Ansible needed)', () => {
  /** An INI inventory (so that it goes to ansible-inventory), and a stand-in program with `body` as its shell script. */
  async function standIn(name: string, body: string): Promise<{ ini: string; command: string }> {
    const ini = join(dir, `${name}.ini`);
    await writeFile(ini, '[kvm]\nhv01\n');
    const command = join(dir, `${name}-ansible-inventory`);
    await writeFile(command, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return { ini, command };
  }

  it('says how to do without Ansible when ansible-inventory is not installed', async () => {
    const { ini } = await standIn('absent', 'exit 0');
    const errors = errorsOf(() => loadInventory(ini, { ...options(), ansibleInventory: { command: join(dir, 'no-such-ansible-inventory') } }));
    expect(errors).toEqual([
      `${ini}: this is an Ansible inventory (INI with [group] sections): reading it needs ${join(dir, 'no-such-ansible-inventory')}, which is not installed ` +
        '(Debian package ansible-core, or pip install ansible-core); or give the JSON it prints: ansible-inventory -i PATH --list > inventory.json, then -i inventory.json',
    ]);
  });

  it('stops one that does not finish in time, with what it started, and shows what it said', async () => {
    // Given an ansible-inventory that says something, starts a helper of its own (a dynamic inventory script), then hangs
    const { ini, command } = await standIn('hung', 'echo "asking the cloud" >&2\nsleep 31.5 &\nsleep 30');
    const started = Date.now();
    // When it is given half a second
    const errors = errorsOf(() => loadInventory(ini, { ...options(), ansibleInventory: { command, timeoutMs: 500 } }));
    // Then it is stopped at its deadline, and the error says so with its stderr
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(errors).toEqual([`${ini}: ${command} -i ${ini} --list did not finish in 0.5 s, and was stopped; it said:\n  asking the cloud`]);
    // And nothing it started lives on
    await new Promise((done) => setTimeout(done, 200));
    const helpers = readdirSync('/proc').filter((pid) => /^\d+$/.test(pid)).filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('31.5');
      } catch {
        return false;
      }
    });
    expect(helpers).toEqual([]);
  });

  it('shows the last lines of stderr of one that fails, and refuses output that is not JSON', async () => {
    const failing = await standIn('failing', 'i=0; while [ $i -lt 50 ]; do echo "line $i" >&2; i=$((i+1)); done; exit 3');
    const [message] = errorsOf(() => loadInventory(failing.ini, { ...options(), ansibleInventory: { command: failing.command } }));
    expect(message!.split('\n')).toEqual([
      `${failing.ini}: ${failing.command} -i ${failing.ini} --list failed (exit 3); it said:`,
      '  … (10 lines before)',
      ...Array.from({ length: 40 }, (_, i) => `  line ${i + 10}`),
    ]);

    const chatty = await standIn('chatty', 'echo "not json"');
    expect(errorsOf(() => loadInventory(chatty.ini, { ...options(), ansibleInventory: { command: chatty.command } }))[0]).toMatch(
      new RegExp(`^${chatty.ini.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .* printed no JSON \\(`),
    );
  });

  it('runs it without a shell, with the inventory as one argument, told to fail on what it cannot parse', async () => {
    // Given a stand-in that prints its arguments and environment as the inventory's only host's variables
    const { command } = await standIn(
      'echo',
      'printf \'{"_meta": {"hostvars": {"hv01": {"argv": "%s|%s|%s", "unparsed": "%s", "export": "%s"}}}, "kvm": {"hosts": ["hv01"]}}\' "$1" "$2" "$3" "$ANSIBLE_INVENTORY_UNPARSED_FAILED" "$ANSIBLE_INVENTORY_EXPORT"',
    );
    const odd = join(dir, "odd name; $(touch pwned) 'q'.ini");
    await writeFile(odd, '[kvm]\nhv01\n');
    // When it is read, the stand-in's arguments come back in the JSON (unknown variables are ignored: read the raw list)
    const listed = listAnsibleInventory(odd, 'INI', { ansibleInventory: { command } }) as { _meta: { hostvars: { hv01: Record<string, string> } } };
    // Then the path arrived whole, as one argument, and nothing ran it through a shell
    expect(listed._meta.hostvars.hv01).toEqual({ argv: `-i|${odd}|--list`, unparsed: 'True', export: 'False' });
    expect(existsSync(join(process.cwd(), 'pwned'))).toBe(false);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
  });
});
