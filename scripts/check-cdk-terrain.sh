#!/usr/bin/env bash
# Builds this library against CDK Terrain (cdktn) in a scratch directory and compares the default example's
# synthesized stack with the cdktf one: docs/migrating-to-cdk-terrain.md quotes its figures.
# Needs the npm registry (it installs cdktn, constructs 10.7 and @cdktn/provider-aws) and a built tree (npm run build).
# Usage: bash scripts/check-cdk-terrain.sh [scratch dir]
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
work="${1:-$(mktemp -d -t gi-cdktn-XXXXXX)}"
mkdir -p "$work/src"
cd "$work"
[ -f package.json ] || npm init -y >/dev/null
npm install --no-audit --no-fund cdktn@0.24.0 'constructs@>=10.6.0 <10.8.0' @cdktn/provider-aws@25.7.0 \
  yaml@2 zod@4 jsonc-parser@3 @types/node@20 >/dev/null
cp -r "$root/lib" "$root/stacks" "$root/examples" "$work/src/"
cp "$root/package.json" "$work/src/package.json"
# The switch: one module for cdktf, and the AWS provider package's name in the deep imports.
echo "export * from 'cdktn';" >"$work/src/lib/util/cdktf.ts"
grep -rl '@cdktf/provider-aws/lib/' "$work/src" | xargs sed -i 's#@cdktf/provider-aws/lib/#@cdktn/provider-aws/lib/#g'
cat >"$work/src/tsconfig.json" <<'EOF'
{ "compilerOptions": { "target": "ES2022", "module": "commonjs", "moduleResolution": "node", "lib": ["ES2023"],
    "strict": true, "esModuleInterop": true, "resolveJsonModule": true, "skipLibCheck": true, "outDir": "out",
    "rootDir": ".", "types": ["node"], "typeRoots": ["../node_modules/@types"], "baseUrl": ".",
    "paths": { "*": ["../node_modules/*"] } },
  "include": ["lib", "stacks", "examples"] }
EOF
cd "$work/src"
set +e
node "$root/node_modules/typescript/bin/tsc" -p tsconfig.json >"$work/tsc.log" 2>&1
set -e
echo "type errors: $(grep -c 'error TS' "$work/tsc.log" || true) in all, of which not about the Cloudflare provider" \
  "(no @cdktn/provider-cloudflare exists) or esbuild (the Worker bundler, a dev tool):"
grep 'error TS' "$work/tsc.log" | grep -v -e 'provider-cloudflare' -e "'esbuild'" || echo "  none"
cp "$root/examples/default/spec.yaml" out/examples/default/
NODE_PATH="$work/node_modules" node -e \
  "require('./out/examples/default/main.js').buildDefaultExample('$work/cdktn.out').synth()"
NODE_PATH="$root/node_modules" node -e \
  "require('$root/dist/examples/default/main.js').buildDefaultExample('$work/cdktf.out').synth()"
node - "$work" <<'EOF'
const { readFileSync } = require('node:fs');
const work = process.argv[2];
const read = (dir) => JSON.parse(readFileSync(`${work}/${dir}/stacks/chat-aws/cdk.tf.json`, 'utf8'));
const [a, b] = [read('cdktn.out'), read('cdktf.out')];
const bodies = (d) => new Map(Object.entries(d.resource).flatMap(([t, v]) => Object.entries(v).map(([n, body]) => {
  const { '//': _meta, ...rest } = body;
  return [`${t}.${n}`, JSON.stringify(rest)];
})));
const [x, y] = [bodies(a), bodies(b)];
const differ = [...y.keys()].filter((k) => x.get(k) !== y.get(k));
console.log(`cdktn: ${x.size} resources, cdktf: ${y.size}; same addresses: ${[...x.keys()].every((k) => y.has(k)) &&
  x.size === y.size}; bodies that differ: ${differ.length}; outputs equal: ${JSON.stringify(a.output) ===
  JSON.stringify(b.output)}`);
console.log(`required_providers: cdktn ${JSON.stringify(a.terraform.required_providers)}, cdktf ` +
  JSON.stringify(b.terraform.required_providers));
EOF
