/*
 * `explain`: where traffic lands per client group and failure scenario, as Markdown tables. Client groups with the
 * same outcome share a row, and failures that change nothing are summarised, so 30 regions stay readable.
 */
import type { RoutingReport } from './analyze';
import type { Answer, Landing } from './model';
import { list } from './proofs';
import { plural } from '../util/strings';
import { formatWhatToDo, whatToDo } from './what-to-do';

/** Options of {@link explainRouting}: how long its tables get, and whether possible landings are shown. */
export interface ExplainOptions {
  /** Rows per table before the rest is summarised. @default 60 */
  readonly maxRows?: number;
  /** Show possible landings (adaptive routing, rule overrides). @default true */
  readonly showPossible?: boolean;
}

/** What a front door answers when every region is down, by kind. */
const EVERY_REGION_DOWN: Readonly<Partial<Record<string, string>>> = {
  route53: 'Route53 answers anyway (every record unhealthy counts as healthy)',
  cloudflare: 'Cloudflare sends each client to the fallback pool, healthy or not',
};

/** The readable table of where traffic lands, per front door, client group and failure scenario. */
export function explainRouting(report: RoutingReport, options: ExplainOptions = {}): string {
  const maxRows = options.maxRows ?? 60;
  const showPossible = options.showPossible ?? true;
  const g = report.graph;
  const out: string[] = [];
  out.push('# Where traffic lands');
  out.push('');
  out.push(
    `Stacks: ${g.stacks.map((s) => s.name).join(', ')} · regions: ${g.regions.join(', ') || 'none'} · ` +
      `${plural(report.clients.length, 'client group')} · ` +
      `${plural(report.scenarios.length, 'failure scenario')}${jurisdictionLine(report)}`,
  );
  if (g.frontDoors.length === 0) {
    out.push('', 'No front door found (no public Route53 routing name, no Cloudflare load balancer).');
    return out.join('\n');
  }
  for (const fd of g.frontDoors) {
    const answers = report.answers.filter((a) => a.frontDoor === fd.label);
    const normal = new Map(answers.filter((a) => a.scenario.kind === 'normal').map((a) => [a.client.id, a]));
    out.push('', `## ${fd.label}`, '');

    out.push('### Normal operation', '');
    out.push(...table(['client groups', 'lands in', 'via'], rows([...normal.values()], showPossible), maxRows));

    const singles = report.scenarios.filter((s) => s.kind === 'single');
    const unchanged: string[] = [];
    const changedRows: string[][] = [];
    for (const s of singles) {
      const changed = answers.filter(
        (a) => a.scenario.id === s.id && outcome(a, showPossible) !== outcome(normal.get(a.client.id), showPossible),
      );
      if (changed.length === 0) unchanged.push(s.label);
      else for (const r of rows(changed, showPossible)) changedRows.push([s.label, ...r]);
    }
    out.push('', '### One region down (client groups whose answer changes)', '');
    if (changedRows.length > 0)
      out.push(...table(['scenario', 'client groups', 'lands in', 'via'], changedRows, maxRows));
    if (unchanged.length > 0) out.push('', `No client group's answer changes when ${list(unchanged, 8)}.`);

    const multiple = report.scenarios.filter((s) => s.kind === 'multiple');
    const witnessesOnly =
      report.scenarios.length < 2 ** report.graph.regions.length
        ? ': the witnesses of violations; the proofs cover every combination'
        : '';
    if (multiple.length > 0) {
      const notable: string[][] = [];
      let quiet = 0;
      for (const s of multiple) {
        const bad = answers.filter((a) => a.scenario.id === s.id && (!served(a) || leaves(a, report)));
        if (bad.length === 0) quiet++;
        else for (const r of rows(bad, showPossible)) notable.push([s.label, ...r]);
      }
      out.push('', `### Several regions down (${plural(multiple.length, 'scenario')}${witnessesOnly})`, '');
      if (quiet > 0)
        out.push(
          `${quiet} of ${plural(multiple.length, 'scenario')}: every client group still lands on a healthy region ` +
            'it may use.',
        );
      if (notable.length > 0)
        out.push(
          '',
          'Client groups left without a healthy region, or sent outside their jurisdiction:',
          '',
          ...table(['scenario', 'client groups', 'lands in', 'via'], notable, maxRows),
        );
    }

    const all = answers.filter((a) => a.scenario.kind === 'all');
    if (all.length > 0) {
      out.push('', '### Every region down', '');
      out.push(`${EVERY_REGION_DOWN[fd.kind] ?? 'What the front door does'}:`, '');
      out.push(...table(['client groups', 'answered with', 'via'], rows(all, showPossible), maxRows));
    }

    const reachable = report.reachable.filter((r) => r.frontDoor === fd.label);
    if (reachable.length > 0) {
      out.push('', '### Residency over every health state', '');
      out.push(
        ...table(
          ['jurisdiction', 'client groups', 'can reach (any combination of health states)'],
          reachable.map((r) => [
            r.jurisdiction,
            String(r.clients),
            r.destinations
              .map((d) =>
                report.graph.intent.regions[d] ? `${d} (${report.graph.intent.regions[d].jurisdiction ?? 'none'})` : d,
              )
              .join(', ') || 'nothing',
          ]),
          maxRows,
        ),
      );
    }

    const paths = report.failoverPaths.filter((p) => p.frontDoor === fd.label);
    if (paths.length > 0) {
      out.push('', '### Failover time (worst case, every path in every health state)', '');
      const slo = report.sloFailoverSeconds;
      out.push(
        ...table(
          [
            'region failing',
            'after',
            'seconds',
            slo !== undefined ? `within ${slo} s` : 'budget',
            'client groups',
            'how',
          ],
          [...paths]
            .sort((a, b) => a.region.localeCompare(b.region) || (a.scenario ?? '').length - (b.scenario ?? '').length)
            .map((p) => [
              p.region,
              p.scenario ?? 'normal operation',
              seconds(p.seconds),
              slo === undefined ? '-' : p.seconds <= slo ? 'yes' : '**no**',
              list(p.clients, 4),
              p.breakdown,
            ]),
          maxRows,
        ),
      );
    }
  }
  if (report.probeLoad.length > 0) {
    out.push('', '## Health-probe load per origin', '');
    out.push(
      ...table(
        ['origin', 'requests/s', 'from'],
        report.probeLoad.map((l) => [
          l.origin,
          String(l.requestsPerSecond),
          l.sources.map((s) => `${s.resource}: ${round(s.requestsPerSecond)}/s (${s.derivation})`).join('<br>'),
        ]),
        maxRows,
      ),
    );
  }
  out.push('', '## Proofs', '');
  for (const p of report.proofs)
    out.push(
      `- ${p.passed ? 'PASS' : '**FAIL**'} ${p.name}: ` +
        `${p.summary}${p.passed ? '' : ` (${plural(p.violations.length, 'violation')})`}`,
    );
  for (const v of report.violations) out.push(`  - ${v.message}`);
  const todo = formatWhatToDo(whatToDo(report.violations), '## What to do\n');
  if (todo) out.push('', todo);
  if (g.warnings.length > 0) out.push('', '## Warnings', '', ...g.warnings.map((w) => `- ${w}`));
  return out.join('\n');
}

function jurisdictionLine(report: RoutingReport): string {
  const r = report.graph.intent.residency;
  const keys = Object.keys(r);
  return keys.length > 0
    ? ' · residency: ' +
        `${keys.map((k) => `${k} (${plural([...r[k].countries, ...r[k].continents].length, 'location')})`).join(', ')}`
    : '';
}

/** One row per distinct outcome: [client groups, lands in, via]. */
function rows(answers: readonly Answer[], showPossible: boolean): string[][] {
  const grouped = new Map<string, { clients: string[]; lands: string; via: string }>();
  for (const a of answers) {
    const key = `${outcome(a, showPossible)}|${via(a)}`;
    const g = grouped.get(key) ?? { clients: [], lands: lands(a, showPossible), via: via(a) };
    g.clients.push(a.client.label);
    grouped.set(key, g);
  }
  return [...grouped.values()].map((g) => [
    list(g.clients, 6) + (g.clients.length > 6 ? ` (${g.clients.length})` : ''),
    g.lands,
    g.via,
  ]);
}

/** What the client gets, for comparing scenarios (ignores how). */
function outcome(a: Answer | undefined, showPossible: boolean): string {
  return a ? lands(a, showPossible) : '';
}

function lands(a: Answer, showPossible: boolean): string {
  if (a.landings.length === 0) return `no answer${a.noAnswer ? ` (${a.noAnswer})` : ''}`;
  const main = a.landings.filter((l) => !l.possible && l.share > 0);
  const shares = new Map<string, number>();
  for (const l of main) shares.set(name(l), (shares.get(name(l)) ?? 0) + l.share);
  const text = [...shares].map(([n, s]) => (shares.size > 1 ? `${n} ${Math.round(s * 100)}%` : n)).join(' · ');
  const possible = showPossible
    ? [...new Set(a.landings.filter((l) => l.possible).map(name))].filter((n) => !shares.has(n))
    : [];
  return `${text || 'nothing'}${possible.length > 0 ? ` (possible: ${possible.join(', ')})` : ''}`;
}

function name(l: Landing): string {
  if (l.failClosed) return 'fail-closed';
  const where = l.region ?? l.endpoint;
  return l.up ? where : `${where} (down)`;
}

/** The path of the main landing(s), compactly: record set and policy per hop. */
function via(a: Answer): string {
  const main = a.landings.filter((l) => !l.possible && l.share > 0);
  const paths = [
    ...new Set(
      main.map((l) =>
        l.path
          .filter((s) => !s.note?.startsWith('passed over'))
          .map(short)
          .join(' → '),
      ),
    ),
  ];
  const notes = [...new Set(main.flatMap((l) => l.path.map((s) => s.note).filter((n): n is string => !!n)))];
  return (
    `${paths.slice(0, 2).join('<br>')}${paths.length > 2 ? `<br>+${paths.length - 2} more` : ''}` +
    `${notes.length > 0 ? `<br>_${notes.join('; ')}_` : ''}`
  );
}

/** The hop without its target; a client's own location mapping generalised so groups sharing a path share a row. */
function short(step: { label: string; clientSpecific?: boolean }): string {
  const label = step.label.split(' -> ')[0];
  return step.clientSpecific ? label.replace(/=[A-Z0-9*-]+/, '=<own>').replace(/\[[A-Z0-9-]+\]/, '[<own>]') : label;
}

function served(a: Answer): boolean {
  return a.landings.some((l) => !l.possible && l.share > 0 && l.up);
}

function leaves(a: Answer, report: RoutingReport): boolean {
  const j = a.client.jurisdiction;
  if (!j) return false;
  return a.landings.some(
    (l) => !l.failClosed && (!l.region || report.graph.intent.regions[l.region]?.jurisdiction !== j),
  );
}

function seconds(s: number): string {
  return Number.isFinite(s) ? String(s) : 'never';
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

/** A Markdown table, capped at `maxRows` with a closing summary row. */
export function table(header: readonly string[], body: readonly (readonly string[])[], maxRows: number): string[] {
  const esc = (c: string) => c.replace(/\|/g, '\\|').replace(/\n/g, ' ');
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const row of body.slice(0, maxRows)) lines.push(`| ${row.map(esc).join(' | ')} |`);
  if (body.length > maxRows)
    lines.push(
      `| … ${body.length - maxRows} more rows |${header
        .slice(1)
        .map(() => ' ')
        .join('|')}|`,
    );
  return lines;
}
