/** Reports (docs/report.md): build the fleet report, render JSON and Markdown, write them atomically. */
export { buildFleetReport, type FleetReportInput } from './build.js';
export { SEVERITIES, SEVERITIES_WORST_FIRST } from './schema.js';
export { renderJson, toJsonReport } from './json.js';
export { escapeMarkdownInline, type EscapeOptions } from './markdown-escape.js';
export { renderMarkdown } from './markdown.js';
