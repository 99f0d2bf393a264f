/**
 * How much of one host's output is assembled into facts. A host's output is hostile until parsed: its size is
 * already bounded by `--max-output`, but what the classifier, the report and the UI do per object is not
 * free, and a few hundred bytes per listed UUID would otherwise let one host stall or bloat a whole run.
 * Beyond a cap the first objects (in the host's own order) are kept and an `object-cap` warning says so.
 */

/**
 * Libvirt networks, and domains, assembled per host (each kind counted apart).
 * Why 10,000: far above what one hypervisor's memory and CPUs can run, yet small enough that one host's
 * objects stay a few megabytes of report and the classifier's work on them well under a second.
 * @default 10_000
 */
export const MAX_OBJECTS_PER_KIND = 10_000;

/**
 * Kernel links (`ip link`), and bridges and default-route devices (each one is a link), kept per host.
 * Why 20,000: a host with 10,000 running VMs has a tap per NIC plus its bridges, bonds and VLANs; twice the
 * object cap leaves room for that without letting a flood of fake links into the topology.
 * @default 20_000
 */
export const MAX_LINKS = 20_000;
