"""`make test-mysql`: the shop store against a real MariaDB server.

Installs MariaDB from Debian's packages when it is missing (as root; otherwise says how), starts a private server on a
socket in a temporary folder (no network port), loads a year of a smaller synthetic shop (`SMALL_SYNTHETIC`: the readers
are compared, not the methods, as 90 compares them), runs chapters 02, 03 and 07 with
`pm-report --shop mysql+pymysql://...` and checks that their metrics equal the same chapters run on a DuckDB copy of
the shop, whose metrics equal those of an SQLite copy and of the shop as generated (`--shop synthetic` at that size,
which reports the truth's checks besides: the copies' metrics are a subset, never different). Then the failures a user meets: wrong credentials and an unreachable server stop `pm-report` before anything
runs (exit 2) with a clear message; a server stopped while a chapter reads the shop fails that chapter (exit 1) with a
clear message and leaves the previous decision tables whole. The password never appears in what the runs write or
print, and the shop's tables are unchanged. The server is stopped whatever happens.

Then the same for PostgreSQL (installed from Debian's packages likewise, a private cluster on a socket, run as the
`postgres` user): the chapters' metrics equal DuckDB's, so do the in-database aggregations, wrong credentials and an
unreachable server stop `pm-report` with a clear message, a write in the project's session is refused, and the
shop's tables are unchanged.
"""
from __future__ import annotations

import math
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from precision_marketing.reports import read_summary

ROOT = Path(__file__).resolve().parents[1]
BIN = ROOT/'.venv'/'bin'
CHAPTERS = ['02', '03', '07']
PASSWORD = 'pw-Secret-42'          # the analyst's password: must never appear in anything the runs write or print
failures: list[str] = []
passed: list[str] = []


def check(ok: bool, what: str) -> None:
    print(('ok    ' if ok else 'FAIL  ') + what, flush=True)
    (passed if ok else failures).append(what)


def apt_install(package: str, needs: str, update: bool = False) -> None:
    "Install a Debian package this test needs when running as root; otherwise stop with the command that would."
    if os.geteuid() != 0:
        sys.exit(f"make test-mysql needs {needs}: run 'sudo apt-get install {package}' (or run as root), then make test-mysql again")
    print(f'installing {package} from the Debian packages ...', flush=True)
    env = {**os.environ, 'DEBIAN_FRONTEND': 'noninteractive'}
    if update: subprocess.run(['apt-get', 'update', '-qq'], check=True, env=env)
    subprocess.run(['apt-get', 'install', '-y', '-qq', package], check=True, env=env, stdout=subprocess.DEVNULL)


def mariadbd() -> str:
    "Path of mariadbd, installing the Debian package when missing and allowed."
    found = shutil.which('mariadbd') or ('/usr/sbin/mariadbd' if Path('/usr/sbin/mariadbd').exists() else None)
    if found: return found
    apt_install('mariadb-server', 'MariaDB', update=True)
    return shutil.which('mariadbd') or '/usr/sbin/mariadbd'


def pg_bin() -> Path:
    "Folder of PostgreSQL's server programs, installing the Debian package when missing and allowed."
    found = sorted(Path('/usr/lib/postgresql').glob('*/bin/initdb'))
    if found: return found[-1].parent
    apt_install('postgresql', 'PostgreSQL too')
    return sorted(Path('/usr/lib/postgresql').glob('*/bin/initdb'))[-1].parent


class _ServerProcess:
    "A database server this test started (`proc`): stopped with SIGTERM, killed if it has not ended within a minute."
    proc = None

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try: self.proc.wait(60)
            except subprocess.TimeoutExpired: self.proc.kill(); self.proc.wait()


class Postgres(_ServerProcess):
    "A private PostgreSQL cluster in `folder`, on a socket only, run as the postgres user; its superuser connects without password over that socket."
    def __init__(self, folder: Path):
        self.folder, self.proc = folder, None
        folder.mkdir(); shutil.chown(folder, 'postgres', 'postgres'); folder.parent.chmod(0o755)

    def run(self, *cmd, **kw):
        return subprocess.run(['runuser', '-u', 'postgres', '--', *map(str, cmd)], **kw)

    def start(self):
        data, bin_ = self.folder/'data', pg_bin()
        if not data.exists():
            self.run(bin_/'initdb', '-D', data, '-U', 'postgres', '--auth-local=trust', check=True, stdout=subprocess.DEVNULL)
            (data/'pg_hba.conf').write_text('local all postgres trust\nlocal all all scram-sha-256\n')
        self.proc = subprocess.Popen(['runuser', '-u', 'postgres', '--', str(bin_/'postgres'), '-D', str(data), '-k', str(self.folder),
                                      '-c', "listen_addresses=", '-c', 'fsync=off'], stdout=subprocess.DEVNULL, stderr=open(self.folder.parent/'pg.log', 'w'))
        for _ in range(120):
            if self.sql('select 1', check=False).returncode == 0: return self
            if self.proc.poll() is not None: break
            time.sleep(0.5)
        raise RuntimeError(f"PostgreSQL did not start: {(self.folder.parent/'pg.log').read_text()[-2000:]}")

    def sql(self, statement: str, database: str = 'postgres', check: bool = True) -> subprocess.CompletedProcess:
        return self.run(pg_bin()/'psql', '-h', self.folder, '-d', database, '-At', '-v', 'ON_ERROR_STOP=1', '-c', statement, capture_output=True, text=True, check=check)

    def url(self, user: str, password: str | None, database: str) -> str:
        return f'postgresql+psycopg://{user}{":" + password if password else ""}@/{database}?host={self.folder}'


class Server(_ServerProcess):
    "A private MariaDB server in `folder`, on a socket only, run as root with a password-less root over that socket."
    def __init__(self, folder: Path):
        self.folder, self.socket, self.proc = folder, folder/'mysqld.sock', None

    def start(self):
        data, server = self.folder/'data', mariadbd()      # installs MariaDB first when missing: mariadb-install-db comes with it
        if not data.exists(): subprocess.run([shutil.which('mariadb-install-db') or '/usr/bin/mariadb-install-db', '--no-defaults', f'--datadir={data}', '--user=root', '--auth-root-authentication-method=normal',
                                              '--skip-test-db'], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.proc = subprocess.Popen([server, '--no-defaults', f'--datadir={data}', f'--socket={self.socket}', '--skip-networking',
                                      '--user=root', f'--pid-file={self.folder/"mysqld.pid"}', f'--log-error={self.folder/"error.log"}'])
        for _ in range(120):
            if self.socket.exists() and self.sql('select 1', check=False).returncode == 0: return self
            if self.proc.poll() is not None: break
            time.sleep(0.5)
        raise RuntimeError(f"MariaDB did not start: {(self.folder/'error.log').read_text()[-2000:] if (self.folder/'error.log').exists() else 'no log'}")

    def sql(self, statement: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(['mariadb', '--no-defaults', f'--socket={self.socket}', '-uroot', '-N', '-e', statement],
                              capture_output=True, text=True, check=check)

    def url(self, user: str, password: str, database: str) -> str:
        return f'mysql+pymysql://{user}:{password}@localhost/{database}?unix_socket={self.socket}'


def pm_report(args: list[str], out: Path, **popen) -> subprocess.Popen | subprocess.CompletedProcess:
    cmd = [str(BIN/'pm-report'), *args, '--out', str(out), '--no-progress']
    if popen: return subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, cwd=ROOT)
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)


def metrics(out: Path) -> dict:
    return {r['chapter']: {k: v for k, v in r['metrics'].items() if k != 'shop'} for r in read_summary(out)}


def same(a, b) -> bool:
    return a == b or isinstance(a, float) and isinstance(b, float) and math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def agrees_with_duckdb(name: str, run, out: Path, tmp: Path, subset: bool = False) -> None:
    """A reader's run of the chapters gives the DuckDB run's metrics, every one (floats to a relative 1e-9: a reader may hand
    the rows over in another order); `subset`: the DuckDB run's metrics are among this run's (the generated shop, whose truth
    adds checks a copy cannot make), where the sections that ran are counted differently."""
    check(run.returncode == 0 and bool(read_summary(tmp/'duckdb')), f'{name}: chapters {CHAPTERS} run (exit {run.returncode})')
    if run.returncode != 0 or not read_summary(tmp/'duckdb'): print(run.stdout[-600:], run.stderr[-1500:], flush=True); return
    m, d = metrics(out), metrics(tmp/'duckdb')
    counts = ('shop_sections', 'reference_sections') if subset else ()
    d = {c: {k: v for k, v in figures.items() if k not in counts} for c, figures in d.items()}
    differ = {(c, k): (m.get(c, {}).get(k), v) for c in d for k, v in d[c].items() if not same(m.get(c, {}).get(k), v)}
    extra = {c: sorted(set(m.get(c, {})) - set(d[c])) for c in d} if not subset else {}
    compared = sum(len(v) for v in d.values())
    check(not differ and not any(extra.values()) and m.keys() == d.keys() and compared >= 30,
          f'{name}: {compared} metrics of {sorted(d)} equal the DuckDB run; differing: {differ}; only here: {extra}')


def same_as_duckdb(server: str, dialect: str, url: str, wrong_url: str, nowhere_url: str, run, out: Path, duck: Path, tmp: Path) -> None:
    """The checks every server gets: the chapters' metrics equal the DuckDB run's and were aggregated inside the server,
    the password leaks nowhere, the in-database aggregations equal DuckDB's, and wrong credentials or an unreachable
    server stop pm-report with exit 2 and a clear message."""
    import pandas as pd
    from precision_marketing.engines import ShopQueries
    print(run.stdout[-600:], run.stderr[-1500:], flush=True)
    agrees_with_duckdb(server, run, out, tmp)
    if run.returncode == 0:
        pages = ' '.join(p.read_text() for p in out.glob('*.html'))
        check(pages.count(f'database ({dialect})') >= 2, f"{server}: 02's customer features and 07's daily units were aggregated inside the server")
    written = [p for p in out.rglob('*') if p.is_file()]
    leaked = [str(p) for p in written if PASSWORD.encode() in p.read_bytes()] + (['pm-report output'] if PASSWORD in run.stdout + run.stderr else [])
    check(len(written) > 5 and not leaked, f'{server}: the password appears in none of the {len(written)} files written nor the output {leaked}')
    in_server, in_duckdb = ShopQueries(url), ShopQueries(duck)
    agree = []
    for name in ('daily_units', 'customer_features', 'category_shares', 'cohort_counts', 'basket_pairs'):
        try:
            pd.testing.assert_frame_equal(getattr(in_server, name)(), getattr(in_duckdb, name)(), check_dtype=False, check_freq=False, rtol=1e-9)
            agree.append(name)
        except Exception as exc: print(f'{name}: {str(exc)[:500]}')
    check(len(agree) == 5, f'{server}: in-database aggregations equal DuckDB\'s: {agree}')
    wrong = pm_report(['02', '--shop', wrong_url], tmp/f'{dialect}-wrong')
    check(wrong.returncode == 2 and 'refused the user name or password' in wrong.stderr and 'not-the-Password-7' not in wrong.stderr + wrong.stdout,
          f'{server}, wrong credentials: exit 2 and a clear message ({wrong.returncode}: {wrong.stderr.strip()[-300:]})')
    nowhere = pm_report(['02', '--shop', nowhere_url], tmp/f'{dialect}-nowhere')
    check(nowhere.returncode == 2 and 'cannot reach the server' in nowhere.stderr and PASSWORD not in nowhere.stderr + nowhere.stdout,
          f'{server}, unreachable server: exit 2 and a clear message ({nowhere.returncode}: {nowhere.stderr.strip()[-300:]})')


def write_refused(url: str) -> str:
    "What the server says when the project's session tries to write (the session is read-only, whoever the user is)."
    from precision_marketing.engines import _server_session, ShopSourceError
    try:
        with _server_session(url, 'the write failed') as con: con.exec_driver_sql("insert into orders (customer_id) values ('intruder')")
    except ShopSourceError as exc: return str(exc).lower().replace('-', ' ')
    return 'the write went through'


def postgres_checks(tmp: Path, sample, duck: Path, config: Path) -> None:
    "The same shop on a real PostgreSQL: chapters, aggregations, bad credentials, an unreachable server, read-only."
    import sqlalchemy as sa
    pg = Postgres(tmp/'pg')
    try:
        pg.start()
        print(f'PostgreSQL {pg.sql("show server_version").stdout.strip()} on {pg.folder}', flush=True)
        pg.sql('create database shop')
        pg.sql(f"create role analyst login password '{PASSWORD}'; grant connect on database shop to analyst")
        engine = sa.create_engine(pg.url('postgres', None, 'shop'))
        for name, table in sample.tables.items(): table.to_sql(name, engine, index=False, chunksize=20_000)
        engine.dispose()
        pg.sql('grant select on all tables in schema public to analyst', database='shop')
        fingerprint = "select string_agg(t || ':' || n, ',' order by t) from (" + ' union all '.join(
            f"select '{n}' as t, (select count(*) || '/' || md5(string_agg(x::text, '' order by x::text)) from {n} x) as n" for n in sample.tables) + ') s'
        before = pg.sql(fingerprint, database='shop').stdout
        url = pg.url('analyst', PASSWORD, 'shop')

        on_pg = pm_report([*CHAPTERS, '--shop', url, '--config', str(config)], tmp/'postgres')
        same_as_duckdb('PostgreSQL', 'postgresql', url, pg.url('analyst', 'not-the-Password-7', 'shop'),
                       f'postgresql://analyst:{PASSWORD}@/shop?host={tmp}/nowhere', on_pg, tmp/'postgres', duck, tmp)
        refused = write_refused(pg.url('postgres', None, 'shop'))
        check('read only transaction' in refused, f"PostgreSQL: even the superuser cannot write in the project's session ({refused[-200:]})")
        check(pg.sql(fingerprint, database='shop').stdout == before, 'PostgreSQL: the shop tables are unchanged by every run (row counts and md5 of every table)')
    finally:
        pg.stop()


def main() -> int:
    import duckdb
    import sqlalchemy as sa
    from precision_marketing.chapter import SYNTHETIC_ARGUMENTS
    from precision_marketing.sources import open_shop, write_shop, SMALL_SYNTHETIC
    with tempfile.TemporaryDirectory(prefix='pm-mysql-') as tmp:
        tmp = Path(tmp)
        server = Server(tmp)
        try:
            server.start()
            print(f'MariaDB {server.sql("select version()").stdout.strip()} on {server.socket}', flush=True)
            server.sql("create database shop; create database slowshop; "
                       f"create user 'analyst'@'localhost' identified by '{PASSWORD}'; "
                       "grant select on shop.* to 'analyst'@'localhost'; grant select on slowshop.* to 'analyst'@'localhost'")
            sample = open_shop('synthetic', **SMALL_SYNTHETIC)                  # a year of a smaller shop: the readers are compared, not the methods
            engine = sa.create_engine(server.url('root', '', 'shop'))
            for name, table in sample.tables.items(): table.to_sql(name, engine, index=False, chunksize=20_000)
            engine.dispose()
            checksums = server.sql('checksum table shop.orders, shop.products, shop.inventory, shop.prices, shop.customers, shop.events').stdout
            url = server.url('analyst', PASSWORD, 'shop')
            config = tmp/'report.yaml'; config.write_text("chapters: {'03': {dataset: shop}}\n")

            # the same chapters on MySQL and on a DuckDB copy of the same shop
            duck = write_shop(sample, tmp/'shop.duckdb')
            on_mysql = pm_report([*CHAPTERS, '--shop', url, '--config', str(config)], tmp/'mysql')
            on_duckdb = pm_report([*CHAPTERS, '--shop', str(duck), '--config', str(config)], tmp/'duckdb')
            check(on_duckdb.returncode == 0, f'chapters {CHAPTERS} run on DuckDB (exit {on_duckdb.returncode})')
            # the same chapters on an SQLite copy and on the shop as generated (its size as parameters): the same metrics
            on_sqlite = pm_report([*CHAPTERS, '--shop', str(write_shop(sample, tmp/'shop.sqlite')), '--config', str(config)], tmp/'sqlite')
            agrees_with_duckdb('SQLite', on_sqlite, tmp/'sqlite', tmp)
            sized = [a for name, arg in SYNTHETIC_ARGUMENTS.items() if arg in SMALL_SYNTHETIC for a in ('-p', f'{name}={SMALL_SYNTHETIC[arg]}')]
            as_generated = pm_report([*CHAPTERS, '--shop', 'synthetic', *sized, '--no-reference', '--config', str(config)], tmp/'synthetic')
            agrees_with_duckdb('the shop as generated', as_generated, tmp/'synthetic', tmp, subset=True)
            same_as_duckdb('MySQL', 'mysql', url, server.url('analyst', 'not-the-Password-7', 'shop'),
                           f'mysql+pymysql://analyst:{PASSWORD}@localhost/shop?unix_socket={tmp}/no.sock', on_mysql, tmp/'mysql', duck, tmp)
            if (tmp/'mysql'/'index.html').exists():
                check('mysql+pymysql://analyst:***@localhost/shop' in (tmp/'mysql'/'index.html').read_text(), 'the index names the MySQL shop with the password masked')

            # the server stops while chapter 07 reads the shop: the chapter fails clearly, the earlier decisions stay whole
            server.sql('use slowshop; ' + '; '.join(f'create view {n} as select * from shop.{n}' for n in sample.tables if n != 'orders')
                       + f'; create view orders as select * from shop.orders where sleep({120 / len(sample.orders):.6f}) = 0')     # about 2 minutes to read
            shutil.copy(tmp/'mysql'/'results.duckdb', tmp/'before.duckdb')
            (tmp/'stopped').mkdir(); shutil.copy(tmp/'before.duckdb', tmp/'stopped'/'results.duckdb')
            reading = pm_report(['07', '--shop', server.url('analyst', PASSWORD, 'slowshop')], tmp/'stopped', popen=True)
            seen = False
            for _ in range(240):
                if 'slowshop' in server.sql("select db from information_schema.processlist where user = 'analyst' and info like '%orders%'", check=False).stdout:
                    seen = True; break
                if reading.poll() is not None: break
                time.sleep(0.5)
            check(seen, 'chapter 07 is reading the orders when the server is stopped')
            server.stop()
            output = reading.communicate(timeout=600)[0]
            summary = read_summary(tmp/'stopped')
            error = summary[0]['error'] if summary else ''
            check(reading.returncode == 1 and ('connection was lost' in error or 'server went away' in error) and PASSWORD not in output + error,
                  f'server stopped mid-read: exit 1 and a clear error ({reading.returncode}: {error[-300:]})')
            with duckdb.connect(str(tmp/'before.duckdb'), read_only=True) as a, duckdb.connect(str(tmp/'stopped'/'results.duckdb'), read_only=True) as b:
                tables = [r[0] for r in a.execute('select table_name from information_schema.tables').fetchall()]
                unchanged = all(a.execute(f'select count(*), min(run_id) from "{t}"').fetchall() == b.execute(f'select count(*), min(run_id) from "{t}"').fetchall() for t in tables)
            check(unchanged and 'reorder_levels' in tables, f'the decision tables of the earlier run are whole after the failed one ({tables})')
            server.start()
            pm_data = str(ROOT/'.venv'/'bin'/'pm-data')
            unknown = subprocess.run([pm_data, 'check', server.url('analyst', PASSWORD, 'no_such_shop')], capture_output=True, text=True)
            check(unknown.returncode == 2 and 'the database does not exist' in unknown.stderr and PASSWORD not in unknown.stdout + unknown.stderr,
                  f'an unknown database: exit 2 saying it does not exist ({unknown.returncode}: {unknown.stderr[-300:]})')
            bare = server.url('analyst', PASSWORD, 'shop').replace(f':{PASSWORD}@', '@')      # the password from the environment, not the URL
            from_env = subprocess.run([pm_data, 'check', bare], capture_output=True, text=True, env={**os.environ, 'PM_DB_PASSWORD': PASSWORD})
            check(from_env.returncode == 0 and 'orders' in from_env.stdout and PASSWORD not in from_env.stdout + from_env.stderr,
                  f'the password from $PM_DB_PASSWORD: read (exit {from_env.returncode}: {from_env.stderr[-300:]})')
            refused = write_refused(server.url('root', '', 'shop'))
            check('read only transaction' in refused, f"MySQL: even root cannot write in the project's session ({refused[-200:]})")
            check(server.sql('checksum table shop.orders, shop.products, shop.inventory, shop.prices, shop.customers, shop.events').stdout == checksums,
                  'the shop tables are unchanged by every run (checksums)')
        finally:
            server.stop()
        postgres_checks(tmp, sample, duck, config)
    print(f"test-mysql: {len(passed)} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
