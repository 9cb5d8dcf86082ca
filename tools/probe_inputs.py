"""Probe `pm-data` and `pm-report` with the bad, odd and hostile input a real shop's files bring.

Each case builds its input in a temporary folder, runs the command a user would, and states what must happen: a clear
error naming the problem and the fix with exit 2, rows rejected with their reason (`pm-data check` exits 1 when it rejected any), or success. The cases are the ones
that broke the book once (issue 31) and the ones that already held, so that both stay true.

    .venv/bin/python tools/probe_inputs.py [--only NAME ...] [--keep DIR]

Prints one line per case and ends with `N passed, N failed`; exits 1 when a case fails.
"""
from __future__ import annotations

import argparse
import json
import os
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT/'.venv'/'bin'
ORDERS = ('customer_id,order_id,product_id,timestamp,quantity,unit_price\n'
          'C1,O1,P1,2023-01-05 10:00,1,9.5\nC1,O1,P2,2023-01-05 10:00,2,3.0\nC2,O2,P1,2023-01-06 11:00,1,9.5\n')
PRODUCTS = 'product_id,category,title\nP1,wheels,Wheel\nP2,saddles,Saddle\n'


def shop(folder: Path, orders: str | bytes = ORDERS, products: str | None = PRODUCTS, **more) -> Path:
    "A shop folder with these files (text or bytes)."
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in {'orders': orders, 'products': products, **more}.items():
        if text is None: continue
        path = folder/f'{name}.csv'
        path.write_bytes(text) if isinstance(text, bytes) else path.write_text(text)
    return folder


def run(*args, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], capture_output=True, text=True, cwd=ROOT, timeout=timeout,
                          env={**os.environ, **(env or {})})


class Probe:
    def __init__(self): self.passed, self.failed = [], []

    def check(self, name: str, ok: bool, detail: str = ''):
        (self.passed if ok else self.failed).append(name)
        print(('PASS ' if ok else 'FAIL ') + name + ('' if ok else f'\n     {detail[-1500:]}'), flush=True)

    def expect(self, name: str, result: subprocess.CompletedProcess, code: int, *say: str):
        "The command exits with `code` and its output says each of `say`."
        out = result.stdout + result.stderr
        missing = [s for s in say if s not in out]
        self.check(name, result.returncode == code and not missing,
                   f'exit {result.returncode} (expected {code}); missing {missing} in output:\n{out}')


def cases(tmp: Path, probe: Probe, only: set | None):
    check = [str(BIN/'pm-data'), 'check']
    def want(name): return not only or name in only

    # --- already held: stay so -------------------------------------------------------------------------------------
    if want('missing-column'):
        probe.expect('missing-column', run(*check, shop(tmp/'a', ORDERS.replace('unit_price', 'price_each'))), 2,
                     "orders is missing column(s) 'unit_price'", '--column-map')
    if want('bad-rows'):
        bad = ORDERS + 'C3,O3,P1,2023-01-07,-2,9.5\nC3,O3,P9,2023-01-07,1,9.5\nC1,O1,P1,2023-01-05 10:00,1,9.5\n'
        probe.expect('bad-rows', run(*check, shop(tmp/'b', bad)), 1, 'non-positive quantity', 'unknown product_id (not in products)', 'duplicate of row 0')
    if want('sql-in-ids'):
        folder = shop(tmp/'c', ORDERS.replace('C2', "x'; drop table orders; --"))
        probe.expect('sql-in-ids', run(*check, folder), 0, 'orders')
    if want('column-map-unknown-target'):
        probe.expect('column-map-unknown-target', run(*check, shop(tmp/'d'), '--column-map', 'orders.price=cost'), 2, "orders has no column 'cost'")

    # --- issue 31 ----------------------------------------------------------------------------------------------------
    if want('infinities'):   # 4: non-finite and absurd numbers are rejected with a reason
        inf = ORDERS + 'C3,O3,P1,2023-01-07,inf,9.5\nC3,O4,P1,2023-01-07,1e400,9.5\nC3,O5,P2,2023-01-07,Infinity,3\nC4,O6,P2,2023-01-08,1,1e300\n'
        probe.expect('infinities', run(*check, shop(tmp/'e', inf)), 1, 'quantity is not finite', 'unit_price beyond 1e+09')
    if want('utc-iso'):      # 5: an all-UTC ISO file
        utc = ORDERS.replace('2023-01-05 10:00', '2023-01-05T10:00:00Z').replace('2023-01-06 11:00', '2023-01-06T11:00:00Z')
        probe.expect('utc-iso', run(*check, shop(tmp/'f', utc)), 0, 'orders')
    if want('mixed-zones'):
        mixed = ORDERS.replace('2023-01-05 10:00', '2023-01-05T10:00:00+02:00').replace('2023-01-06 11:00', '2023-01-06T11:00:00Z')
        probe.expect('mixed-zones', run(*check, shop(tmp/'g', mixed)), 0, 'orders')
    if want('ambiguous-dates'):
        amb = ORDERS.replace('2023-01-05 10:00', '05/03/2023').replace('2023-01-06 11:00', '04/02/2023')
        folder = shop(tmp/'h', amb)
        probe.expect('ambiguous-dates', run(*check, folder), 2, "timestamp: no value tells", "date_format")
        probe.expect('ambiguous-dates-with-format', run(*check, folder, '--date-format', '%d/%m/%Y'), 0, 'orders')
    if want('day-first-inferred'):
        dayfirst = ORDERS.replace('2023-01-05 10:00', '05/03/2023').replace('2023-01-06 11:00', '13/03/2023')
        probe.expect('day-first-inferred', run(*check, shop(tmp/'i', dayfirst)), 0, 'orders')
    if want('not-utf8'):     # 9: messages that name the file and the fix
        probe.expect('not-utf8', run(*check, shop(tmp/'j', ORDERS.replace('C2', 'M\xfcller').encode('latin1'))), 2,
                     'orders.csv: not UTF-8 text at line 4', 'Save it as UTF-8')
    if want('empty-file'):
        probe.expect('empty-file', run(*check, shop(tmp/'k', products='')), 2, 'products.csv is empty')
    if want('sqlite-odd-name'):  # 3: a quoted file URI, read-only, never created
        path = tmp/'sq'/'alt#1.sqlite'; path.parent.mkdir()
        con = sqlite3.connect(path); con.execute('create table orders (customer_id, order_id, product_id, timestamp, quantity, unit_price)')
        con.executemany('insert into orders values (?,?,?,?,?,?)', [r.split(',') for r in ORDERS.splitlines()[1:]]); con.commit(); con.close()
        before = path.read_bytes()
        result = run(*check, path)
        probe.expect('sqlite-odd-name', result, 0, 'orders')
        probe.check('sqlite-odd-name-untouched', path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == ['alt#1.sqlite'],
                    f'files: {sorted(p.name for p in path.parent.iterdir())}')
        probe.expect('sqlite-missing', run(*check, tmp/'sq'/'q?mode=rwc.sqlite'), 2, 'no such')
        probe.check('sqlite-missing-not-created', not (tmp/'sq'/'q?mode=rwc.sqlite').exists() and not (tmp/'sq'/'q').exists(), 'a file was created')
    if want('duckdb-view-reads-file'):  # 9: a user's DuckDB file cannot read other files through its views
        import duckdb
        path = tmp/'v.duckdb'; (tmp/'outside.csv').write_text(ORDERS)
        con = duckdb.connect(str(path)); con.execute(f"create view orders as select * from read_csv('{tmp/'outside.csv'}', all_varchar=true)"); con.close()
        probe.expect('duckdb-view-reads-file', run(*check, path), 2, 'orders is a view that reads files or the network', 'store orders as a table')
    if want('anonymise'):    # 6: anonymisation by flag
        folder = shop(tmp/'l')
        probe.expect('anonymise-needs-key', run(*check, folder, '--anonymise', env={'PM_ANONYMISE_KEY': ''}), 2, 'PM_ANONYMISE_KEY')
        result = run(*check, folder, '--anonymise', env={'PM_ANONYMISE_KEY': 'k' * 32})
        probe.expect('anonymise-flag', result, 0, '(anonymised)')
        plain = run(*check, folder, env={'PM_ANONYMISE_KEY': 'k' * 32})
        probe.expect('anonymise-key-without-flag-warns', plain, 0, 'anonymisation is off')
    if want('size-ceiling'):  # 8: no shop too big to generate
        probe.expect('size-ceiling', run(BIN/'pm-report', '00a', '-p', 'synthetic_customers=10000000', '--out', tmp/'big', '--no-progress'), 2,
                     'would hold about 365,000,000 order lines', 'above the ceiling')
    if want('one-run-per-folder'):  # 7: a second run into a folder another live run holds stops at once
        out = tmp/'busy'; out.mkdir()
        holder = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)'])
        try:
            (out/'.pm-report.lock').write_text(json.dumps({'pid': holder.pid, 'host': socket.gethostname(), 'started': 'now', 'command': 'pm-report (the other run)'}))
            start = time.time()
            result = run(BIN/'pm-report', '00a', '--out', out, '--no-progress')
            probe.expect('one-run-per-folder', result, 2, 'is being written by another run', f'pid {holder.pid}')
            probe.check('one-run-per-folder-at-once', time.time() - start < 60 and not (out/'index.html').exists(), f'{time.time() - start:.0f} s')
        finally: holder.kill(); holder.wait()
    if want('results-store-held-open'):  # 7: a reader holding results.duckdb open stops the run before any chapter's work
        out = tmp/'held'; out.mkdir()
        holder = subprocess.Popen([sys.executable, '-c', f"import duckdb, time; c = duckdb.connect({str(out/'results.duckdb')!r}); print('held', flush=True); time.sleep(120)"],
                                  stdout=subprocess.PIPE, text=True)
        try:
            holder.stdout.readline()
            probe.expect('results-store-held-open', run(BIN/'pm-report', '00a', '--out', out, '--no-progress'), 2, 'another program holds it open')
            probe.check('results-store-held-open-lock-released', not (out/'.pm-report.lock').exists(), 'the lock stayed')
        finally: holder.kill(); holder.wait()
    if want('report-00d'):   # 1 and 6: a chapter's tests write no toy decisions into the run's output; --anonymise reaches the pages
        hostile = ORDERS + 'RAWCUSTOMER9,O9,P1,2023-01-09,-1,9.5\n'       # a rejected row
        folder = shop(tmp/'m <img src=x onerror=alert(1)>', hostile)       # markup in the shop's name, which every page shows
        out = tmp/'m-report'
        result = run(BIN/'pm-report', '00d', '--shop', folder, '--out', out, '--no-progress', '--anonymise', env={'PM_ANONYMISE_KEY': 'k' * 32})
        probe.expect('report-00d', result, 0, '00d_sources: ok')
        toy = sorted(str(p.relative_to(out)) for p in list((out/'decisions').glob('*.csv')) + list((out/'metrics').glob('test*.json'))) if out.exists() else []
        probe.check('report-00d-no-toy-decisions', not toy, f'written by the chapter\'s tests: {toy}')
        pages = ' '.join(p.read_text(errors='replace') for p in out.rglob('*.html'))
        probe.check('report-00d-html-escaped', '<img src=x onerror=alert(1)>' not in pages and '&lt;img src=x onerror=alert(1)&gt;' in pages,
                    'raw markup from the input is on a page' if '<img src=x onerror=alert(1)>' in pages else 'the shop name is not shown at all')
        probe.check('report-00d-anonymised-pages', 'RAWCUSTOMER9' not in pages and 'anon-' in pages, 'a raw customer id is on a page' if 'RAWCUSTOMER9' in pages else 'no pseudonym on the pages')


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--only', nargs='*', help='run these cases only')
    parser.add_argument('--keep', help='keep the inputs and outputs here (default: a temporary folder)')
    args = parser.parse_args(argv)
    probe = Probe()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(args.keep or tmp); base.mkdir(parents=True, exist_ok=True)
        cases(base, probe, set(args.only) if args.only else None)
    print(f"{len(probe.passed)} passed, {len(probe.failed)} failed")
    return 1 if probe.failed else 0


if __name__ == '__main__':
    sys.exit(main())
