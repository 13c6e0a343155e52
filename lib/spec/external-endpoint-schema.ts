import { jurisdictionKey } from './fields';
import { z } from 'zod';
/*
 * Endpoints outside the service's regions that routing may send clients to (the spec's `externalEndpoints`, and
 * `declareExternalEndpoint`). Small on purpose: the analysis reads it without loading the spec schema.
 */

const LOWER_CASE_DNS_NAME = /(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]\.?/;
const IPV4_ADDRESS = /(?:\d{1,3}\.){3}\d{1,3}/;
const IPV6_ADDRESS = /[0-9a-fA-F:]*:[0-9a-fA-F:]+/;

/**
 * An endpoint outside the service's regions that routing can send clients to (a partner API, a CDN name, an
 * address): the routing proofs refuse any target they cannot place unless it is declared here, with the
 * jurisdiction it serves from and how fast it moves its own clients off a failure of its own.
 */
export const ExternalEndpointSchema = z
  .strictObject({
    name: z
      .string()
      .max(253, 'must be at most 253 characters (DNS limit)')
      .regex(
        new RegExp(`^(?:${[LOWER_CASE_DNS_NAME, IPV4_ADDRESS, IPV6_ADDRESS].map((p) => p.source).join('|')})$`),
        'must be the DNS name (lower case) or IP address that records, origins or backends name, such as ' +
          'partner.example.net',
      )
      .meta({ description: 'DNS name or IP address exactly as the record, origin or backend names it.' }),
    jurisdiction: jurisdictionKey.meta({
      description:
        "Jurisdiction the endpoint serves from (a residency key), or 'none' when it is in none: residency " +
        'clients reaching it are then refused.',
    }),
    failoverSeconds: z
      .number()
      .int('must be a whole number of seconds')
      .positive('must be > 0')
      .max(3600, 'must be ≤ 3600')
      .meta({
        description:
          'Worst-case seconds the endpoint needs to move traffic off a failure of its own; counted as the ' +
          'failover time of every path ending there.',
      }),
  })
  .meta({ description: 'An endpoint outside the stacks, declared so the routing proofs can place it.' });

/** An endpoint outside the stacks, as declared for the routing proofs (validated, defaults filled in). */
export type ExternalEndpointSpec = z.output<typeof ExternalEndpointSchema>;
