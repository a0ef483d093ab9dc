/**
 * The inline stylesheet and script of the HTML report. Guarantees: no network load (no fonts,
 * images or scripts from elsewhere: system fonts only), readable printed or on screen, and the
 * script only adds copy buttons - the page is complete without it.
 */

export const HTML_STYLE = `
:root { --pass:#2e7d32; --pass-bg:#e8f5e9; --fail:#c62828; --fail-bg:#ffebee; --warn:#a05a00; --warn-bg:#fff3e0;
  --skip:#455a64; --skip-bg:#eceff1; --none:#616161; --none-bg:#f5f5f5; --line:#d0d7de; --ink:#1f2328; --muted:#59636e; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; color: var(--ink); background: #fff; }
main { max-width: 1180px; margin: 0 auto; padding: 0 24px 48px; }
h1 { font-size: 22px; margin: 0; }
h2 { font-size: 19px; margin: 36px 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
h3 { font-size: 16px; margin: 0 0 6px; }
p.lead { margin: 4px 0 12px; color: var(--muted); }
code, pre { font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
header.run { padding: 20px 24px; margin: 0 -24px 8px; border-bottom: 4px solid; }
header.run.conformant { background: var(--pass-bg); border-color: var(--pass); }
header.run.non-conformant { background: var(--fail-bg); border-color: var(--fail); }
.badge { display: inline-block; padding: 6px 14px; border-radius: 6px; color: #fff; font-weight: 700; font-size: 20px; letter-spacing: .04em; }
.conformant .badge { background: var(--pass); }
.non-conformant .badge { background: var(--fail); }
.title-row { display: flex; align-items: center; gap: 16px; flex-wrap: wrap; }
dl.facts { display: grid; grid-template-columns: repeat(auto-fill, minmax(210px, 1fr)); gap: 6px 24px; margin: 14px 0 10px; }
dl.facts div { min-width: 0; }
dl.facts dt { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); }
dl.facts dd { margin: 0; font-weight: 600; overflow-wrap: anywhere; }
dl.facts dd small { display: block; font-weight: 400; color: var(--muted); }
.counts { display: flex; flex-wrap: wrap; gap: 8px; margin: 8px 0; }
.chip { display: inline-block; padding: 1px 8px; border-radius: 999px; font-size: 13px; font-weight: 600; white-space: nowrap; border: 1px solid; }
.v-pass { color: var(--pass); background: var(--pass-bg); border-color: var(--pass); }
.v-fail { color: var(--fail); background: var(--fail-bg); border-color: var(--fail); }
.v-non-strict { color: var(--warn); background: var(--warn-bg); border-color: var(--warn); }
.v-skipped { color: var(--skip); background: var(--skip-bg); border-color: var(--skip); }
.v-not-covered { color: var(--none); background: var(--none-bg); border-color: var(--none); border-style: dashed; }
.v-baselined { color: var(--skip); background: #fff; border-color: var(--skip); border-style: dashed; }
.chip.zero { color: var(--muted); background: #fff; border-color: var(--line); border-style: dotted; }
nav { position: sticky; top: 0; background: #fff; border-bottom: 1px solid var(--line); padding: 8px 0; z-index: 1; }
nav a { margin-right: 16px; color: #0550ae; text-decoration: none; font-weight: 600; }
table { border-collapse: collapse; width: 100%; margin: 8px 0; }
th, td { text-align: left; vertical-align: top; padding: 6px 8px; border-bottom: 1px solid var(--line); }
th { font-size: 12px; text-transform: uppercase; letter-spacing: .04em; color: var(--muted); background: #f6f8fa; }
td.id { white-space: nowrap; font-weight: 600; }
td.checks { min-width: 170px; font-size: 13px; }
.why { margin: 4px 0 8px; }
.why ul { margin: 2px 0 0; padding-left: 22px; }
td.num { text-align: right; white-space: nowrap; color: var(--muted); }
tr.row-fail td { background: #fff5f5; }
tr.row-non-strict td { background: #fffaf2; }
ul.inline { list-style: none; margin: 0; padding: 0; }
ul.inline li { margin: 0 0 2px; }
.muted { color: var(--muted); }
.elements code { display: inline-block; background: #f6f8fa; padding: 0 4px; margin: 0 2px 2px 0; border-radius: 4px; font-size: 12px; overflow-wrap: anywhere; max-width: 100%; }
td.elements { width: 27%; min-width: 240px; }
details summary { cursor: pointer; color: #0550ae; font-size: 13px; }
ul.columns { columns: 3 240px; column-gap: 24px; margin: 4px 0; padding-left: 20px; }
ul.columns li { break-inside: avoid; }
dl.facts div.wide { grid-column: span 2; }
article.failure { border: 1px solid var(--line); border-left: 6px solid var(--fail); border-radius: 6px; padding: 14px 16px; margin: 14px 0; }
article.failure.standing-non-strict { border-left-color: var(--warn); }
article.failure.standing-baselined { border-left-color: var(--skip); }
article.failure .message { font-size: 16px; font-weight: 600; margin: 6px 0; }
article.failure .requirement-text { color: var(--muted); margin: 0 0 10px; }
table.path td.step { width: 3em; text-align: right; color: var(--muted); }
table.path td.mark { width: 2em; text-align: center; font-weight: 700; }
table.path tr.ok td.mark { color: var(--pass); }
table.path tr.differs td.mark { color: var(--fail); }
table.path tr.failing td { background: var(--fail-bg); border-top: 2px solid var(--fail); border-bottom: 2px solid var(--fail); }
.first-diff { color: var(--fail); font-weight: 700; white-space: nowrap; margin-left: 6px; }
table.path td.event code, table.path td code { white-space: pre-wrap; overflow-wrap: anywhere; }
.replay { position: relative; margin: 10px 0 4px; }
.replay pre { margin: 4px 0 0; padding: 10px 84px 10px 12px; background: #1f2328; color: #f6f8fa; border-radius: 6px; white-space: pre-wrap; overflow-wrap: anywhere; }
.replay button { position: absolute; right: 8px; bottom: 8px; font: inherit; font-size: 12px; padding: 3px 10px; border-radius: 4px; border: 1px solid #8c959f; background: #f6f8fa; cursor: pointer; }
.replay .label { font-size: 12px; text-transform: uppercase; letter-spacing: .05em; color: var(--muted); font-weight: 600; }
.diagram:focus-visible { outline: 3px solid #0550ae; outline-offset: 2px; }
.diagram { border: 1px solid var(--line); border-radius: 6px; padding: 12px; overflow: auto; max-height: 80vh; background: #fff; }
.diagram img { display: block; max-width: 100%; height: auto; margin: 0 auto; }
.diagram.full img { max-width: none; }
.legend { display: flex; flex-wrap: wrap; gap: 18px; margin: 8px 0; font-size: 14px; }
.legend .swatch { display: inline-block; width: 28px; height: 16px; border-radius: 4px; vertical-align: -3px; margin-right: 6px; border: 2px solid; }
.bar { height: 10px; background: var(--none-bg); border: 1px solid var(--line); border-radius: 5px; overflow: hidden; max-width: 360px; }
.bar span { display: block; height: 100%; background: var(--pass); }
.coverage-block { margin-bottom: 22px; }
.note { padding: 10px 14px; border-radius: 6px; background: #f6f8fa; border: 1px solid var(--line); }
.note.bad { background: var(--fail-bg); border-color: var(--fail); }
dl.glossary dt { font-weight: 600; margin-top: 6px; }
dl.glossary dd { margin: 0 0 0 0; color: var(--muted); }
@media print { nav { position: static; } .replay button { display: none; } .diagram { max-height: none; } }
`;

/** Copy buttons for replay commands and the diagram size toggle; written without `<` or `&`. */
export const HTML_SCRIPT = `
document.querySelectorAll('.replay').forEach(function (box) {
  var button = box.querySelector('button');
  var code = box.querySelector('code');
  if (!button || !code) return;
  button.addEventListener('click', function () {
    var done = function () { button.textContent = 'Copied'; setTimeout(function () { button.textContent = 'Copy'; }, 1500); };
    if (navigator.clipboard) { navigator.clipboard.writeText(code.textContent).then(done, function () {}); }
    else { var range = document.createRange(); range.selectNodeContents(code); var sel = getSelection(); sel.removeAllRanges(); sel.addRange(range); }
  });
});
document.querySelectorAll('.diagram').forEach(function (box) {
  box.addEventListener('click', function () { box.classList.toggle('full'); });
  box.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); box.classList.toggle('full'); } });
});
`;
