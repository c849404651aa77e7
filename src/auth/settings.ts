/** The `auth:` section of plantwatch.yaml, as validated by the config schema. */
import type { z } from 'zod';
import { gatewaySectionSchemas } from '../config/schema.js';

/** The schema of `auth:` alone: `authSettings.parse({})` gives every default. */
export const authSettings = gatewaySectionSchemas.auth.unwrap();
export type AuthSettings = z.output<typeof authSettings>;
