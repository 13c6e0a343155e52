/*
 * `diagram`: the routing topology as a Mermaid flowchart that renders in a GitHub pull request:
 * client groups -> front door -> record sets / pools -> regions -> endpoints.
 *
 * Mermaid rules followed: every label quoted, `"` `<` `>` `|` written as entities; node ids are generated
 * (`n1`, `n2`, ...) so no id is a reserved word (`end`, `graph`, `subgraph`, `default`, ...).
 */
import type { RoutingReport } from './analyze';
import type { Answer, PathStep } from './model';

/** Options of {@link routingDiagram}: the layout of the Mermaid flowchart. */
export interface DiagramOptions {
  /** Flowchart direction. @default 'LR' */
  readonly direction?: 'LR' | 'TB';
  /** Client groups listed in one node before "+N". @default 6 */
  readonly maxClientsPerNode?: number;
}

type Shape = 'box' | 'round' | 'stadium' | 'hexagon';

/** The Mermaid source of the routing topology, with client groups attached by their normal-operation answer. */
export function routingDiagram(report: RoutingReport, options: DiagramOptions = {}): string {
  const g = report.graph;
  const ids = new Map<string, string>();
  const id = (key: string) => {
    let v = ids.get(key);
    if (!v) ids.set(key, (v = `n${ids.size + 1}`));
    return v;
  };
  const nodes = new Map<
    string,
    { label: string; shape: Shape; group: 'clients' | 'doors' | 'regions' | 'endpoints' }
  >();
  const edges: { from: string; to: string; label?: string; dotted?: boolean }[] = [];
  const edgeKeys = new Set<string>();
  const addEdge = (e: { from: string; to: string; label?: string; dotted?: boolean }) => {
    const key = `${e.from}|${e.to}|${e.label ?? ''}`;
    if (edgeKeys.has(key)) return;
    edgeKeys.add(key);
    edges.push(e);
  };

  // Only what belongs to the service: its regions, and the endpoints some answer lands on (a load balancer of an
  // unrelated stack in the same app is not drawn under a region of the service).
  const landed = new Set(report.answers.flatMap((a) => a.landings.map((l) => l.endpoint)));
  const drawn = g.endpoints.filter((e) => landed.has(e.address));
  const regions = new Set([...Object.keys(g.intent.regions), ...drawn.map((e) => e.region)]);
  for (const region of g.regions.filter((r) => regions.has(r))) {
    const j = g.intent.regions[region]?.jurisdiction;
    nodes.set(`region:${region}`, { label: `${region}${j ? ` (${j})` : ''}`, shape: 'round', group: 'regions' });
  }
  for (const e of drawn) {
    nodes.set(`endpoint:${e.address}`, { label: e.address, shape: 'box', group: 'endpoints' });
    addEdge({ from: `region:${e.region}`, to: `endpoint:${e.address}` });
  }

  const entries = new Map<string, string>();
  for (const fd of g.frontDoors) {
    const part = fd.diagram();
    entries.set(fd.label, part.entry);
    for (const n of part.nodes)
      if (!nodes.has(n.id)) nodes.set(n.id, { label: n.label, shape: n.shape ?? 'box', group: 'doors' });
    for (const e of part.edges) {
      for (const end of [e.from, e.to]) {
        if (nodes.has(end)) continue;
        if (end.startsWith('region:'))
          nodes.set(end, { label: end.slice('region:'.length), shape: 'round', group: 'regions' });
        else nodes.set(end, { label: end.replace(/^endpoint:/, ''), shape: 'box', group: 'endpoints' });
      }
      addEdge(e);
    }
  }

  // Client groups: one node per jurisdiction and first hop in every front door.
  const max = options.maxClientsPerNode ?? 6;
  const clientNodes = new Map<string, { jurisdiction?: string; labels: string[]; hops: Map<string, string> }>();
  const normal = report.answers.filter((a) => a.scenario.kind === 'normal');
  const byClient = new Map<string, Answer[]>();
  for (const a of normal) byClient.set(a.client.id, [...(byClient.get(a.client.id) ?? []), a]);
  for (const client of report.clients) {
    const hops = new Map<string, string>();
    for (const a of byClient.get(client.id) ?? []) hops.set(a.frontDoor, firstHop(a));
    const key = `${client.jurisdiction ?? ''}|${[...hops].map(([f, h]) => `${f}=${h}`).join(';')}`;
    const entry = clientNodes.get(key) ?? { jurisdiction: client.jurisdiction, labels: [], hops };
    entry.labels.push(client.jurisdiction ? client.label.slice(client.jurisdiction.length + 2) : client.label);
    clientNodes.set(key, entry);
  }
  let i = 0;
  for (const c of clientNodes.values()) {
    const key = `clients:${i++}`;
    const shown =
      c.labels.length <= max ? c.labels.join(', ') : `${c.labels.slice(0, max).join(', ')} +${c.labels.length - max}`;
    nodes.set(key, {
      label: `${c.jurisdiction ? `${c.jurisdiction}: ` : ''}${shown}`,
      shape: 'stadium',
      group: 'clients',
    });
    for (const [frontDoor, hop] of c.hops) {
      const entry = entries.get(frontDoor);
      if (entry) addEdge({ from: key, to: entry, label: hop });
    }
  }

  const lines = [`flowchart ${options.direction ?? 'LR'}`];
  const groups: [string, string][] = [
    ['clients', 'Client groups'],
    ['doors', 'Front doors'],
    ['regions', 'Regions'],
    ['endpoints', 'Endpoints'],
  ];
  for (const [group, title] of groups) {
    const members = [...nodes].filter(([, n]) => n.group === group);
    if (members.length === 0) continue;
    lines.push(`  subgraph sg_${group}["${escapeLabel(title)}"]`);
    for (const [key, n] of members) lines.push(`    ${id(key)}${shape(n.shape, escapeLabel(n.label))}`);
    lines.push('  end');
  }
  for (const e of edges) {
    const arrow = e.dotted ? '-.->' : '-->';
    lines.push(`  ${id(e.from)} ${arrow}${e.label ? `|"${escapeLabel(e.label)}"|` : ''} ${id(e.to)}`);
  }
  return lines.join('\n');
}

/** The hop that decides where a client group enters the front door, generalised (`geolocation country (own)`). */
function firstHop(a: Answer): string {
  const path: readonly PathStep[] =
    a.landings.find((l) => !l.possible && l.share > 0)?.path ?? a.landings[0]?.path ?? [];
  const hop =
    path.find((s) => s.clientSpecific) ??
    path.find((s) => !s.note?.startsWith('passed over') && !s.label.startsWith('Cloudflare load balancer'));
  if (!hop) return a.noAnswer ? 'no answer' : 'direct';
  const text = hop.label.split(' -> ')[0];
  const withoutName =
    text.includes(' ') && !text.startsWith('country_pools') && !text.startsWith('region_pools')
      ? text.slice(text.indexOf(' ') + 1)
      : text;
  return hop.clientSpecific
    ? withoutName.replace(/=[A-Z0-9*-]+/, ' (own)').replace(/\[[A-Z0-9-]+\]/, ' (own)')
    : withoutName;
}

function shape(kind: Shape, label: string): string {
  switch (kind) {
    case 'round':
      return `("${label}")`;
    case 'stadium':
      return `(["${label}"])`;
    case 'hexagon':
      return `{{"${label}"}}`;
    default:
      return `["${label}"]`;
  }
}

/** Mermaid entity codes for characters that break a quoted label or read as HTML. */
export function escapeLabel(text: string): string {
  return text
    .replace(/"/g, '#quot;')
    .replace(/</g, '#lt;')
    .replace(/>/g, '#gt;')
    .replace(/\|/g, '#124;')
    .replace(/\n/g, ' ');
}
