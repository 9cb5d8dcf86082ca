"""The package's layers, checked (run by `make test`): every import inside `precision_marketing/` — at module level or
inside a function — goes to a module of the same or a lower layer, the imports form no circle, every module has its
layer, no method imports the synthetic shop's generator (only `sources`, which reads it as a source, and the
reports; the simulator reads a shop's truth as data), and only `data.RUN_VARIABLES` names the `PM_*` environment
variables (the library reads them as a `RunContext`). ../shared/DESIGN.md draws the same layers.

Exit 0 with one line per layer when all holds; exit 1 naming each upward import, circle or unplaced module."""
import ast, re, sys
from pathlib import Path

LAYERS = [   # bottom up: a module may import only its own layer's modules and lower ones
    ('shared checks, public data and the run context', ['data', 'preprocessing']),
    ('the demand model (price, promotion, channels, season, order lines)', ['demand']),
    ('the synthetic shop (a source with its truth)', ['synthetic']),
    ('the schema: table specs, the one validation of a table and across tables, the Shop', ['schema']),
    ('engines: source kinds, database servers, Spark sessions, in-database aggregations behind one interface', ['engines']),
    ('sources: open_shop, readers, writers, pseudonyms, what a shop lacks', ['sources']),
    ('features: daily units and the one customer-feature table, in the engine or in pandas', ['features']),
    ('decision tables', ['decisions']),
    ('a chapter in a run', ['chapter']),
    ("how a method's output is scored (ranking and forecast metrics)", ['evaluation']),
    ('methods', ['arima', 'clustering', 'regression', 'collaborative_filtering', 'content_similarity', 'forecasting',
                 'inventory', 'pricing', 'campaigns', 'media_mix', 'genetic_algorithm', 'spark']),
    ('the closed loop and the live decision service', ['loop', 'serving']),
    ('reports, docs and the command lines', ['reports'])]
TRUTH, METHODS = 'synthetic', 'methods'
PACKAGE = 'precision_marketing'

def imports_of(path: Path) -> set:
    "The package's modules that the file imports anywhere in it (relative or absolute, module level or inside a function)."
    out = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1 and node.module: out.add(node.module.split('.')[0])
            elif node.module and node.module.split('.')[0] == PACKAGE:
                parts = node.module.split('.')
                out.update([parts[1]] if len(parts) > 1 else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            out.update(a.name.split('.')[1] for a in node.names if a.name.startswith(PACKAGE + '.'))
    return out

def problems(graph: dict, layers: list) -> list:
    "What breaks the layering in `graph` (module -> modules it imports): unplaced modules, upward imports, methods reading the truth, circles."
    rank = {m: i for i, (_, mods) in enumerate(layers) for m in mods}
    names = {i: name for i, (name, _) in enumerate(layers)}
    out = [f"{m} has no layer: place it in tools/check_layers.py's LAYERS (and ../shared/DESIGN.md)" for m in sorted(graph) if m not in rank]
    for m in sorted(graph):
        for n in sorted(graph[m]):
            if m in rank and n in rank and rank[n] > rank[m]:
                out.append(f"{m} ({names[rank[m]]}) imports {n} ({names[rank[n]]}), a higher layer")
            if n == TRUTH and m in rank and names[rank[m]] == METHODS:
                out.append(f"{m} is a method and imports {TRUTH}: a method never reads the synthetic truth")
    state, stack = {}, []
    def visit(m):                                      # depth-first search; a grey node met again closes a circle
        state[m] = 'grey'; stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 'grey': out.append('circle: ' + ' -> '.join(stack[stack.index(n):] + [n]))
            elif n not in state: visit(n)
        state[m] = 'black'; stack.pop()
    for m in sorted(graph):
        if m not in state: visit(m)
    return out

CONTEXT_MODULE = 'data'      # the one module that names the environment variables (RUN_VARIABLES)
VARIABLE = re.compile(r'^PM_[A-Z0-9_]+$')

def named_variables(path: Path) -> list:
    "Each `PM_*` environment variable a file names as a value (a string that is just the name; prose in docstrings does not count)."
    return [f"{path.name}:{node.lineno} names {node.value}" for node in ast.walk(ast.parse(path.read_text(), str(path)))
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and VARIABLE.match(node.value)]

def package_graph(root: Path) -> dict:
    mods = {p.stem for p in (root/PACKAGE).glob('*.py') if not p.stem.startswith('_')}
    return {m: (imports_of(root/PACKAGE/f'{m}.py') & mods) - {m} for m in mods}

if __name__ == '__main__':
    # the check itself, on a toy house that breaks every rule: it must find each break
    toy = [('low', ['a']), ('methods', ['b', 'c']), ('top', ['d'])]
    found = problems({'a': {'d'}, 'b': {'c', 'synthetic'}, 'c': {'b'}, 'd': {'a'}, 'e': set(), 'synthetic': set()}, toy + [('truth', ['synthetic'])])
    expected = ["e has no layer", "a (low) imports d (top)", "b (methods) imports synthetic (truth)", "b is a method and imports synthetic", "circle: a -> d -> a", "circle: b -> c -> b"]
    missed = [e for e in expected if not any(f.startswith(e) for f in found)]
    assert not missed and len(found) == len(expected), (found, missed)
    import tempfile
    with tempfile.TemporaryDirectory() as tmp:
        toy_file = Path(tmp)/'toy.py'
        toy_file.write_text('"""Reads $PM_RUN_ID."""\nimport os\nrun = os.environ.get("PM_RUN_ID")\n')
        assert named_variables(toy_file) == ['toy.py:3 names PM_RUN_ID'], named_variables(toy_file)
    root = Path(__file__).resolve().parent.parent
    graph = package_graph(root)
    found = problems(graph, LAYERS)
    found += [f"{v}: read it as a RunContext field (data.RUN_VARIABLES names each once)" for m in sorted(graph) if m != CONTEXT_MODULE
              for v in named_variables(root/PACKAGE/f'{m}.py')]
    if found:
        print('the package breaks its layers:', *found, sep='\n  ', file=sys.stderr); sys.exit(1)
    for name, mods in LAYERS:
        print(f"{name}: {', '.join(mods)}" + ''.join(f"\n    {m} -> {', '.join(sorted(graph[m]))}" for m in mods if graph.get(m)))
    print(f'{len(graph)} modules, {sum(map(len, graph.values()))} imports: no circle, none upward')
