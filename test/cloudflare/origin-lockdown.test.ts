import { TerraformVariable } from '../../lib/util/cdktf';
import { CLOUDFLARE_IP_RANGES, cloudflareIpRanges } from '../../lib/cloudflare/cloudflare-ip-ranges';
import {
  CloudflareOriginAuth,
  DEFAULT_ORIGIN_SECRET_VARIABLE,
  ORIGIN_AUTH_HEADER,
  originAuthRule,
} from '../../lib/cloudflare/origin-auth';
import { errorOf, newStack, resourcesOf, synthJson } from '../support/synth';
import { ZONE_ID } from './fixtures';

describe('CloudflareOriginAuth', () => {
  test(
    'sets the secret header from a sensitive variable on requests ' + 'to the hostname, replacing any client value',
    () => {
      const { stack } = newStack();
      const auth = new CloudflareOriginAuth(stack, 'OriginAuth', {
        zoneId: ZONE_ID,
        hostname: 'inference.example.com',
      });
      const json = synthJson(stack);
      const [[, tls], [, transform]] = resourcesOf(json, 'cloudflare_ruleset').sort(([, a], [, b]) =>
        String(a.phase).localeCompare(String(b.phase)),
      );
      expect(transform).toMatchObject({
        zone_id: ZONE_ID,
        kind: 'zone',
        phase: 'http_request_late_transform',
        rules: [
          {
            ref: 'inference_origin_auth',
            action: 'rewrite',
            enabled: true,
            expression: '(http.host eq "inference.example.com")',
            action_parameters: {
              headers: { [ORIGIN_AUTH_HEADER]: { operation: 'set', value: '${var.origin_auth_secret}' } },
            },
          },
        ],
      });
      expect(json.variable?.[DEFAULT_ORIGIN_SECRET_VARIABLE]).toMatchObject({
        type: 'string',
        sensitive: true,
        nullable: false,
      });
      expect(auth.headerValue).toContain('TfToken');
      // Full (strict) TLS to the origins, for this hostname only.
      expect(tls).toMatchObject({
        phase: 'http_config_settings',
        rules: [
          {
            action: 'set_config',
            action_parameters: { ssl: 'strict' },
            expression: '(http.host eq "inference.example.com")',
          },
        ],
      });
    },
  );

  test(
    'the secret is always a variable reference: no literal can be given, and a chosen variable name is kept ' +
      'stable',
    () => {
      const { stack } = newStack();
      new CloudflareOriginAuth(stack, 'OriginAuth', {
        zoneId: ZONE_ID,
        hostname: 'inference.example.com',
        variableName: 'chat_origin_secret',
        enforceStrictTls: false,
      });
      const json = synthJson(stack);
      const rulesets = resourcesOf(json, 'cloudflare_ruleset');
      expect(rulesets).toHaveLength(1);
      const value = (rulesets[0][1].rules as { action_parameters: { headers: Record<string, { value: string }> } }[])[0]
        .action_parameters.headers[ORIGIN_AUTH_HEADER].value;
      expect(value).toBe('${var.chat_origin_secret}');
      expect(json.variable?.chat_origin_secret).toMatchObject({
        sensitive: true,
        validation: [
          { condition: '${length(var.chat_origin_secret) >= 32 && length(var.chat_origin_secret) <= 128}' },
          { condition: '${can(regex("^[A-Za-z0-9]+$", var.chat_origin_secret))}' },
        ],
      });
    },
  );

  test('fails when the given secret variable is not sensitive', () => {
    const { stack } = newStack();
    const plain = new TerraformVariable(stack, 'plain', { type: 'string' });
    expect(
      errorOf(
        () =>
          new CloudflareOriginAuth(stack, 'OriginAuth', {
            zoneId: ZONE_ID,
            hostname: 'inference.example.com',
            secretVariable: plain,
          }),
      ),
    ).toBe(
      "CloudflareOriginAuth 'test/OriginAuth' is invalid (1 problem):\n  - secretVariable: must be declared " +
        'with sensitive: true, or the secret shows in plan output and logs',
    );
  });

  test('fails when the variable name is not a Terraform name', () => {
    const { stack } = newStack();
    expect(
      errorOf(
        () =>
          new CloudflareOriginAuth(stack, 'OriginAuth', {
            zoneId: ZONE_ID,
            hostname: 'inference.example.com',
            variableName: 'Origin-Secret',
          }),
      ),
    ).toContain('variableName: must be a Terraform variable name');
  });

  test('the rule alone, for zones whose transform phase is managed elsewhere', () => {
    expect(originAuthRule('api.example.com', '${var.s}')).toMatchObject({
      action: 'rewrite',
      expression: '(http.host eq "api.example.com")',
      actionParameters: { headers: { [ORIGIN_AUTH_HEADER]: { operation: 'set', value: '${var.s}' } } },
    });
  });
});

describe('Cloudflare IP ranges', () => {
  test('ship with the date they were taken and only valid CIDR blocks', () => {
    expect(CLOUDFLARE_IP_RANGES.takenOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(CLOUDFLARE_IP_RANGES.ipv4).toHaveLength(15);
    expect(CLOUDFLARE_IP_RANGES.ipv6).toHaveLength(7);
    expect(cloudflareIpRanges()).toEqual(CLOUDFLARE_IP_RANGES);
  });

  test('can be overridden, e.g. with a fresher list', () => {
    expect(cloudflareIpRanges({ takenOn: '2027-01-02', ipv6: [] })).toMatchObject({
      takenOn: '2027-01-02',
      ipv4: CLOUDFLARE_IP_RANGES.ipv4,
      ipv6: [],
    });
  });

  test('fails when an override is not a list of CIDR blocks', () => {
    expect(errorOf(() => cloudflareIpRanges({ ipv4: ['104.16.0.0', '2606:4700::/32'], takenOn: 'today' }))).toBe(
      'Cloudflare IP ranges are invalid:\n  - ipv4: "104.16.0.0" is not an IPv4 CIDR block\n  - ipv4: ' +
        '"2606:4700::/32" is not an IPv4 CIDR block\n  - takenOn: "today" is not a date such as 2026-09-29',
    );
  });
});
