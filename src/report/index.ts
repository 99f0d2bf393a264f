/** Reports (docs/report.md): build the fleet report, render JSON and Markdown, write them atomically. */
export { buildFleetReport, SEVERITIES, type FleetReportInput } from './build.js';
export { renderJson, toJsonReport } from './json.js';
export { escapeMarkdownInline, type EscapeOptions } from './markdown-escape.js';
export { renderMarkdown } from './markdown.js';
