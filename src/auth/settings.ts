/** The `auth:` section of plantwatch.yaml, as validated by the config schema. */
import type { z } from 'zod';
import { gatewayFile } from '../config/schema.js';

/** The schema of `auth:` alone: `authSettings.parse({})` gives every default. */
export const authSettings = gatewayFile.shape.auth.unwrap();
export type AuthSettings = z.output<typeof authSettings>;
