import { z } from 'zod';

/*
 * Field types shared by the spec schema and the constructs' props, each with the limit that Terraform, the AWS
 * provider or AWS itself enforces (the source is named in the message), so that what the schema accepts deploys.
 * Pure (zod only): the JSON schema, the loaders and the constructs all use them.
 */

// ---------------------------------------------------------------------------------------------------------
// Text

/**
 * Whether a string is text that reaches AWS as written: well-formed Unicode, XML-safe (no control characters but
 * tab/newline/CR), and in Unicode normalization form C, because Terraform normalizes every string to NFC (text in
 * another form would be deployed changed).
 */
export function isPlainText(text: string): boolean {
  return isXmlSafe(text) && text === text.normalize('NFC');
}

function isXmlSafe(text: string): boolean {
  return (
    !/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(text) &&
    !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffe\uffff]/.test(text)
  );
}

/** Free text (Unicode, newlines allowed) up to `max` characters: what AWS stores as given. */
export const freeText = (max: number, limit: string) =>
  z
    .string()
    .max(max, `must be at most ${max} characters (${limit})`)
    .refine(
      isXmlSafe,
      'must be plain text: no control characters other than tab and newline, no unpaired surrogates (AWS APIs ' +
        'refuse them)',
    )
    .refine(
      (text) => text === text.normalize('NFC'),
      'must be in Unicode normalization form NFC (Terraform normalizes text to NFC, so any other form would ' +
        'not be deployed as written)',
    );

/** Printable ASCII with at least one non-space character, up to `max`: CloudWatch metric names and dimensions. */
export const printableAscii = (max: number, limit: string) =>
  z
    .string()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters (${limit})`)
    .regex(/^[\x20-\x7e]*$/, `must be printable ASCII (${limit})`)
    .regex(/\S/, 'must contain a non-space character');

/** A superRefine reporting every repeated entry of a list, at its index. */
export function noDuplicates(what: string) {
  return (list: readonly unknown[], ctx: z.RefinementCtx) => {
    list.forEach((item, i) => {
      const first = list.indexOf(item);
      if (first !== i)
        ctx.addIssue({
          code: 'custom',
          path: [i],
          input: item,
          message: `duplicate ${what} (also at index ${first}); each may appear once`,
        });
    });
  };
}

// ---------------------------------------------------------------------------------------------------------
// Names

/** A lower-case slug: letters, digits and '-', starting with a letter, not ending with '-'. */
export const slug = (what: string, maxLength: number) =>
  z
    .string()
    .regex(
      new RegExp(`^[a-z](?:[a-z0-9-]{0,${maxLength - 2}}[a-z0-9])?$`),
      `must be a ${what}: lower-case letters, digits and '-', starting with a letter, at most ${maxLength} characters`,
    );

/**
 * The service name: ALB names are `<name>-inference` (ALB limit 32), target groups and launch templates derive from it.
 */
export const serviceName = slug('service name', 24);

/** A lower-case DNS name (labels of at most 63 characters, at most 253 in all). */
export const dnsName = z
  .string()
  .max(253, 'must be at most 253 characters (DNS limit)')
  .regex(
    /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/,
    'must be a lower-case DNS name such as inference.example.com',
  );

/**
 * A Route53 hosted zone id (upper-case letters and digits after the Z), as the spec's dns.hostedZoneId and the
 * constructs take it.
 */
export const route53ZoneId = z
  .string()
  .regex(/^Z[A-Z0-9]{1,32}$/, 'must be a Route53 hosted zone id such as Z0123456789ABCDEFGHIJ');

/** A Route53 record name: a lower-case DNS name, optionally a leading `*.` wildcard, labels may hold '_' (`_acme`). */
export const recordName = z
  .string()
  .regex(
    /^(?:\*\.)?(?:[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.?$/,
    'must be a lower-case DNS name (labels of at most 63 characters)',
  )
  .refine((name) => name.replace(/\.$/, '').length <= 253, 'must be at most 253 characters (DNS limit)');

/** The record types an alias to an ALB (or to another alias record set) can have: an ALB answers addresses only. */
export const ALIAS_RECORD_TYPES = ['A', 'AAAA'] as const;
export const aliasRecordTypes = z
  .array(
    z.enum(ALIAS_RECORD_TYPES, {
      error: `must be ${ALIAS_RECORD_TYPES.join(' or ')} (an alias to a load balancer answers addresses only)`,
    }),
  )
  .min(1, 'must list at least one record type')
  .superRefine(noDuplicates('record type'));

/** Whether a DNS name lies in a zone: the zone's apex or a name under it (case and trailing dot ignored). */
export function isInZone(name: string, zoneName: string): boolean {
  const n = name.toLowerCase().replace(/\.$/, '');
  const zone = zoneName.toLowerCase().replace(/\.$/, '');
  return n === zone || n.endsWith(`.${zone}`);
}

/** An S3 bucket name by the general-purpose bucket naming rules. */
export function s3BucketNameProblem(name: string): string | undefined {
  if (name.length < 3 || name.length > 63) return 'must be 3 to 63 characters (S3 bucket naming rules)';
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name))
    return (
      "must be lower-case letters, digits, '.' and '-', starting and ending with a letter or digit (S3 bucket " +
      'naming rules)'
    );
  if (name.includes('..') || name.includes('.-') || name.includes('-.'))
    return "must not contain '..', '.-' or '-.' (S3 bucket naming rules)";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return 'must not be formatted as an IP address (S3 bucket naming rules)';
  if (/^(?:xn--|sthree-|amzn-s3-demo-)/.test(name) || /(?:-s3alias|--ol-s3|--x-s3|--table-s3)$/.test(name))
    return 'must not use a prefix or suffix S3 reserves (xn--, sthree-, -s3alias, --ol-s3, ...)';
  return undefined;
}

/** The bucket of ALB access logs for a region ('{region}' replaced by its code). */
export function accessLogsBucketProblem(bucket: string, region: string): string | undefined {
  const name = bucket.replace(/\{region\}/g, region);
  const problem = s3BucketNameProblem(name);
  return problem && (name === bucket ? problem : `gives '${name}' in ${region}, which ${problem}`);
}

export const s3BucketName = z.string().superRefine((name, ctx) => {
  const problem = s3BucketNameProblem(name);
  if (problem) ctx.addIssue({ code: 'custom', input: name, message: problem });
});

// ---------------------------------------------------------------------------------------------------------
// Tags

/** Tags the library sets itself; a user tag of the same key would be overridden silently. */
export const LIBRARY_TAG_KEYS = ['Name', 'managed-by'] as const;
export const LIBRARY_TAG_PREFIX = 'inference:';
/**
 * AWS allows 50 tags per resource; the library adds up to 6 of its own (default tags, Name, model, version, region).
 */
export const MAX_USER_TAGS = 44;

const TAG_CHARACTERS = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]*$/u;
const NFC_MESSAGE = 'must be in Unicode normalization form NFC (Terraform normalizes text to NFC)';

export const tagKey = z
  .string()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters (AWS tag key limit)')
  .regex(
    TAG_CHARACTERS,
    'must use letters, digits, spaces and _ . : / = + - @ only (the characters every AWS service accepts in tags)',
  )
  .refine((key) => key === key.normalize('NFC'), NFC_MESSAGE)
  .refine((key) => !/^aws:/i.test(key), "must not start with 'aws:' (reserved by AWS)")
  .refine(
    (key) => !isLibraryTagKey(key),
    `is set by the library (${LIBRARY_TAG_KEYS.join(', ')}, ${LIBRARY_TAG_PREFIX}*, in any letter case: IAM ` +
      'compares tag keys case-insensitively) and would override, be overridden or be refused',
  );

/**
 * Whether a tag key is one the library sets, compared case-insensitively: IAM treats role tag keys that differ only
 * in case as the same key, so `Managed-By` next to the library's `managed-by` is refused at apply (or diffs forever).
 */
export function isLibraryTagKey(key: string): boolean {
  const lower = key.toLowerCase();
  return LIBRARY_TAG_KEYS.some((k) => k.toLowerCase() === lower) || lower.startsWith(LIBRARY_TAG_PREFIX.toLowerCase());
}

export const tagValue = z
  .string()
  .max(256, 'must be at most 256 characters (AWS tag value limit)')
  .regex(
    TAG_CHARACTERS,
    'must use letters, digits, spaces and _ . : / = + - @ only (the characters every AWS service accepts in tags)',
  )
  .refine((value) => value === value.normalize('NFC'), NFC_MESSAGE);

export const tags = z.record(z.string(), tagValue).superRefine((t, ctx) => {
  // Keys are checked here, not as the record's key schema, so that their messages reach the user.
  for (const key of Object.keys(t)) {
    const result = tagKey.safeParse(key);
    if (!result.success)
      for (const issue of result.error.issues)
        ctx.addIssue({ code: 'custom', path: [key], input: key, message: `key ${issue.message}` });
  }
  // IAM compares tag keys case-insensitively: two keys that differ only in case are one key to it.
  const firstByLower = new Map<string, string>();
  for (const key of Object.keys(t)) {
    const first = firstByLower.get(key.toLowerCase());
    if (first === undefined) firstByLower.set(key.toLowerCase(), key);
    else
      ctx.addIssue({
        code: 'custom',
        path: [key],
        input: key,
        message:
          `key differs from the key '${first}' only in letter case; IAM treats tag keys case-insensitively, so ` +
          'give them one spelling',
      });
  }
  if (Object.keys(t).length > MAX_USER_TAGS)
    ctx.addIssue({
      code: 'custom',
      input: Object.keys(t).length,
      message: `must have at most ${MAX_USER_TAGS} tags (AWS allows 50 per resource; the library adds up to 6)`,
    });
});

// ---------------------------------------------------------------------------------------------------------
// ARNs and ids

const REGION_PATTERN = '[a-z]{2}(?:-[a-z]+)+-\\d';
const UUID_PATTERN = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

/** The parts of an `arn:aws:...` ARN, or undefined. */
export function parseArn(
  arn: string,
): { partition: string; service: string; region: string; account: string; resource: string } | undefined {
  const match = /^arn:(aws[a-z-]*):([a-z0-9-]+):([a-z0-9-]*):(\d{12}|aws)?:(.+)$/.exec(arn);
  return match
    ? { partition: match[1], service: match[2], region: match[3], account: match[4] ?? '', resource: match[5] }
    : undefined;
}

export const ACM_CERTIFICATE_ARN = new RegExp(
  `^arn:aws:acm:(${REGION_PATTERN}):(\\d{12}):certificate/${UUID_PATTERN}$`,
);
export const acmCertificateArn = z
  .string()
  .regex(
    ACM_CERTIFICATE_ARN,
    'must be an ACM certificate ARN such as ' +
      'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b',
  );

export const secretsManagerSecretArn = z
  .string()
  .regex(
    new RegExp(`^arn:aws:secretsmanager:${REGION_PATTERN}:\\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}-[A-Za-z0-9]{6}$`),
    'must be the full ARN of a Secrets Manager secret (with its 6-character suffix), such as ' +
      'arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-token-AbCdEf',
  );

/** A KMS key as the S3 backend takes it: key id, multi-Region key id, key ARN, alias or alias ARN. */
export const kmsKeyRef = z
  .string()
  .regex(
    new RegExp(
      `^(?:${UUID_PATTERN}|mrk-[0-9a-f]{32}|arn:aws:kms:${REGION_PATTERN}:\\d{12}:key/(?:${UUID_PATTERN}` +
        `|mrk-[0-9a-f]{32})|(?:arn:aws:kms:${REGION_PATTERN}:\\d{12}:)?alias/[A-Za-z0-9/_-]{1,250})$`,
    ),
    'must be a KMS key id, key ARN, alias (alias/name) or alias ARN',
  );

/** The region of a regional ARN (ACM, Secrets Manager), or undefined. */
export function arnRegion(arn: string): string | undefined {
  return parseArn(arn)?.region || undefined;
}

// ---------------------------------------------------------------------------------------------------------
// Network

/** Whether `text` is an IPv4 CIDR block written as the AWS provider requires: the network address, canonical form. */
export function isIpv4NetworkCidr(text: string): boolean {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(text);
  if (!match) return false;
  const octets = match.slice(1, 5);
  if (octets.some((o) => (o.length > 1 && o.startsWith('0')) || Number(o) > 255)) return false;
  const bits = Number(match[5]);
  if (bits > 32 || (match[5].length > 1 && match[5].startsWith('0'))) return false;
  const address = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  const hostBits = 32 - bits;
  return address % 2 ** hostBits === 0;
}

/** Parses an IPv6 address of hex groups (no embedded IPv4) into 8 groups, or undefined. */
export function parseIpv6(text: string): number[] | undefined {
  if (!/^[0-9a-fA-F:]+$/.test(text) || text.includes(':::')) return undefined;
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if ([...head, ...tail].some((g) => g.length === 0 || g.length > 4)) return undefined;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  return [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail].map((g) => parseInt(g, 16));
}

/** RFC 5952 text of 8 groups (the form Go, and so the AWS provider, prints). */
export function formatIpv6(groups: readonly number[]): string {
  let best = { start: -1, length: 0 };
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > best.length && j - i >= 2) best = { start: i, length: j - i };
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best.start < 0) return hex.join(':');
  return `${hex.slice(0, best.start).join(':')}::${hex.slice(best.start + best.length).join(':')}`;
}

/** Whether `text` is an IPv6 CIDR block as the AWS provider requires: the network address, in canonical form. */
export function isIpv6NetworkCidr(text: string): boolean {
  const match = /^([0-9a-f:]+)\/(\d{1,3})$/.exec(text);
  if (!match || (match[2].length > 1 && match[2].startsWith('0'))) return false;
  const groups = parseIpv6(match[1]);
  const bits = Number(match[2]);
  if (!groups || bits > 128) return false;
  // IPv4-mapped addresses print as dotted quads in Go; the provider would not read them back as written.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) return false;
  for (let i = 0; i < 8; i++) {
    const keep = Math.max(0, Math.min(16, bits - i * 16));
    const mask = keep === 0 ? 0 : (0xffff << (16 - keep)) & 0xffff;
    if ((groups[i] & ~mask & 0xffff) !== 0) return false;
  }
  return formatIpv6(groups) === match[1];
}

export const cidrBlock = z
  .string()
  .refine(
    (text) => isIpv4NetworkCidr(text) || isIpv6NetworkCidr(text),
    'must be an IPv4 or IPv6 CIDR block written as its network address in canonical form, such as 10.0.0.0/16 ' +
      'or 2001:db8::/32 (the AWS provider refuses host bits, leading zeros and upper-case hex)',
  );

/** The VPC block of a VPC the library creates when none is given. */
export const DEFAULT_VPC_CIDR = '10.64.0.0/16';

/** Security groups hold 60 inbound rules per address family by default; each CIDR takes two (443 and 80). */
export const MAX_CIDRS_PER_FAMILY = 30;

export const cidrList = z
  .array(cidrBlock)
  .min(1, 'must list at least one CIDR')
  .superRefine((list, ctx) => {
    noDuplicates('CIDR')(list, ctx);
    for (const [family, count] of [
      ['IPv4', list.filter((c) => !c.includes(':')).length],
      ['IPv6', list.filter((c) => c.includes(':')).length],
    ] as const) {
      if (count > MAX_CIDRS_PER_FAMILY) {
        ctx.addIssue({
          code: 'custom',
          input: count,
          message:
            `must list at most ${MAX_CIDRS_PER_FAMILY} ${family} CIDRs (two rules each; a security group holds ` +
            '60 inbound rules per family by default)',
        });
      }
    }
  });

// ---------------------------------------------------------------------------------------------------------
// CloudWatch

/** Retention periods CloudWatch Logs accepts (days). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

export const logRetentionDays = z
  .number()
  .refine(
    (d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d),
    `must be one of the retention periods CloudWatch Logs accepts: ${LOG_RETENTION_DAYS.join(', ')}`,
  );

export const cloudwatchNamespace = z
  .string()
  .min(1, 'must not be empty')
  .max(255, 'must be at most 255 characters (CloudWatch limit)')
  .regex(
    /^[0-9A-Za-z.\-_/#: ]+$/,
    'must use letters, digits, spaces and . - _ / # : only (CloudWatch namespace characters)',
  )
  .regex(/^[^:]/, "must not start with ':' (CloudWatch)")
  .regex(/\S/, 'must contain a non-space character');

export const metricName = printableAscii(255, 'CloudWatch metric name limit');

const dimensionName = printableAscii(255, 'CloudWatch dimension name limit').regex(
  /^[^:]/,
  "must not start with ':' (CloudWatch)",
);

export const metricDimensions = z
  .record(z.string(), printableAscii(1024, 'CloudWatch dimension value limit'))
  .superRefine((d, ctx) => {
    for (const key of Object.keys(d)) {
      const result = dimensionName.safeParse(key);
      if (!result.success)
        for (const issue of result.error.issues)
          ctx.addIssue({ code: 'custom', path: [key], input: key, message: `name ${issue.message}` });
    }
    if (Object.keys(d).length > 30)
      ctx.addIssue({
        code: 'custom',
        input: Object.keys(d).length,
        message: 'must have at most 30 dimensions (CloudWatch limit)',
      });
  });

// ---------------------------------------------------------------------------------------------------------
// Volumes

/** gp3 volumes are at most 16 TiB. */
export const GP3_MAX_GIB = 16384;
/** OS, container image and cache on the root volume, besides the weights. */
export const ROOT_VOLUME_BASE_GIB = 100;
/** Weights assumed when a model does not say (a 7-13B model in 16-bit). */
export const DEFAULT_WEIGHTS_GIB = 25;
/** The smallest default root volume. */
export const MIN_DEFAULT_ROOT_VOLUME_GIB = 150;

/** The default root volume of a fleet: 100 GiB plus twice the weights (download + page cache), at least 150 GiB. */
export function defaultRootVolumeGiB(weightsGiB: number | undefined): number {
  return Math.max(
    MIN_DEFAULT_ROOT_VOLUME_GIB,
    Math.ceil(ROOT_VOLUME_BASE_GIB + 2 * (weightsGiB ?? DEFAULT_WEIGHTS_GIB)),
  );
}

/** The largest weightsGiB whose default root volume fits a gp3 volume. */
export const MAX_WEIGHTS_GIB_FOR_DEFAULT_VOLUME = Math.floor((GP3_MAX_GIB - ROOT_VOLUME_BASE_GIB) / 2);

/**
 * Paths of own `__proto__` keys in a value (JSON.parse and YAML create them; zod copies values into fresh objects,
 * where such a key sets the prototype instead and is silently dropped).
 */
export function prototypeKeyPaths(
  value: unknown,
  path: PropertyKey[] = [],
  out: PropertyKey[][] = [],
): PropertyKey[][] {
  if (path.length > 64 || out.length > 50 || typeof value !== 'object' || value === null) return out;
  if (Array.isArray(value)) {
    value.forEach((v, i) => prototypeKeyPaths(v, [...path, i], out));
    return out;
  }
  if (Object.getPrototypeOf(value) !== Object.prototype && Object.getPrototypeOf(value) !== null) return out;
  for (const key of Object.keys(value)) {
    if (key === '__proto__') out.push([...path, key]);
    else prototypeKeyPaths((value as Record<string, unknown>)[key], [...path, key], out);
  }
  return out;
}

/** Jurisdiction key pattern (residency keys, external endpoints). */
export const jurisdictionKey = z
  .string()
  .regex(/^[a-z](?:[a-z0-9-]{0,14}[a-z0-9])?$/, 'must be a jurisdiction key such as eu');
