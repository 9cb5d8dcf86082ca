"""Repository gates run by `make test` before the notebook tests:
1. the library is in sync with the notebooks (nbdev_export changes nothing),
2. notebooks are clean (no outputs; nbdev_clean changes nothing),
3. README.md matches nbs/index.ipynb.
Works on a temporary copy, so the checkout is never modified."""
import filecmp, json, shutil, subprocess, sys, tempfile
from pathlib import Path

root = Path(__file__).resolve().parent.parent
bin_dir = Path(sys.executable).parent
problems = []

def differing(a: Path, b: Path, pattern: str):
    names = {p.relative_to(a) for p in a.rglob(pattern)} | {p.relative_to(b) for p in b.rglob(pattern)}
    return sorted(str(n) for n in names if '__pycache__' not in n.parts and
                  not ((a/n).exists() and (b/n).exists() and filecmp.cmp(a/n, b/n, shallow=False)))

for nb in sorted((root/'nbs').glob('*.ipynb')):
    cells = json.loads(nb.read_text())['cells']
    dirty = [i for i, c in enumerate(cells) if c.get('outputs') or c.get('execution_count')]
    if dirty: problems.append(f"{nb.relative_to(root)} carries outputs in cells {dirty}: run nbdev_clean and commit")

with tempfile.TemporaryDirectory() as tmp:
    copy = Path(tmp)/'repo'
    copy.mkdir()
    for name in ['settings.ini', 'setup.py']: shutil.copy(root/name, copy/name)
    for name in ['nbs', 'precision_marketing']: shutil.copytree(root/name, copy/name, ignore=shutil.ignore_patterns('__pycache__', '.ipynb_checkpoints'))
    for cmd in ['nbdev_export', 'nbdev_clean']:
        done = subprocess.run([str(bin_dir/cmd)], cwd=copy, capture_output=True, text=True)
        if done.returncode: problems.append(f"{cmd} failed: {done.stderr.strip()[-800:]}")
    stale = differing(root/'precision_marketing', copy/'precision_marketing', '*.py')
    if stale: problems.append(f"precision_marketing/ is out of sync with nbs/ ({', '.join(stale)}): run nbdev_export and commit")
    unclean = differing(root/'nbs', copy/'nbs', '*.ipynb')
    if unclean: problems.append(f"notebooks not clean ({', '.join(unclean)}): run nbdev_clean and commit")

sys.path.insert(0, str(root))
from precision_marketing.reports import readme_text
if (root/'README.md').read_text() != readme_text(root/'nbs'/'index.ipynb'):
    problems.append("README.md differs from nbs/index.ipynb: run `make readme` and commit")

for p in problems: print('FAIL:', p)
print('repository checks:', 'failed' if problems else 'library in sync, notebooks clean, README current')
sys.exit(1 if problems else 0)
