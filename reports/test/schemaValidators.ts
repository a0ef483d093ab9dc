/**
 * Validation of rendered reports against the third-party schemas in reports/schemas/, with
 * maintained validators rather than hand-written checks:
 * - XML Schema (junit-10.xsd) with xmllint-wasm: libxml2's own xmllint compiled to WebAssembly, so
 *   the test needs no native build and no apt package, and judges as Debian's xmllint would.
 * Each validator returns the list of problems (empty when valid), never throws on invalid input.
 */
import { readFileSync } from 'node:fs';
import { validateXML } from 'xmllint-wasm';

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
