/**
 * React chooses its development or production build from NODE_ENV the first time it is loaded. The
 * development build checks and records far more on every render, which makes each frame of the live
 * view about 1.5× as expensive (measured with bench/renderBench.ts). A CLI run that does not say
 * otherwise is a production run, so say so before React loads: liveView.ts imports this module first,
 * ahead of Ink and of any TSX module (whose compiled form imports React's JSX runtime at its very top).
 * An explicit NODE_ENV (vitest sets `test`) is left alone.
 */
process.env['NODE_ENV'] ??= 'production';

export {};
