/**
 * `--format prom`: the report as a node_exporter textfile-collector file (Prometheus text exposition format
 * 0.0.4), so the fleet's networking modes can be graphed and alerted on next to everything else (docs/report.md,
 * "Prometheus"). One info metric per VM NIC and per network, each host's status, warnings and failing findings
 * by severity, and the run's time, duration and completeness.
 *
 * Every family is written whole, in one block (the format requires it), so the hosts are read once per family:
 * memory stays flat however many hosts were spilled to disk. Label values come from the audited hosts: control
 * characters are shown escaped (as on the terminal), then `\`, `"` and newlines are escaped as the format asks.
 */
import type { FleetReportView, HostReport } from '../model.js';
import { SEVERITIES } from './severities.js';
import { sanitizeForTerminal } from '../ui/sanitize.js';

/** Every metric's name starts so. */
const PREFIX = 'kvm_netaudit';

type Labels = Record<string, string>;

interface Family {
  name: string;
  help: string;
  /** The samples, host by host: labels and value. */
  samples(report: FleetReportView): Iterable<[Labels, number]>;
}

const FAMILIES: readonly Family[] = [
  {
    name: 'vm_interface_info',
    help: 'A VM network interface and how it reaches the network (mode, libvirt network, bridge, uplinks); always 1.',
    *samples(report) {
      for (const host of report.hosts) {
        for (const vm of host.vms) {
          for (const nic of vm.interfaces) {
            yield [
              {
                hypervisor: host.name,
                domain: vm.name,
                // The NIC's one id (MAC, else target, else its position): two NICs of a VM never make one series.
                interface: nic.id,
                mac: nic.mac ?? '',
                target: nic.target ?? '',
                mode: nic.mode,
                network: nic.attachment.network ?? '',
                bridge: nic.attachment.bridge ?? '',
                uplink: nic.attachment.uplinks.length > 0 ? nic.attachment.uplinks.join(',') : (nic.attachment.device ?? ''),
              },
              1,
            ];
          }
        }
      }
    },
  },
  {
    name: 'network_info',
    help: 'A libvirt network and the networking mode its guests get; always 1.',
    *samples(report) {
      for (const host of report.hosts) {
        for (const network of host.networks) {
          yield [
            {
              hypervisor: host.name,
              network: network.name,
              mode: network.mode,
              forward: network.forward,
              bridge: network.bridge ?? '',
              uplink: bridgeUplinks(host, network.bridge),
              active: network.active === null ? 'unknown' : String(network.active),
            },
            1,
          ];
        }
      }
    },
  },
  {
    name: 'host_info',
    help: 'How the last audit of a hypervisor ended: status ok, partial or failed, and the error kind; always 1.',
    *samples(report) {
      for (const host of report.hosts) yield [{ hypervisor: host.name, status: host.status, error_kind: host.error?.kind ?? '' }, 1];
    },
  },
  {
    name: 'host_up',
    help: '1 when the last audit of a hypervisor brought back its networking (status ok or partial), 0 when it failed.',
    *samples(report) {
      for (const host of report.hosts) yield [{ hypervisor: host.name }, host.status === 'failed' ? 0 : 1];
    },
  },
  {
    name: 'host_warnings',
    help: 'Warnings the last audit of a hypervisor raised (tap missing, config drift, …).',
    *samples(report) {
      for (const host of report.hosts) yield [{ hypervisor: host.name }, host.warnings.length];
    },
  },
  {
    name: 'host_failing_findings',
    help: 'Policy findings a hypervisor fails, not waived, by severity (0 without --policy).',
    *samples(report) {
      for (const host of report.hosts) {
        const counts = new Map<string, number>(SEVERITIES.map((severity) => [severity, 0]));
        for (const finding of host.findings) if (finding.status !== 'waived') counts.set(finding.severity, (counts.get(finding.severity) ?? 0) + 1);
        for (const [severity, count] of counts) yield [{ hypervisor: host.name, severity }, count];
      }
    },
  },
  {
    name: 'host_audit_duration_seconds',
    help: 'How long the last audit of a hypervisor took: connect, probe and classification.',
    *samples(report) {
      for (const host of report.hosts) yield [{ hypervisor: host.name }, host.durationMs / 1000];
    },
  },
  {
    name: 'hosts',
    help: 'Hypervisors of the last run by status.',
    *samples(report) {
      const { ok, partial, failed } = report.summary;
      for (const [status, count] of Object.entries({ ok, partial, failed })) yield [{ status }, count];
    },
  },
  {
    name: 'last_run_timestamp_seconds',
    help: 'When the last run finished, in seconds since the epoch.',
    *samples(report) {
      yield [{}, secondsOf(report.run.finishedAt)];
    },
  },
  {
    name: 'last_run_duration_seconds',
    help: 'How long the last run took.',
    *samples(report) {
      yield [{}, Math.max(0, secondsOf(report.run.finishedAt) - secondsOf(report.run.startedAt))];
    },
  },
  {
    name: 'last_run_complete',
    help: '1 when the last run audited every selected hypervisor, 0 when it was stopped (or a shard was missing).',
    *samples(report) {
      yield [{}, report.run.complete ? 1 : 0];
    },
  },
];

/**
 * The exposition text, family by family.
 * @example [...prometheusChunks(report)].join('') // '# HELP kvm_netaudit_vm_interface_info …\n# TYPE … gauge\n…'
 */
export function* prometheusChunks(report: FleetReportView): Generator<string> {
  for (const family of FAMILIES) {
    const name = `${PREFIX}_${family.name}`;
    let block = `# HELP ${name} ${family.help}\n# TYPE ${name} gauge\n`;
    for (const [labels, value] of family.samples(report)) {
      block += `${name}${labelText(labels)} ${formatValue(value)}\n`;
      // Hand over what a host gave before it grows: the writer takes pieces (io/atomicFile.ts).
      if (block.length > 64 * 1024) {
        yield block;
        block = '';
      }
    }
    yield block;
  }
}

/** `{a="x",b="y"}`, or nothing for no labels. */
function labelText(labels: Labels): string {
  const pairs = Object.entries(labels).map(([key, value]) => `${key}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
}

/**
 * A label value as the text format wants it: control characters (newlines included) made visible first, as on the
 * terminal, so only `\\` and `\"` are left to escape.
 */
export function escapeLabelValue(value: string): string {
  return sanitizeForTerminal(value).replace(/\\/g, '\\\\').replace(/"/g, '\\"');
}

function formatValue(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  return Number.isInteger(value) ? String(value) : value.toFixed(3);
}

function secondsOf(iso: string): number {
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? 0 : ms / 1000;
}

/** The uplinks of the host bridge `name`, comma-separated; empty when it has none or there is no bridge. */
function bridgeUplinks(host: HostReport, name: string | null): string {
  if (name === null) return '';
  return host.bridges.find((bridge) => bridge.name === name)?.uplinks.join(',') ?? '';
}
