/**
 * Reports (docs/report.md): build the fleet report, render it (JSON, Markdown), read an old one back, and compare
 * two (drift). Pure: the files are written and read by src/io/reportFiles.ts.
 */
export { buildFleetReport, type FleetReportInput } from './build.js';
export { SEVERITIES, SEVERITIES_WORST_FIRST } from './schema.js';
export { renderJson, toJsonReport } from './json.js';
export { escapeMarkdownInline, type EscapeOptions } from './markdown-escape.js';
export { renderMarkdown } from './markdown.js';
export {
  countChanges,
  diffReports,
  type FieldChange,
  type FindingRef,
  type HostRef,
  type InterfaceChange,
  type InterfaceRef,
  type NetworkChange,
  type NetworkRef,
  type ReportDiff,
  type RunRef,
  type StatusChange,
} from './diff.js';
export { parseReport, READABLE_SCHEMA_VERSION, ReportReadError } from './read.js';
export { DIFF_FORMAT_VERSION, renderDiffJson, renderDiffMarkdown, type DiffMarkdownOptions } from './diffRender.js';
