import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // Tests start real servers (influxd, mosquitto, socat, simulators) on free loopback ports.
    pool: 'forks',
    // Two files at a time on the 2-core CI machine (vitest's default leaves one core idle): most
    // tests wait on sockets, servers and child processes, not on the CPU.
    maxWorkers: 2,
  },
});
