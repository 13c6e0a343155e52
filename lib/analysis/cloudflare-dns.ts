/*
 * Plain Cloudflare DNS records (`cloudflare_dns_record`, and the 4.x `cloudflare_record`) as a front door: at the
 * service name when the spec puts it in Cloudflare, and at the hostname of a disabled load balancer. Cloudflare
 * documents that an enabled load balancer takes precedence over DNS records of the same name, and that a disabled
 * one leaves its name to them ("DNS records for load balancing"), so records are a front door only where no enabled
 * load balancer answers. A/AAAA contents are addresses outside the stacks (placed only by a declaration); a CNAME to
 * a name in a Route53 zone of the stacks is followed through Route53 (every health state), whatever name it is; to
 * another regional name (by the intent) lands in its region, to anything else is unplaced.
 */
import { isExpression, normalizeDnsName, resourcesOfType, str } from './input';
import type {
  ClientGroup,
  Detection,
  DiagramPart,
  FailoverPath,
  GraphContext,
  HealthState,
  Landing,
  PathStep,
  ReachPath,
} from './model';
import { buildRoute53Model } from './route53-model';
import { Route53Lookup } from './route53-health';
import { Route53Reach } from './route53-reach';
import { Route53Evaluator } from './route53-resolve';
import { pathFailover } from './route53-timing';
import { buildCloudflareModel } from './cloudflare-model';

interface DnsRecord {
  readonly address: string;
  readonly name: string;
  readonly type: string;
  readonly content: string;
  readonly contentKnown: boolean;
}

function dnsRecords(context: GraphContext): DnsRecord[] {
  const out: DnsRecord[] = [];
  for (const type of ['cloudflare_dns_record', 'cloudflare_record']) {
    for (const r of resourcesOfType(context.stacks, type)) {
      const t = (str(r.config.type) ?? '').toUpperCase();
      if (!['A', 'AAAA', 'CNAME'].includes(t)) continue;
      const content = str(r.config.content) ?? str(r.config.value) ?? '';
      out.push({
        address: r.address,
        name: normalizeDnsName(str(r.config.name) ?? ''),
        type: t,
        content: normalizeDnsName(content),
        contentKnown: content !== '' && !isExpression(content),
      });
    }
  }
  return out;
}

/** Whether a record's name is the hostname (a fully qualified name, or one relative to the zone). */
function names(record: DnsRecord, hostname: string): boolean {
  return (
    record.name === hostname ||
    record.name === '@' ||
    (!record.name.includes('.') && hostname.startsWith(`${record.name}.`))
  );
}

/** Front doors of plain Cloudflare DNS records. */
export function cloudflareDnsFrontDoors(context: GraphContext) {
  const records = dnsRecords(context);
  if (records.length === 0) return [];
  const lbs = buildCloudflareModel(context.stacks, (h) => context.regionOfHost(h)).loadBalancers;
  const hostnames = new Set<string>();
  if (context.intent.domain && (context.intent.frontDoor === 'cloudflare' || context.intent.frontDoor === 'both'))
    hostnames.add(normalizeDnsName(context.intent.domain));
  for (const lb of lbs) if (!lb.enabled) hostnames.add(lb.hostname);
  for (const lb of lbs) if (lb.enabled) hostnames.delete(lb.hostname);
  const model = buildRoute53Model(context.stacks);
  const lookup = new Route53Lookup(model, context);
  const reach = new Route53Reach(model, context, lookup);
  const evaluator = new Route53Evaluator(model, context, lookup);
  return [...hostnames].flatMap((hostname) => {
    const mine = records.filter((r) => names(r, hostname));
    if (mine.length === 0) return [];
    const label = `Cloudflare DNS ${hostname}`;
    const step = (r: DnsRecord): PathStep => ({
      address: r.address,
      label: `${hostname} ${r.type} ${r.content || '(unknown at synth)'}`,
    });
    const place = (r: DnsRecord): ReachPath['landing'] => {
      if (!r.contentKnown) return { endpoint: r.address, unplaced: `${r.address}: its content is not known at synth` };
      const region = r.type === 'CNAME' ? context.regionOfHost(r.content) : undefined;
      if (region) return { region, endpoint: r.content };
      const declared = context.declaredEndpoint(r.content);
      return declared
        ? { endpoint: r.content, declared }
        : { endpoint: r.content, unplaced: `${r.address} points to ${r.content}, which is outside the stacks` };
    };
    // A name in a zone of the stacks is always followed through Route53 (a regional name can be re-pointed there).
    const viaRoute53 = (r: DnsRecord, client: ClientGroup) =>
      r.type === 'CNAME' && r.contentKnown ? lookup.zonesFor(client, r.content) : [];
    return [
      {
        kind: 'cloudflare-dns',
        id: `cloudflare-dns:${hostname}`,
        label,
        resources: mine.map((r) => r.address),
        resolve(client: ClientGroup, health: HealthState): { landings: Landing[]; noAnswer?: string; notes: string[] } {
          const landings: Landing[] = [];
          for (const r of mine) {
            const zones = viaRoute53(r, client);
            if (zones.length > 0) {
              for (const z of zones)
                for (const l of evaluator.resolveEntry(z, r.content, client, health).landings)
                  landings.push({ ...l, share: l.share / mine.length / zones.length, path: [step(r), ...l.path] });
              continue;
            }
            const l = place(r);
            landings.push({
              ...l,
              share: 1 / mine.length,
              up: l.region ? !health.failed.has(l.region) : true,
              path: [step(r)],
            });
          }
          return { landings, notes: [] };
        },
        reach(client: ClientGroup): ReachPath[] {
          const out: ReachPath[] = [];
          for (const r of mine) {
            const zones = viaRoute53(r, client);
            if (zones.length > 0)
              for (const z of zones)
                for (const p of reach.entry(z, r.content, client)) out.push({ ...p, path: [step(r), ...p.path] });
            else out.push({ landing: place(r), path: [step(r)], conditions: [], kind: 'answer' });
          }
          return out;
        },
        pathFailover(path: ReachPath): Detection {
          const l = path.landing;
          if (l.declared)
            return {
              seconds: l.declared.failoverSeconds,
              breakdown:
                `${l.endpoint} is declared to fail over within ${l.declared.failoverSeconds} s ` +
                `(${l.declared.declaredBy})`,
              resources: [path.path[0].address],
              causes: [{ kind: 'declared', endpoint: l.declared }],
            };
          if (!l.region)
            return {
              seconds: Number.POSITIVE_INFINITY,
              breakdown: `unknown: ${l.unplaced ?? `${l.endpoint} is not placed`}`,
              resources: [path.path[0].address],
              causes: [{ kind: 'undetected', why: l.unplaced ?? 'not placed' }],
            };
          // A plain record never fails over; records followed through Route53 fail over there.
          return pathFailover(model, context, path.path, l.region);
        },
        failoverPaths: (): FailoverPath[] => [],
        probes: () => [],
        diagram(): DiagramPart {
          const entry = `cfdns:${hostname}`;
          return {
            nodes: [{ id: entry, label, shape: 'stadium' }],
            edges: mine.map((r) => ({
              from: entry,
              to: context.regionOfHost(r.content)
                ? `region:${context.regionOfHost(r.content)}`
                : `endpoint:${r.content || r.address}`,
              label: r.type,
            })),
            entry,
          };
        },
        locations: () => ({ countries: [], continents: [], subdivisions: [], cloudflareRegions: [] }),
      },
    ];
  });
}
