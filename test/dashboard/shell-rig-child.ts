/**
 * The shell rig (shell-rig.ts) as a process of its own, for connection.test.ts: prints
 * "listening <url>" and serves until killed; SIGSTOP freezes it like a gateway whose network
 * link died silently (no FIN, no RST: the browser's socket just hears nothing).
 */
import { startShellRig } from './shell-rig.js';

const rig = await startShellRig();
process.stdout.write(`listening ${rig.url}\n`);
process.on('SIGTERM', () => {
  rig.stop().finally(() => process.exit(0));
});
