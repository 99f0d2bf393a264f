import { describe, expect, it } from 'vitest';
import { parseCommandLine, UsageError, type AuditOptions } from '../../src/cliArgs.js';

const tty = (argv: string[], env: NodeJS.ProcessEnv = {}) => parseCommandLine(argv, env, true);
const auditOptions = (argv: string[], env: NodeJS.ProcessEnv = {}): AuditOptions => {
  const command = tty(argv, env);
  if (command.name !== 'audit' && command.name !== 'demo') throw new Error(`not an audit: ${command.name}`);
  return command.options;
};

describe('parseCommandLine', () => {
  it('audits by default, with the documented defaults', () => {
    expect(tty(['-i', 'inv.yaml'])).toEqual({
      name: 'audit',
      options: {
        inventory: 'inv.yaml',
        // no hosts on the command line, not this machine: the inventory's own settings apply
        hosts: [],
        local: false,
        libvirtUri: null,
        sudo: false,
        limit: [],
        concurrency: 32,
        timeoutMs: 30_000,
        // not given: each host's ssh_config ConnectTimeout, else the default, applies
        connectTimeoutMs: null,
        maxBytes: 32 * 1024 * 1024,
        maxTotalBytes: 512 * 1024 * 1024,
        out: null,
        formats: ['json', 'md'],
        reportTargets: [],
        json: null,
        tui: true,
        knownHosts: null,
        // not given: each host's ssh_config StrictHostKeyChecking, else strict
        hostKeyPolicy: null,
        transport: null,
        saveCaptures: null,
        replay: null,
        policies: [],
        failOn: null,
        baseline: null,
        shard: null,
      },
    });
    expect(tty(['audit', '-i', 'inv.yaml'])).toEqual(tty(['-i', 'inv.yaml']));
  });

  it('uses the plain log when asked, in CI, without a TTY, or when the JSON goes to stdout', () => {
    expect(auditOptions(['-i', 'x', '--no-tui']).tui).toBe(false);
    expect(auditOptions(['-i', 'x'], { CI: 'true' }).tui).toBe(false);
    expect(auditOptions(['-i', 'x'], { CI: 'false' }).tui).toBe(true);
    expect(auditOptions(['-i', 'x', '--json', '-']).tui).toBe(false);
    const command = parseCommandLine(['-i', 'x'], {}, false);
    expect(command.name === 'audit' && command.options.tui).toBe(false);
  });

  it('keeps each --limit as given, trimmed: inventory/limitPatterns.ts splits terms, in one place', () => {
    expect(auditOptions(['-i', 'x', '--limit', ' prod, hv0[1,2] ', '-l', '!hv03']).limit).toEqual(['prod, hv0[1,2]', '!hv03']);
  });

  it('turns seconds and MiB into the units the runner uses', () => {
    const o = auditOptions(['-i', 'x', '-t', '2.5', '--connect-timeout', '1', '--max-output', '4', '-c', '64']);
    expect([o.timeoutMs, o.connectTimeoutMs, o.maxBytes, o.concurrency]).toEqual([2500, 1000, 4 << 20, 64]);
    expect(auditOptions(['-i', 'x', '--max-output-total', '2048']).maxTotalBytes).toBe(2048 * 1024 * 1024);
  });

  it('keeps the demo short: its never-answering host times out after 3 s unless --timeout says otherwise', () => {
    expect(tty(['demo'])).toMatchObject({ name: 'demo', hosts: 0, options: { timeoutMs: 3_000 } });
    expect(tty(['demo', '--hosts', '200', '-t', '9'])).toMatchObject({ hosts: 200, options: { timeoutMs: 9_000 } });
  });

  it.each([
    [['--concurrency', '0', '-i', 'x'], /--concurrency/],
    [['-i', 'x', '--timeout', 'soon'], /--timeout/],
    [['-i', 'x', '--format', 'pdf'], /unknown format "pdf"/],
    [['-i', 'x', '--host-key-policy', 'yolo'], /strict, accept-new or off/],
    [['-i', 'x', '--transport', 'putty'], /--transport: expected ssh2 or openssh, got "putty"/],
    [['ssh-settings', '-i', 'x'], /ssh-settings needs --inventory FILE and --host NAME/],
    [['ssh-settings', '--host', 'hv01', '--host-key-policy', 'maybe'], /needs --inventory|strict, accept-new or off/],
    [['-i', 'x', '--bogus'], /bogus/],
    [['-i', 'x', 'extra'], /extra/],
    [[], /missing --inventory FILE, hosts \(kvm-netaudit audit hv1 hv2, or -H hv1,hv2\) or --local/],
    [['show-probe', '--host', 'hv01'], /--host needs --inventory/],
    [['-i', 'x', '--policy', 'p.yaml', '--fail-on', 'severe'], /--fail-on: expected one of info, low, medium, high, critical/],
    [['-i', 'x', '--fail-on', 'high'], /--fail-on needs --policy/],
    [['-i', 'x', '--format', 'junit'], /--format junit needs --policy/],
    [['diff', 'old.json'], /diff needs two reports/],
    [['-i', 'x', '--max-output', '1024'], /--max-output: expected a whole number from 1 to 256/],
    [['-i', 'x', '--max-output', '64', '--max-output-total', '32'], /--max-output-total must be at least --max-output/],
  ])('rejects %j with a usage error', (argv, message) => {
    expect(() => tty(argv as string[])).toThrow(UsageError);
    expect(() => tty(argv as string[])).toThrow(message);
  });

  describe('hosts on the command line and --local', () => {
    const hostsOf = (argv: string[]) => auditOptions(argv).hosts.map(({ name, address, user, port }) => [name, address, user, port]);

    it('takes hosts after audit and with -H, split at commas and spaces, in the order given', () => {
      // Given host arguments and -H values interleaved, in pssh's space-separated and clush's comma-separated forms
      const argv = ['audit', 'hv1', '-H', 'hv2,root@hv3:2222', 'audit@[2001:db8::1]:2200', '--host', 'hv4 hv5', '--host=hv6'];
      // When parsed, then every entry is a host, in the order written, user and port apart, named as written
      expect(hostsOf(argv)).toEqual([
        ['hv1', 'hv1', null, null],
        ['hv2', 'hv2', null, null],
        ['hv3', 'hv3', 'root', 2222],
        ['2001-db8--1', '2001:db8::1', 'audit', 2200],
        ['hv4', 'hv4', null, null],
        ['hv5', 'hv5', null, null],
        ['hv6', 'hv6', null, null],
      ]);
      expect(auditOptions(argv)).toMatchObject({ inventory: null, local: false, libvirtUri: null, sudo: false });
      // -H alone is an audit too (audit is the default command)
      expect(hostsOf(['-H', 'hv1'])).toEqual([['hv1', 'hv1', null, null]]);
    });

    it('applies --libvirt-uri and --sudo to those hosts and to --local, and keeps --limit', () => {
      expect(auditOptions(['audit', 'hv1', 'hv2', '--libvirt-uri', 'qemu:///session', '--sudo', '--limit', 'hv2'])).toMatchObject({
        libvirtUri: 'qemu:///session',
        sudo: true,
        limit: ['hv2'],
      });
      expect(auditOptions(['--local', '--sudo'])).toMatchObject({ local: true, sudo: true, hosts: [], inventory: null });
      expect(auditOptions(['audit', '--local', '--libvirt-uri', 'test:///default'])).toMatchObject({ local: true, libvirtUri: 'test:///default' });
    });

    it('lets --replay find the captures of hosts named on the command line', () => {
      expect(auditOptions(['audit', 'hv1', '--replay', 'captures'])).toMatchObject({ replay: 'captures', hosts: [{ name: 'hv1' }] });
    });

    it('names every bad entry at once', () => {
      // Given three bad entries among good ones
      const parse = () => tty(['audit', 'hv1', '@hv2', '-H', 'hv3:0,hv[01-03]']);
      // When parsed, then one usage error lists each, by the entry as written
      expect(parse).toThrow(UsageError);
      let messages: readonly string[] = [];
      try {
        parse();
      } catch (error) {
        messages = (error as UsageError).messages;
      }
      expect(messages).toEqual([
        'host "@hv2": no user before "@" (write user@host, or leave "@" out)',
        'host "hv3:0": port "0": expected a number from 1 to 65535',
        'host "hv[01-03]": ranges and globs (hv[01-03], hv*) are not expanded here: list each host',
      ]);
    });

    it.each([
      [['audit', '-i', 'inv.yaml', 'hv01'], /-i with hosts on the command line \(hv01\): pick hosts of the inventory with --limit NAME/],
      [['-i', 'inv.yaml', '-H', 'hv01,hv02'], /-i with hosts on the command line \(hv01, …\)/],
      [['--local', '-i', 'inv.yaml'], /--local audits this machine alone/],
      [['audit', 'hv1', '--local'], /--local audits this machine alone/],
      [['--local', '--transport', 'openssh'], /--local connects to nothing, so --transport does not apply/],
      [['--local', '--known-hosts', 'kh'], /--local connects to nothing, so --known-hosts does not apply/],
      [['--local', '--connect-timeout', '3'], /--local connects to nothing, so --connect-timeout does not apply/],
      [['--local', '--replay', 'captures'], /--local runs the probe on this machine; to replay its saved capture, name it/],
      [['-i', 'inv.yaml', '--libvirt-uri', 'qemu:///session'], /--libvirt-uri is for hosts named on the command line and --local: with -i, set libvirtUri: in the inventory/],
      [['-i', 'inv.yaml', '--sudo'], /--sudo is for hosts named on the command line and --local: with -i, set sudo: in the inventory/],
      [['--replay', 'captures'], /--replay needs the hosts whose captures to replay/],
      [['audit', '-H', ','], /no host given/],
      [['audit', 'hv1', 'alice@hv1'], /hosts "hv1" and "alice@hv1" would both be reported as hv1/],
      // the implicit audit does not take hosts as arguments: `kvm-netaudit hv01` reads like a mistyped command
      [['--no-tui', 'hv01'], /unexpected argument "hv01": hosts to audit follow the audit command \(kvm-netaudit audit hv01 …\), or come with -H/],
      [['hv01'], /unknown command "hv01"/],
      [['-i', 'inv.yaml', 'hv01'], /unexpected argument "hv01": pick hosts of the inventory with --limit hv01/],
      // the demo audits its own fleet
      [['demo', '-H', 'hv1'], /Unknown option '-H'/],
      [['demo', '--local'], /Unknown option '--local'/],
      [['demo', 'hv1'], /Unexpected argument 'hv1'/],
    ])('refuses %j with a usage error that says what to do', (argv, message) => {
      expect(() => tty(argv as string[])).toThrow(UsageError);
      expect(() => tty(argv as string[])).toThrow(message);
    });
  });

  it('reads --report FORMAT (into the folder) and FORMAT:PATH (to that file), repeatable, for audit and merge', () => {
    const o = auditOptions(['-i', 'x', '--format', 'json', '--report', 'prom:/var/lib/textfile/kvm.prom', '--report', 'md', '--report', 'json:C:/odd:path.json']);
    expect([o.formats, o.reportTargets]).toEqual([
      ['json', 'md'],
      [
        { format: 'prom', path: '/var/lib/textfile/kvm.prom' },
        { format: 'json', path: 'C:/odd:path.json' },
      ],
    ]);
    expect(tty(['merge', 'a.json', '--report', 'prom:m.prom'])).toMatchObject({ options: { reportTargets: [{ format: 'prom', path: 'm.prom' }] } });
    expect(() => auditOptions(['-i', 'x', '--report', 'pdf'])).toThrow(/--report pdf: unknown format "pdf"/);
    expect(() => auditOptions(['-i', 'x', '--report', 'prom:'])).toThrow(/the path after "prom:" is empty/);
    expect(() => auditOptions(['-i', 'x', '--report', 'junit:j.xml'])).toThrow(/junit needs --policy/);
  });

  it('reads compliance options and the diff command', () => {
    const o = auditOptions(['-i', 'x', '--policy', 'p.yaml', '--policy', 'builtin:baseline', '--fail-on', 'medium', '--format', 'json,junit', '--baseline', 'old.json']);
    expect([o.policies, o.failOn, o.formats, o.baseline]).toEqual([['p.yaml', 'builtin:baseline'], 'medium', ['json', 'junit'], 'old.json']);
    expect(tty(['diff', 'a.json', 'b.json', '--json'])).toEqual({ name: 'diff', oldReport: 'a.json', newReport: 'b.json', json: true, exitCode: false });
    expect(tty(['diff', '--exit-code', 'a.json', 'b.json'])).toMatchObject({ name: 'diff', exitCode: true });
  });

  it('reads --transport and --host-key-policy as given, for audit and ssh-settings alike', () => {
    const o = auditOptions(['-i', 'x', '--transport', 'openssh', '--host-key-policy', 'accept-new']);
    expect([o.transport, o.hostKeyPolicy]).toEqual(['openssh', 'accept-new']);
    expect(tty(['ssh-settings', '-i', 'inv.yaml', '--host', 'hv01', '--json', '--transport', 'openssh', '--connect-timeout', '3'])).toEqual({
      name: 'ssh-settings',
      options: { inventory: 'inv.yaml', host: 'hv01', json: true, transport: 'openssh', hostKeyPolicy: null, connectTimeoutMs: 3000, knownHosts: null },
    });
  });

  it('knows help, version and show-probe', () => {
    expect(tty(['--help'])).toEqual({ name: 'help', topic: null });
    expect(tty(['-V'])).toEqual({ name: 'version' });
    expect(tty(['show-probe'])).toEqual({ name: 'show-probe', inventory: null, host: null });
    expect(tty(['show-probe', '-i', 'inv.yaml', '--host', 'hv01'])).toEqual({ name: 'show-probe', inventory: 'inv.yaml', host: 'hv01' });
  });

  it('gives one command its own usage: help COMMAND, or COMMAND --help', () => {
    expect(tty(['help'])).toEqual({ name: 'help', topic: null });
    for (const command of ['audit', 'demo', 'show-probe', 'ssh-settings', 'diff']) {
      expect(tty(['help', command])).toEqual({ name: 'help', topic: command });
      expect(tty([command, '--help'])).toEqual({ name: 'help', topic: command });
    }
    expect(tty(['diff', '-h'])).toEqual({ name: 'help', topic: 'diff' });
    // help about help is the overview; a version asked of the demo is the version, not a demo run
    expect(tty(['help', 'help'])).toEqual({ name: 'help', topic: null });
    expect(tty(['help', '--help'])).toEqual({ name: 'help', topic: null });
    expect(tty(['demo', '-V'])).toEqual({ name: 'version' });
  });

  it.each([
    [['demoo'], /unknown command "demoo" \(did you mean demo\?\)/],
    [['show-prob', '-i', 'x'], /unknown command "show-prob" \(did you mean show-probe\?\)/],
    [['frobnicate'], /unknown command "frobnicate" \(commands: audit, demo, show-probe, ssh-settings, diff, merge, help\)/],
    [['help', 'dif'], /unknown command "dif" \(did you mean diff\?\)/],
    [['-i', 'x', '--timeot', '3'], /Unknown option '--timeot' \(did you mean --timeout\?\)/],
    [['demo', '--host', '3'], /Unknown option '--host' \(did you mean --hosts\?\)/],
    [['diff', 'a', 'b', '--exitcode'], /did you mean --exit-code\?/],
  ])('suggests what was meant for %j', (argv, message) => {
    expect(() => tty(argv as string[])).toThrow(message);
  });
});
