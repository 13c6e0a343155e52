/* explain, diagram and diff: the strings the CLI prints. */
import { analyzeRouting } from '../../lib/analysis/analyze';
import { routingDiagram } from '../../lib/analysis/diagram';
import { diffRouting, diffSynth, planChanges, type PlanJson } from '../../lib/analysis/diff';
import { explainRouting } from '../../lib/analysis/explain';
import { buildExampleApp } from '../../examples/example-app';
import { editableStacks, resourcesLike, synthToTemp } from './fixtures';
import { regex } from '../support/regex';

const euResidency = synthToTemp((o) => buildExampleApp('eu-residency', o));
const cloudflareEu = synthToTemp((o) => buildExampleApp('cloudflare-eu', o));
const weighted = synthToTemp((o) => buildExampleApp('weighted', o));

/** Structural check of Mermaid flowchart syntax (the mermaid package is not a dependency). */
function checkMermaid(source: string): { nodes: Map<string, string>; edges: [string, string, string | undefined][] } {
  const lines = source.split('\n');
  expect(lines[0]).toMatch(/^flowchart (LR|TB)$/);
  const nodes = new Map<string, string>();
  const edges: [string, string, string | undefined][] = [];
  let depth = 0;
  const label = '"([^"<>|]*)"';
  const nodeLine = new RegExp(
    `^\\s+(n\\d+)(?:\\[${label}\\]|\\(${label}\\)|\\(\\[${label}\\]\\)|\\{\\{${label}\\}\\})$`,
  );
  const edgeLine = new RegExp(`^\\s+(n\\d+) (?:-->|-\\.->)(?:\\|${label}\\|)? (n\\d+)$`);
  for (const line of lines.slice(1)) {
    if (/^\s+subgraph sg_[a-z]+\["[^"<>]*"\]$/.test(line)) depth++;
    else if (/^\s+end$/.test(line)) depth--;
    else if (nodeLine.test(line)) {
      const m = nodeLine.exec(line)!;
      expect(nodes.has(m[1])).toBe(false);
      nodes.set(m[1], m[2] ?? m[3] ?? m[4] ?? m[5]);
    } else if (edgeLine.test(line)) {
      const m = edgeLine.exec(line)!;
      edges.push([m[1], m[3], m[2]]);
    } else throw new Error(`not a Mermaid flowchart line: ${JSON.stringify(line)}`);
    expect(depth).toBeGreaterThanOrEqual(0);
  }
  expect(depth).toBe(0);
  for (const [from, to] of edges) {
    expect(nodes.has(from)).toBe(true);
    expect(nodes.has(to)).toBe(true);
  }
  return { nodes, edges };
}

describe('diagram', () => {
  it('is a well-formed Mermaid flowchart: client groups -> front door -> record sets -> regions -> endpoints', () => {
    const report = analyzeRouting(euResidency);
    const { nodes, edges } = checkMermaid(routingDiagram(report));
    const labels = [...nodes.values()];
    const find = (re: RegExp) => [...nodes].find(([, l]) => re.test(l))?.[0];
    const eu = find(/^eu: AT, BE/)!;
    const entry = find(/^inference.example.com \(geolocation\)$/)!;
    const euSet = find(/^eu.inference.example.com \(latency\)$/)!;
    const region = find(/^eu-west-1 \(eu\)$/)!;
    const alb = find(/^aws_lb.Service_Endpoint-eu-west-1_/)!;
    expect([eu, entry, euSet, region, alb]).toAllSatisfy(Boolean);
    expect(edges).toEqual(
      expect.arrayContaining([
        [eu, entry, 'geolocation country (own)'],
        [entry, euSet, expect.stringMatching(/^geolocation AT, BE, .* \(no ETH\)$/)],
        [euSet, region, 'latency eu-west-1 + hc'],
        [region, alb, undefined],
      ]),
    );
    expect(labels).toNoneSatisfy((l) => l.includes('<') || l.includes('"'));
  });

  it('shows Cloudflare pools and writes label characters Mermaid would misread as entities', () => {
    const report = analyzeRouting(cloudflareEu);
    const source = routingDiagram(report);
    const { nodes } = checkMermaid(source);
    expect([...nodes.values()]).toEqual(
      expect.arrayContaining(['Cloudflare inference.example.com (geo)', 'pool chat-cf-eu-west-1']),
    );
    expect(source).not.toMatch(/\b(end|graph|subgraph|default)\s*[[({]/);
  });
});

describe('explain', () => {
  it('tables normal operation, single failures (changes only), multiple failures and everything down', () => {
    const text = explainRouting(analyzeRouting(euResidency));
    expect(text).toContain('## Route53 inference.example.com');
    expect(text).toMatch(
      regex(
        /\| eu: AT, eu: BE, eu: BG, eu: CY, eu: CZ, eu: DE and 18 more \(24\) \| eu-central-1 \| /,
        /inference.example.com geolocation country=<own> → eu.inference.example.com latency eu-central-1 \|/,
      ),
    );
    expect(text).toMatch(/\| eu-west-1 down \| eu: ES, eu: IE, eu: PT \| eu-central-1 \|/);
    expect(text).toMatch(/7 of 10 scenarios: every client group still lands on a healthy region it may use/);
    expect(text).toMatch(/\| eu-central-1 \+ eu-west-1 down \| eu: AT, .* \| eu-central-1 \(down\) \|/);
    expect(text).toContain('Route53 answers anyway');
    expect(text).toMatch(/- PASS residency: jurisdictions eu/);
  });

  it('shows possible landings and the fallback for Cloudflare', () => {
    const text = explainRouting(analyzeRouting(cloudflareEu));
    expect(text).toContain('## Cloudflare inference.example.com');
    // lib/cloudflare lists a pool in the client's own country first (DE: Frankfurt), else the jurisdiction's order.
    expect(text).toMatch(
      regex(
        /\| eu: AT, eu: BE, .* \(26\) \| eu-west-1 \(possible: eu-central-1\) \| Cloudflare load balancer /,
        /inference.example.com \(geo steering, proxied\) → country_pools\[<own>\] → pool chat-cf-eu-west-1/,
      ),
    );
    expect(text).toMatch(/\| eu: DE \| eu-central-1 \(possible: eu-west-1\) \|/);
    expect(text).toContain('Cloudflare sends each client to the fallback pool');
  });
});

describe('diff', () => {
  it('flags a health check replaced by a new request_interval, and an address change as delete + create', () => {
    const before = editableStacks(euResidency);
    const after = editableStacks(euResidency);
    const aws = after[0];
    const [[check, body]] = resourcesLike(aws, 'aws_route53_health_check', 'Health-eu-west-1_Readiness');
    body.request_interval = 30;
    const records = aws.json.resource!.aws_route53_record as Record<string, unknown>;
    const [[moved]] = resourcesLike(aws, 'aws_route53_record', 'Latency-eu-eu-west-1');
    records[`${moved}_NEW`] = records[moved];
    delete records[moved];

    const diff = diffSynth(before, after);
    const replaced = diff.changes.find((c) => c.address === `aws_route53_health_check.${check}`)!;
    expect(replaced).toMatchObject({
      action: 'replace',
      changes: [{ path: 'request_interval', before: 10, after: 30 }],
    });
    expect(replaced.danger).toMatch(/^replaced: request_interval forces a new aws_route53_health_check/);
    expect(diff.changes.find((c) => c.address === `aws_route53_record.${moved}`)).toMatchObject({
      action: 'delete',
      movedTo: `aws_route53_record.${moved}_NEW`,
    });

    const text = diffRouting(before, after);
    expect(text).toMatch(
      /\*\*2 changes replace or remove live DNS records, health checks or pools: review before applying.\*\*/,
    );
    expect(text).toContain(`| \`aws_route53_health_check.${check}\` | replace | replaced: request_interval forces`);
    expect(text).toContain(`| \`aws_route53_record.${moved}\` | delete + create (address changed) |`);
  });

  it('treats in-place changes (failure_threshold, regions) as updates, not replacements', () => {
    const before = editableStacks(euResidency);
    const after = editableStacks(euResidency);
    const [[, body]] = resourcesLike(after[0], 'aws_route53_health_check', 'Health-eu-west-1_Readiness');
    Object.assign(body, { failure_threshold: 5, regions: ['us-east-1', 'eu-west-1', 'sa-east-1'] });
    const diff = diffSynth(before, after);
    expect(diff.changes.map((c) => [c.action, c.danger])).toEqual([['update', undefined]]);
    expect(diffRouting(before, after)).toContain('No live DNS record, health check or pool is replaced or removed.');
  });

  it('reviews weights with shares and the landing change', () => {
    const before = editableStacks(weighted);
    const after = editableStacks(weighted);
    const [[, record]] = resourcesLike(after[0], 'aws_route53_record', 'Weighted-us-west-2');
    (record.weighted_routing_policy as Record<string, number>).weight = 200;
    const text = diffRouting(before, after);
    expect(text).toContain('| inference.example.com | us-west-2 | 50 | 200 | 20% → 50% |');
    expect(text).toMatch(
      /\| Route53 inference.example.com \| .* \| us-east-1 80% · us-west-2 20% \| us-east-1 50% · us-west-2 50% \|/,
    );
  });

  it('flags replacements in a saved plan (delete + create in either order) with the attributes that force them', () => {
    const plan: PlanJson = {
      resource_changes: [
        {
          address: 'aws_route53_health_check.a',
          type: 'aws_route53_health_check',
          change: { actions: ['create', 'delete'], replace_paths: [['request_interval']] },
        },
        {
          address: 'aws_route53_record.b',
          type: 'aws_route53_record',
          change: { actions: ['delete', 'create'], replace_paths: [['name']] },
        },
        { address: 'aws_route53_record.c', type: 'aws_route53_record', change: { actions: ['update'] } },
        { address: 'aws_vpc.d', type: 'aws_vpc', change: { actions: ['no-op'] } },
      ],
    };
    expect(planChanges(plan).map((c) => [c.address, c.replace, c.routing])).toEqual([
      ['aws_route53_health_check.a', true, true],
      ['aws_route53_record.b', true, true],
      ['aws_route53_record.c', false, true],
    ]);
    const text = diffRouting(editableStacks(weighted), editableStacks(weighted), { plan });
    expect(text).toContain('**The plan replaces 2 and deletes 0 routing resources.**');
    expect(text).toContain('| `aws_route53_health_check.a` | create + delete | request_interval |');
  });
});

describe('diagram of a consumer app', () => {
  it('draws only what belongs to the service: not an unrelated stack’s load balancer nor its region', () => {
    const stacks = editableStacks(weighted);
    const shop = { aws_lb: { ShopAlb: { name: 'shop', load_balancer_type: 'application', subnets: ['subnet-1'] } } };
    stacks.push({ name: 'shop', json: { provider: { aws: [{ region: 'sa-east-1' }] }, resource: shop } });
    const report = analyzeRouting(stacks);
    // The analysis still sees it (a record could route to it: sound), the picture of the service does not.
    expect(report.graph.endpoints.map((e) => e.address)).toContain('aws_lb.ShopAlb');
    const diagram = routingDiagram(report);
    expect(diagram).not.toContain('ShopAlb');
    expect(diagram).not.toContain('sa-east-1');
    expect(diagram).toContain('us-east-1');
  });
});
