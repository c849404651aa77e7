/** The socat pty pair that stands in for an RS-485 cable: both ends carry bytes; close() unplugs it. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { afterAll, expect, it } from 'vitest';
import { createPtyPair } from '../../simulators/serial/pty-pair.js';

const dir = mkdtempSync(join(tmpdir(), 'plantwatch-pty-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const open = (path: string) =>
  new Promise<SerialPort>((resolve, reject) => {
    const port = new SerialPort({ path, baudRate: 9600 }, (err) => (err ? reject(err) : resolve(port)));
  });
const close = (port: SerialPort) => new Promise<void>((resolve) => port.close(() => resolve()));

it('creates missing directories, carries bytes both ways, and close() removes the cable', async () => {
  const gatewayPath = join(dir, 'deep', 'er', 'ttyGW');
  const simulatorPath = join(dir, 'sim', 'ttySIM');
  const pair = await createPtyPair(gatewayPath, simulatorPath);
  const [gateway, simulator] = await Promise.all([open(gatewayPath), open(simulatorPath)]);
  try {
    const there = new Promise<Buffer>((resolve) => simulator.once('data', resolve));
    gateway.write(Buffer.from([1, 3, 0, 0, 0, 1, 0x84, 0x0a]));
    expect([...(await there)]).toEqual([1, 3, 0, 0, 0, 1, 0x84, 0x0a]);
    const back = new Promise<Buffer>((resolve) => gateway.once('data', resolve));
    simulator.write(Buffer.from('ok'));
    expect(String(await back)).toBe('ok');
  } finally {
    await Promise.all([close(gateway), close(simulator)]);
    await pair.close();
  }
  expect(existsSync(gatewayPath)).toBe(false);
  expect(existsSync(simulatorPath)).toBe(false);
  await pair.close(); // twice is harmless
});

it('fails with a clear message when socat cannot make the link', async () => {
  // A path under a regular file: the directory cannot exist.
  const blocker = join(dir, 'not-a-dir');
  writeFileSync(blocker, '');
  await expect(createPtyPair(join(blocker, 'tty'), join(dir, 'y', 'tty'))).rejects.toThrow(/not-a-dir/);
});
