/**
 * The API reference and the code in the docs.
 *
 * - The public API (every export of lib/index.ts) is documented: each class, interface, function, type alias, enum
 *   and constant has a TSDoc summary; so has each property of an exported `*Props` interface (optional ones also an
 *   `@default`), and each public attribute, getter and method of an exported class (a member documented where the
 *   class's base class or interface declares it counts: TypeDoc shows that text). Gaps are listed with file:line.
 * - Every construct (a class extending `Construct`) has an `@example`. Every `@example` of the public API and every
 *   code block of docs/testing-your-stack.md type-checks against the real API and runs: the examples' apps are
 *   synthesized, and the page's test files run as tests of this file.
 * - docs/api/ is what `npm run docs` (TypeDoc with typedoc-plugin-markdown, options in typedoc.json) generates from
 *   the sources now.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

const ROOT = join(__dirname, '..', '..');
const INDEX = join(ROOT, 'lib', 'index.ts');
const DOCS_API = join(ROOT, 'docs', 'api');
const TESTING_PAGE = join(ROOT, 'docs', 'testing-your-stack.md');
/** Where the code samples live as (virtual) files, so their relative imports and node_modules resolve. */
const SAMPLES_ROOT = join(ROOT, '.docs-samples');

// ------------------------------------------------------------------------------------------------ the program

/** The compiler options of the build, plus what the samples need: jest's types and the package name. */
function compilerOptions(): ts.CompilerOptions {
  const parsed = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.build.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  return {
    ...parsed!.options,
    noEmit: true,
    incremental: false,
    tsBuildInfoFile: undefined,
    // Samples are what a user writes: names they keep for the reader are not errors.
    noUnusedLocals: false,
    noUnusedParameters: false,
    types: ['node', 'jest'],
    baseUrl: ROOT,
    paths: { 'cdktf-global-inference': ['lib/index.ts'] },
  };
}

const OPTIONS = compilerOptions();
const parsedFiles = new Map<string, ts.SourceFile>();

/** A program over lib/index.ts and the given virtual files; source files are parsed once across programs. */
function createProgram(virtual: ReadonlyMap<string, string>, oldProgram?: ts.Program): ts.Program {
  const host = ts.createCompilerHost(OPTIONS, true);
  const { getSourceFile, fileExists, readFile, directoryExists } = host;
  const virtualDirs = new Set([...virtual.keys()].flatMap((file) => ancestors(dirname(file))));
  host.fileExists = (file) => virtual.has(file) || fileExists.call(host, file);
  host.directoryExists = (dir) =>
    virtualDirs.has(dir) || (directoryExists?.call(host, dir) ?? ts.sys.directoryExists(dir));
  host.readFile = (file) => virtual.get(file) ?? readFile.call(host, file);
  host.getSourceFile = (file, language, onError) => {
    const text = virtual.get(file);
    if (text !== undefined) return ts.createSourceFile(file, text, language, true);
    let sf = parsedFiles.get(file);
    if (!sf) {
      sf = getSourceFile.call(host, file, language, onError);
      if (sf) parsedFiles.set(file, sf);
    }
    return sf;
  };
  return ts.createProgram({ rootNames: [INDEX, ...virtual.keys()], options: OPTIONS, host, oldProgram });
}

/** `dir` and the directories above it, up to the repository root. */
function ancestors(dir: string): string[] {
  const out: string[] = [];
  for (let current = dir; current.startsWith(ROOT) && current !== ROOT; current = dirname(current)) out.push(current);
  return out;
}

const where = (node: ts.Node): string => {
  const sf = node.getSourceFile();
  return `${relative(ROOT, sf.fileName)}:${sf.getLineAndCharacterOfPosition(node.getStart()).line + 1}`;
};
const inProject = (node: ts.Node): boolean => !node.getSourceFile().fileName.includes('/node_modules/');

/**
 * The TSDoc summary of a declaration (the text before its tags), trimmed; for a constructor parameter declaring an
 * attribute, its own comment or its `@param` text.
 */
function summary(node: ts.Node): string {
  const host = ts.isVariableDeclaration(node) ? node.parent.parent : node;
  return ts
    .getJSDocCommentsAndTags(host)
    .map((doc) => (ts.isJSDoc(doc) || ts.isJSDocParameterTag(doc) ? (ts.getTextOfJSDocComment(doc.comment) ?? '') : ''))
    .join('')
    .trim();
}

const hasTag = (node: ts.Node, tag: string): boolean => ts.getJSDocTags(node).some((t) => t.tagName.text === tag);

/** Each export of lib/index.ts with its declarations (aliases resolved), in name order. */
function publicExports(program: ts.Program): { name: string; symbol: ts.Symbol; declarations: ts.Declaration[] }[] {
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(INDEX)!)!;
  return checker
    .getExportsOfModule(module)
    .map((exported) => {
      const symbol = exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      return { name: exported.name, symbol, declarations: (symbol.declarations ?? []).filter(inProject) };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

function kindOf(node: ts.Declaration): string | undefined {
  if (ts.isClassDeclaration(node)) return 'class';
  if (ts.isInterfaceDeclaration(node)) return 'interface';
  if (ts.isFunctionDeclaration(node)) return 'function';
  if (ts.isTypeAliasDeclaration(node)) return 'type';
  if (ts.isEnumDeclaration(node)) return 'enum';
  if (ts.isVariableDeclaration(node)) return 'variable';
  return undefined;
}

/** Whether a base class or implemented interface of `cls` declares `name` with a doc comment. */
function documentedUpstream(checker: ts.TypeChecker, cls: ts.ClassDeclaration, name: string): boolean {
  for (const clause of cls.heritageClauses ?? [])
    for (const base of clause.types) {
      const member = checker.getTypeAtLocation(base).getProperty(name);
      if (member?.declarations?.some((d) => d.parent !== cls && summary(d) !== '')) return true;
    }
  return false;
}

const isPublic = (member: ts.ClassElement | ts.ParameterDeclaration): boolean =>
  !(ts.getCombinedModifierFlags(member) & (ts.ModifierFlags.Private | ts.ModifierFlags.Protected)) &&
  !(member.name && ts.isPrivateIdentifier(member.name));

/** The public members of a class that need a doc comment: attributes, getters and methods, static or not. */
function classMembers(cls: ts.ClassDeclaration): { kind: string; name: string; node: ts.Node }[] {
  const out: { kind: string; name: string; node: ts.Node }[] = [];
  for (const member of cls.members) {
    if (!isPublic(member) || !member.name) continue;
    const name = member.name.getText();
    if (ts.isPropertyDeclaration(member)) out.push({ kind: 'attribute', name, node: member });
    else if (ts.isGetAccessorDeclaration(member)) out.push({ kind: 'attribute', name, node: member });
    else if (ts.isMethodDeclaration(member)) out.push({ kind: 'method', name, node: member });
  }
  // `constructor(readonly x: T)`: a public attribute declared as a parameter.
  const ctor = cls.members.find(ts.isConstructorDeclaration);
  for (const param of ctor?.parameters ?? []) {
    const flags = ts.getCombinedModifierFlags(param);
    if (flags & (ts.ModifierFlags.Readonly | ts.ModifierFlags.Public) && isPublic(param))
      out.push({ kind: 'attribute', name: param.name.getText(), node: param });
  }
  return out;
}

/** Every documentation gap of the public API: `file:line kind Name: what is missing`. */
function documentationGaps(program: ts.Program): string[] {
  const checker = program.getTypeChecker();
  const gaps: string[] = [];
  const gap = (node: ts.Node, what: string, missing = 'no doc comment') =>
    gaps.push(`${where(node)} ${what}: ${missing}`);
  for (const { name, symbol, declarations } of publicExports(program)) {
    const seen = new Set<string>();
    for (const declaration of declarations) {
      const kind = kindOf(declaration);
      if (!kind || seen.has(kind)) continue;
      seen.add(kind);
      // Overloads: documented when one of the declarations of that kind is.
      const sameKind = declarations.filter((d) => kindOf(d) === kind);
      if (!sameKind.some((d) => summary(d) !== '')) gap(declaration, `${kind} ${name}`);
      if ((kind === 'interface' || kind === 'type') && name.endsWith('Props')) {
        for (const property of checker.getPropertiesOfType(checker.getDeclaredTypeOfSymbol(symbol))) {
          for (const node of (property.declarations ?? []).filter(inProject)) {
            const what = `property ${name}.${property.name}`;
            if (summary(node) === '') gap(node, what);
            else if (property.flags & ts.SymbolFlags.Optional && !hasTag(node, 'default'))
              gap(node, what, 'optional, but no @default');
          }
        }
      }
      if (ts.isClassDeclaration(declaration)) {
        for (const member of classMembers(declaration)) {
          if (summary(member.node) !== '' || documentedUpstream(checker, declaration, member.name)) continue;
          gap(member.node, `${member.kind} ${name}.${member.name}`);
        }
      }
    }
  }
  return gaps;
}

/** Whether a class extends `Construct` (from the constructs package), directly or not. */
function isConstruct(checker: ts.TypeChecker, symbol: ts.Symbol): boolean {
  const pending = [checker.getDeclaredTypeOfSymbol(symbol)];
  while (pending.length > 0) {
    const type = pending.pop()!;
    const declaration = type.symbol?.declarations?.[0];
    if (
      type.symbol?.name === 'Construct' &&
      declaration?.getSourceFile().fileName.includes('/node_modules/constructs/')
    )
      return true;
    if (type.isClassOrInterface()) pending.push(...(checker.getBaseTypes(type) ?? []));
  }
  return false;
}

// ------------------------------------------------------------------------------------------------ code samples

interface Sample {
  /** Where it is written, for messages: `lib/aws/minimal-vpc.ts:95` or `docs/testing-your-stack.md:40`. */
  readonly origin: string;
  /** Line (1-based) of the origin file where the code starts. */
  readonly firstLine: number;
  /** The (virtual) file it is compiled and run as. */
  readonly file: string;
  readonly code: string;
}

/** The code of each `@example` of a declaration (its ```ts fence, or the whole tag when it has none). */
function examplesOf(node: ts.Node, label: string): Sample[] {
  const sf = node.getSourceFile();
  return ts.getJSDocTags(node).flatMap((tag, i) => {
    if (tag.tagName.text !== 'example') return [];
    const startLine = sf.getLineAndCharacterOfPosition(tag.getStart()).line + 1;
    const lines = sf.text
      .slice(tag.getStart(), tag.end)
      .replace(/\*\/\s*$/, '')
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''));
    lines[0] = lines[0].replace(/^@example\s*/, '');
    const open = lines.findIndex((line) => /^```(ts|typescript)?\s*$/.test(line));
    const close = open < 0 ? -1 : lines.findIndex((line, j) => j > open && /^```\s*$/.test(line));
    const body = open < 0 ? lines : lines.slice(open + 1, close < 0 ? undefined : close);
    return [
      {
        origin: `${relative(ROOT, sf.fileName)}:${startLine} (@example of ${label})`,
        firstLine: startLine + (open < 0 ? 0 : open + 1),
        file: join(SAMPLES_ROOT, 'examples', `${label}-${i}.ts`),
        code: `${body.join('\n')}\nexport {};\n`,
      },
    ];
  });
}

interface PageBlock extends Sample {
  readonly lang: string;
  /** The path its first line names (`// test/spec.ts`). */
  readonly path: string;
}

/** The code blocks of a docs page whose first line names their file (`// test/routing.test.ts`). */
function pageBlocks(page: string): PageBlock[] {
  const text = readFileSync(page, 'utf8');
  const blocks: PageBlock[] = [];
  for (const match of text.matchAll(/^```(\w+)\n([\s\S]*?)^```$/gm)) {
    const [, lang, code] = match;
    const named = /^\/\/ (\S+)/.exec(code);
    if (!named) continue;
    const firstLine = text.slice(0, match.index).split('\n').length + 1;
    blocks.push({
      lang,
      path: named[1],
      origin: `${relative(ROOT, page)}:${firstLine} (${named[1]})`,
      firstLine,
      file: join(SAMPLES_ROOT, named[1]),
      code,
    });
  }
  return blocks;
}

/** Type errors of the samples, each at its line in the file it is written in. */
function typeErrors(program: ts.Program, samples: readonly Sample[]): string[] {
  return samples.flatMap((sample) =>
    ts.getPreEmitDiagnostics(program, program.getSourceFile(sample.file)).map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line : 0;
      const [file] = sample.origin.split(':');
      return (
        `${file}:${sample.firstLine + line} (${relative(SAMPLES_ROOT, sample.file)}:${line + 1}): ` +
        ts.flattenDiagnosticMessageText(d.messageText, '\n')
      );
    }),
  );
}

type Require = (id: string) => unknown;

/** Runs a sample as a CommonJS module: the package name is this package's lib, relative imports other samples. */
function runSample(sample: Sample, samples: ReadonlyMap<string, Sample>, overrides: Record<string, unknown> = {}) {
  const loaded = new Map<string, unknown>();
  const load = (current: Sample): unknown => {
    const cached = loaded.get(current.file);
    if (cached) return cached;
    const module = { exports: {} as unknown };
    loaded.set(current.file, module.exports);
    const sampleRequire: Require = (id) => {
      if (id in overrides) return overrides[id];
      if (id === 'cdktf-global-inference') return require('../../lib');
      if (id.startsWith('.')) {
        const target = resolve(dirname(current.file), id);
        const other = samples.get(target) ?? samples.get(`${target}.ts`);
        if (!other) throw new Error(`${current.origin} imports ${id}, which no code block of the page defines`);
        return load(other);
      }
      return require(id);
    };
    const js = ts.transpileModule(current.code, {
      fileName: current.file,
      compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true },
    }).outputText;
    new Function('exports', 'require', 'module', '__filename', '__dirname', js)(
      module.exports,
      sampleRequire,
      module,
      current.file,
      dirname(current.file),
    );
    loaded.set(current.file, module.exports);
    return module.exports;
  };
  return load(sample);
}

// ------------------------------------------------------------------------------------------------ docs/api

/** Every file under a directory, by relative path, with its text. */
function filesUnder(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (current: string) => {
    for (const entry of readdirSync(current).sort()) {
      const path = join(current, entry);
      if (statSync(path).isDirectory()) walk(path);
      else out.set(relative(dir, path), readFileSync(path, 'utf8'));
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
}

/** `npm run docs` into a temporary directory, started at once: it runs while the other tests do. */
function regenerateDocs(): Promise<{ dir: string; status: number | null; output: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'gi-api-docs-'));
  return new Promise((done) => {
    const typedoc = join(ROOT, 'node_modules', 'typedoc', 'bin', 'typedoc');
    const child = spawn(process.execPath, [typedoc, '--out', dir], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    child.on('error', (error) => done({ dir, status: -1, output: String(error) }));
    child.on('close', (status) => done({ dir, status, output }));
  });
}

const regenerated = regenerateDocs();

// ------------------------------------------------------------------------------------------------ the tests

const libProgram = createProgram(new Map());
const checker = libProgram.getTypeChecker();
const exported = publicExports(libProgram);
const constructs = exported.filter(
  ({ symbol, declarations }) => declarations.some(ts.isClassDeclaration) && isConstruct(checker, symbol),
);
const examples = exported.flatMap(({ name, declarations }) =>
  declarations.filter((d) => kindOf(d)).flatMap((d) => examplesOf(d, name)),
);
const page = pageBlocks(TESTING_PAGE);
const pageTs = page.filter((b) => b.lang === 'ts');
const samplesByFile = new Map<string, Sample>(pageTs.map((b) => [b.file, b]));
let samplesProgram: ts.Program | undefined;
const sampleProgram = () =>
  (samplesProgram ??= createProgram(new Map([...examples, ...pageTs].map((s) => [s.file, s.code])), libProgram));

describe('the public API is documented', () => {
  test('every export, every prop of a *Props interface and every public member of a class has a doc comment', () => {
    // No allowlist: every gap fails, wherever it is.
    const gaps = documentationGaps(libProgram);
    const problems =
      gaps.length > 0
        ? [
            `${gaps.length} undocumented (add a TSDoc comment; an optional prop also needs @default):`,
            ...gaps.map((text) => `  ${text}`),
          ]
        : [];
    expect(problems.join('\n')).toBe('');
  });

  test('the check sees the whole API: constructs, props, imports', () => {
    expect(exported.length).toBeGreaterThan(400);
    expect(constructs.map((c) => c.name)).toEqual(
      expect.arrayContaining(['GlobalInferenceService', 'GpuInferenceEndpoint', 'CloudflareFrontDoor', 'EdgeRouter']),
    );
    const names = exported.map((e) => e.name);
    for (const name of ['GpuInferenceEndpointProps', 'InferenceEndpointRef', 'HealthCheckRef', 'InferenceHostedZone'])
      expect(names).toContain(name);
  });

  test('every construct has an @example', () => {
    const without = constructs
      .filter(({ declarations }) => !declarations.some((d) => hasTag(d, 'example')))
      .map(({ name, declarations }) => `${where(declarations[0])} ${name}`);
    expect(without).toEqual([]);
  });

  test("GlobalInferenceService's doc names every stack output it writes", () => {
    const file = join(ROOT, 'lib', 'service', 'global-inference-service.ts');
    const outputs = [...readFileSync(file, 'utf8').matchAll(/this\.output\(\s*'([a-z_]+)'/g)].map((m) => m[1]);
    expect(outputs).toEqual(expect.arrayContaining(['service_url', 'regional_endpoints', 'name_servers']));
    const service = constructs.find((c) => c.name === 'GlobalInferenceService')!;
    const doc = service.declarations.map((d) => summary(d)).join('\n');
    expect(outputs.filter((name) => !doc.includes(`\`${name}\``))).toEqual([]);
  });
});

describe('the @examples of the API', () => {
  test('type-check against the public API', () => {
    expect(examples.length).toBeGreaterThanOrEqual(constructs.length);
    expect(typeErrors(sampleProgram(), examples)).toEqual([]);
  });

  for (const example of examples) {
    test(`run and synthesize: ${example.origin}`, () => {
      const cdktf = require('cdktf') as typeof import('cdktf');
      const apps: InstanceType<typeof cdktf.App>[] = [];
      class RecordingApp extends cdktf.App {
        constructor(config?: ConstructorParameters<typeof cdktf.App>[0]) {
          super(config);
          apps.push(this);
        }
      }
      const saved = process.env.CDKTF_OUTDIR;
      process.env.CDKTF_OUTDIR = mkdtempSync(join(tmpdir(), 'gi-example-'));
      try {
        runSample(example, new Map(), { cdktf: { ...cdktf, App: RecordingApp } });
        for (const app of apps) app.synth();
      } finally {
        if (saved === undefined) delete process.env.CDKTF_OUTDIR;
        else process.env.CDKTF_OUTDIR = saved;
      }
    });
  }
});

describe('docs/testing-your-stack.md', () => {
  test('its code blocks name their files and type-check against the public API', () => {
    expect(pageTs.map((b) => b.path)).toEqual(
      expect.arrayContaining(['test/setup.ts', 'test/spec.ts', 'test/routing.test.ts', 'test/terraform.test.ts']),
    );
    expect(typeErrors(sampleProgram(), pageTs)).toEqual([]);
  });

  test('its jest config loads the setup file the page shows', () => {
    const config = page.find((b) => b.lang === 'js' && b.path === 'jest.config.js')!;
    const module = { exports: {} as { setupFilesAfterEnv?: string[] } };
    new Function('module', config.code)(module);
    expect(module.exports.setupFilesAfterEnv).toEqual(['<rootDir>/test/setup.ts']);
  });

  // The page's test files, run as tests of this file (their describe/test calls register here).
  const setup = pageTs.find((b) => b.path === 'test/setup.ts');
  if (setup) runSample(setup, samplesByFile);
  for (const block of pageTs.filter((b) => b.path.endsWith('.test.ts'))) {
    describe(block.path, () => {
      runSample(block, samplesByFile);
    });
  }
});

describe('docs/*.md', () => {
  const pages = readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => join(ROOT, 'docs', f));

  test('their relative links resolve', () => {
    const broken = pages.flatMap((page) =>
      [...readFileSync(page, 'utf8').matchAll(/\]\(([^)#\s]+)[^)]*\)/g)]
        .map((m) => m[1])
        .filter((link) => !/^https?:/.test(link) && !existsSync(resolve(dirname(page), link)))
        .map((link) => `${relative(ROOT, page)}: ${link}`),
    );
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(broken).toEqual([]);
  });

  test('the overview lists every construct', () => {
    const overview = readFileSync(join(ROOT, 'docs', 'README.md'), 'utf8');
    expect(constructs.filter(({ name }) => !overview.includes(`(api/classes/${name}.md)`)).map((c) => c.name)).toEqual(
      [],
    );
  });
});

describe('docs/api/', () => {
  test('is what `npm run docs` generates now', async () => {
    const { dir, status, output } = await regenerated;
    if (status !== 0) throw new Error(`typedoc failed (exit ${status}):\n${output}`);
    const fresh = filesUnder(dir);
    const committed = filesUnder(DOCS_API);
    expect(fresh.size).toBeGreaterThan(100);
    const differing = [
      ...[...fresh.keys()].filter((f) => !committed.has(f)).map((f) => `missing: docs/api/${f}`),
      ...[...committed.keys()].filter((f) => !fresh.has(f)).map((f) => `no longer generated: docs/api/${f}`),
      ...[...fresh.keys()]
        .filter((f) => committed.has(f) && committed.get(f) !== fresh.get(f))
        .map((f) => `changed: docs/api/${f}`),
    ];
    if (differing.length > 0) {
      const shown = differing.slice(0, 20).join('\n  ');
      const more = differing.length > 20 ? `\n  ... and ${differing.length - 20} more` : '';
      const files = `${differing.length} files`;
      throw new Error(`docs/api/ is out of date with the sources (${files}): run \`npm run docs\`\n  ${shown}${more}`);
    }
  });

  test('has a page per construct, with its props, and links from the index', () => {
    const index = readFileSync(join(DOCS_API, 'README.md'), 'utf8');
    for (const { name } of constructs) {
      expect(existsSync(join(DOCS_API, 'classes', `${name}.md`))).toBe(true);
      expect(index).toContain(`(classes/${name}.md)`);
      if (exported.some((e) => e.name === `${name}Props`))
        expect(readFileSync(join(DOCS_API, 'classes', `${name}.md`), 'utf8')).toContain(`${name}Props.md`);
    }
  });
});
