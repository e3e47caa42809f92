import { defineConfig } from 'vitest/config';
import { cloudflareTest } from '@cloudflare/vitest-pool-workers';

export default defineConfig({
  test: {
    projects: [
      {
        // The SDK, CLIs and scripts, in Node.
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/worker/**'],
          testTimeout: 60_000,
        },
      },
      {
        // The Worker, inside workerd (miniflare), configured from wrangler.toml (main, rules, compatibility).
        plugins: [cloudflareTest({ wrangler: { configPath: './wrangler.toml' } })],
        test: {
          name: 'worker',
          include: ['test/worker/**/*.test.ts'],
          // In Node: computes the SDK's predictions that the parity test expects from the Worker.
          globalSetup: ['test/worker-node/parity-setup.ts'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
