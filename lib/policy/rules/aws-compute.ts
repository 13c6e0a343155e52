import type { PolicyRule, RuleViolation } from '../types';
import { decodeUserData, findSecrets } from '../secrets';
import { block, blocks, bool, isExpression, str } from '../stack-view';

/** GI-AWS-001: instances launch with IMDSv2 only. */
export const IMDSV2_REQUIRED: PolicyRule = {
  id: 'GI-AWS-001',
  title: 'IMDSv2 required',
  rationale:
    'IMDSv1 answers unauthenticated GETs, so an SSRF in the model server or a container can steal the instance ' +
    'role credentials.',
  severity: 'error',
  resourceTypes: ['aws_launch_template', 'aws_instance'],
  checkov: ['CKV_AWS_79'],
  cdkNag: ['PCI.DSS.400-EC2IMDSv2Enabled'],
  note:
    'cdk-nag checks CloudFormation instances and the launch templates of their ASGs; same setting (HttpTokens ' +
    'required).',
  check(resource) {
    const options = block(resource.config.metadata_options);
    if (!options) {
      return [
        {
          message: 'has no metadata_options, so IMDSv1 stays enabled unless the AMI says otherwise',
          fix: fixImds(resource.type),
        },
      ];
    }
    if (str(options.http_endpoint) === 'disabled') return [];
    const tokens = options.http_tokens;
    if (tokens === 'required' || isExpression(tokens)) return [];
    const found = tokens === undefined || tokens === null ? 'unset (defaults to "optional")' : JSON.stringify(tokens);
    return [{ message: `metadata_options.http_tokens is ${found}, which allows IMDSv1`, fix: fixImds(resource.type) }];
  },
};

function fixImds(type: string): string {
  const where =
    type === 'aws_launch_template'
      ? 'the launch template (GpuFleet sets it; an override may have removed it)'
      : 'the instance';
  return (
    `set metadata_options { http_tokens = "required" } on ${where}; keep http_put_response_hop_limit = 2 for ` +
    'containers'
  );
}

/** GI-AWS-002: EBS volumes are encrypted. */
export const EBS_ENCRYPTED: PolicyRule = {
  id: 'GI-AWS-002',
  title: 'EBS volumes encrypted',
  rationale:
    'Model weights, caches and logs on instance volumes must be encrypted at rest; snapshots and detached ' +
    'volumes inherit it.',
  severity: 'error',
  resourceTypes: ['aws_launch_template', 'aws_instance', 'aws_ebs_volume'],
  checkov: ['CKV_AWS_3', 'CKV_AWS_8'],
  cdkNag: ['AwsSolutions-EC26'],
  note:
    'CKV_AWS_3 covers aws_ebs_volume and CKV_AWS_8 launch configurations and instances; neither reads ' +
    'launch-template block_device_mappings, which this rule does. A template without an EBS mapping is a ' +
    'warning: encryption is then left to the AMI and the account default.',
  check(resource) {
    const c = resource.config;
    const unencrypted = (value: unknown) => bool(value) !== true && !isExpression(value);
    if (resource.type === 'aws_ebs_volume') {
      return unencrypted(c.encrypted)
        ? [
            {
              message: `encrypted is ${show(c.encrypted)}`,
              fix: 'set encrypted = true (and kms_key_id for a customer key)',
            },
          ]
        : [];
    }
    if (resource.type === 'aws_instance') {
      const devices = [
        ...blocks(c.root_block_device).map((b) => ({ name: 'root_block_device', b })),
        ...blocks(c.ebs_block_device).map((b) => ({ name: `ebs_block_device ${str(b.device_name) ?? ''}`.trim(), b })),
      ];
      if (devices.length === 0)
        return [
          {
            message: 'has no root_block_device, so encryption is left to the AMI and the account default',
            fix: 'add root_block_device { encrypted = true }',
            severity: 'warning',
          },
        ];
      return devices
        .filter((d) => unencrypted(d.b.encrypted))
        .map((d) => ({
          message: `${d.name}.encrypted is ${show(d.b.encrypted)}`,
          fix: `set encrypted = true on ${d.name}`,
        }));
    }
    const mappings = blocks(c.block_device_mappings);
    const withEbs = mappings.filter((m) => block(m.ebs) !== undefined);
    if (withEbs.length === 0) {
      return [
        {
          message:
            'has no block_device_mappings with ebs, so the root volume encryption is left to the AMI snapshot ' +
            'and the account default',
          fix: 'add block_device_mappings { ebs { encrypted = "true" } } for the root device (GpuFleet does this)',
          severity: 'warning',
        },
      ];
    }
    return withEbs
      .filter((m) => unencrypted(block(m.ebs)!.encrypted))
      .map((m) => ({
        message:
          `block_device_mappings ${str(m.device_name) ?? '(no device_name)'}: ebs.encrypted is ` +
          `${show(block(m.ebs)!.encrypted)}`,
        fix: 'set ebs.encrypted = "true" on every block device mapping (GpuFleet does this; check overrides)',
      }));
  },
};

/** Terraform attributes whose value is a secret; interpolating one into user data writes it in clear text. */
const SECRET_ATTRIBUTE_PATTERNS = [
  /aws_secretsmanager_secret_version\.[^.]+\.secret_(?:string|binary)/,
  /random_password\.[^.]+\.(?:result|bcrypt_hash)/,
  /aws_iam_access_key\.[^.]+\.(?:secret|ses_smtp_password_v4)/,
  /tls_private_key\.[^.]+\.private_key_(?:pem|openssh|pem_pkcs8)/,
  /aws_ssm_parameter\.[^.]+\.(?:value|insecure_value)/,
];
const SECRET_ATTRIBUTES = new RegExp(`^(?:data\\.)?(?:${SECRET_ATTRIBUTE_PATTERNS.map((p) => p.source).join('|')})$`);

/** GI-AWS-003: user data carries no secrets. */
export const NO_SECRETS_IN_USER_DATA: PolicyRule = {
  id: 'GI-AWS-003',
  title: 'No secrets in user data',
  rationale:
    'User data is readable by anyone who can describe the launch template or reach IMDS, and is kept in every ' +
    'template version.',
  severity: 'error',
  resourceTypes: ['aws_launch_template', 'aws_instance', 'aws_launch_configuration'],
  checkov: ['CKV_AWS_46'],
  note:
    'CKV_AWS_46 covers aws_instance and AWS keys; this rule also decodes base64/gzip launch-template user data ' +
    'and finds Hugging Face, GitHub, OpenAI and Slack tokens, private keys, literal values of secret-named ' +
    'variables and flags, interpolated secret attributes, and (as a warning) long high-entropy literals.',
  check(resource) {
    const c = resource.config;
    const raw = str(c.user_data) ?? str(c.user_data_base64);
    if (raw === undefined) return [];
    const out: RuleViolation[] = [];
    const fix =
      'remove it from user data: store it in Secrets Manager and read it at boot with the instance role (the ' +
      'model spec field huggingFaceTokenSecretArn does this for a Hugging Face token)';
    for (const ref of secretReferences(raw)) {
      out.push({
        message:
          `user data interpolates ${ref}, so the secret is written in ` + `clear text into the ${label(resource.type)}`,
        fix,
      });
    }
    // Terraform expressions (e.g. base64encode(templatefile(...))) cannot be decoded here; their literal parts are
    // still scanned.
    const text = isExpression(raw) ? raw : decodeUserData(raw);
    for (const match of findSecrets(text)) {
      if (match.confidence === 'pattern') {
        out.push({ message: `user data contains ${article(match.kind)}: ${match.redacted}`, fix });
      } else {
        out.push({
          message: `user data contains ${article(match.kind)} that may be key material: ${match.redacted}`,
          fix: `if it is a secret, ${fix}; if it is not (e.g. a checksum), suppress the finding with that reason`,
          severity: 'warning',
        });
      }
    }
    return out;
  },
};

function secretReferences(raw: string): string[] {
  const refs: string[] = [];
  for (const interpolation of raw.matchAll(/\$\{([^}]*)\}/g)) {
    for (const m of interpolation[1].matchAll(
      /(?<![\w.-])(?:data\.)?[a-z][a-z0-9_]*\.[A-Za-z_][A-Za-z0-9_-]*\.[a-z_0-9]+/g,
    )) {
      if (SECRET_ATTRIBUTES.test(m[0]) && !refs.includes(m[0])) refs.push(m[0]);
    }
  }
  return refs;
}

/** `an AWS access key id`, `a Hugging Face token`: the kind with its article. */
function article(kind: string): string {
  return `${/^[aeiouAEIOU]/.test(kind) ? 'an' : 'a'} ${kind}`;
}

function label(type: string): string {
  return type === 'aws_launch_template'
    ? 'launch template'
    : type === 'aws_instance'
      ? 'instance attributes'
      : 'launch configuration';
}

function show(value: unknown): string {
  return value === undefined || value === null ? 'unset (defaults to false)' : JSON.stringify(value);
}
