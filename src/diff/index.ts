/** Drift between two audits (issue 5): read an old report, compare, render as Markdown or JSON. */
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
export { parseReport, READABLE_SCHEMA_VERSION, readReport, ReportReadError } from './read.js';
export { DIFF_FORMAT_VERSION, renderDiffJson, renderDiffMarkdown, type DiffMarkdownOptions } from './render.js';
