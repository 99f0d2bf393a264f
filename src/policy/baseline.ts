/**
 * The built-in baseline (`--policy builtin:baseline`): rules every libvirt fleet should pass, written in
 * the same condition language as a user's policy. Two rules need to know which groups are production
 * and which isolated: a policy file names them under `baseline:`; without them those rules are left out.
 */
import type { BaselineSettings, PolicyRule } from './types.js';

/** The name `--policy` takes for the baseline. */
export const BASELINE_SOURCE = 'builtin:baseline';

const ORIGIN = BASELINE_SOURCE;

const selectorOf = (groups: string[]) => ({ names: [], groups: [...groups], exceptNames: [], exceptGroups: [] });

/** The baseline's rules, in report order, for given settings. */
const BASELINE_RULES: readonly ((settings: BaselineSettings) => PolicyRule | null)[] = [
  () => ({
    id: 'baseline/host-not-audited',
    description: 'Every host can be audited (reachable, authenticated, libvirt readable)',
    severity: 'high',
    hosts: null,
    subject: 'host',
    where: [],
    expect: [{ attribute: 'status', op: 'notIn', values: ['failed'] }],
    origin: ORIGIN,
  }),
  () => ({
    id: 'baseline/host-partially-audited',
    description: 'Every probe section of a host can be read',
    severity: 'low',
    hosts: null,
    subject: 'host',
    where: [],
    expect: [{ attribute: 'status', op: 'notIn', values: ['partial'] }],
    origin: ORIGIN,
  }),
  () => ({
    id: 'baseline/interface-unresolved',
    description: 'Every VM interface resolves to a network, bridge or device that exists',
    severity: 'high',
    hosts: null,
    subject: 'vm-interface',
    where: [],
    expect: [{ attribute: 'mode', op: 'notIn', values: ['missing', 'unknown'] }],
    origin: ORIGIN,
  }),
  () => ({
    id: 'baseline/network-inactive-in-use',
    description: 'A network that VM interfaces refer to is active',
    severity: 'medium',
    hosts: null,
    subject: 'network',
    where: [{ attribute: 'inUse', op: 'is', value: true }],
    expect: [{ attribute: 'active', op: 'is', value: true }],
    origin: ORIGIN,
  }),
  ({ productionGroups }) =>
    productionGroups.length === 0
      ? null
      : {
          id: 'baseline/default-nat-autostart-production',
          description: 'The default NAT network is not autostarted on production hosts',
          severity: 'medium',
          hosts: selectorOf(productionGroups),
          subject: 'network',
          where: [
            { attribute: 'name', op: 'in', values: ['default'] },
            { attribute: 'mode', op: 'in', values: ['nat'] },
          ],
          expect: [{ attribute: 'autostart', op: 'is', value: false }],
          origin: ORIGIN,
        },
  () => ({
    id: 'baseline/macvtap-on-default-route',
    description: "No macvtap interface sits on the device that carries the host's default route (the guest could not reach the host)",
    severity: 'high',
    hosts: null,
    subject: 'vm-interface',
    where: [{ attribute: 'mode', op: 'in', values: ['macvtap'] }],
    expect: [{ attribute: 'onDefaultRouteDevice', op: 'is', value: false }],
    origin: ORIGIN,
  }),
  () => ({
    id: 'baseline/interface-cut-off',
    description: "A running guest's NIC is where its mode says on the host: its tap exists, is up and is a port of its bridge",
    severity: 'high',
    hosts: null,
    subject: 'vm-interface',
    where: [],
    expect: [{ attribute: 'cutOff', op: 'is', value: false }],
    origin: ORIGIN,
  }),
  ({ isolatedGroups }) =>
    isolatedGroups.length === 0
      ? null
      : {
          id: 'baseline/isolated-group-external',
          description: 'Guests on hosts in isolated groups are not bridged, macvtap-attached or given host devices',
          severity: 'high',
          hosts: selectorOf(isolatedGroups),
          subject: 'vm-interface',
          where: [],
          expect: [{ attribute: 'mode', op: 'notIn', values: ['bridged', 'macvtap', 'hostdev'] }],
          origin: ORIGIN,
        },
];

/** Ids of every baseline rule, whatever the settings (waivers and `disable:` may name them). */
export const BASELINE_RULE_IDS: readonly string[] = BASELINE_RULES.map(
  (make) => make({ enabled: true, productionGroups: ['*'], isolatedGroups: ['*'], disabled: [], origins: [] })?.id ?? '',
);

/** The baseline rules in force for these settings (none when the baseline is off). */
export function baselineRules(settings: BaselineSettings): PolicyRule[] {
  if (!settings.enabled) return [];
  return BASELINE_RULES.map((make) => make(settings)).filter((rule): rule is PolicyRule => rule !== null && !settings.disabled.includes(rule.id));
}
