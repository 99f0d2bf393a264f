import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Deadlines are tested with forced garbage collections (`gc()`): a timer nobody holds is lost to the GC.
    execArgv: ['--expose-gc'],
    // Ink draws only the final frame when it believes it runs in CI (is-in-ci reads CI at import); the UI
    // tests need the live frames. The CLI itself still uses the plain line log whenever CI is set.
    env: { CI: 'false', CONTINUOUS_INTEGRATION: 'false' },
  },
});
