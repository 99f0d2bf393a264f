/** The fake terminal streams live beside the render benchmark, which draws into them too. */
export { FakeStdin, FakeStdout } from '../../../src/bench/fakeTerminal.js';
