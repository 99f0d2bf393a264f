/** The `via` and `attachment` of a hand-built VM NIC, kept consistent the way the classifier writes them. */
import type { InterfaceAudit } from '../../../src/model.js';
import { viaOf } from '../../../src/report/nic.js';
import type { InterfaceAttachment, ThroughKind } from '../../../src/report/schema.js';

/**
 * A NIC that goes through `kind name`: `via` written from it, and the network or bridge it names set; `more`
 * adds what the classifier would find (a network's bridge, uplinks, a device).
 * @example nic({ mode: 'bridged', ...attached('bridge', 'br0', { uplinks: ['bond0'] }) })
 */
export function attached(kind: ThroughKind, name: string | null, more: Partial<InterfaceAttachment> = {}): Pick<InterfaceAudit, 'via' | 'attachment'> {
  const through = { kind, name };
  return {
    via: viaOf(through),
    attachment: {
      through,
      network: kind === 'network' ? name : null,
      bridge: kind === 'bridge' ? name : null,
      uplinks: [],
      device: null,
      ...more,
    },
  };
}

/** A NIC that goes through nothing (an unclassifiable one). */
export function unattached(): Pick<InterfaceAudit, 'via' | 'attachment'> {
  return { via: null, attachment: { through: null, network: null, bridge: null, uplinks: [], device: null } };
}
