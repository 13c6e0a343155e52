import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { SpecValidationError } from '../../lib/spec/errors';
import { loadSpecFile, parseSpec, parseSpecText, safeParseSpec } from '../../lib/spec/load';
import { errorOf } from '../support/synth';
import { regex } from '../support/regex';

const dir = mkdtempSync(join(tmpdir(), 'gi-spec-'));

const VALID_YAML = `service: { name: chat, domain: inference.example.com }
model: { id: meta-llama/Llama-3.1-8B-Instruct, version: "1" }
regions:
  - { region: us-east-1, instanceType: g6e.xlarge, capacity: { min: 1, max: 2 } }
`;
const VALID = {
  service: { name: 'chat', domain: 'inference.example.com' },
  model: { id: 'a/b', version: '1' },
  regions: [{ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } }],
};

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

/** What loading a file throws: always a SpecValidationError (the test fails on a TypeError, a RangeError...). */
function refusal(load: () => unknown): SpecValidationError {
  try {
    load();
  } catch (error) {
    if (error instanceof SpecValidationError) return error;
    throw new Error(`expected a SpecValidationError, got ${String((error as Error)?.stack ?? error)}`);
  }
  throw new Error('expected a SpecValidationError, nothing was thrown');
}

/** The message of a file that cannot be a spec: one line. */
function oneLine(load: () => unknown): string {
  const message = refusal(load).message;
  expect(message.split('\n')).toHaveLength(1);
  return message;
}

describe('spec files', () => {
  test('YAML and JSON files load to the same spec', () => {
    const fromYaml = loadSpecFile(file('a.yaml', VALID_YAML));
    const json = file(
      'a.json',
      JSON.stringify({
        service: fromYaml.service,
        models: fromYaml.models,
        regions: [{ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } }],
      }),
    );
    expect(loadSpecFile(json)).toEqual(fromYaml);
  });

  test('problems carry file:line:column of the offending value, in YAML and in JSON', () => {
    const message = errorOf(() => parseSpecText(VALID_YAML.replace('min: 1', 'min: 3'), 'spec.yaml'));
    expect(message).toContain('regions[0].capacity.min: must be ≤ capacity.max (2), got: 3 (spec.yaml:4:69)');
    const json = JSON.stringify(
      { ...VALID, regions: [{ ...VALID.regions[0], capacity: { min: 3, max: 2 } }] },
      null,
      2,
    );
    const line = json.split('\n').findIndex((l) => l.includes('"min": 3'));
    const column = json.split('\n')[line].indexOf('3') + 1;
    expect(errorOf(() => parseSpecText(json, 'spec.json'))).toContain(
      `regions[0].capacity.min: must be ≤ capacity.max (2), got: 3 (spec.json:${line + 1}:${column})`,
    );
  });

  test('an unknown key is located where the key is written, not at its value (YAML and JSON)', () => {
    // The value of the unknown key is a block that starts on the next line: the key's line is the one to fix.
    const yaml = `${VALID_YAML}notAKey:\n  nested: 1\n`;
    const keyLine = yaml.split('\n').findIndex((l) => l.startsWith('notAKey:')) + 1;
    expect(errorOf(() => parseSpecText(yaml, 'spec.yaml'))).toMatch(
      new RegExp(`notAKey: is not a known key[^\n]*\\(spec\\.yaml:${keyLine}:1\\)`),
    );
    const json = JSON.stringify({ ...VALID, notAKey: { nested: 1 } }, null, 2);
    const lines = json.split('\n');
    const jsonLine = lines.findIndex((l) => l.includes('"notAKey"'));
    const column = lines[jsonLine].indexOf('"notAKey"') + 1;
    expect(errorOf(() => parseSpecText(json, 'spec.json'))).toMatch(
      new RegExp(`notAKey: is not a known key[^\n]*\\(spec\\.json:${jsonLine + 1}:${column}\\)`),
    );
  });

  test('fails when the file is not valid YAML or JSON, with the position, on one line', () => {
    expect(oneLine(() => parseSpecText('service: [unclosed', 'bad.yaml'))).toMatch(
      /^bad\.yaml:\d+:\d+: not valid YAML: /,
    );
    expect(oneLine(() => parseSpecText('{"service": ', 'bad.json'))).toMatch(
      /^bad\.json:1:\d+: not valid JSON: a value was expected$/,
    );
  });

  test('fails when a key is repeated (YAML and JSON would otherwise silently keep one)', () => {
    expect(
      errorOf(() => parseSpecText(`${VALID_YAML}service: { name: other, domain: x.example.com }\n`, 'dup.yaml')),
    ).toContain('Map keys must be unique');
    expect(oneLine(() => parseSpecText('{"service": {"name": "a", "name": "b"}}', 'dup.json'))).toBe(
      'dup.json:1:27: the key "name" is given twice in one object (JSON.parse would silently keep the last)',
    );
  });

  test('fails when the file does not exist, or is a directory', () => {
    expect(oneLine(() => loadSpecFile(join(dir, 'missing.yaml')))).toBe(
      `${join(dir, 'missing.yaml')}: cannot read ${join(dir, 'missing.yaml')}: no such file`,
    );
    expect(oneLine(() => loadSpecFile(dir))).toBe(`${dir}: cannot read ${dir}: it is a directory, not a spec file`);
  });
});

describe('files that cannot be a spec: one line, a SpecValidationError, never a TypeError', () => {
  test.each([
    ['empty', ''],
    ['comment-only', '# nothing here\n# still nothing\n'],
    ['a lone ---', '---\n'],
    ['--- and ...', '---\n...\n'],
    ['null', 'null\n'],
    ['~', '~\n'],
  ])('%s YAML: "the file holds no spec"', (_name, text) => {
    expect(oneLine(() => loadSpecFile(file('empty.yaml', text)))).toMatch(
      /^\S*empty\.yaml(:\d+:\d+)?: the file holds no spec: it is empty, only comments, only `---`, or `null`$/,
    );
  });

  test.each([
    ['a list', '- service\n- regions\n', 'a list'],
    ['text', 'just some words\n', 'text'],
    ['a number', '42\n', 'a number'],
  ])('a document that is %s, not a mapping', (_name, text, kind) => {
    expect(oneLine(() => loadSpecFile(file('scalar.yaml', text)))).toContain(
      `the file holds ${kind}, not a spec: a spec is a mapping (service:, model:, regions:, ...)`,
    );
  });

  test('JSON that is null, a list, or empty', () => {
    expect(oneLine(() => parseSpecText('null', 'n.json'))).toBe('n.json:1:1: the file holds no spec: it is `null`');
    expect(oneLine(() => parseSpecText('[1, 2]', 'l.json'))).toContain('the file holds a list, not a spec');
    expect(oneLine(() => parseSpecText('  \n', 'e.json'))).toBe('e.json: the file holds no spec: it is empty');
  });

  test('several YAML documents are refused, pointing at the second', () => {
    expect(oneLine(() => parseSpecText(`${VALID_YAML}---\n${VALID_YAML}`, 'two.yaml'))).toBe(
      'two.yaml:5:1: the file holds more than one YAML document (a second one starts here, after `---`); a ' +
        'spec file holds one',
    );
  });

  test('an alias bomb is refused as such, in bounded time', () => {
    let bomb = 'a: &a ["x","x","x","x","x","x","x","x","x"]\n';
    for (let i = 0, previous = 'a'; i < 9; previous = `b${i}`, i++)
      bomb += `b${i}: &b${i} [${Array(9).fill(`*${previous}`).join(',')}]\n`;
    const started = Date.now();
    expect(oneLine(() => parseSpecText(bomb, 'bomb.yaml'))).toBe(
      'bomb.yaml: YAML aliases expand more than 100 times (an alias bomb?); aliases may share settings, not ' +
        'multiply data',
    );
    expect(Date.now() - started).toBeLessThan(5000);
    // Sharing settings with a few aliases is fine.
    const aliased = VALID_YAML.replace('capacity: { min: 1, max: 2 }', 'capacity: *cap');
    const shared = `defaults: &cap { min: 1, max: 2 }\n${aliased}`;
    expect(errorOf(() => parseSpecText(shared, 'shared.yaml'))).toContain('defaults: is not a known key');
  });

  test('a YAML alias inside its own anchor (a cycle) is refused with its path', () => {
    const message = refusal(() => parseSpecText(`${VALID_YAML}tags: &t { self: *t }\n`, 'cycle.yaml')).message;
    expect(message).toContain('tags.self: refers back to tags, which contains it (a cycle');
  });

  test(
    'the size limit: 1 MiB by default, overridable by option and ' + 'by GI_SPEC_MAX_BYTES, checked before reading',
    () => {
      const big = file('big.yaml', `${VALID_YAML}# ${'x'.repeat(1024 * 1024)}\n`);
      expect(oneLine(() => loadSpecFile(big))).toMatch(
        regex(
          /: cannot read .*big\.yaml: it is 10\d{5} bytes; a spec is limited to 1048576 bytes \(maxBytes, or /,
          /GI_SPEC_MAX_BYTES, raises the limit\)$/,
        ),
      );
      expect(loadSpecFile(big, { maxBytes: 2 * 1024 * 1024 }).service.name).toBe('chat');
      expect(loadSpecFile(big, { env: { GI_SPEC_MAX_BYTES: String(2 * 1024 * 1024) } }).service.name).toBe('chat');
      expect(oneLine(() => loadSpecFile(big, { env: { GI_SPEC_MAX_BYTES: 'lots' } }))).toContain(
        'GI_SPEC_MAX_BYTES must be a positive number, got: "lots"',
      );
      expect(oneLine(() => parseSpecText(`${VALID_YAML}# ${'é'.repeat(600 * 1024)}\n`, 'wide.yaml'))).toContain(
        'it is 12',
      ); // bytes, not characters
    },
  );

  test('a 50 MB spec with 655,360 regions is refused at once, without reading it', () => {
    const path = join(dir, 'huge.json');
    const region = JSON.stringify({ region: 'us-east-1', instanceType: 'g6e.xlarge', capacity: { min: 1, max: 2 } });
    writeFileSync(
      path,
      '{"service":{"name":"chat","domain":"inference.example.com"},"model":{"id":"a/b","version":"1"},"regions":[' +
        `${Array(655_360).fill(region).join(',')}]}`,
    );
    const started = Date.now();
    expect(oneLine(() => loadSpecFile(path))).toMatch(/it is \d{8} bytes; a spec is limited to 1048576 bytes/);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  test('lists beyond the region-count and item limits are refused before the schema runs', () => {
    const many = { ...VALID, regions: Array.from({ length: 5000 }, () => VALID.regions[0]) };
    const started = Date.now();
    expect(refusal(() => parseSpec(many)).message).toContain(
      'regions: has 5000 items; a list in a spec holds at most 1000',
    );
    const text = JSON.stringify({ ...VALID, regions: Array.from({ length: 41 }, () => VALID.regions[0]) });
    expect(refusal(() => parseSpecText(text, 'r.json')).message).toContain('regions: must list at most 40 regions');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('deep nesting is refused with its path (YAML, JSON, and nesting deeper than the parsers could read)', () => {
    const deepYaml = `${VALID_YAML}tags: ${'['.repeat(40)}${']'.repeat(40)}\n`;
    expect(refusal(() => parseSpecText(deepYaml, 'deep.yaml')).message).toMatch(
      /tags(\[0\]){31}: is nested more than 32 levels deep/,
    );
    expect(oneLine(() => parseSpecText(`{"a": ${'['.repeat(100_000)}`, 'deep.json'))).toBe(
      'deep.json:1:518: brackets ([ ] { }) nest more than 512 deep; a spec nests a few levels',
    );
    const started = Date.now();
    // 1 MB of brackets: refused before either parser recurses (they would take seconds, and printing such a value can
    // abort node).
    expect(oneLine(() => parseSpecText('a: '.concat('['.repeat(1024 * 1024 - 10)), 'deep.yaml'))).toMatch(
      /^deep\.yaml:1:516: brackets/,
    );
    expect(
      oneLine(() =>
        parseSpecText(
          `${'k:\n'.repeat(1)}${Array.from({ length: 600 }, (_, i) => `${' '.repeat(i + 1)}k: {`).join('\n')}`,
          'flow.yaml',
        ),
      ),
    ).toContain('brackets ([ ] { }) nest more than 512 deep');
    expect(Date.now() - started).toBeLessThan(5000);
    const block = Array.from({ length: 200 }, (_, i) => `${' '.repeat(i)}k:`).join('\n');
    expect(refusal(() => parseSpecText(block, 'block.yaml')).message).toContain('is nested more than 32 levels deep');
  });

  test('__proto__, constructor and prototype as keys are refused with their path: YAML, JSON and TS objects', () => {
    for (const key of ['__proto__', 'constructor', 'prototype']) {
      const yaml = refusal(() => parseSpecText(`${VALID_YAML}tags: { ${key}: x }\n`, 'keys.yaml')).message;
      expect(yaml).toContain(`tags.${key}: '${key}' cannot be a key: JavaScript treats it specially`);
      expect(yaml).toMatch(/\(keys\.yaml:5:\d+\)/);
      const json = refusal(() =>
        parseSpecText(
          JSON.stringify({
            ...VALID,
            routing: { mode: 'weighted', weights: JSON.parse(`{"${key}": 1, "us-east-1": 1}`) },
          }),
          'keys.json',
        ),
      ).message;
      expect(json).toContain(`routing.weights.${key}: '${key}' cannot be a key`);
      const ts = refusal(() => parseSpec({ ...VALID, tags: JSON.parse(`{"team": "a", "${key}": "x"}`) })).message;
      expect(ts).toContain(`tags.${key}: '${key}' cannot be a key`);
    }
    // A TS literal `{ __proto__: {...} }` sets the prototype instead of a key: refused as not plain data.
    expect(refusal(() => parseSpec({ ...VALID, tags: { __proto__: { team: 'a' } } })).message).toContain(
      'tags: must be plain data',
    );
    // Nested anywhere, not only at the top.
    expect(
      refusal(() => parseSpecText(VALID_YAML.replace('capacity: {', 'capacity: { constructor: 1,'), 'deep-key.yaml'))
        .message,
    ).toContain("regions[0].capacity.constructor: 'constructor' cannot be a key");
  });

  test('.json is strict JSON: trailing commas, comments, single quotes, NaN refused with JSON positions', () => {
    expect(oneLine(() => parseSpecText('{\n  "service": { "name": "chat", },\n}', 'trailing.json'))).toBe(
      "trailing.json:2:30: not valid JSON: a trailing comma before '}' (JSON allows none; YAML would have " +
        'accepted it, rename the file to .yaml if you meant YAML)',
    );
    expect(oneLine(() => parseSpecText('{"a": [1, 2,]}', 't.json'))).toContain(
      "t.json:1:12: not valid JSON: a trailing comma before ']'",
    );
    expect(oneLine(() => parseSpecText('{"a": 1} // why not', 'c.json'))).toBe(
      'c.json:1:10: not valid JSON: comments are not allowed in JSON',
    );
    expect(oneLine(() => parseSpecText('{"a": 1}\n{"b": 2}', 'two.json'))).toBe(
      'two.json:2:1: not valid JSON: nothing may follow the top-level value',
    );
    expect(oneLine(() => parseSpecText("{'a': 1}", 'q.json'))).toContain('q.json:1:2: not valid JSON:');
    expect(oneLine(() => parseSpecText('{"a": NaN}', 'n.json'))).toContain(
      'n.json:1:7: not valid JSON: unexpected character',
    );
    expect(oneLine(() => parseSpecText('{"a": "tab\there"}', 's.json'))).toContain(
      'control characters (a tab, a line break) must be escaped',
    );
    // The same text as YAML is accepted up to the schema.
    expect(refusal(() => parseSpecText('{"service": { "name": "chat", }, }', 'trailing.yaml')).message).toContain(
      'trailing.yaml is invalid',
    );
  });

  test('YAML tags that make values other than plain data are refused with their position', () => {
    expect(oneLine(() => parseSpecText(`${VALID_YAML}tags: { team: !!binary aGk= }\n`, 't.yaml'))).toBe(
      't.yaml:5:24: the YAML tag !!binary is not accepted in a spec (plain text, numbers, true/false, lists ' +
        'and mappings only)',
    );
    expect(oneLine(() => parseSpecText(`${VALID_YAML}tags: !!set { a }\n`, 't.yaml'))).toContain(
      'the YAML tag !!set is not accepted',
    );
    expect(oneLine(() => parseSpecText(`${VALID_YAML}tags: { team: !custom x }\n`, 't.yaml'))).toContain(
      'the YAML tag !custom is not accepted',
    );
    expect(oneLine(() => parseSpecText(`${VALID_YAML}? [a, b]\n: 1\n`, 'k.yaml'))).toBe(
      'k.yaml:5:3: a key must be plain text, not a list or mapping',
    );
    // !!str is how YAML quotes without quotes: allowed.
    expect(parseSpecText(VALID_YAML.replace('version: "1"', 'version: !!str 1'), 'str.yaml').models[0].version).toBe(
      '1',
    );
  });

  test('bytes that are not UTF-8 are refused with their position; a byte order mark is fine', () => {
    expect(
      oneLine(() =>
        loadSpecFile(
          file(
            'latin1.yaml',
            Buffer.concat([
              Buffer.from(VALID_YAML),
              Buffer.from('tags: { team: caf'),
              Buffer.from([0xe9]),
              Buffer.from(' }\n'),
            ]),
          ),
        ),
      ),
    ).toMatch(/cannot read .*latin1\.yaml: it is not UTF-8 text \(byte 0xe9 at line 5, column 18\)$/);
    expect(loadSpecFile(file('bom.json', `\ufeff${JSON.stringify(VALID)}`)).service.name).toBe('chat');
  });

  test('a named pipe without a writer, /dev/null and /dev/zero do not hang', () => {
    const fifo = join(dir, 'spec.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return; // no mkfifo: nothing to test here
    const started = Date.now();
    // A writer may still come: waited for up to the read timeout, then "no data", not "empty" (issue 18, hole E).
    expect(oneLine(() => loadSpecFile(fifo, { readTimeoutSeconds: 1 }))).toMatch(
      /cannot read .*spec\.fifo: it is a pipe that sent no data within 1 s: nobody opened it for writing/,
    );
    expect(oneLine(() => loadSpecFile('/dev/null'))).toContain('the file holds no spec');
    expect(oneLine(() => loadSpecFile('/dev/zero'))).toContain(
      'cannot read /dev/zero: it is a character device or terminal that sent more than 1048576 bytes',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  test('a pipe whose writer never finishes is given up after the read timeout', async () => {
    const fifo = join(dir, 'slow.fifo');
    if (spawnSync('mkfifo', [fifo]).status !== 0) return;
    // A writer that sends a comment line every 100 ms and never closes the pipe.
    const writer = spawn('sh', ['-c', `exec 3>"${fifo}"; while true; do echo '# still here' >&3; sleep 0.1; done`], {
      stdio: 'ignore',
    });
    try {
      await new Promise((r) => setTimeout(r, 200));
      const started = Date.now();
      expect(oneLine(() => loadSpecFile(fifo, { readTimeoutSeconds: 1 }))).toMatch(
        regex(
          /cannot read .*slow\.fifo: it is a pipe that had sent \d+ bytes and not finished after 1 s /,
          /\(GI_SPEC_READ_TIMEOUT_SECONDS raises the limit\)$/,
        ),
      );
      const elapsed = Date.now() - started;
      expect(elapsed).toBeGreaterThanOrEqual(900);
      expect(elapsed).toBeLessThan(4000);
    } finally {
      writer.kill('SIGKILL');
    }
  });
});

describe('the programmatic API throws SpecValidationError for anything, never a TypeError', () => {
  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a list', []],
    ['a string', 'service: x'],
    ['a number', 7],
    ['a function', () => VALID],
    ['a Date', new Date()],
    ['a Map', new Map([['service', VALID.service]])],
    [
      'a class instance',
      new (class Spec {
        service = VALID.service;
      })(),
    ],
  ])('parseSpec(%s)', (_name, input) => {
    expect(refusal(() => parseSpec(input)).problems[0].path).toBe('(root)');
  });

  test('loadSpecFile and parseSpecText with arguments of the wrong type', () => {
    const calls: (() => unknown)[] = [
      () => loadSpecFile(undefined as unknown as string),
      () => loadSpecFile(123 as unknown as string),
      () => loadSpecFile(''),
      () => loadSpecFile(file('wrong-type.yaml', 'tags: ['), null as unknown as object),
      () => loadSpecFile(file('wrong-type.yaml', VALID_YAML), { maxBytes: -1 }),
      () => parseSpecText(undefined as unknown as string),
      () => parseSpecText(Buffer.from(VALID_YAML) as unknown as string),
      () => parseSpecText(VALID_YAML, 123 as unknown as string),
      () => parseSpecText('tags: [', 'x.yaml', null as unknown as object),
    ];
    for (const call of calls) expect(refusal(call).message.split('\n')).toHaveLength(1);
    expect(refusal(() => loadSpecFile(123 as unknown as string)).message).toBe(
      '123: the spec file must be named by a path (text), not a number',
    );
  });

  test('values inside a spec that are not plain data: each named by its path', () => {
    const cyclic: Record<string, unknown> = { ...VALID, tags: { team: 'a' } };
    (cyclic.tags as Record<string, unknown>).self = cyclic;
    const cases: [unknown, string][] = [
      [{ ...VALID, tags: { team: 10n } }, 'tags.team: must be a plain number, not a BigInt (10n)'],
      [{ ...VALID, tags: { team: Symbol('x') } }, 'tags.team: must be plain data, not a symbol'],
      [
        { ...VALID, service: { ...VALID.service, name: Buffer.from('chat') } },
        'service.name: must be plain data (text, numbers, true/false, lists and objects), not binary data',
      ],
      [cyclic, 'tags.self: refers back to (root), which contains it'],
      [{ ...VALID, regions: new Array(1e9) }, 'regions: has 1000000000 items'],
      [{ ...VALID, tags: { team: 'x'.repeat(200_000) } }, 'tags.team: is 200000 characters long'],
      [
        Object.defineProperty({ ...VALID }, 'tags', {
          enumerable: true,
          get: () => {
            throw new Error('boom');
          },
        }),
        'tags: is a getter or setter',
      ],
      [
        {
          ...VALID,
          tags: new Proxy(
            {},
            {
              ownKeys: () => {
                throw new Error('trap');
              },
            },
          ),
        },
        'tags: could not be read (trap)',
      ],
    ];
    for (const [input, expected] of cases) expect(refusal(() => parseSpec(input)).message).toContain(expected);
  });

  test('a deeply nested TS object (100,000 levels) is refused without overflowing the stack', () => {
    const root: Record<string, unknown> = { ...VALID };
    let node = root;
    for (let i = 0; i < 100_000; i++) node = (node.tags = {}) as Record<string, unknown>;
    expect(refusal(() => parseSpec(root)).message).toContain('is nested more than 32 levels deep');
  });

  test('a null-prototype object is plain data', () => {
    const spec = Object.assign(Object.create(null) as object, JSON.parse(JSON.stringify(VALID)) as object);
    expect(parseSpec(spec).service.name).toBe('chat');
  });

  test('property: whatever the value, safeParseSpec answers and parseSpec throws only SpecValidationError', () => {
    const anything = fc.anything({
      withBigInt: true,
      withBoxedValues: true,
      withDate: true,
      withMap: true,
      withSet: true,
      withNullPrototype: true,
      withObjectString: true,
      withSparseArray: true,
      withTypedArray: true,
      maxDepth: 6,
    });
    fc.assert(
      fc.property(
        fc.oneof(
          anything,
          fc.record({ service: anything, model: anything, regions: anything, tags: anything, routing: anything }),
        ),
        (input) => {
          const result = safeParseSpec(input);
          if (!result.success) expect(result.problems.length).toBeGreaterThan(0);
          try {
            parseSpec(input);
          } catch (error) {
            expect(error).toBeInstanceOf(SpecValidationError);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  test('property: whatever the text, parseSpecText throws only SpecValidationError (YAML and JSON)', () => {
    const pieces = fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      ',',
      ':',
      ' ',
      '\n',
      '  ',
      '- ',
      '&a ',
      '*a',
      '!!binary ',
      '? ',
      '---\n',
      '"',
      "'",
      '#',
      '__proto__',
      'constructor',
      'service',
      'regions',
      '1',
      'null',
      '\t',
      '\\',
      '%YAML 1.1\n',
      '<<: ',
    );
    const text = fc.oneof(
      fc.string({ maxLength: 200 }),
      fc.array(pieces, { maxLength: 60 }).map((p) => p.join('')),
      fc.json(),
    );
    fc.assert(
      fc.property(text, fc.constantFrom('s.yaml', 's.json'), (source, name) => {
        try {
          parseSpecText(source, name);
        } catch (error) {
          expect(error).toBeInstanceOf(SpecValidationError);
        }
      }),
      { numRuns: 500 },
    );
  });
});

describe('plain data from another realm', () => {
  test(
    'objects made in another vm context (a sandbox, a test runner) ' + 'are plain data; their class instances are not',
    () => {
      const vm = require('node:vm') as typeof import('node:vm');
      const foreign = vm.runInNewContext(`(${JSON.stringify(VALID)})`) as object;
      expect(Object.getPrototypeOf(foreign)).not.toBe(Object.prototype);
      expect(parseSpec(foreign).service.name).toBe('chat');
      const foreignDate = vm.runInNewContext(`({ ...${JSON.stringify(VALID)}, tags: { team: new Date() } })`) as object;
      expect(refusal(() => parseSpec(foreignDate)).message).toContain('tags.team: must be plain data');
    },
  );
});
