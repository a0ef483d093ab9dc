/**
 * Escaping for every markup the renderers write (XML, HTML, Markdown). Guarantees: any string a
 * run report carries - an implementation's error text, a hostile device name - comes out as inert
 * text: it can neither close an element, open one, nor end an attribute, and the XML stays
 * well-formed (XML 1.0 forbids most control characters even as character references, so those are
 * shown as visible `\uXXXX` text instead of being dropped silently).
 */

/** Code points XML 1.0 allows: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF]. */
function isXmlChar(cp: number): boolean {
  return (
    cp === 0x9 || cp === 0xa || cp === 0xd ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    (cp >= 0x10000 && cp <= 0x10ffff)
  );
}

function visibleCodePoint(cp: number): string {
  return `\\u${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

// A raw CR would be normalised to LF by every XML parser; as a reference it survives.
const TEXT_ENTITIES: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '\r': '&#13;' };
const ATTRIBUTE_ENTITIES: Readonly<Record<string, string>> = {
  ...TEXT_ENTITIES,
  '"': '&quot;',
  "'": '&apos;',
  // Attribute-value normalisation would turn these into spaces; keep them as written.
  '\t': '&#9;',
  '\n': '&#10;',
  '\r': '&#13;',
};

function escapeWith(value: string, entities: Readonly<Record<string, string>>): string {
  let out = '';
  // for..of walks code points, so a valid surrogate pair stays one character and a lone
  // surrogate (not an XML character) is caught below.
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (!isXmlChar(cp)) out += visibleCodePoint(cp);
    else out += entities[ch] ?? ch;
  }
  return out;
}

/** Escapes text content for XML and HTML. */
export function escapeText(value: string): string {
  return escapeWith(value, TEXT_ENTITIES);
}

/** Escapes an attribute value (quoted with `"` or `'`) for XML and HTML. */
export function escapeAttribute(value: string): string {
  return escapeWith(value, ATTRIBUTE_ENTITIES);
}

/**
 * Makes text inert inside a Markdown table cell or paragraph of a PR comment: HTML is escaped
 * (GitHub renders inline HTML), Markdown punctuation that could start a link, emphasis, code or a
 * new cell is backslash-escaped, and line breaks become spaces so a row stays one row.
 */
export function escapeMarkdown(value: string): string {
  const flat = escapeText(value).replace(/\r\n?|\n/g, ' ');
  // Parentheses stay as they are: with [ and ] escaped no link can form, and `\(` reads badly in raw Markdown.
  return flat.replace(/[\\`*_{}[\]#+!|~]/g, (ch) => `\\${ch}`);
}

/**
 * A fenced Markdown code block whose fence is longer than any backtick run in the content, so a
 * replay command containing backticks cannot close it early.
 */
export function markdownCodeBlock(content: string, language = ''): string {
  let longest = 0;
  let run = 0;
  for (const ch of content) {
    run = ch === '`' ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${escapeWith(content, {})}\n${fence}`;
}
