import { Construct } from 'constructs';
import { TerraformVariable, type TerraformProvider } from '../util/cdktf';
import { Ruleset, type RulesetRules } from '@cdktf/provider-cloudflare/lib/ruleset';
import { CLOUDFLARE_DEFAULTS } from '../spec/cloudflare-schema';
import type { SpecProblem } from '../spec/errors';
import { isToken, throwIfProblems } from '../util/validate';
import { protectLiterals } from '../util/terraform-literals';

/**
 * Header Cloudflare adds to every request it forwards to the origins; the ALBs answer 403 without it. Not a
 * `cf-`/`x-cf-` name, which transform rules may not set.
 */
export const ORIGIN_AUTH_HEADER = 'X-Inference-Origin-Auth';
/**
 * Default name of the sensitive Terraform variable holding the header's value (set it with
 * `TF_VAR_origin_auth_secret`).
 */
export const DEFAULT_ORIGIN_SECRET_VARIABLE = CLOUDFLARE_DEFAULTS.originSecretVariable;
/** Shortest secret the variable accepts: 32 characters, e.g. `openssl rand -hex 32` (64). */
export const MIN_ORIGIN_SECRET_LENGTH = 32;
/** Longest: an ALB http-header condition value holds at most 128 characters. */
export const MAX_ORIGIN_SECRET_LENGTH = 128;

/** Props of {@link CloudflareOriginAuth}: the zone and hostname, and the variable holding the secret. */
export interface CloudflareOriginAuthProps {
  /** Cloudflare zone of the hostname (may be a reference). */
  readonly zoneId: string;
  /** Hostname whose requests get the header (the load balancer's). */
  readonly hostname: string;
  /**
   * Name of the sensitive variable to declare for the secret. Ignored when `secretVariable` is given.
   * @default 'origin_auth_secret'
   */
  readonly variableName?: string;
  /**
   * An existing variable holding the secret; it must be `sensitive`. @default - a new sensitive variable named
   * `variableName`
   */
  readonly secretVariable?: TerraformVariable;
  /**
   * Also add a configuration rule so requests to the hostname use SSL mode Full (strict): Cloudflare validates the
   * origins' certificates. Turn off only if the zone's `http_config_settings` phase is managed elsewhere.
   * @default true
   */
  readonly enforceStrictTls?: boolean;
  /** Cloudflare provider to use. @default - the stack's default Cloudflare provider */
  readonly provider?: TerraformProvider;
}

/**
 * The Cloudflare side of the origin lock-down: a request header transform rule that sets a secret header on every
 * request to the hostname, whose value comes from a sensitive Terraform variable (never a literal, so it is in no
 * code, snapshot or plan output). The AWS side requires the same header on the HTTPS listener and limits the ALB
 * security group to {@link CLOUDFLARE_IP_RANGES}.
 *
 * Cloudflare allows one zone entry-point ruleset per phase: this construct owns the zone's
 * `http_request_late_transform` phase (and `http_config_settings` with `enforceStrictTls`). If another stack manages
 * those phases, add {@link originAuthRule} to that ruleset instead.
 *
 * @example
 * ```ts
 * import { App, TerraformStack } from 'cdktf';
 * import { CloudflareProvider } from '@cdktf/provider-cloudflare/lib/provider';
 * import { CloudflareOriginAuth } from 'cdktf-global-inference';
 *
 * const stack = new TerraformStack(new App(), 'chat-cloudflare');
 * new CloudflareProvider(stack, 'cloudflare', {});
 * const auth = new CloudflareOriginAuth(stack, 'OriginAuth', {
 *   zoneId: 'fedcba9876543210fedcba9876543210',
 *   hostname: 'inference.example.com',
 * });
 * // Set TF_VAR_origin_auth_secret; the ALBs must require auth.headerName with the same value.
 * ```
 */
export class CloudflareOriginAuth extends Construct {
  /** The request header transform ruleset (escape hatch). */
  readonly resource: Ruleset;
  /** The configuration ruleset enforcing Full (strict) TLS to the origins, when enabled. */
  readonly tlsRuleset?: Ruleset;
  /** The sensitive variable holding the secret. */
  readonly secretVariable: TerraformVariable;
  /** Name of the header. */
  readonly headerName = ORIGIN_AUTH_HEADER;
  /** The secret as a reference (`${var.<name>}`), for the monitor's probe headers. */
  readonly headerValue: string;

  constructor(scope: Construct, id: string, props: CloudflareOriginAuthProps) {
    super(scope, id);
    const source = `CloudflareOriginAuth '${this.node.path}'`;
    const problems: SpecProblem[] = [];
    const variableName = props.variableName ?? DEFAULT_ORIGIN_SECRET_VARIABLE;
    if (props.secretVariable === undefined && !/^[a-z][a-z0-9_]{0,63}$/.test(variableName)) {
      problems.push({
        path: 'variableName',
        message: "must be a Terraform variable name (lower-case letters, digits and '_', starting with a letter)",
        received: JSON.stringify(variableName),
      });
    }
    if (props.secretVariable !== undefined && props.secretVariable.sensitive !== true) {
      problems.push({
        path: 'secretVariable',
        message: 'must be declared with sensitive: true, or the secret shows in plan output and logs',
      });
    }
    if (
      !isToken(props.hostname) &&
      !/^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/.test(props.hostname)
    ) {
      problems.push({
        path: 'hostname',
        message: 'must be a lower-case DNS name such as inference.example.com',
        received: JSON.stringify(props.hostname),
      });
    }
    throwIfProblems(problems, source);

    this.secretVariable = props.secretVariable ?? secretVariable(this, variableName);
    this.headerValue = this.secretVariable.stringValue;

    this.resource = new Ruleset(this, 'Resource', {
      provider: props.provider,
      zoneId: props.zoneId,
      kind: 'zone',
      phase: 'http_request_late_transform',
      name: 'inference origin auth',
      description:
        `Adds ${ORIGIN_AUTH_HEADER} to requests for ` + `${props.hostname}; the origins refuse requests without it`,
      rules: [originAuthRule(props.hostname, this.headerValue)],
    });

    if (props.enforceStrictTls ?? CLOUDFLARE_DEFAULTS.enforceStrictOriginTls)
      this.tlsRuleset = strictOriginTlsRuleset(this, 'StrictTls', props);
    protectLiterals(this);
  }
}

/**
 * The zone's `http_config_settings` entry-point ruleset with one rule: requests to `hostname` use SSL mode Full
 * (strict), so Cloudflare validates the origins' certificates. Used by {@link CloudflareOriginAuth}, and by the front
 * door on its own when the origins are not locked (there is no header to add, but TLS to them is still validated).
 */
export function strictOriginTlsRuleset(
  scope: Construct,
  id: string,
  props: { readonly zoneId: string; readonly hostname: string; readonly provider?: TerraformProvider },
): Ruleset {
  return new Ruleset(scope, id, {
    provider: props.provider,
    zoneId: props.zoneId,
    kind: 'zone',
    phase: 'http_config_settings',
    name: 'inference origin tls',
    description: `Full (strict) TLS to the origins of ${props.hostname}`,
    rules: [
      {
        ref: 'inference_origin_tls',
        description: 'Validate origin certificates',
        expression: hostExpression(props.hostname),
        action: 'set_config',
        actionParameters: { ssl: 'strict' },
        enabled: true,
      },
    ],
  });
}

/**
 * The transform rule alone, for a zone whose `http_request_late_transform` ruleset is managed elsewhere.
 * `value` must be a reference to a sensitive variable, never a literal.
 */
export function originAuthRule(hostname: string, value: string): RulesetRules {
  return {
    // A fixed ref keeps the rule's identity across updates (the API otherwise assigns a new id).
    ref: 'inference_origin_auth',
    description: `Set ${ORIGIN_AUTH_HEADER} for the origins`,
    expression: hostExpression(hostname),
    action: 'rewrite',
    // "set" replaces any value a client sent, so the header cannot be forged from outside.
    actionParameters: { headers: { [ORIGIN_AUTH_HEADER]: { operation: 'set', value } } },
    enabled: true,
  };
}

function hostExpression(hostname: string): string {
  return `(http.host eq "${hostname}")`;
}

function secretVariable(scope: Construct, name: string): TerraformVariable {
  const variable = new TerraformVariable(scope, 'Secret', {
    type: 'string',
    sensitive: true,
    nullable: false,
    description:
      `Secret value of the ${ORIGIN_AUTH_HEADER} header Cloudflare adds to origin requests ` +
      `(${MIN_ORIGIN_SECRET_LENGTH}-${MAX_ORIGIN_SECRET_LENGTH} letters and digits; e.g. openssl rand -hex 32). ` +
      'The AWS stacks need the same value.',
    validation: [
      {
        condition:
          `\${length(var.${name}) >= ${MIN_ORIGIN_SECRET_LENGTH} && length(var.${name}) <= ` +
          `${MAX_ORIGIN_SECRET_LENGTH}}`,
        errorMessage:
          `${name} must be ${MIN_ORIGIN_SECRET_LENGTH} to ${MAX_ORIGIN_SECRET_LENGTH} characters long (e.g. ` +
          'openssl rand -hex 32).',
      },
      {
        // ALB header conditions treat * and ? as wildcards and compare case-insensitively: letters and digits only.
        condition: `\${can(regex("^[A-Za-z0-9]+$", var.${name}))}`,
        errorMessage:
          `${name} must contain only letters and digits (the ALB reads * and ? as wildcards), e.g. openssl rand ` +
          '-hex 32.',
      },
    ],
  });
  // A stable, documented name (TF_VAR_<name>) instead of one derived from the construct path.
  variable.overrideLogicalId(name);
  return variable;
}
