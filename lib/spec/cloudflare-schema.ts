import { z } from 'zod';

/**
 * The Cloudflare front door part of the spec (used when `frontDoor` is `cloudflare` or `both`).
 * Owned by the Cloudflare constructs (lib/cloudflare); extended there.
 */
export const CloudflareSchema = z
  .strictObject({
    accountId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare account id (32 hex characters)').meta({ description: 'Cloudflare account holding the monitors and pools.' }),
    zoneId: z.string().regex(/^[0-9a-f]{32}$/, 'must be a Cloudflare zone id (32 hex characters)').meta({ description: 'Cloudflare zone of the service hostname.' }),
    plan: z.enum(['pro', 'business', 'enterprise']).meta({ description: 'Cloudflare plan of the zone; limits the monitor interval and features.' }),
  })
  .meta({ description: 'Cloudflare load-balancing front door.' });

export type CloudflareSpec = z.output<typeof CloudflareSchema>;
