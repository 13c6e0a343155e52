import { asArray, type Ctx, isObject, type Raw, reportDuplicates } from './check-helpers';
import { checkDeployability } from './deployability-checks';
import { modelKey } from './model-schema';
import { checkResidency, checkRouting } from './routing-checks';
import { cloudflareCrossChecks } from './cloudflare-schema';
/*
 * Cross-field rules of the spec. They run even when other parts of the spec are invalid (and reported elsewhere),
 * so that a user sees every problem at once.
 */

/** Every cross-field rule of the spec, on the raw (possibly partly invalid) value; the spec schema's refinement. */
export function crossChecks(spec: Raw, ctx: Ctx): void {
  const hasModel = spec.model !== undefined;
  const hasModels = spec.models !== undefined;
  if (hasModel && hasModels) {
    ctx.addIssue({
      code: 'custom',
      path: ['model'],
      input: spec.model,
      message: 'give either `model` (one model) or `models` (a list), not both',
    });
  }
  if (!hasModel && !hasModels) {
    ctx.addIssue({
      code: 'custom',
      path: ['models'],
      input: undefined,
      message: 'is required: declare the model(s) to serve with `model: {...}` or `models: [...]`',
    });
  }
  const models = (hasModels ? asArray(spec.models) : hasModel ? [spec.model] : []).filter(isObject);
  const modelNames = models.map((m) => modelKey(m));
  reportDuplicates(
    modelNames,
    (i) => [hasModels ? 'models' : 'model', ...(hasModels ? [i] : []), 'name'],
    'model name',
    ctx,
  );

  models.forEach((m, i) => {
    const path = hasModels ? ['models', i] : ['model'];
    if (m.engine === 'custom' && (m.image === undefined || m.command === undefined)) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'engine'],
        input: 'custom',
        message: 'custom engine needs both `image` and `command` (the library cannot guess how to start it)',
      });
    }
    if (m.weightsS3Uri !== undefined && m.huggingFaceTokenSecretArn !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: [...path, 'huggingFaceTokenSecretArn'],
        input: m.huggingFaceTokenSecretArn,
        message: 'is not used when weightsS3Uri is set (weights come from S3); remove one of them',
      });
    }
  });

  const regions = asArray(spec.regions).filter(isObject);
  reportDuplicates(
    regions.map((r) => (typeof r.region === 'string' ? r.region : undefined)),
    (i) => ['regions', i, 'region'],
    'region',
    ctx,
  );
  regions.forEach((r, i) => {
    for (const [j, name] of asArray(r.models).entries()) {
      if (typeof name === 'string' && !modelNames.includes(name)) {
        ctx.addIssue({
          code: 'custom',
          path: ['regions', i, 'models', j],
          input: name,
          message: `must name a declared model (${modelNames.join(', ') || 'none declared'})`,
        });
      }
    }
    if (isObject(r.modelVersions)) {
      for (const name of Object.keys(r.modelVersions)) {
        if (!modelNames.includes(name)) {
          ctx.addIssue({
            code: 'custom',
            path: ['regions', i, 'modelVersions', name],
            input: name,
            message: `must be keyed by a declared model name (${modelNames.join(', ')})`,
          });
        }
      }
    }
  });

  const regionCodes = regions.map((r) => r.region).filter((r): r is string => typeof r === 'string');
  checkRouting(spec, regionCodes, ctx);
  checkResidency(spec, regions, ctx);
  checkRollout(models, hasModels, regions, ctx);
  checkFrontDoor(spec, ctx);
  cloudflareCrossChecks(spec, ctx);
  const edgeWeights = isObject(spec.edgeRouter) && isObject(spec.edgeRouter.weights) ? spec.edgeRouter.weights : {};
  for (const region of Object.keys(edgeWeights)) {
    if (!regionCodes.includes(region)) {
      ctx.addIssue({
        code: 'custom',
        path: ['edgeRouter', 'weights', region],
        input: region,
        message: `must be keyed by a region of the spec (${regionCodes.join(', ')})`,
      });
    }
  }

  const endpoint = isObject(spec.endpoint) ? spec.endpoint : {};
  checkDeployability(spec, models, hasModels, regions, endpoint, ctx);
  const algorithm = endpoint.loadBalancingAlgorithm ?? 'least_outstanding_requests';
  if (
    typeof endpoint.slowStartSeconds === 'number' &&
    endpoint.slowStartSeconds > 0 &&
    algorithm === 'least_outstanding_requests'
  ) {
    ctx.addIssue({
      code: 'custom',
      path: ['endpoint', 'slowStartSeconds'],
      input: endpoint.slowStartSeconds,
      message:
        'cannot be used with loadBalancingAlgorithm least_outstanding_requests (AWS refuses both on one target ' +
        'group); set loadBalancingAlgorithm: round_robin or slowStartSeconds: 0',
    });
  }
}

function checkRollout(models: Raw[], hasModels: boolean, regions: Raw[], ctx: Ctx): void {
  models.forEach((model, i) => {
    const name = modelKey(model);
    const stable = model.version;
    if (name === undefined || typeof stable !== 'string') return;
    const serving = regions.filter(
      (r) => typeof r.region === 'string' && (r.models === undefined || asArray(r.models).includes(name)),
    );
    const versionOf = (r: Raw) =>
      isObject(r.modelVersions) && typeof r.modelVersions[name] === 'string'
        ? (r.modelVersions[name] as string)
        : stable;
    const rolling = serving.filter((r) => versionOf(r) !== stable && versionOf(r) !== model.promotedVersion);
    if (rolling.length === 0) return;
    const onStable = serving.filter((r) => versionOf(r) === stable);
    if (onStable.length >= 2) return;
    const path = hasModels ? ['models', i, 'version'] : ['model', 'version'];
    const newVersions = [...new Set(rolling.map(versionOf))].join(', ');
    ctx.addIssue({
      code: 'custom',
      path,
      input: stable,
      message:
        `rolling upgrade of model '${name}': only ${onStable.length} region${onStable.length === 1 ? '' : 's'} ` +
        `(${onStable.map((r) => String(r.region)).join(', ') || 'none'}) still ` +
        `run${onStable.length === 1 ? 's' : ''} the stable version ${stable} ` +
        `while ${newVersions} rolls out to ${rolling.map((r) => String(r.region)).join(', ')}; keep at least ` +
        `two regions on ${stable}, ` +
        `or declare the new version validated with ${hasModels ? `models[${i}]` : 'model'}.promotedVersion: ` +
        `"${rolling.map(versionOf)[0]}"`,
    });
  });
}

function checkFrontDoor(spec: Raw, ctx: Ctx): void {
  const frontDoor = typeof spec.frontDoor === 'string' ? spec.frontDoor : 'route53';
  if ((frontDoor === 'cloudflare' || frontDoor === 'both') && spec.cloudflare === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare'],
      input: undefined,
      message: `is required when frontDoor is ${frontDoor} (accountId, zoneId and plan of the Cloudflare zone)`,
    });
  }
  const cloudflare = isObject(spec.cloudflare) ? spec.cloudflare : {};
  if (frontDoor === 'both' && cloudflare.lockOrigin === true) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare', 'lockOrigin'],
      input: true,
      message:
        'cannot be on with frontDoor both: Route53 clients and health checks reach the ALBs directly and would ' +
        'get 403; use frontDoor: cloudflare to lock the origins',
    });
  }
  if (frontDoor === 'route53' && spec.cloudflare !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['cloudflare'],
      input: '{...}',
      message: "is only used when frontDoor is 'cloudflare' or 'both'; set frontDoor or remove this block",
    });
  }
}
