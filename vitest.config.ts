import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real servers (influxd, mosquitto, socat, simulators) on free loopback ports.
    pool: 'forks',
    reporters: process.env.CI ? ['default'] : ['default'],
  },
});
