/** The in-memory HostStore: what tests, the bench's bare comparisons and re-audits use. */
import type { HostReport, HostStore } from '../model.js';

export function createMemoryHostStore(): HostStore<HostReport[]> {
  const reports = new Map<string, HostReport>();
  return {
    put: (report) => void reports.set(report.name, report),
    sequence: (names) =>
      names.map((name) => {
        const report = reports.get(name);
        if (!report) throw new Error(`no report was kept for host ${name}`);
        return report;
      }),
  };
}
