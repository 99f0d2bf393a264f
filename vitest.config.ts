import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'test/**/*.test.tsx'],
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // System tests share network namespaces and sshd processes: keep files from racing each other.
    fileParallelism: true,
    pool: 'forks',
  },
});
