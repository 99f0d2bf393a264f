/**
 * Ansible inventories: the JSON `ansible-inventory --list` prints (written here by hand) mapped onto the raw
 * inventory and run through the inventory's own schema, checks and resolver. The hosts it gives must be exactly
 * those of the kvm-netaudit inventory that says the same, so no default is written twice.
 */
import { describe, expect, it } from 'vitest';
import type { HostConfig, JumpHostConfig } from '../../../src/model.js';
import { ansibleToRaw, InventoryError, parseAnsibleInventory, parseInventory } from '../../../src/inventory/index.js';
import { ownVariableName } from '../../../src/inventory/ansible.js';
import { ALLOWED_KEYS } from '../../../src/inventory/schema.js';

/** Who runs the audit, fixed: no agent, a home of its own; relative paths are relative to /srv/ops. */
const WHO = { env: {}, homeDir: '/home/auditor', localUser: 'auditor', cwd: '/srv/ops' };

/** `--list` output: groups, and every host's variables (Ansible has merged its groups' into them). */
function list(groups: Record<string, unknown>, hostvars: Record<string, Record<string, unknown>> = {}): Record<string, unknown> {
  return { _meta: { hostvars }, ...groups };
}

function hostsOf(data: unknown): HostConfig[] {
  return parseAnsibleInventory(data, 'inventory.json', WHO).hosts;
}

function host(data: unknown, name: string): HostConfig {
  const found = hostsOf(data).find((h) => h.name === name);
  if (!found) throw new Error(`no host ${name}`);
  return found;
}

/** The InventoryError's messages (fails the test when nothing is thrown). */
function errorsOf(data: unknown): string[] {
  try {
    parseAnsibleInventory(data, 'inventory.json', WHO);
  } catch (error) {
    expect(error).toBeInstanceOf(InventoryError);
    return [...(error as InventoryError).messages];
  }
  throw new Error('expected an InventoryError');
}

describe('groups: every group that holds a host, directly or through children', () => {
  // Given [kvm] and [edge] under [hypervisors:children], itself under [dc1:children], and a host in no group
  const nested = list({
    all: { children: ['ungrouped', 'dc1', 'empty'] },
    dc1: { children: ['hypervisors'] },
    hypervisors: { children: ['kvm', 'edge'] },
    kvm: { hosts: ['hv01', 'hv02'] },
    edge: { hosts: ['hv03', 'hv01'] },
    ungrouped: { hosts: ['loose'] },
  });

  it("gives each host every enclosing group but all and ungrouped, sorted as Ansible's group_names", () => {
    // When it is read
    const inventory = parseAnsibleInventory(nested, 'inventory.json', WHO);
    // Then each host has its own groups and every group above them
    expect(Object.fromEntries(inventory.hosts.map((h) => [h.name, h.groups]))).toEqual({
      loose: [],
      hv01: ['dc1', 'edge', 'hypervisors', 'kvm'],
      hv02: ['dc1', 'hypervisors', 'kvm'],
      hv03: ['dc1', 'edge', 'hypervisors'],
    });
    // And the inventory declares every group, the empty one too
    expect(inventory.groups).toEqual(['dc1', 'edge', 'empty', 'hypervisors', 'kvm']);
  });

  it('lists hosts in the order a walk from all meets them, each once', () => {
    expect(hostsOf(nested).map((h) => h.name)).toEqual(['loose', 'hv01', 'hv02', 'hv03']);
  });

  it("reads a script's shorthand: a group as a list of hosts, and groups all does not reach", () => {
    const hosts = hostsOf({ _meta: { hostvars: {} }, web: ['w1', 'w2'], db: { hosts: ['d1'], children: ['web'] } });
    expect(hosts.map((h) => [h.name, h.groups])).toEqual([
      ['w1', ['db', 'web']],
      ['w2', ['db', 'web']],
      ['d1', ['db']],
    ]);
  });

  it('ends on groups that contain each other, and says so', () => {
    const looped = list({ a: { hosts: ['h1'], children: ['b'] }, b: { children: ['a'] } });
    expect(errorsOf(looped)).toEqual(['inventory.json: groups contain each other in a loop (children): a, b']);
  });
});

describe("Ansible's connection variables", () => {
  it('map onto address, port, user, key file and sudo, and the rest comes from the same defaults as a YAML inventory', () => {
    // Given a host with every variable that is read, and one with none
    const data = list(
      { kvm: { hosts: ['hv01', 'hv02'] } },
      {
        hv01: {
          ansible_host: '198.51.100.11',
          ansible_port: 2222,
          ansible_user: 'audit',
          ansible_ssh_private_key_file: 'keys/audit_ed25519',
          ansible_become: true,
          ansible_python_interpreter: '/usr/bin/python3',
        },
      },
    );
    // When both are read
    const hosts = hostsOf(data);
    // Then they are the hosts of the kvm-netaudit inventory that says the same (relative paths from the directory
    // Ansible runs in, here WHO.cwd)
    const yaml = [
      'groups: { kvm: }',
      'hosts:',
      '  - { name: hv01, address: 198.51.100.11, port: 2222, user: audit, identityFile: /srv/ops/keys/audit_ed25519, sudo: true, groups: [kvm] }',
      '  - { name: hv02, address: hv02, groups: [kvm] }',
    ].join('\n');
    expect(hosts).toEqual(parseInventory(yaml, '/srv/ops/inventory.yaml', WHO).hosts);
    // (the second: the user running the audit, port 22, OpenSSH's default keys and known_hosts files, ssh_config)
    expect(hosts[1]).toMatchObject({ user: 'auditor', port: 22, identityFile: null, sudo: false, namedKeys: [], sshConfig: { kind: 'default' } });
    expect(hosts[1]!.defaultIdentityFiles).toEqual(['/home/auditor/.ssh/id_ed25519', '/home/auditor/.ssh/id_ecdsa', '/home/auditor/.ssh/id_rsa']);
  });

  it('takes the last one that is set of aliases, as Ansible does (ansible_ssh_user over ansible_user), and digits as a port', () => {
    const data = list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_user: 'a', ansible_ssh_user: 'b', ansible_ssh_host: '192.0.2.1', ansible_ssh_port: '2200' } });
    expect(host(data, 'hv01')).toMatchObject({ user: 'b', address: '192.0.2.1', port: 2200 });
  });

  it("reads ansible_become as Ansible's booleans do (INI leaves yes as text), and false as no sudo", () => {
    const data = list(
      { all: { hosts: ['a', 'b', 'c'] } },
      { a: { ansible_become: 'yes' }, b: { ansible_become: 'False' }, c: { ansible_become: 'true', ansible_become_method: 'sudo', ansible_become_user: 'root' } },
    );
    expect(hostsOf(data).map((h) => h.sudo)).toEqual([true, false, true]);
  });

  it('refuses become through anything but sudo to root, naming the host and the variable', () => {
    const data = list(
      { all: { hosts: ['a', 'b', 'c'] } },
      { a: { ansible_become: true, ansible_become_method: 'su' }, b: { ansible_become: 'yes', ansible_become_user: 'libvirt' }, c: { ansible_become: 'maybe' } },
    );
    expect(errorsOf(data)).toEqual([
      'inventory.json: host "a": ansible_become_method: "su": kvm-netaudit runs virsh through "sudo -n" as root only (set kvm_netaudit_sudo to decide for this host)',
      'inventory.json: host "b": ansible_become_user: "libvirt": kvm-netaudit runs virsh through "sudo -n" as root only (set kvm_netaudit_sudo to decide for this host)',
      'inventory.json: host "c": ansible_become: "maybe": expected a boolean (true or false, yes or no)',
    ]);
  });

  it('keeps a host Ansible reaches by other means than SSH, marked so that it fails as config, and reads nothing else of it', () => {
    const data = list(
      { all: { hosts: ['localhost', 'hv01'] } },
      { localhost: { ansible_connection: 'local', ansible_host: '{{ lookup("env", "X") }}' }, hv01: { ansible_connection: 'ssh' } },
    );
    const { hosts } = parseAnsibleInventory(data, 'inventory.json', { homeDir: '/home/x' });
    expect(hosts.map((h) => [h.name, h.unusable])).toEqual([
      ['localhost', 'ansible_connection=local: kvm-netaudit audits hosts over SSH only (ssh or paramiko)'],
      ['hv01', undefined],
    ]);
  });

  it('refuses values only Ansible could read: Jinja templates and Vault secrets', () => {
    const data = list(
      { all: { hosts: ['a', 'b'] } },
      { a: { ansible_host: '{{ inventory_hostname }}.example.com' }, b: { ansible_user: { __ansible_vault: '$ANSIBLE_VAULT;1.1;AES256\n3036' } } },
    );
    expect(errorsOf(data)).toEqual([
      'inventory.json: host "a": ansible_host: is a Jinja template, which only Ansible evaluates: write the value itself',
      'inventory.json: host "b": ansible_user: is encrypted with Ansible Vault, which kvm-netaudit does not decrypt',
    ]);
  });

  it('ignores the variables it has no use for, passwords among them', () => {
    const data = list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_password: 'secret', ansible_ssh_pass: 'secret', ntp_servers: ['a'] } });
    expect(host(data, 'hv01')).toMatchObject({ passwordEnv: null, namedKeys: [] });
  });
});

describe('bastions from ansible_ssh_common_args / ansible_ssh_extra_args', () => {
  /** The chain a host goes through, outermost first, as user@address:port. */
  const chainOf = (h: HostConfig): string[] => {
    const hops: string[] = [];
    for (let hop: JumpHostConfig | null | undefined = h.jump; hop; hop = hop.jump) hops.unshift(`${hop.name}=${hop.user}@${hop.address}:${hop.port}`);
    return hops;
  };

  it.each([
    ['-o ProxyJump=admin@b1:2200,b2', ['b1=admin@b1:2200', 'b2=auditor@b2:22']],
    ['-o ProxyJump="admin@b1:2200,b2"', ['b1=admin@b1:2200', 'b2=auditor@b2:22']],
    ["-o 'ProxyJump admin@b1:2200,b2'", ['b1=admin@b1:2200', 'b2=auditor@b2:22']],
    ['-oProxyJump=ssh://admin@b1:2200', ['b1=admin@b1:2200']],
    ['-J admin@b1:2200,b2', ['b1=admin@b1:2200', 'b2=auditor@b2:22']],
    ['-C -o ControlMaster=auto -Jb1', ['b1=auditor@b1:22']],
    ['-o ProxyJump=[2001:db8::1]:2222', ['2001-db8--1=auditor@2001:db8::1:2222']],
    ['-o ProxyCommand="ssh -W %h:%p -q jump@bastion.example.com"', ['bastion.example.com=jump@bastion.example.com:22']],
    ["-o ProxyCommand='ssh -q -p 2222 -l jump -W %h:%p bastion'", ['bastion=jump@bastion:2222']],
    ['-o ProxyCommand="ssh jump@b2 -W [%h]:%p -J admin@b1:2200"', ['b1=admin@b1:2200', 'b2=jump@b2:22']],
  ])('reads %s', (args, chain) => {
    // Given a host whose ssh options name its bastions
    const data = list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: args } });
    // When it is read
    const hv = host(data, 'hv01');
    // Then it goes through them, outermost first, and the jump is named (so ssh_config's ProxyJump does not apply)
    expect(chainOf(hv)).toEqual(chain);
    expect(hv.namedKeys).toContain('jump');
  });

  it("takes a ProxyCommand's -i as the bastion's key file", () => {
    const data = list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: '-o ProxyCommand="ssh -i ~/.ssh/bastion -W %h:%p b1"' } });
    expect(host(data, 'hv01').jump).toMatchObject({ name: 'b1', identityFile: '/home/auditor/.ssh/bastion' });
  });

  it('leaves the first hop to ssh_config (as OpenSSH does), and names nothing else of the bastions', () => {
    const data = list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: '-J b1,b2', ansible_user: 'root', ansible_ssh_private_key_file: '/k' } });
    const b2 = host(data, 'hv01').jump!;
    // b2 names only its jump; b1 nothing: user, key and known_hosts are ssh_config's or OpenSSH's defaults
    expect(b2.namedKeys).toEqual(['jump']);
    expect(b2.jump!.namedKeys).toEqual([]);
    expect(b2.jump).toMatchObject({ user: 'auditor', identityFile: null, jump: null });
  });

  it('shares one jump host between hosts behind the same hops, and tells apart the same bastion reached otherwise', () => {
    const data = list(
      { all: { hosts: ['a', 'b', 'c', 'd'] } },
      {
        a: { ansible_ssh_common_args: '-J b1,b2' },
        b: { ansible_ssh_common_args: '-o ProxyJump=b1,b2' },
        c: { ansible_ssh_common_args: '-J b2' },
        d: { ansible_ssh_common_args: '-J ops@b2' },
      },
    );
    const [a, b, c, d] = hostsOf(data);
    expect(a!.jump).toBe(b!.jump);
    expect([a, c, d].map((h) => h!.jump!.name)).toEqual(['b2', 'b2-2', 'b2-3']);
    expect(parseAnsibleInventory(data, 'inventory.json', WHO).hosts.map((h) => chainOf(h))).toEqual([
      ['b1=auditor@b1:22', 'b2=auditor@b2:22'],
      ['b1=auditor@b1:22', 'b2=auditor@b2:22'],
      ['b2-2=auditor@b2:22'],
      ['b2-3=ops@b2:22'],
    ]);
  });

  it('keeps the first ProxyJump or ProxyCommand given, common args before extra args, as ssh does', () => {
    const data = list(
      { all: { hosts: ['hv01'] } },
      { hv01: { ansible_ssh_extra_args: '-J late', ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p early" -J later' } },
    );
    expect(chainOf(host(data, 'hv01'))).toEqual(['early=auditor@early:22']);
  });

  it('reaches a host directly with ProxyJump=none, whatever ssh_config says', () => {
    const hv = host(list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: '-o ProxyJump=none' } }), 'hv01');
    expect(hv.jump).toBeNull();
    expect(hv.namedKeys).toEqual(['jump']);
  });

  it('leaves the jump to ssh_config when the options name no bastion', () => {
    const hv = host(list({ all: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: '-o StrictHostKeyChecking=no -C' } }), 'hv01');
    expect(hv.namedKeys).not.toContain('jump');
  });

  it('refuses what it cannot read, naming the host and the variable', () => {
    const data = list(
      { all: { hosts: ['a', 'b', 'c', 'd', 'e'] } },
      {
        a: { ansible_ssh_common_args: '-o ProxyCommand="nc -X connect -x proxy:3128 %h %p"' },
        b: { ansible_ssh_extra_args: '-J b1:99999' },
        c: { ansible_ssh_common_args: "-o ProxyJump='b1" },
        d: { ansible_ssh_common_args: '-o ProxyCommand="ssh -W 10.0.0.5:22 b1"' },
        e: { ansible_ssh_common_args: '-o ProxyCommand="ssh -W %h:%p b1 nc %h %p"' },
      },
    );
    const reads = '(kvm-netaudit reads ProxyJump and ProxyCommand here to find the bastions)';
    const only = 'only "ssh -W %h:%p [user@]bastion" (or ProxyJump) is read';
    expect(errorsOf(data)).toEqual([
      `inventory.json: host "a": ansible_ssh_common_args: ProxyCommand "nc -X connect -x proxy:3128 %h %p": "nc" is not ssh; ${only} ${reads}`,
      `inventory.json: host "b": ansible_ssh_extra_args: hop "b1:99999": port "99999": expected a number from 1 to 65535 ${reads}`,
      `inventory.json: host "c": ansible_ssh_common_args: a single quote is never closed ${reads}`,
      `inventory.json: host "d": ansible_ssh_common_args: ProxyCommand "ssh -W 10.0.0.5:22 b1": -W 10.0.0.5:22 does not lead to the host (-W %h:%p); ${only} ${reads}`,
      `inventory.json: host "e": ansible_ssh_common_args: ProxyCommand "ssh -W %h:%p b1 nc %h %p": "nc" after the bastion would be run there as a command; ${only} ${reads}`,
    ]);
  });
});

describe('kvm_netaudit_* variables', () => {
  it('has one variable for every settings key of the inventory', () => {
    expect(ALLOWED_KEYS.settings.map(ownVariableName).sort()).toEqual([
      'kvm_netaudit_agent',
      'kvm_netaudit_identity_file',
      'kvm_netaudit_jump',
      'kvm_netaudit_known_hosts_file',
      'kvm_netaudit_libvirt_uri',
      'kvm_netaudit_passphrase_env',
      'kvm_netaudit_password_env',
      'kvm_netaudit_port',
      'kvm_netaudit_ssh_config',
      'kvm_netaudit_sudo',
      'kvm_netaudit_transport',
      'kvm_netaudit_uplink_interfaces',
      'kvm_netaudit_user',
    ]);
  });

  it('set the settings keys, and win over the Ansible variable for the same key', () => {
    // Given a host with every kind of kvm_netaudit_* variable, some as INI leaves them (text)
    const data = list(
      { all: { hosts: ['hv01'] } },
      {
        hv01: {
          ansible_user: 'ansible',
          ansible_become: true,
          kvm_netaudit_user: 'audit',
          kvm_netaudit_sudo: 'false',
          kvm_netaudit_libvirt_uri: 'qemu+ssh:///system',
          kvm_netaudit_uplink_interfaces: ['eno*', 'bond{0,1}'],
          kvm_netaudit_transport: 'openssh',
          kvm_netaudit_ssh_config: 'ssh/config',
          kvm_netaudit_known_hosts_file: '~/.ssh/known_hosts.fleet',
          kvm_netaudit_passphrase_env: 'FLEET_KEY_PASS',
          kvm_netaudit_agent: 'no',
          kvm_netaudit_port: '2200',
        },
      },
    );
    // Then they are the host's settings, paths expanded as any inventory's are
    expect(host(data, 'hv01')).toMatchObject({
      user: 'audit',
      sudo: false,
      libvirtUri: 'qemu+ssh:///system',
      uplinkInterfaces: ['eno*', 'bond{0,1}'],
      transport: 'openssh',
      sshConfig: { kind: 'file', path: '/srv/ops/ssh/config' },
      knownHostsFile: '/home/auditor/.ssh/known_hosts.fleet',
      passphraseEnv: 'FLEET_KEY_PASS',
      agent: false,
      port: 2200,
    });
  });

  it.each([
    ["['eno*', 'bond{0,1}']", ['eno*', 'bond{0,1}']],
    ['["eno1"]', ['eno1']],
    ['eno*, ens{1,2}f0', ['eno*', 'ens{1,2}f0']],
    ['[a-c]*', ['[a-c]*']],
  ])('reads uplink interfaces written as text: %s', (text, globs) => {
    expect(host(list({ all: { hosts: ['hv01'] } }, { hv01: { kvm_netaudit_uplink_interfaces: text } }), 'hv01').uplinkInterfaces).toEqual(globs);
  });

  it('takes kvm_netaudit_jump as ProxyJump writes it, over the ssh options, and null as directly', () => {
    const data = list(
      { all: { hosts: ['a', 'b'] } },
      { a: { ansible_ssh_common_args: '-J b1', kvm_netaudit_jump: 'ops@b9:2222' }, b: { ansible_ssh_common_args: '-J b1', kvm_netaudit_jump: null } },
    );
    const [a, b] = hostsOf(data);
    expect(a!.jump).toMatchObject({ name: 'b9', user: 'ops', port: 2222 });
    expect(b!.jump).toBeNull();
  });

  it("refuses an unknown one with the variable that was meant, and values the schema refuses, with the schema's words", () => {
    const data = list(
      { all: { hosts: ['hv01'] } },
      { hv01: { kvm_netaudit_libvirt_url: 'qemu:///system', kvm_netaudit_colour: 'red', kvm_netaudit_transport: 'telnet', kvm_netaudit_uplink_interfaces: ['{a,b'], ansible_port: 70000 } },
    );
    const errors = errorsOf(data);
    expect(errors).toContain('inventory.json: host "hv01": kvm_netaudit_libvirt_url: unknown variable (did you mean kvm_netaudit_libvirt_uri?)');
    expect(errors.find((e) => e.includes('kvm_netaudit_colour'))).toMatch(/^inventory\.json: host "hv01": kvm_netaudit_colour: unknown variable \(kvm-netaudit reads: kvm_netaudit_user, .*kvm_netaudit_transport\)$/);
    // (the host is left out after an unknown variable: its other values are judged once that is fixed)
    expect(errors).toHaveLength(2);

    const typed = list({ all: { hosts: ['hv01'] } }, { hv01: { kvm_netaudit_transport: 'telnet', ansible_port: 70000, kvm_netaudit_libvirt_uri: 'qemu system' } });
    expect(errorsOf(typed)).toEqual([
      'inventory.json: host "hv01": ansible_port: expected a number from 1 to 65535',
      'inventory.json: host "hv01": kvm_netaudit_libvirt_uri: expected a libvirt URI such as qemu:///system (scheme://…, no quotes or spaces)',
      'inventory.json: host "hv01": kvm_netaudit_transport: expected one of ssh2, openssh',
    ]);
  });

  it('says a problem many hosts share once, naming a few of them (a variable of [all:vars], merged into each host)', () => {
    const names = ['hv1', 'hv2', 'hv3', 'hv4', 'hv5'];
    const data = list({ all: { hosts: names } }, Object.fromEntries(names.map((n) => [n, { kvm_netaudit_sudoo: true }])));
    expect(errorsOf(data)).toEqual(['inventory.json: hosts "hv1", "hv2", "hv3" and 2 more: kvm_netaudit_sudoo: unknown variable (did you mean kvm_netaudit_sudo?)']);
  });
});

describe("group vars (ansible-inventory --export, or a script's own output)", () => {
  it("apply in Ansible's order: all, then deeper groups over shallower, ansible_group_priority, name; the host's own last", () => {
    // Given vars at every level
    const data = list(
      {
        all: { children: ['hypervisors'], vars: { ansible_user: 'from-all', kvm_netaudit_libvirt_uri: 'qemu:///all' } },
        hypervisors: { children: ['kvm', 'edge'], vars: { ansible_user: 'from-hypervisors', ansible_port: 2201 } },
        kvm: { hosts: ['hv01', 'hv02'], vars: { ansible_port: 2202, kvm_netaudit_sudo: true } },
        edge: { hosts: ['hv01'], vars: { kvm_netaudit_sudo: false, ansible_group_priority: 5 } },
      },
      { hv02: { ansible_port: 2299 } },
    );
    // When they are read
    const [hv01, hv02] = hostsOf(data);
    // Then the deeper group wins over its parent, priority breaks a tie at one depth, and the host's own var wins
    expect(hv01).toMatchObject({ user: 'from-hypervisors', port: 2202, sudo: false, libvirtUri: 'qemu:///all' });
    expect(hv02).toMatchObject({ user: 'from-hypervisors', port: 2299, sudo: true });
  });

  it("names the group whose variable is wrong, once however many hosts it has", () => {
    const data = list({ kvm: { hosts: ['hv01', 'hv02'], vars: { kvm_netaudit_uplink_interface: ['eno1'] } } });
    expect(errorsOf(data)).toEqual([
      'inventory.json: group "kvm": kvm_netaudit_uplink_interface: unknown variable (did you mean kvm_netaudit_uplink_interfaces?)',
    ]);
    const typed = list({ kvm: { hosts: ['hv01', 'hv02'], vars: { kvm_netaudit_sudo: 'perhaps' } } });
    expect(errorsOf(typed)).toEqual(['inventory.json: group "kvm": kvm_netaudit_sudo: expected true or false']);
  });
});

describe('names and shapes', () => {
  it('refuses host and group names outside the name rule, naming them', () => {
    const data = list({ 'web servers': { hosts: ['hv01'] }, all: { hosts: ['2001:db8::1', 'hv*1'] } });
    expect(errorsOf(data)).toEqual([
      'inventory.json: host "2001:db8::1": invalid host name: use letters, digits, ".", "_" and "-", starting with a letter or digit (rename the host, and keep its address in ansible_host)',
      'inventory.json: host "hv*1": invalid host name: use letters, digits, ".", "_" and "-", starting with a letter or digit (rename the host, and keep its address in ansible_host)',
      'inventory.json: group "web servers": invalid group name: use letters, digits, ".", "_" and "-", starting with a letter or digit',
    ]);
  });

  it('refuses an inventory with no hosts, and JSON of another shape', () => {
    expect(errorsOf(list({ all: { children: ['ungrouped'] } }))).toEqual(['inventory.json: the Ansible inventory has no hosts']);
    expect(errorsOf([1, 2])).toEqual([
      'inventory.json: expected a JSON object of groups, as ansible-inventory --list prints',
      'inventory.json: the Ansible inventory has no hosts',
    ]);
    expect(errorsOf(list({ kvm: { hosts: 'hv01' } }))).toEqual(['inventory.json: group "kvm": hosts: expected a list of names', 'inventory.json: the Ansible inventory has no hosts']);
  });

  it('maps onto the raw shape the schema validates: groups, jumpHosts and hosts, nothing else', () => {
    const mapping = ansibleToRaw(list({ kvm: { hosts: ['hv01'] } }, { hv01: { ansible_ssh_common_args: '-J b1', ansible_port: 2222 } }));
    expect(mapping.issues).toEqual([]);
    expect(mapping.raw).toEqual({
      groups: { kvm: null },
      jumpHosts: { b1: { address: 'b1' } },
      hosts: [{ name: 'hv01', address: 'hv01', groups: ['kvm'], port: 2222, jump: 'b1' }],
    });
    expect(mapping.originOf(['hosts', 0, 'port'])).toEqual({ kind: 'host', name: 'hv01', variable: 'ansible_port' });
    expect(mapping.originOf(['jumpHosts', 'b1', 'address'])).toEqual({ kind: 'host', name: 'hv01', variable: 'ansible_ssh_common_args' });
  });
});
