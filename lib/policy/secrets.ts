import { gunzipSync } from 'node:zlib';

/** A secret-looking piece of text, redacted for reports. */
export interface SecretMatch {
  /** What kind of secret, e.g. `AWS access key id`. */
  readonly kind: string;
  /** The match with most of it hidden: never print a secret into a report or CI log. */
  readonly redacted: string;
  /** A known credential format (certain) or only a long high-entropy literal (a heuristic). */
  readonly confidence: 'pattern' | 'entropy';
}

/** Credential formats with a recognisable shape. */
const PATTERNS: readonly { kind: string; regex: RegExp }[] = [
  { kind: 'AWS access key id', regex: /\b(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}\b/g },
  {
    kind: 'AWS secret access key',
    regex: /aws_?secret_?access_?key["']?\s*[:=]\s*["']?[A-Za-z0-9/+=]{40}(?![A-Za-z0-9/+=])/gi,
  },
  { kind: 'Hugging Face token', regex: /\bhf_[A-Za-z0-9]{30,}\b/g },
  { kind: 'GitHub token', regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})\b/g },
  { kind: 'OpenAI-style API key', regex: /\bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{32,}/g },
  { kind: 'Slack token', regex: /\bxox[abposr]-[A-Za-z0-9-]{10,}/g },
  { kind: 'private key', regex: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----/g },
];

/**
 * `NAME=value` / `NAME: value` / `--name value` where the name says secret and the value is a literal. Values
 * that start with `$` (a shell variable or command substitution, e.g. `$(aws secretsmanager ...)`) are how a
 * secret is fetched at boot, so they do not count; nor do names inside ARNs or paths (`...:secret:hf-token`).
 */
const SECRET_NAME = /[A-Za-z0-9_]*?(?:TOKEN|SECRET|PASSWORD|PASSWD|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|CREDENTIALS?)/;
/** A quoted or bare value of 8 characters or more that is not an expansion (`$X`, `%{...}`), and its closing quote. */
const SECRET_VALUE = /(["']?)([^\s"'$%{][^\s"']{7,})\2/;
const ASSIGNMENT = new RegExp(
  `(?:^|[^A-Za-z0-9_:/.-])(${SECRET_NAME.source})["']?\\s*[:=]\\s*${SECRET_VALUE.source}`,
  'gi',
);
const FLAG = /--([a-z0-9-]*(?:token|secret|password|api-key|access-key))[ =](["']?)([^\s"'$%{-][^\s"']{7,})\2/gi;

/**
 * Finds secrets in a boot script: known credential formats, literal values assigned to secret-named variables
 * or flags, and long high-entropy literals (mixed-case letters and digits, ≥ 32 characters) — which is a
 * heuristic, reported as such.
 */
export function findSecrets(text: string): SecretMatch[] {
  const out: SecretMatch[] = [];
  const seen = new Set<string>();
  const add = (kind: string, value: string, confidence: SecretMatch['confidence']) => {
    if (seen.has(value)) return;
    seen.add(value);
    out.push({ kind, redacted: redact(value), confidence });
  };
  for (const { kind, regex } of PATTERNS) for (const m of text.matchAll(regex)) add(kind, m[0], 'pattern');
  for (const m of text.matchAll(ASSIGNMENT)) add(`literal value of ${m[1]}`, m[3], 'pattern');
  for (const m of text.matchAll(FLAG)) add(`literal value of --${m[1]}`, m[3], 'pattern');
  for (const m of text.matchAll(/[A-Za-z0-9+/=_-]{32,}/g)) {
    const token = m[0];
    if ([...seen].some((s) => s.includes(token) || token.includes(s))) continue;
    if (looksRandom(token)) add('high-entropy literal', token, 'entropy');
  }
  return out;
}

/**
 * The text of user data as the instance will see it: base64 is decoded (launch templates require it), gzip is
 * inflated (cloud-init accepts it). Text that is not base64 is returned as is.
 */
export function decodeUserData(value: string): string {
  const compact = value.replace(/\s+/g, '');
  if (compact.length === 0 || compact.length % 4 !== 0 || !/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return value;
  let bytes = Buffer.from(compact, 'base64');
  if (bytes.length > 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch {
      return value;
    }
  }
  const text = bytes.toString('utf8');
  // Not text after all (a random-looking plain string that happened to be valid base64): scan the original.
  return isMostlyPrintable(text) ? text : value;
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(text: string): number {
  const counts = new Map<string, number>();
  for (const ch of text) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let entropy = 0;
  for (const n of counts.values()) {
    const p = n / text.length;
    entropy -= p * Math.log2(p);
  }
  return entropy;
}

/**
 * A token that looks like generated key material: upper- and lower-case letters and digits, no long runs of
 * lower-case words (paths, image names, SSM parameter names) and ≥ 4.5 bits of entropy per character.
 */
function looksRandom(token: string): boolean {
  if (!/[a-z]/.test(token) || !/[A-Z]/.test(token) || !/[0-9]/.test(token)) return false;
  // Paths and names are words joined by / - _ ; key material has no separators or only base64's '/' and '+'.
  const words = token.split(/[/_-]/).filter((w) => w.length > 0);
  if (words.length >= 3 && words.every((w) => w.length <= 16)) return false;
  return shannonEntropy(token) >= 4.5;
}

function redact(value: string): string {
  return value.length <= 8
    ? `${value.slice(0, 2)}… (${value.length} chars)`
    : `${value.slice(0, 4)}… (${value.length} chars)`;
}

function isMostlyPrintable(text: string): boolean {
  if (text.length === 0) return false;
  let printable = 0;
  for (const ch of text) if (/[\t\n\r\x20-\x7e]/.test(ch) || ch.charCodeAt(0) > 0x9f) printable++;
  return printable / text.length > 0.95;
}
