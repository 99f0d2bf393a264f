/**
 * Draws a laid-out frame (see lines.ts) with Ink. Stateless and dumb on purpose: every decision about
 * what a line says was taken by a layout function, so this only turns each line into one styled string.
 *
 * One `<Text>` per line, styled with SGR codes here rather than one nested `<Text>` per segment: a
 * 40-line frame is then 40 Ink nodes instead of several hundred, which is most of what a redraw costs
 * (React reconciliation, Yoga layout and Ink's per-node styling all scale with the node count).
 */
import { Box, Text } from 'ink';
import { memo } from 'react';
import type { FrameLine, Segment } from './lines.js';
import type { SegmentColor } from './styles.js';

/** Props of {@link FrameView}. */
export interface FrameViewProps {
  lines: readonly FrameLine[];
  /** Use colours and emphasis; false for NO_COLOR or a terminal without colours. @default true */
  colors?: boolean;
}

const FOREGROUND: Record<SegmentColor, number> = {
  red: 31,
  green: 32,
  yellow: 33,
  blue: 34,
  magenta: 35,
  cyan: 36,
  white: 37,
  gray: 90,
  redBright: 91,
  greenBright: 92,
  blueBright: 94,
  magentaBright: 95,
  cyanBright: 96,
};

const ESC = '\u001b[';

function styleCodes(segment: Segment): string {
  const codes: number[] = [];
  if (segment.bold) codes.push(1);
  if (segment.dim) codes.push(2);
  if (segment.inverse) codes.push(7);
  if (segment.color) codes.push(FOREGROUND[segment.color]);
  return codes.join(';');
}

/**
 * A line as one string: plain text, or with SGR styling when `colors` is on. Neighbouring segments of
 * the same style share one escape sequence (fewer codes for Ink to parse on every frame).
 */
export function lineToText(segments: readonly Segment[], colors: boolean): string {
  if (!colors) return segments.map((segment) => segment.text).join('');
  let out = '';
  let runStyle = '';
  let runText = '';
  const flush = () => {
    out += runStyle ? `${ESC}${runStyle}m${runText}${ESC}0m` : runText;
  };
  for (const segment of segments) {
    const style = styleCodes(segment);
    if (style !== runStyle) {
      flush();
      runStyle = style;
      runText = '';
    }
    runText += segment.text;
  }
  flush();
  return out;
}

/** One line; an unchanged line (most of them, frame to frame) skips React's work entirely. */
const LineText = memo(function LineText({ text }: { text: string }) {
  // truncate-end: a line must never wrap, or the frame would outgrow the terminal.
  return <Text wrap="truncate-end">{text}</Text>;
});

/** Render the lines of one frame, top to bottom. */
export function FrameView({ lines, colors = true }: FrameViewProps) {
  return (
    <Box flexDirection="column">
      {lines.map((line) => (
        <LineText key={line.key} text={lineToText(line.segments, colors) || ' '} />
      ))}
    </Box>
  );
}
