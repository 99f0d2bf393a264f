/**
 * What a classified network or VM NIC goes through, kept as data beside the report's strings so the
 * verdict can say "through virbr0 (network default)" or "through br0 (uplink bond0)" without
 * re-reading evidence text.
 */
import type { Mode, Warning } from '../model.js';

export interface Attachment {
  /** The libvirt network it goes through. */
  network: string | null;
  /** The host bridge it lands on. */
  bridge: string | null;
  /** The bridge's uplinks, when bridged. */
  uplinks: string[];
  /** Anything else it goes through or lacks: `dev eth0`, `pci 0000:03:07.1`, `network lab` (missing). */
  detail: string | null;
}

/** The outcome of one classification step: a mode, its evidence chain, where it goes, what went wrong. */
export interface Classification {
  mode: Mode;
  evidence: string[];
  attachment: Attachment;
  warnings: Warning[];
}

/** An attachment with nothing set, to spread over. */
export const NO_ATTACHMENT: Attachment = { network: null, bridge: null, uplinks: [], detail: null };
