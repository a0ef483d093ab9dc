/**
 * A tiny, strict XML well-formedness parser for the renderer tests (no dependency, no regular
 * expressions): it walks the text character by character, checks that every tag is closed in
 * order, every attribute is quoted and unique, every entity is one of XML's five or a character
 * reference, and every character is allowed by XML 1.0; it returns the element tree with text and
 * attributes decoded, so tests assert on structure rather than on strings.
 * `rawText` names elements whose content is not parsed (HTML's <script> and <style>).
 */

export interface XmlElement {
  readonly name: string;
  readonly attrs: Readonly<Record<string, string>>;
  readonly children: readonly (XmlElement | string)[];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function isNameChar(ch: string): boolean {
  const c = ch.charCodeAt(0);
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || ch === '-' || ch === '_' || ch === ':' || ch === '.';
}

function isSpace(ch: string | undefined): boolean {
  return ch === ' ' || ch === '\n' || ch === '\t' || ch === '\r';
}

function isXmlChar(cp: number): boolean {
  return cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);
}

export function parseXml(source: string, options: { rawText?: readonly string[] } = {}): XmlElement {
  for (const ch of source) {
    if (!isXmlChar(ch.codePointAt(0)!)) throw new Error(`character U+${ch.codePointAt(0)!.toString(16)} is not allowed in XML`);
  }
  let pos = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed at ${pos}: ${why} (near ${JSON.stringify(source.slice(pos, pos + 40))})`);
  };
  const expect = (text: string) => {
    if (!source.startsWith(text, pos)) fail(`expected ${JSON.stringify(text)}`);
    pos += text.length;
  };
  const skipSpace = () => {
    while (isSpace(source[pos])) pos++;
  };
  const name = (): string => {
    const start = pos;
    while (pos < source.length && isNameChar(source[pos])) pos++;
    if (pos === start) fail('expected a name');
    return source.slice(start, pos);
  };
  // As a conforming parser does: raw line ends become LF, and in an attribute every raw tab, CR
  // or LF becomes a space (only character references keep them).
  const decode = (text: string, inAttribute = false): string => {
    let out = '';
    for (let i = 0; i < text.length; i++) {
      if (text[i] === '<') fail('raw < in text or attribute');
      if (text[i] === '\r') {
        if (text[i + 1] === '\n') i++;
        out += inAttribute ? ' ' : '\n';
        continue;
      }
      if (inAttribute && (text[i] === '\n' || text[i] === '\t')) {
        out += ' ';
        continue;
      }
      if (text[i] !== '&') {
        out += text[i];
        continue;
      }
      const end = text.indexOf(';', i);
      if (end < 0) fail('unterminated entity');
      const entity = text.slice(i + 1, end);
      if (entity.startsWith('#x')) out += String.fromCodePoint(parseInt(entity.slice(2), 16));
      else if (entity.startsWith('#')) out += String.fromCodePoint(parseInt(entity.slice(1), 10));
      else if (entity in ENTITIES) out += ENTITIES[entity];
      else fail(`unknown entity &${entity};`);
      i = end;
    }
    return out;
  };
  const skipMisc = () => {
    for (;;) {
      skipSpace();
      if (source.startsWith('<?', pos)) {
        const end = source.indexOf('?>', pos);
        if (end < 0) fail('unterminated processing instruction');
        pos = end + 2;
      } else if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source.startsWith('<!DOCTYPE', pos)) {
        const end = source.indexOf('>', pos);
        pos = end + 1;
      } else return;
    }
  };
  const element = (): XmlElement => {
    expect('<');
    const tag = name();
    const attrs: Record<string, string> = {};
    for (;;) {
      const hadSpace = isSpace(source[pos]);
      skipSpace();
      if (source.startsWith('/>', pos)) {
        pos += 2;
        return { name: tag, attrs, children: [] };
      }
      if (source[pos] === '>') {
        pos++;
        break;
      }
      if (!hadSpace) fail('attributes must be separated by space');
      const key = name();
      if (key in attrs) fail(`duplicate attribute ${key}`);
      skipSpace();
      expect('=');
      skipSpace();
      const quote = source[pos];
      if (quote !== '"' && quote !== "'") fail('attribute value must be quoted');
      const end = source.indexOf(quote, pos + 1);
      if (end < 0) fail('unterminated attribute');
      attrs[key] = decode(source.slice(pos + 1, end), true);
      pos = end + 1;
    }
    const children: (XmlElement | string)[] = [];
    if (options.rawText?.includes(tag)) {
      const end = source.indexOf(`</${tag}>`, pos);
      if (end < 0) fail(`unterminated <${tag}>`);
      children.push(source.slice(pos, end));
      pos = end + tag.length + 3;
      return { name: tag, attrs, children };
    }
    for (;;) {
      if (pos >= source.length) fail(`<${tag}> is never closed`);
      if (source.startsWith('</', pos)) {
        pos += 2;
        const closing = name();
        if (closing !== tag) fail(`</${closing}> closes <${tag}>`);
        skipSpace();
        expect('>');
        return { name: tag, attrs, children };
      }
      if (source.startsWith('<!--', pos)) {
        const end = source.indexOf('-->', pos + 4);
        if (end < 0) fail('unterminated comment');
        pos = end + 3;
      } else if (source[pos] === '<') {
        children.push(element());
      } else {
        const end = source.indexOf('<', pos);
        const raw = source.slice(pos, end < 0 ? source.length : end);
        if (raw.includes(']]>')) fail(']]> in text');
        children.push(decode(raw));
        pos += raw.length;
      }
    }
  };
  skipMisc();
  const root = element();
  skipMisc();
  if (pos !== source.length) fail('content after the root element');
  return root;
}

/** Every element named `name` below (and including) `root`, in document order. */
export function findAll(root: XmlElement, name: string): XmlElement[] {
  const found: XmlElement[] = root.name === name ? [root] : [];
  for (const child of root.children) if (typeof child !== 'string') found.push(...findAll(child, name));
  return found;
}

/** The decoded text content of an element, children included. */
export function textOf(node: XmlElement | string): string {
  return typeof node === 'string' ? node : node.children.map(textOf).join('');
}
