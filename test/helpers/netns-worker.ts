/**
 * A network namespace with nothing but its own loopback (and the extra loopback addresses a test
 * asks for), and a worker process inside it that the test drives by calls over Node's IPC
 * channel: a test process cannot enter a namespace, its children can (`ip netns exec`). For
 * protocols with fixed ports and broadcasts (BACnet/IP's UDP 47808), where tests on the host
 * would meet each other and whatever else listens there. Needs root and iproute2's `ip`.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { findTool, missingMessage, skipReason, TOOLS } from './tools.js';

const IP = findTool(TOOLS.ip.binary) ?? TOOLS.ip.binary;
const TSX = import.meta.resolve('tsx');
const CALL_TIMEOUT_MS = 5_000;

/** Why such namespaces cannot be made here, or undefined when they can; under CI a reason fails the run. */
export function loopbackNetnsUnavailable(): string | undefined {
  const reasons = findTool(TOOLS.ip.binary) ? [] : [missingMessage(TOOLS.ip)];
  if (process.getuid?.() !== 0) reasons.push('network namespaces need root');
  return skipReason(reasons);
}

/** The functions a worker module serves: each takes and returns what structured clone carries. */
// biome-ignore lint/suspicious/noExplicitAny: the handlers' own signatures are kept by WorkerCalls' inference.
type Handlers = Record<string, (...args: any[]) => unknown>;

interface CallMessage {
  id: number;
  method: string;
  args: unknown[];
}

type ReplyMessage =
  | { id: number; result: unknown }
  | { id: number; error: { name: string; message: string } };

/** In the worker module: answer the test's calls with `handlers` until the test goes away. */
export function serveCalls(handlers: Handlers, onExit: () => void): void {
  process.on('message', async (message: CallMessage) => {
    const send = (reply: ReplyMessage) => process.send?.(reply);
    try {
      const handler = handlers[message.method];
      if (!handler) throw new Error(`no such call: ${message.method}`);
      send({ id: message.id, result: await handler(...message.args) });
    } catch (err) {
      const { name, message: text } = err instanceof Error ? err : new Error(String(err));
      send({ id: message.id, error: { name, message: text } });
    }
  });
  process.on('disconnect', () => {
    onExit();
    process.exit(0);
  });
}

export interface NetnsWorker<H extends Handlers> {
  call<K extends keyof H & string>(method: K, ...args: Parameters<H[K]>): Promise<Awaited<ReturnType<H[K]>>>;
  /** Ends the worker and deletes the namespace. */
  remove(): Promise<void>;
}

/**
 * Makes the namespace, adds `addresses` to its loopback, and starts `module` (a TypeScript file
 * that calls serveCalls) inside it. `callTimeoutMs` bounds each call.
 */
export async function startNetnsWorker<H extends Handlers>(
  module: string,
  addresses: string[],
  callTimeoutMs = 20_000,
): Promise<NetnsWorker<H>> {
  const name = `plantwatch-test-${process.pid}-${randomInt(0, 36 ** 4).toString(36)}`;
  const ip = (...args: string[]) => execFileSync(IP, args, { stdio: 'pipe', timeout: CALL_TIMEOUT_MS });
  const deleteNamespace = () => {
    try {
      ip('netns', 'del', name);
    } catch {
      // Never made, or already gone.
    }
  };
  let child: ChildProcess;
  try {
    ip('netns', 'add', name);
    ip('-n', name, 'link', 'set', 'lo', 'up');
    for (const address of addresses) ip('-n', name, 'addr', 'add', `${address}/8`, 'dev', 'lo');
    child = spawn(IP, ['netns', 'exec', name, process.execPath, '--import', TSX, module], {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
  } catch (err) {
    deleteNamespace();
    throw err;
  }
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  let nextId = 0;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.on('message', (reply: ReplyMessage) => {
    const call = pending.get(reply.id);
    pending.delete(reply.id);
    if (!call) return;
    if ('error' in reply)
      call.reject(Object.assign(new Error(reply.error.message), { name: reply.error.name }));
    else call.resolve(reply.result);
  });
  void exited.then(() => {
    for (const call of pending.values()) call.reject(new Error(`the worker in ${name} exited`));
  });
  return {
    call(method, ...args) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          reject(new Error(`${method} got no answer in ${callTimeoutMs} ms`));
        }, callTimeoutMs);
        pending.set(id, {
          resolve: (value) => {
            clearTimeout(timer);
            resolve(value as Awaited<ReturnType<H[typeof method]>>);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        });
        child.send({ id, method, args } satisfies CallMessage);
      });
    },
    async remove() {
      if (child.exitCode === null && child.signalCode === null) {
        child.disconnect();
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, CALL_TIMEOUT_MS))]);
        if (child.exitCode === null) child.kill('SIGKILL');
      }
      deleteNamespace();
    },
  };
}
