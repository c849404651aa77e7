/**
 * A pair of connected serial pseudo-terminals made by socat: the gateway opens one end as
 * if it were an RS-485 adapter, the simulator's slaves the other. Killing socat is the
 * "cable unplugged" fault.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';

export interface PtyPair {
  close(): Promise<void>;
}

export function socatAvailable(): boolean {
  return spawnSync('socat', ['-V'], { stdio: 'ignore' }).status === 0;
}

export async function createPtyPair(
  gatewayPath: string,
  simulatorPath: string,
  timeoutMs = 5000,
): Promise<PtyPair> {
  for (const path of [gatewayPath, simulatorPath]) {
    mkdirSync(dirname(path), { recursive: true });
    rmSync(path, { force: true });
  }
  const proc: ChildProcess = spawn(
    'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${gatewayPath}`, `pty,raw,echo=0,link=${simulatorPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  // socat's diagnostics (-d -d names the ptys it made), kept short, for the error messages.
  let diagnostics = '';
  proc.stderr?.on('data', (chunk: Buffer) => {
    diagnostics = (diagnostics + chunk.toString()).slice(-2000);
  });
  const said = () => (diagnostics.trim() ? `: ${diagnostics.trim().split('\n').slice(-3).join(' | ')}` : '');
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  const spawnError = new Promise<never>((_, reject) => proc.once('error', reject));
  spawnError.catch(() => {}); // raced below while waiting; later errors end in close()
  const end = Date.now() + timeoutMs;
  while (!(existsSync(gatewayPath) && existsSync(simulatorPath))) {
    if (proc.exitCode !== null)
      throw new Error(`socat exited (${proc.exitCode}) before creating ${gatewayPath}${said()}`);
    if (Date.now() > end) {
      proc.kill('SIGKILL');
      throw new Error(`socat did not create ${gatewayPath} within ${timeoutMs} ms${said()}`);
    }
    await Promise.race([new Promise((r) => setTimeout(r, 20)), spawnError]);
  }
  return {
    async close() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill('SIGTERM');
        await exited;
      }
    },
  };
}
