/**
 * The live fleet table (Ink): header, one row per visible host, "… N more", progress, and the
 * summary once the run is finished. Stateless: it draws whatever frame `layoutFrame` planned.
 *
 * @example
 * kvm-netaudit  fleet.yaml · 5 hosts · concurrency 8 · 0:31 elapsed
 * STATUS    HOST          TIME  NETWORKS                VM NICS             PROBLEM
 * ✓ ok      hv-nat-01    412ms  nets 1 (nat)            nics 3 (nat 3)
 * ! partial hv-br-02      1.2s  nets 2 (isolated, nat)  nics 2 (bridged 2)  parse: section ip-link unparsable
 * ✗ failed  hv-dead-13   30.0s                                              timeout: no answer within 30 s
 * · queued  hv-q-04          -
 * ⠧ probe   hv-p-05      31.0s
 * ████████████░░░░░░░░ 3/5 done · 1 failed · 1 in flight · 0:31 · q or Ctrl-C to stop
 */
import { Box, Text } from 'ink';
import { layoutFrame, type FrameInput, type Segment } from './tableLayout.js';

/** Props of {@link FleetTable}. */
export interface FleetTableProps extends FrameInput {
  /** Use colours and emphasis; false for NO_COLOR. @default true */
  colors?: boolean;
}

function SegmentText({ segment, colors }: { segment: Segment; colors: boolean }) {
  if (!colors) return <Text>{segment.text}</Text>;
  return (
    <Text color={segment.color} bold={segment.bold} dimColor={segment.dim}>
      {segment.text}
    </Text>
  );
}

/** Render the fleet: only the rows that fit `rows` terminal lines are drawn. */
export function FleetTable(props: FleetTableProps) {
  const colors = props.colors ?? true;
  const lines = layoutFrame(props);
  return (
    <Box flexDirection="column">
      {lines.map((line) => (
        // truncate-end: a line must never wrap, or the frame would outgrow the terminal.
        <Text key={line.key} wrap="truncate-end">
          {line.segments.length === 0
            ? ' '
            : line.segments.map((segment, i) => <SegmentText key={i} segment={segment} colors={colors} />)}
        </Text>
      ))}
    </Box>
  );
}
