/**
 * The live view's palette: one colour per networking mode (the legend), per host status and per
 * severity, so every view colours the same thing the same way. Colour only ever repeats what the
 * text already says (NO_COLOR loses nothing), and the decision whether to use colour at all is here too.
 */
import type { Mode } from '../model.js';

/** A colour name Ink's `<Text color>` understands. */
export type SegmentColor =
  | 'green'
  | 'greenBright'
  | 'yellow'
  | 'red'
  | 'redBright'
  | 'cyan'
  | 'cyanBright'
  | 'blue'
  | 'blueBright'
  | 'magenta'
  | 'magentaBright'
  | 'white'
  | 'gray';

/** A run of text with one style. */
export interface Segment {
  text: string;
  color?: SegmentColor;
  bold?: boolean;
  dim?: boolean;
  /** Swap foreground and background: the selection bar. */
  inverse?: boolean;
}

const MODE_COLORS: Record<Mode, SegmentColor> = {
  nat: 'cyan',
  routed: 'blue',
  open: 'blueBright',
  isolated: 'magenta',
  bridged: 'green',
  'host-only': 'yellow',
  ovs: 'greenBright',
  macvtap: 'magentaBright',
  hostdev: 'cyanBright',
  vdpa: 'white',
  user: 'white',
  vhostuser: 'white',
  ethernet: 'white',
  socket: 'white',
  none: 'white',
  vds: 'white',
  missing: 'red',
  unknown: 'redBright',
};

/** The legend colour of a mode (modes that come from an interface type share white). */
export function modeColor(mode: Mode): SegmentColor {
  return MODE_COLORS[mode];
}

/** The square drawn before a mode in the legend. */
export const LEGEND_MARK = '■';

/**
 * Whether to draw colours on `stream`: `FORCE_COLOR` wins (`0`/`false` off, anything else on), then
 * `NO_COLOR` set to anything non-empty turns them off (https://no-color.org), then the terminal decides
 * (a TTY that is not `TERM=dumb` and, when it can say so, supports colours).
 */
export function colorsWanted(env: NodeJS.ProcessEnv, stream: { isTTY?: boolean; hasColors?: () => boolean }): boolean {
  const force = env['FORCE_COLOR'];
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (env['NO_COLOR']) return false;
  if (!stream.isTTY || env['TERM'] === 'dumb') return false;
  return typeof stream.hasColors === 'function' ? stream.hasColors() : true;
}
