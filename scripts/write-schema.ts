/** `npm run schema`: regenerates schema/spec.schema.json from the zod schema. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jsonSchemaText, SPEC_SCHEMA_FILE } from '../lib/spec/json-schema';
import { packageRoot } from '../lib/util/project-root';

const file = join(packageRoot(__dirname), SPEC_SCHEMA_FILE);
writeFileSync(file, jsonSchemaText());
process.stdout.write(`wrote ${SPEC_SCHEMA_FILE}\n`);
