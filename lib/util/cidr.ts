/** Small IPv4 CIDR arithmetic for laying out subnets at synth time (no data sources, no network calls). */

export interface Ipv4Cidr {
  readonly base: number;
  readonly prefix: number;
}

export function parseIpv4Cidr(cidr: string): Ipv4Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr);
  if (!match) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  const octets = match.slice(1, 5).map(Number);
  const prefix = Number(match[5]);
  if (octets.some((o) => o > 255) || prefix > 32) throw new Error(`not an IPv4 CIDR block: ${cidr}`);
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefix);
  return { base: address - (address % size), prefix };
}

export function formatIpv4Cidr(cidr: Ipv4Cidr): string {
  const octets = [24, 16, 8, 0].map((shift) => Math.floor(cidr.base / 2 ** shift) % 256);
  return `${octets.join('.')}/${cidr.prefix}`;
}

/** The `index`-th block of size `/newPrefix` inside `parent` (like Terraform's cidrsubnet). */
export function subnetOf(parent: Ipv4Cidr, newPrefix: number, index: number): Ipv4Cidr {
  const count = 2 ** (newPrefix - parent.prefix);
  if (newPrefix < parent.prefix || newPrefix > 32 || index < 0 || index >= count) {
    throw new Error(`cannot take block ${index} of /${newPrefix} inside /${parent.prefix}`);
  }
  return { base: parent.base + index * 2 ** (32 - newPrefix), prefix: newPrefix };
}

/**
 * Splits a VPC block into one large private and one small public subnet per zone: private subnets take equal
 * blocks of the VPC, leaving the last block, which is split for the public subnets (they only hold ALB and NAT
 * interfaces). A /16 with three zones gives private /18s and public /20s.
 */
export function layoutSubnets(vpcCidr: string, zoneCount: number): { readonly private: string[]; readonly public: string[] } {
  const vpc = parseIpv4Cidr(vpcCidr);
  const privateBits = Math.ceil(Math.log2(zoneCount + 1));
  const publicBits = Math.max(1, Math.ceil(Math.log2(zoneCount)));
  const reserved = subnetOf(vpc, vpc.prefix + privateBits, 2 ** privateBits - 1);
  if (reserved.prefix + publicBits > 28) {
    throw new Error(`VPC block ${vpcCidr} is too small for ${zoneCount} zones (public subnets would be smaller than /28)`);
  }
  const privateCidrs = Array.from({ length: zoneCount }, (_, i) => formatIpv4Cidr(subnetOf(vpc, vpc.prefix + privateBits, i)));
  const publicCidrs = Array.from({ length: zoneCount }, (_, i) => formatIpv4Cidr(subnetOf(reserved, reserved.prefix + publicBits, i)));
  return { private: privateCidrs, public: publicCidrs };
}
