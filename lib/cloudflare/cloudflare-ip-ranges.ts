/**
 * The address ranges Cloudflare connects to origins from, as Cloudflare publishes them, for the ALB security group
 * when Cloudflare is the front door (the ALB then accepts 443 from these ranges only).
 */
export interface CloudflareIpRanges {
  /** Date the list was taken (ISO 8601). A list older than a few months deserves a check against the source. */
  readonly takenOn: string;
  /** Where the list comes from. */
  readonly source: string;
  readonly ipv4: readonly string[];
  readonly ipv6: readonly string[];
}

/**
 * Cloudflare's published ranges, taken 2026-09-29 from https://www.cloudflare.com/ips/ (the same list the API returns
 * at https://api.cloudflare.com/client/v4/ips). The list changes rarely, but a stale list blocks new Cloudflare
 * addresses: refresh it with `curl -s https://api.cloudflare.com/client/v4/ips`, or pass your own to {@link
 * cloudflareIpRanges}.
 */
export const CLOUDFLARE_IP_RANGES: CloudflareIpRanges = {
  takenOn: '2026-09-29',
  source: 'https://www.cloudflare.com/ips/',
  ipv4: [
    '173.245.48.0/20',
    '103.21.244.0/22',
    '103.22.200.0/22',
    '103.31.4.0/22',
    '141.101.64.0/18',
    '108.162.192.0/18',
    '190.93.240.0/20',
    '188.114.96.0/20',
    '197.234.240.0/22',
    '198.41.128.0/17',
    '162.158.0.0/15',
    '104.16.0.0/13',
    '104.24.0.0/14',
    '172.64.0.0/13',
    '131.0.72.0/22',
  ],
  ipv6: [
    '2400:cb00::/32',
    '2606:4700::/32',
    '2803:f800::/32',
    '2405:b500::/32',
    '2405:8100::/32',
    '2a06:98c0::/29',
    '2c0f:f248::/32',
  ],
};

/**
 * The ranges to allow: the shipped list, or yours (e.g. freshly fetched, or with IPv6 dropped), checked to be CIDR
 * blocks of the right family. Throws with every bad entry listed.
 */
export function cloudflareIpRanges(override?: Partial<CloudflareIpRanges>): CloudflareIpRanges {
  const ranges = { ...CLOUDFLARE_IP_RANGES, ...override };
  const bad = [
    ...ranges.ipv4.filter((c) => !IPV4_CIDR.test(c)).map((c) => `ipv4: ${JSON.stringify(c)} is not an IPv4 CIDR block`),
    ...ranges.ipv6.filter((c) => !IPV6_CIDR.test(c)).map((c) => `ipv6: ${JSON.stringify(c)} is not an IPv6 CIDR block`),
  ];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(ranges.takenOn))
    bad.push(`takenOn: ${JSON.stringify(ranges.takenOn)} is not a date such as 2026-09-29`);
  if (ranges.ipv4.length + ranges.ipv6.length === 0)
    bad.push('the list is empty, which would block Cloudflare entirely');
  if (bad.length > 0) throw new Error(`Cloudflare IP ranges are invalid:\n  - ${bad.join('\n  - ')}`);
  return ranges;
}

const IPV4_CIDR = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)\/(?:3[0-2]|[12]?\d)$/;
const IPV6_CIDR = /^[0-9a-fA-F:]+:[0-9a-fA-F:]*\/(?:12[0-8]|1[01]\d|\d?\d)$/;
