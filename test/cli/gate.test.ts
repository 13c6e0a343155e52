/*
 * The synth gate on every path (issue 17 item 5): a user's own stack + app.synth(), addGlobalInferenceStacks, the
 * CLI, and `cdktf synth` run the policy pack and the routing proofs, all or nothing, with the same report and no
 * stack trace; opting out is explicit.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Annotations, App, Aspects, TerraformStack, type IAspect } from '../../lib/util/cdktf';
import type { IConstruct } from 'constructs';
import { InferenceAliasRecord } from '../../lib/aws/inference-alias-record';
import { SynthChecksFailedError } from '../../lib/analysis/gate';
import { GlobalInferenceService } from '../../lib/service/global-inference-service';
import { loadSpecFile } from '../../lib/spec/load';
import { generationStoreOf } from '../../lib/util/atomic-synth';
import { addGlobalInferenceStacks } from '../../stacks/global-inference-stacks';

const root = join(__dirname, '..', '..');
/** A stack frame (`at fn (file.js:1:2)`), as Node prints traces. */
const TRACE = /\n\s+at .*:\d+:\d+\)?\n/;
const ownStack = join(__dirname, 'fixtures', 'own-stack.js');
const spec = (name: string) => join(root, 'examples', name, 'spec.yaml');

function run(cwd: string, args: string[], env: Record<string, string> = {}) {
  const result = spawnSync(process.execPath, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GI_DIST: join(root, 'dist'), CHECKPOINT_DISABLE: '1', ...env },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function stackFile(outdir: string, stack: string): string {
  return readFileSync(join(outdir, 'stacks', stack, 'cdk.tf.json'), 'utf8');
}

function refusalOf(fn: () => unknown): SynthChecksFailedError {
  try {
    fn();
  } catch (error) {
    if (error instanceof SynthChecksFailedError) return error;
    throw error;
  }
  throw new Error('expected synth to be refused');
}

/** The eu-residency service in a user's own stack, with the escape hatch that leaks EU traffic. */
function leakyOwnApp(
  outdir: string,
  props: Partial<ConstructorParameters<typeof GlobalInferenceService>[2]> = {},
): App {
  const app = new App({ outdir });
  const stack = new TerraformStack(app, 'chat-aws');
  const service = new GlobalInferenceService(stack, 'Service', {
    spec: loadSpecFile(spec('leaky-residency')),
    ...props,
  });
  for (const child of service.route53Routing!.node.children) {
    if (child instanceof InferenceAliasRecord && child.node.id.startsWith('Residency-eu-'))
      child.resource.addOverride('alias.evaluate_target_health', true);
  }
  return app;
}

describe("the README's own-stack path: new GlobalInferenceService(stack) + app.synth()", () => {
  const dir = mkdtempSync(join(tmpdir(), 'gi-gate-'));

  test(
    'passes and writes a good service; refuses a leaking one with the report, exit 1, no stack trace, the old ' +
      'output kept',
    () => {
      const good = run(dir, [ownStack, spec('leaky-residency')]);
      expect(good.stderr).toBe('');
      expect(good.stdout).toBe('synthesized\n');
      const before = stackFile(join(dir, 'cdktf.out'), 'chat-aws');

      const leak = run(dir, [ownStack, spec('leaky-residency'), 'leak']);
      expect(leak.code).toBe(1);
      expect(leak.stdout).toBe('');
      expect(leak.stderr).toMatch(
        /^synth refused, nothing was written:\nRouting proofs failed \(\d+ violations?: residency \d+/,
      );
      expect(leak.stderr).toContain('(jurisdiction eu) to us-east-1');
      expect(leak.stderr).not.toMatch(TRACE);
      expect(leak.stderr).not.toContain('Error:');
      expect(stackFile(join(dir, 'cdktf.out'), 'chat-aws')).toBe(before);

      const policy = run(dir, [ownStack, spec('leaky-residency'), 'policy']);
      expect(policy.code).toBe(1);
      expect(policy.stderr).toMatch(/^synth refused, nothing was written:\nPolicy check FAILED: 1 error/);
      expect(policy.stderr).toContain('drop_invalid_header_fields');
      expect(policy.stderr).not.toMatch(TRACE);
      expect(stackFile(join(dir, 'cdktf.out'), 'chat-aws')).toBe(before);
    },
  );

  test('prints the same report as `global-inference synth` for the same spec', () => {
    const own = mkdtempSync(join(tmpdir(), 'gi-gate-'));
    const slow = spec('slow-failover');
    const fromProgram = run(own, [ownStack, slow]);
    const cli = run(own, [join(root, 'dist', 'bin', 'cli.js'), 'synth', slow]);
    expect(fromProgram.code).toBe(1);
    expect(cli.code).toBe(1);
    // The CLI names the stack <service>-aws, the program chat-aws; the service in slow-failover is named chat too.
    expect(fromProgram.stderr).toContain('failover-time:');
    expect(fromProgram.stderr).toBe(cli.stderr);
    expect(existsSync(join(own, 'cdktf.out'))).toBe(false);
  });

  test('an invalid spec in a program: the report, exit 1, no stack trace', () => {
    writeFileSync(join(dir, 'bad.yaml'), 'service: { name: chat, domain: inference.example.com }\nregions: []\n');
    const result = run(dir, [ownStack, join(dir, 'bad.yaml')]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^\S+bad\.yaml is invalid \(\d+ problems?\):\n/);
    expect(result.stderr).not.toMatch(TRACE);
    writeFileSync(join(dir, 'empty.yaml'), '# nothing\n');
    expect(run(dir, [ownStack, join(dir, 'empty.yaml')]).stderr).toMatch(
      /empty\.yaml: the file holds no spec: it is empty, only comments, only `---`, or `null`\n$/,
    );
  });

  test(
    'a bug still shows its stack trace, also right after a refusal was caught; GI_STACK_TRACES=1 shows a ' +
      "refusal's",
    () => {
      const bug = run(dir, [ownStack, spec('default'), 'bug']);
      expect(bug.code).toBe(1);
      expect(bug.stderr).toMatch(/TypeError: Cannot read properties of null \(reading 'service'\)/);
      expect(bug.stderr).toMatch(TRACE);
      writeFileSync(join(dir, 'empty.yaml'), '');
      const traced = run(dir, [ownStack, join(dir, 'empty.yaml')], { GI_STACK_TRACES: '1' });
      expect(traced.code).toBe(1);
      expect(traced.stderr).toContain('SpecValidationError');
      expect(traced.stderr).toMatch(TRACE);
    },
  );

  test('synthChecks: false opts out: plain cdktf synth, the leak is written', () => {
    const optout = mkdtempSync(join(tmpdir(), 'gi-gate-'));
    const result = run(optout, [ownStack, spec('leaky-residency'), 'optout']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(lstatSync(join(optout, 'cdktf.out')).isDirectory()).toBe(true); // written in place, not a link
    expect(stackFile(join(optout, 'cdktf.out'), 'chat-aws')).toContain('"evaluate_target_health": true');
  });
});

describe('the gate in process', () => {
  test(
    'app.synth() throws SynthChecksFailedError carrying the reports; nothing is written, not even the empty ' +
      'stacks/ cdktf makes',
    () => {
      const outdir = join(mkdtempSync(join(tmpdir(), 'gi-gate-')), 'cdktf.out');
      const app = leakyOwnApp(outdir);
      expect(existsSync(join(outdir, 'stacks'))).toBe(true); // cdktf's App constructor made it
      const error = refusalOf(() => app.synth());
      expect(error.routing[0].violations.some((v) => v.proof === 'residency')).toBe(true);
      expect(error.policy).toEqual([]);
      expect(existsSync(outdir)).toBe(false);
      expect(existsSync(generationStoreOf(outdir))).toBe(false);
    },
  );

  test('each check can be turned off on its own; the output stays atomic', () => {
    const outdir = join(mkdtempSync(join(tmpdir(), 'gi-gate-')), 'cdktf.out');
    leakyOwnApp(outdir, { synthChecks: { proofs: false } }).synth();
    expect(lstatSync(outdir).isSymbolicLink()).toBe(true);
    expect(stackFile(outdir, 'chat-aws')).toContain('"evaluate_target_health": true');
    const policyOff = new App({ outdir });
    const stack = new TerraformStack(policyOff, 'chat-aws');
    const service = new GlobalInferenceService(stack, 'Service', {
      spec: loadSpecFile(spec('default')),
      synthChecks: { policy: false },
    });
    service.endpoints['us-east-1'].resource.addOverride('drop_invalid_header_fields', false);
    policyOff.synth();
    expect(stackFile(outdir, 'chat-aws')).toContain('"drop_invalid_header_fields": false');
  });

  test(
    'addGlobalInferenceStacks: all or nothing over both stacks ' + '(AWS and Cloudflare), no cdktf validation trace',
    () => {
      const outdir = join(mkdtempSync(join(tmpdir(), 'gi-gate-')), 'cdktf.out');
      const good = new App({ outdir });
      addGlobalInferenceStacks(good, loadSpecFile(spec('cloudflare-eu')));
      good.synth();
      const before = readdirSync(join(outdir, 'stacks')).map((s) => stackFile(outdir, s));
      expect(before).toHaveLength(2);
      const bad = new App({ outdir });
      const { cloudflare } = addGlobalInferenceStacks(bad, loadSpecFile(spec('cloudflare-eu')));
      // Break only the Cloudflare stack's monitor: the AWS stack would be fine on its own, and must not be written
      // either.
      const monitor = cloudflare!.node
        .findAll()
        .find(
          (c) => (c as { terraformResourceType?: string }).terraformResourceType === 'cloudflare_load_balancer_monitor',
        ) as unknown as { addOverride(p: string, v: unknown): void };
      monitor.addOverride('interval', 3600);
      const error = refusalOf(() => bad.synth());
      expect(error.message).toMatch(/^synth refused, nothing was written:\n/);
      expect(error.message).not.toContain('Validation failed');
      expect(readdirSync(join(outdir, 'stacks')).map((s) => stackFile(outdir, s))).toEqual(before);
    },
  );

  test(
    'error annotations refuse before the output is switched, also when cdktf is told to continue on them (cdktf ' +
      'synth)',
    () => {
      const outdir = join(mkdtempSync(join(tmpdir(), 'gi-gate-')), 'cdktf.out');
      const saved = process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
      process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = 'true';
      try {
        const app = new App({ outdir });
        const stack = new TerraformStack(app, 'chat-aws');
        new GlobalInferenceService(stack, 'Service', { spec: loadSpecFile(spec('default')) });
        const complain: IAspect = {
          visit: (node: IConstruct) =>
            void (node === stack && Annotations.of(node).addError('a check of the user found a problem')),
        };
        Aspects.of(stack).add(complain);
        let message = '';
        try {
          app.synth();
        } catch (error) {
          message = (error as Error).message;
        }
        expect(message).toBe(
          'synth refused, nothing was written:\nEncountered Annotations with level "ERROR":\n[chat-aws] a check ' +
            'of the user found a problem',
        );
        expect(existsSync(outdir)).toBe(false);
      } finally {
        if (saved === undefined) delete process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS;
        else process.env.CDKTF_CONTINUE_SYNTH_ON_ERROR_ANNOTATIONS = saved;
      }
    },
  );
});

describe('cdktf synth (the cdktf.json app)', () => {
  test('a refused synth under the cdktf CLI shows the report and leaves the previous output untouched', () => {
    const project = mkdtempSync(join(tmpdir(), 'gi-gate-cdktf-'));
    mkdirSync(join(project, 'node_modules'));
    writeFileSync(
      join(project, 'cdktf.json'),
      JSON.stringify({
        language: 'typescript',
        app: `node ${join(root, 'dist', 'examples', 'leaky-residency', 'main.js')}`,
        output: 'cdktf.out',
        projectId: 'test',
        sendCrashReports: 'false',
        terraformProviders: [],
        terraformModules: [],
      }),
    );
    // The previous output: the same deployment without the leak, written by the CLI.
    const cli = run(project, [join(root, 'dist', 'bin', 'cli.js'), 'synth', spec('leaky-residency')]);
    expect(cli.code).toBe(0);
    const before = stackFile(join(project, 'cdktf.out'), 'chat-leaky-aws');
    const result = spawnSync(join(root, 'node_modules', '.bin', 'cdktf'), ['synth'], {
      cwd: project,
      encoding: 'utf8',
      env: { ...process.env, CHECKPOINT_DISABLE: '1', DISABLE_VERSION_CHECK: '1', CI: '1' },
      timeout: 240_000,
    });
    const output = `${result.stdout}${result.stderr}`;
    expect(result.status).not.toBe(0);
    expect(output).toContain('synth refused, nothing was written:');
    expect(output).toContain('residency: Route53 inference.example.com sends client groups');
    expect(output).not.toMatch(TRACE);
    expect(stackFile(join(project, 'cdktf.out'), 'chat-leaky-aws')).toBe(before);
  }, 240_000);
});
