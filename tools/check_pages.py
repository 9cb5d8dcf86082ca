"""`make check-pages`: the report pages opened in a real browser (headless Chromium).

For `reports/index.html`, every chapter page of both audiences (`reports/<chapter>.html`, `reports/business/<chapter>.html`)
and, when `make docs` built it, every page of the docs site (`reports/site/`, analyst pages: code allowed), it loads the page from its file:// URL with no network, lets its scripts run (MathJax renders the math), and fails on:

* a broken link or image: a relative `href`/`src` whose file does not exist;
* anything loaded from the network (`src` or stylesheet `href` starting with http:// or https://): the pages must work offline;
* a JavaScript console message (Chromium prints every console message of the page on stderr; a clean page prints none);
* raw `$...$` math left in the rendered text (outside code);
* a code cell (highlighted source) on a business page.

It saves a screenshot of each report page, and of the site's home, first chapter and first API page, under `reports/screenshots/`. Before checking the real pages it checks itself: a page
with a broken image, one with raw math and one with a console error must each fail (`--self-test` runs only that).

    .venv/bin/python tools/check_pages.py [reports] [--self-test]

Chromium comes from Debian (`apt-get install chromium`); the script installs it when it runs as root and it is missing.
Exit 0 when every page passes, 1 when a page fails, 2 when the check cannot run (no reports, no browser).
"""
from __future__ import annotations

import html.parser
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSOLE = re.compile(r':CONSOLE[:(]\d+\)?\]\s*(.*)')
RAW_MATH = re.compile(r'(?<![\\$])\$(?!\s)[^$\n]{1,200}(?<!\s)\$(?!\d)')


def chromium() -> str:
    "The Chromium binary; installed from Debian when missing and running as root."
    found = shutil.which('chromium') or shutil.which('chromium-browser')
    if found: return found
    if os.geteuid() == 0:
        print('installing chromium from Debian (apt-get install chromium) ...', flush=True)
        env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
        subprocess.run(['apt-get', 'install', '-y', '-q', 'chromium'], check=False, env=env, stdout=subprocess.DEVNULL)
        found = shutil.which('chromium')
    if not found: raise SystemExit('check-pages needs Chromium: run `apt-get install chromium` (as root), then `make check-pages` again')
    return found


def browse(browser: str, page: Path | str, screenshot: Path | None = None) -> tuple[str, list[str]]:
    "The page's DOM after its scripts ran, and the console messages it printed; optionally a screenshot. `page`: a file, or a URL (a running service's)."
    common = [browser, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--allow-file-access-from-files',
              '--virtual-time-budget=15000', '--enable-logging=stderr', '--v=0']
    url = page if isinstance(page, str) else page.resolve().as_uri()
    done = subprocess.run(common + ['--dump-dom', url], capture_output=True, text=True, timeout=180)
    messages = [m.group(1) for m in map(CONSOLE.search, done.stderr.splitlines()) if m]
    if screenshot is not None:
        screenshot.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(common + ['--hide-scrollbars', '--window-size=1280,1600', f'--screenshot={screenshot}', url],
                       capture_output=True, text=True, timeout=180)
    return done.stdout, messages


class _Page(html.parser.HTMLParser):
    "Links, images, scripts and visible text (outside script, style, code and math) of a rendered page."
    SKIP = {'script', 'style', 'code', 'pre', 'math', 'svg', 'mjx-container'}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.refs, self.text, self.code_cells, self._skip = [], [], 0, []
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for key in ('src', 'href'):
            if a.get(key): self.refs.append((tag, key, a[key], a.get('rel')))
        if 'highlight' in (a.get('class') or '').split() or 'jp-CodeMirrorEditor' in (a.get('class') or ''): self.code_cells += 1
        if tag in self.SKIP or 'MathJax' in (a.get('class') or '') or a.get('type', '').startswith('math/'): self._skip.append(tag)
    def handle_endtag(self, tag):
        if self._skip and self._skip[-1] == tag: self._skip.pop()
    def handle_data(self, data):
        if not self._skip: self.text.append(data)


def problems(page: Path, dom: str, messages: list[str], business: bool) -> list[str]:
    "What is wrong with one rendered page (empty when it passes)."
    parsed = _Page(); parsed.feed(dom)
    found = [f'console: {m}' for m in messages]
    for tag, key, ref, rel in parsed.refs:
        if ref.startswith(('data:', '#', 'mailto:', 'javascript:')): continue
        if ref.startswith(('http://', 'https://', '//')):
            if key == 'src' or (tag == 'link' and 'stylesheet' in (rel or '')): found.append(f'loads from the network: <{tag} {key}="{ref}">')
            continue
        target = (page.parent/ref.split('#')[0].split('?')[0]).resolve()
        if ref.startswith('file://'): target = Path(ref[7:].split('#')[0].split('?')[0])
        if not target.exists(): found.append(f'broken {"image" if tag == "img" else "link"}: <{tag} {key}="{ref}">')
    text = ' '.join(parsed.text)
    found += [f'raw math left on the page: {m!r}' for m in RAW_MATH.findall(text)[:5]]
    if business and parsed.code_cells: found.append(f'{parsed.code_cells} code cell(s) on a business page')
    return found


def site_pages(reports: Path) -> tuple[list[Path], set[Path]]:
    "The docs site's pages (none when `make docs` has not run), and the few of them worth a screenshot."
    site = reports/'site'
    if not (site/'index.html').exists(): return [], set()
    pages = sorted(site.rglob('*.html'))
    first = lambda folder: next(iter(sorted((site/folder).glob('*.html'))), None)
    return pages, {p for p in (site/'index.html', first('chapters'), first('api')) if p is not None}


def check(reports: Path, browser: str, shots: Path | None) -> dict[str, list[str]]:
    "Problems of the index, of every chapter page of both audiences and of every page of the docs site."
    site, shot_site = site_pages(reports)
    pages = [reports/'index.html'] + sorted(p for p in reports.glob('*.html') if p.name != 'index.html') + sorted((reports/'business').glob('*.html')) + site
    out = {}
    for page in pages:
        business = page.parent.name == 'business' and page.parent.parent == reports
        in_site = page in site
        name = ('business-' if business else '') + ('site-' + '-'.join(page.relative_to(reports/'site').with_suffix('').parts) if in_site else page.stem)
        shot = shots/f'{name}.png' if shots and (not in_site or page in shot_site) else None
        dom, messages = browse(browser, page, shot)
        out[str(page.relative_to(reports))] = problems(page, dom, messages, business)
        print(f"{'ok    ' if not out[str(page.relative_to(reports))] else 'FAILED'} {page.relative_to(reports)}", flush=True)
    return out


def self_test(browser: str) -> None:
    "The check must fail on a broken image, on raw math, on a console error and on code in a business page, and pass a clean page."
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp); (tmp/'business').mkdir()
        (tmp/'pixel.png').write_bytes(bytes.fromhex('89504e470d0a1a0a0000000d4948445200000001000000010806000000'
                                                    '1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082'))
        cases = {'clean.html': ('<p>Fill rate 0.95, price $12 and $15.</p><img src="pixel.png"><a href="clean.html">self</a>', None),
                 'broken-image.html': ('<p>A chart:</p><img src="missing-plot.png">', 'broken image'),
                 'raw-math.html': ('<p>The mean $\\mu_L$ of the lead time.</p>', 'raw math'),
                 'console.html': ('<script>console.error("boom")</script>', 'console'),
                 'business/code.html': ('<div class="highlight"><pre>x = 1</pre></div>', 'code cell')}
        for name, (body, expected) in cases.items():
            page = tmp/name
            page.write_text(f'<!doctype html><html><head><meta charset="utf-8"></head><body>{body}</body></html>')
            dom, messages = browse(browser, page)
            found = problems(page, dom, messages, page.parent.name == 'business')
            if expected is None and found: raise SystemExit(f'self-test: the clean page failed: {found}')
            if expected is not None and not any(expected in f for f in found): raise SystemExit(f'self-test: {name} passed, but it has a {expected}: {found}')
    print('self-test: a broken image, raw math, a console error and a business code cell each fail; a clean page passes')


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    reports = Path(next((a for a in args if not a.startswith('-')), ROOT/'reports'))
    browser = chromium()
    self_test(browser)
    if '--self-test' in args: return 0
    if not (reports/'index.html').exists():
        print(f'no reports in {reports}: run `make report` first', file=sys.stderr); return 2
    shots = reports/'screenshots'
    results = check(reports, browser, shots)
    failed = {page: found for page, found in results.items() if found}
    for page, found in failed.items():
        print(f'\n{page}:'); [print(f'  {f}') for f in found[:20]]
    print(f'\n{len(results)} pages checked, {len(results) - len(failed)} passed, {len(failed)} failed; screenshots in {shots}')
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
