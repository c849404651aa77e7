import type { z } from 'zod';

/** Validate one device's simulation parameters; errors name the device and the key. */
export function parseParams<S extends z.ZodType>(deviceId: string, schema: S, raw: unknown): z.infer<S> {
  const result = schema.safeParse(raw ?? {});
  if (result.success) return result.data;
  const details = result.error.issues
    .map((i) => `${i.path.join('.') || '(params)'}: ${i.message.replace(/^Invalid input: /, '')}`)
    .join('; ');
  throw new Error(`simulation.yaml: devices.${deviceId}: ${details}`);
}
