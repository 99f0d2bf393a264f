/**
 * Which reader an inventory goes to (docs/inventory.md, "Ansible inventories", Detection): every rule, and the near
 * misses that must stay kvm-netaudit's own so that its line-numbered errors explain them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { detectInventoryFormat } from '../../../src/inventory/index.js';
import { REPO_ROOT } from '../../helpers/cli.js';

const file = (text: string, executable = false) => detectInventoryFormat({ kind: 'file', text, executable });

describe('detectInventoryFormat', () => {
  it('reads a directory and an executable script through ansible-inventory', () => {
    expect(detectInventoryFormat({ kind: 'directory' })).toEqual({ format: 'ansible', why: 'a directory' });
    expect(file('#!/usr/bin/env python3\nprint("{}")\n', true)).toEqual({ format: 'ansible', why: 'an executable: a dynamic inventory' });
  });

  it("takes an executable without #! by its content (a copy from a filesystem where everything is executable)", () => {
    expect(file('hosts:\n  - { name: a, address: h }\n', true)).toEqual({ format: 'kvm-netaudit' });
  });

  it('reads the JSON ansible-inventory --list prints as it is', () => {
    const list = { _meta: { hostvars: {} }, all: { children: ['ungrouped'] }, ungrouped: { hosts: ['hv01'] } };
    expect(file(JSON.stringify(list, null, 4))).toEqual({ format: 'ansible-json', data: list });
  });

  it('keeps our own inventory ours, in YAML or JSON, the shipped example too', () => {
    expect(file('hosts:\n  - { name: a, address: h }\n')).toEqual({ format: 'kvm-netaudit' });
    expect(file('{"hosts": [{"name": "a", "address": "h"}]}')).toEqual({ format: 'kvm-netaudit' });
    expect(file(readFileSync(join(REPO_ROOT, 'inventory.example.yaml'), 'utf8'))).toEqual({ format: 'kvm-netaudit' });
  });

  it('reads Ansible YAML (groups with hosts, children or vars) and an inventory plugin configuration through ansible-inventory', () => {
    expect(file('all:\n  children:\n    kvm:\n      hosts:\n        hv01:\n')).toMatchObject({ format: 'ansible' });
    expect(file('kvm:\n  hosts:\n    hv01: { ansible_host: 10.0.0.1 }\n')).toMatchObject({ format: 'ansible' });
    expect(file('plugin: amazon.aws.aws_ec2\nregions: [eu-west-1]\n')).toEqual({ format: 'ansible', why: 'the configuration of inventory plugin amazon.aws.aws_ec2' });
  });

  it('reads INI through ansible-inventory: sections, or host lines alone', () => {
    expect(file('[kvm]\nhv01 ansible_host=10.0.0.1\n\n[hypervisors:children]\nkvm\n')).toEqual({ format: 'ansible', why: 'INI with [group] sections' });
    expect(file('# fleet\nhv01 ansible_port=2222\n[all:vars] ; shared\nansible_user=root\n')).toEqual({ format: 'ansible', why: 'INI with [group] sections' });
    expect(file('hv01\nhv02 ansible_host=10.0.0.2\n')).toEqual({ format: 'ansible', why: 'INI host lines' });
  });

  it('leaves what is neither to our reader, whose errors say what is wrong line by line', () => {
    // a misspelt hosts key, a YAML syntax error, an empty file, a list
    expect(file('host:\n  - { name: a, address: h }\n')).toEqual({ format: 'kvm-netaudit' });
    expect(file('hosts:\n  - { name: a, address: h\n')).toEqual({ format: 'kvm-netaudit' });
    expect(file('')).toEqual({ format: 'kvm-netaudit' });
    expect(file('- name: a\n  address: h\n')).toEqual({ format: 'kvm-netaudit' });
    // JSON with _meta but no hostvars is not what ansible-inventory prints
    expect(file('{"_meta": {}, "hosts": [{"name": "a", "address": "h"}]}')).toEqual({ format: 'kvm-netaudit' });
  });
});
