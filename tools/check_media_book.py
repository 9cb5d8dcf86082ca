"""`make report-media`: the book's media path on a shop with weekly media spend, end to end.

The synthetic shop with media (the book's default shop; `-p synthetic_media=true` says so) runs chapters 02, 07, 07a, 08 and 11 in one `pm-report` run.
Chapter 07a fits the shop's own spend and writes `channel_response_curves`; chapters 08 and 11, later in the same run,
must plan with those curves (not chapter 10's campaign log, not 08's stand-in), and chapter 11's simulator must
reproduce the history of a shop whose demand the media moved (the chapter asserts it on a synthetic shop). Checks:

* every chapter finishes (status ok);
* `channel_response_curves` holds one curve per channel of the shop's `media_spend`, written by 07a in this run;
* 08 and 11 say they plan with chapter 07a's media mix, and 11 writes `loop_results` for its five policies with
  books that balance;
* every chapter's claims about the default shop hold on this path too (`pm-report --check-claims`, as `make test`
  asserts them on each chapter run alone, where 08 and 11 have no curves of chapter 07a's to read).

    .venv/bin/python tools/check_media_book.py [--out DIR] [-p NAME=VALUE ...]
    .venv/bin/python tools/check_media_book.py --results reports    # the same checks on a book already run (make report REPORT_FLAGS=--check-claims)

With `--results DIR` nothing is run: the checks read the run in DIR, which must hold the five chapters, each run with
`--check-claims` (CI runs the whole book so, and checks the media path in it instead of running these chapters again).

Prints one line per check and `N passed, N failed`; exit 0 when every check passes, 1 otherwise.
"""
from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

from precision_marketing.reports import read_summary

ROOT = Path(__file__).resolve().parents[1]
CHAPTERS = ['02', '07', '07a', '08', '11']
SAYS = {'08_genetic_algorithm': "channel curves: chapter 07a's media mix",
        '11_closed_loop': "measured from chapter 07a's media mix"}


def printed(notebook: Path) -> str:
    "Everything an executed notebook printed (stream outputs)."
    cells = json.loads(notebook.read_text())['cells']
    return ''.join(''.join(o.get('text', '')) for c in cells for o in c.get('outputs', []) if o.get('output_type') == 'stream')


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--out', help='where the run writes (default: a temporary folder)')
    parser.add_argument('-p', action='append', default=[], help='more pm-report parameters, e.g. -p replications=3')
    parser.add_argument('--results', help='check the run already in this folder (made with --check-claims on the default shop) instead of running one')
    args = parser.parse_args(argv)
    if args.results and (args.out or args.p): parser.error('--results checks a run already made: give no --out or -p with it')
    results = []
    def check(ok: bool, what: str):
        results.append(ok); print(f"{'ok  ' if ok else 'FAIL'} {what}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(args.results or args.out or tmp)
        if args.results:
            summary = read_summary(out)
            check(bool(summary), f'a pm-report run in {out} ({len(summary)} chapters)')
            ran = {r['chapter'].split('_')[0]: r for r in summary}
            for chapter in CHAPTERS:
                r = ran.get(chapter)
                check(r is not None and r.get('claims_checked') is True,
                      f"{chapter} ran with --check-claims" if r else f"{chapter} is not in the run: run it (make report REPORT_FLAGS=--check-claims)")
        else:
            command = [str(ROOT/'.venv/bin/pm-report'), *CHAPTERS, '-p', 'synthetic_media=true', *[x for p in args.p for x in ('-p', p)],
                       '--no-reference', '--check-claims', '--out', str(out), '--no-progress']
            run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)
            check(run.returncode == 0, f"pm-report {' '.join(command[1:])} exits {run.returncode}" + ('' if run.returncode == 0 else f": {run.stderr.strip().splitlines()[-1:]}"))
            summary = read_summary(out)
        for r in summary:
            check(r['status'] == 'ok', f"{r['chapter']} {r['status']} in {r['seconds']:.0f} s" + (f" ({r['error']})" if r['error'] else ''))
        run_ids = {r['run_id'] for r in summary}
        import duckdb
        db = out/'results.duckdb'
        if not db.exists():
            check(False, f'no results store at {db}')
        else:
            con = duckdb.connect(str(db), read_only=True)
            try:
                tables = {t for (t,) in con.execute('select table_name from information_schema.tables').fetchall()}
                check('channel_response_curves' in tables, 'channel_response_curves written')
                if 'channel_response_curves' in tables:
                    curves = con.execute('select * from channel_response_curves').df()
                    check(set(curves.chapter) == {'07a_media_mix'} and set(curves.run_id) <= run_ids,
                          f"written by 07a_media_mix in this run ({sorted(set(curves.chapter))}, {sorted(set(curves.run_id))})")
                    check(sorted(curves.channel.unique()) == ['email', 'site', 'social'], f"one curve per channel of media_spend: {sorted(curves.channel.unique())}")
                    check(not curves.shop.str.endswith(' no media').any(), f"for the shop with media: {sorted(set(curves.shop))}")
                check('loop_results' in tables, 'loop_results written')
                if 'loop_results' in tables:
                    loop = con.execute('select * from loop_results').df()
                    check(loop.policy.nunique() == 5, f"loop_results has the five policies: {sorted(loop.policy.unique())}")
            finally: con.close()
        for chapter, phrase in SAYS.items():
            nb = out/'executed'/f'{chapter}.ipynb'
            check(nb.exists() and phrase in printed(nb), f'{chapter} prints "{phrase}"')
        loop_metrics = next((r['metrics'] for r in summary if r['chapter'] == '11_closed_loop'), {})
        check(loop_metrics.get('loop_units_balanced') is True, f"11's books balance (loop_units_balanced={loop_metrics.get('loop_units_balanced')})")
    print(f'{sum(results)} passed, {len(results) - sum(results)} failed')
    return 0 if all(results) else 1


if __name__ == '__main__':
    sys.exit(main())
