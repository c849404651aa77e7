/** Modbus TCP: modbus-serial's own ServerTCP, its callback vector backed by a LineResponder. */
import modbusSerial from 'modbus-serial';
import type { RegisterTable } from '../../src/config/schema.js';
import type { LineResponder } from './responder.js';

type Callback = (err: { modbusErrorCode: number } | null, value?: unknown) => void;

interface ServerTcpInstance {
  on(event: string, listener: (...args: unknown[]) => void): void;
  close(cb: () => void): void;
}

// modbus-serial is CommonJS; ServerTCP hangs off its module object.
const { ServerTCP } = modbusSerial as unknown as {
  ServerTCP: new (
    vector: object,
    options: { host: string; port: number; unitID?: number },
  ) => ServerTcpInstance;
};

function reader(responder: LineResponder, table: RegisterTable, single: boolean) {
  return (address: number, length: number, unitId: number, cb: Callback) => {
    responder.answer(unitId, table, address, length).then(
      (answer) => {
        if (answer === 'silent') return; // no reply at all: the master times out
        // An empty array with the error: modbus-serial's input-register path reads values[i] even on error.
        if ('exception' in answer) return cb({ modbusErrorCode: answer.exception }, single ? undefined : []);
        const values = 'words' in answer ? answer.words : answer.bits;
        cb(null, single ? values[0] : values);
      },
      () => cb({ modbusErrorCode: 4 }, single ? undefined : []),
    );
  };
}

export async function startTcpServer(
  responder: LineResponder,
  host: string,
  port: number,
): Promise<{ close(): Promise<void> }> {
  const many = (table: RegisterTable) => reader(responder, table, false);
  const one = (table: RegisterTable) => {
    const read = reader(responder, table, true);
    return (address: number, unitId: number, cb: Callback) => read(address, 1, unitId, cb);
  };
  const vector = {
    getMultipleHoldingRegisters: many('holding'),
    getMultipleInputRegisters: many('input'),
    getHoldingRegister: one('holding'),
    getInputRegister: one('input'),
    getCoil: one('coil'),
    getDiscreteInput: one('discrete'),
    // Function 43/14; modbus-serial answers the objects asked for, or the exception rejected with.
    readDeviceIdentification: (unitId: number) =>
      responder.identify(unitId).then((answer) => {
        if (answer === 'silent') return new Promise<never>(() => {}); // no reply: the master times out
        if ('exception' in answer) return Promise.reject({ modbusErrorCode: answer.exception });
        return answer.objects;
      }),
  };
  const server = new ServerTCP(vector, { host, port, unitID: 255 });
  server.on('error', () => {});
  server.on('socketError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.on('initialized', () => resolve());
    server.on('serverError', (err) => reject(err));
  });
  return { close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
