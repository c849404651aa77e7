/** Forking the bench's child processes and talking to them over IPC. */
import { type ChildProcess, type ForkOptions, fork } from 'node:child_process';

export interface Child {
  readonly process: ChildProcess;
  /** Sends `message` (if any) and resolves with the child's next message of `type`. */
  ask<T>(type: string, message?: object, timeoutMs?: number): Promise<T>;
  send(message: object): void;
  /** The last lines it wrote to stderr (warnings), for a report. */
  stderr(): string[];
  /** Asks it to stop, then kills it if it has not exited within `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

export function forkChild(name: string, modulePath: string, args: string[], options: ForkOptions): Child {
  const child = fork(modulePath, args, { ...options, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const errLines: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) errLines.push(line);
    errLines.splice(0, Math.max(0, errLines.length - 20));
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    send: (message) => child.send(message),
    stderr: () => [...errLines],
    ask<T>(type: string, message?: object, timeoutMs = 60_000) {
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          cleanup();
          reject(new Error(`${name}: no "${type}" within ${timeoutMs} ms\n${errLines.join('\n')}`));
        }, timeoutMs);
        const onMessage = (m: { type?: string }) => {
          if (m?.type !== type) return;
          cleanup();
          resolve(m as T);
        };
        const onExit = (code: number | null) => {
          cleanup();
          reject(new Error(`${name} exited (${code}) before "${type}"\n${errLines.join('\n')}`));
        };
        const cleanup = () => {
          clearTimeout(timer);
          child.off('message', onMessage);
          child.off('exit', onExit);
        };
        child.on('message', onMessage);
        child.once('exit', onExit);
        if (message) child.send(message);
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      if (child.connected) child.send({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
