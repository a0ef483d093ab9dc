/**
 * Validation of rendered reports against the third-party schemas in reports/schemas/, with
 * maintained validators rather than hand-written checks:
 * - XML Schema (junit-10.xsd) with xmllint-wasm: libxml2's own xmllint compiled to WebAssembly, so
 *   the test needs no native build and no apt package, and judges as Debian's xmllint would.
 * - JSON Schema (sarif-schema-2.1.0.json, OASIS errata 01, written in draft-04) with ajv through
 *   ajv-draft-04 (Ajv's own class for draft-04 schemas; Ajv 8 alone reads draft-06 and later) and
 *   ajv-formats for the `uri` and `date-time` formats the schema uses.
 * Each validator returns the list of problems (empty when valid), never throws on invalid input.
 */
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import type { ErrorObject, ValidateFunction } from 'ajv';

// Both are CommonJS with the export on `.default` as well (how NodeNext types them).
const Ajv04 = ajvDraft04.default;
const addFormats = ajvFormats.default;

const SCHEMAS = new URL('../schemas/', import.meta.url);

export const JUNIT_XSD = readFileSync(new URL('junit-10.xsd', SCHEMAS), 'utf8');

/** Problems xmllint reports validating `xml` against Jenkins xUnit's junit-10.xsd. */
export async function junitSchemaProblems(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'junit.xml', contents: xml }],
    schema: [{ fileName: 'junit-10.xsd', contents: JUNIT_XSD }],
    maxMemoryPages: 4096,
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}

export const SARIF_SCHEMA = JSON.parse(readFileSync(new URL('sarif-schema-2.1.0.json', SCHEMAS), 'utf8')) as object;

let sarifValidator: ValidateFunction | undefined;

/** Problems ajv reports validating a parsed SARIF log against the official SARIF 2.1.0 schema. */
export function sarifSchemaProblems(log: unknown): string[] {
  if (!sarifValidator) {
    const ajv = new Ajv04({ allErrors: true, strict: false });
    addFormats(ajv);
    sarifValidator = ajv.compile(SARIF_SCHEMA);
  }
  return sarifValidator(log) ? [] : (sarifValidator.errors ?? []).map((e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'invalid'} ${JSON.stringify(e.params)}`);
}
