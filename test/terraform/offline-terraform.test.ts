/**
 * Real Terraform on every synthesized stack that uses only the AWS provider: `terraform validate`, and
 * `terraform plan -refresh=false` for the stacks that promise an offline plan. Offline, against the provider
 * filesystem mirror (GI_TF_PROVIDER_MIRROR, auto-detected when unset).
 *
 * Where terraform or the mirror is missing, these tests are skipped with a loud notice; with
 * GI_REQUIRE_TERRAFORM=1 (as .ci/run sets) they fail instead.
 */
import { TerraformBatch, type StackPlan, type StackValidation } from '../../lib/terraform/batch';
import {
  detectOfflineTerraform,
  requiredProviders,
  type OfflineTerraform,
} from '../../lib/terraform/offline-terraform';
import type { TerraformJson } from '../../lib/util/synth-output';
import { OFFLINE_EXAMPLES } from '../support/example-catalog';
import { synthExample } from '../support/examples';

const detected = detectOfflineTerraform();
const tf = 'missing' in detected ? undefined : detected;
if (!tf) {
  const reason = (detected as { missing: string }).missing;
  if (process.env.GI_REQUIRE_TERRAFORM === '1')
    throw new Error(`GI_REQUIRE_TERRAFORM=1 but real terraform cannot run: ${reason}`);
  process.stderr.write(`\n*** SKIPPING real terraform validate/plan tests: ${reason} ***\n\n`);
}
const describeWithTerraform = tf ? describe : describe.skip;

describeWithTerraform('real terraform, offline', () => {
  // Every stack is validated in one terraform run (each as a child module: the provider schema loads once), the
  // first time a validate test runs; the tests then read their stack's diagnostics.
  // The stacks that promise an offline plan are planned together the same way.
  const toValidate: TerraformJson[] = [];
  const toPlan: TerraformJson[] = [];
  let validated: StackValidation[] | undefined;
  let planned: StackPlan[] | undefined;
  let workspace: TerraformBatch | undefined;
  const batch = () => (workspace ??= new TerraformBatch(tf as OfflineTerraform, toValidate.length));
  afterAll(() => workspace?.dispose());
  const validateAll = () => (validated ??= batch().validate(toValidate));

  // Two small stacks join the same batch (no run of their own): one valid with a required variable, one with an
  // argument the provider does not define. The batch must charge the error to that one only.
  const provider = { aws: [{ region: 'eu-west-1' }] };
  const terraform = {
    required_providers: { aws: { source: 'aws', version: '5.100.0' } },
    backend: { local: { path: 'x.tfstate' } },
  };
  const variable = { secret: { type: 'string', sensitive: true, nullable: false } };
  const good =
    toValidate.push({
      terraform,
      provider,
      variable,
      resource: { aws_sns_topic: { t: { name: '${var.secret}' } } },
    } as never) - 1;
  const bad =
    toValidate.push({
      terraform,
      provider,
      resource: { aws_sns_topic: { t: { name: 'x', no_such_argument: true } } },
    } as never) - 1;

  for (const example of OFFLINE_EXAMPLES) {
    describe(example.name, () => {
      const { stacks } = synthExample(example.build);
      const awsOnly = stacks.filter((s) => requiredProviders(s.json).every((p) => p === 'aws'));

      test('has at least one AWS-only stack to check', () => {
        expect(awsOnly.length).toBeGreaterThan(0);
      });

      for (const stack of awsOnly) {
        const index = toValidate.push(stack.json) - 1;
        test(`terraform validate accepts ${stack.name}`, () => {
          expect(validateAll()[index]).toEqual({ ok: true, diagnostics: [], warnings: [] });
        });

        if (example.plan) {
          const planIndex = toPlan.push(stack.json) - 1;
          test(`terraform plan -refresh=false creates every resource of ${stack.name}`, () => {
            planned ??= batch().plan(toPlan);
            const result = planned[planIndex];
            if (!result.ok) throw new Error(`terraform plan failed:\n${result.message}`);
            const resourceCount = Object.values(stack.json.resource ?? {}).reduce(
              (sum, byName) => sum + Object.keys(byName).length,
              0,
            );
            expect(result.actions).toEqual({ create: resourceCount });
          });
        }
      }
    });
  }

  test('a batched validate attributes each error to the stack that has it, and feeds required variables', () => {
    const results = validateAll();
    expect(results[good]).toEqual({ ok: true, diagnostics: [], warnings: [] });
    expect(results[bad].ok).toBe(false);
    expect(results[bad].diagnostics.join('; ')).toMatch(/no_such_argument/);
  });
});
