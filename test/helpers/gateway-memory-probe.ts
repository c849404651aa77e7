/**
 * `plantwatch` (the command line, argv as usual: `start -c <dir>`) with a probe for the soak
 * bench, which forks it with an IPC channel and --expose-gc:
 *   ← { type: 'memory' }  → { type: 'memory', rss, heapUsed, …, cpuMicros }  after a full GC
 *   ← { type: 'stop' }    → SIGTERM to itself: the orderly stop an operator's would be
 * Memory after a collection is what the gateway keeps, not garbage waiting for the collector.
 */
const collect = (globalThis as { gc?: () => void }).gc;

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'memory') {
    // Twice: the first pass may leave objects whose finalizers free more.
    collect?.();
    collect?.();
    const cpu = process.cpuUsage();
    process.send?.({ type: 'memory', ...process.memoryUsage(), cpuMicros: cpu.user + cpu.system });
  } else if (message?.type === 'stop') {
    process.kill(process.pid, 'SIGTERM');
  }
});

await import('../../src/cli/index.js');
