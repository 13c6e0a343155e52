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

/** ELB needs a subnet of at least /27 (with 8 free addresses) in each zone of a load balancer. */
export const MIN_ALB_SUBNET_PREFIX = 27;
/** AWS reserves 5 addresses of every subnet (network, router, DNS, future use, broadcast). */
export const AWS_RESERVED_SUBNET_ADDRESSES = 5;
/** The VPC blocks the library creates: /16 (largest) to /22 (smallest). */
export const LARGEST_VPC_PREFIX = 16;
export const SMALLEST_VPC_PREFIX = 22;

/**
 * The prefixes {@link layoutSubnets} gives a VPC block of `/vpcPrefix` over `zoneCount` zones: private subnets take
 * equal blocks of the VPC (one per zone, plus one more), the last of those blocks is split for the public subnets.
 */
export function subnetPrefixes(
  vpcPrefix: number,
  zoneCount: number,
): { readonly privatePrefix: number; readonly publicPrefix: number } {
  const privateBits = Math.ceil(Math.log2(zoneCount + 1));
  const publicBits = Math.max(1, Math.ceil(Math.log2(zoneCount)));
  return { privatePrefix: vpcPrefix + privateBits, publicPrefix: vpcPrefix + privateBits + publicBits };
}

/** Addresses of a `/prefix` subnet that instances can use (AWS reserves 5). */
export function usableAddresses(prefix: number): number {
  return Math.max(0, 2 ** (32 - prefix) - AWS_RESERVED_SUBNET_ADDRESSES);
}

/**
 * Whether the layout of a `/vpcPrefix` block gives ALB subnets of at least /27 and private subnets of
 * `privateAddresses` usable addresses.
 */
export function layoutFits(vpcPrefix: number, zoneCount: number, privateAddresses = 0): boolean {
  const { privatePrefix, publicPrefix } = subnetPrefixes(vpcPrefix, zoneCount);
  return publicPrefix <= MIN_ALB_SUBNET_PREFIX && usableAddresses(privatePrefix) >= privateAddresses;
}

/** The smallest VPC block (largest prefix, /16 to /22) whose layout fits, or undefined when not even a /16 does. */
export function smallestFittingVpcPrefix(zoneCount: number, privateAddresses = 0): number | undefined {
  for (let prefix = SMALLEST_VPC_PREFIX; prefix >= LARGEST_VPC_PREFIX; prefix--)
    if (layoutFits(prefix, zoneCount, privateAddresses)) return prefix;
  return undefined;
}

/**
 * Why the subnets laid out in `vpcCidr` over `zoneCount` zones cannot be deployed, or undefined: ALB subnets smaller
 * than /27, or private subnets with fewer usable addresses than `privateAddresses` (the GPU instances one zone may
 * have to hold). The message names the smallest block that works for that zone count.
 */
export function subnetLayoutProblem(vpcCidr: string, zoneCount: number, privateAddresses = 0): string | undefined {
  const vpc = parseIpv4Cidr(vpcCidr);
  if (layoutFits(vpc.prefix, zoneCount, privateAddresses)) return undefined;
  const { privatePrefix, publicPrefix } = subnetPrefixes(vpc.prefix, zoneCount);
  const fitting = smallestFittingVpcPrefix(zoneCount, privateAddresses);
  const remedy =
    fitting === undefined
      ? `no VPC block the library creates holds that (/${LARGEST_VPC_PREFIX} is the largest): lower capacity.max ` +
        'or bring your own network (vpcId and subnet ids)'
      : `use a /${fitting} or larger block for ${zoneCount} zones, such as ` +
        `${formatIpv4Cidr({ base: vpc.base - (vpc.base % 2 ** (32 - fitting)), prefix: fitting })}`;
  if (publicPrefix > MIN_ALB_SUBNET_PREFIX) {
    return (
      `gives public (ALB) subnets of /${publicPrefix} over ${zoneCount} zones; ELB needs at least a ` +
      `/${MIN_ALB_SUBNET_PREFIX} with 8 free addresses in each zone of a load balancer: ${remedy}`
    );
  }
  return (
    `gives private subnets of /${privatePrefix} over ${zoneCount} zones (${usableAddresses(privatePrefix)} ` +
    `usable addresses each, after the ${AWS_RESERVED_SUBNET_ADDRESSES} AWS reserves); each must hold up to ` +
    `${privateAddresses} GPU instances (one zone can end up with all of them): ${remedy}`
  );
}

/**
 * Splits a VPC block into one large private and one small public subnet per zone: private subnets take equal
 * blocks of the VPC, leaving the last block, which is split for the public subnets (they only hold ALB and NAT
 * interfaces). A /16 with three zones gives private /18s and public /20s. Refuses a layout whose public subnets
 * would be smaller than an ALB needs (/27); the spec and the constructs report that earlier, with a remedy.
 */
export function layoutSubnets(
  vpcCidr: string,
  zoneCount: number,
): { readonly private: string[]; readonly public: string[] } {
  const vpc = parseIpv4Cidr(vpcCidr);
  const { privatePrefix, publicPrefix } = subnetPrefixes(vpc.prefix, zoneCount);
  if (publicPrefix > MIN_ALB_SUBNET_PREFIX) {
    throw new Error(
      `VPC block ${vpcCidr} is too small for ${zoneCount} zones (public subnets would be /${publicPrefix}, an ` +
        `ALB needs at least /${MIN_ALB_SUBNET_PREFIX})`,
    );
  }
  const reserved = subnetOf(vpc, privatePrefix, 2 ** (privatePrefix - vpc.prefix) - 1);
  const privateCidrs = Array.from({ length: zoneCount }, (_, i) => formatIpv4Cidr(subnetOf(vpc, privatePrefix, i)));
  const publicCidrs = Array.from({ length: zoneCount }, (_, i) => formatIpv4Cidr(subnetOf(reserved, publicPrefix, i)));
  return { private: privateCidrs, public: publicCidrs };
}
