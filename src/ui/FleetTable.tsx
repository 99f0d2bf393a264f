/**
 * The fleet view as one Ink component: lays out the frame (tableLayout.ts) and draws it. Stateless:
 * the live view decides what is selected, filtered and sorted, and passes it in.
 */
import { layoutFleet, type FleetFrameInput } from './tableLayout.js';
import { FrameView } from './FrameView.js';

/** Props of {@link FleetTable}. */
export interface FleetTableProps extends FleetFrameInput {
  /** Use colours and emphasis; false for NO_COLOR. @default true */
  colors?: boolean;
}

/** Render the fleet: only the rows that fit `rows` terminal lines are laid out and drawn. */
export function FleetTable(props: FleetTableProps) {
  const colors = props.colors ?? true;
  return <FrameView lines={layoutFleet({ ...props, colors }).lines} colors={colors} />;
}
