import { z } from 'zod';

/**
 * The programmable edge router part of the spec (a Cloudflare Worker + KV in front of the regional endpoints).
 * Owned by lib/edge-router; extended there.
 */
export const EdgeRouterSchema = z
  .strictObject({
    accountId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare account id (32 hex characters)').meta({ description: 'Cloudflare account of the Worker and KV namespace.' }),
    zoneId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare zone id (32 hex characters)').optional().meta({ description: 'Zone of the route or custom domain.' }),
  })
  .meta({ description: 'Programmable edge router (Cloudflare Worker + KV).' });

export type EdgeRouterSpec = z.output<typeof EdgeRouterSchema>;
