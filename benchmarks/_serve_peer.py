"""The peer of benchmarks/serve_load.py: the least a service of precomputed lists can be, Microsoft Recommenders'
operationalisation in miniature — each customer's top-k as the run wrote it, looked up in a dict and returned as JSON
by Starlette on uvicorn (on the server stack `pm-serve` runs on: `SERVER_OPTIONS`), with no live state, no stock, no events. Run: SERVE_LISTS=lists.json python _serve_peer.py PORT."""
import json, os, sys
import uvicorn
from precision_marketing.serving import SERVER_OPTIONS
from starlette.applications import Starlette
from starlette.responses import JSONResponse
from starlette.routing import Route

LISTS = json.load(open(os.environ['SERVE_LISTS']))

async def recommendations(request):
    customer = request.path_params['customer_id']
    n = int(request.query_params.get('n', 10))
    return JSONResponse({'customer_id': customer, 'recommendations': LISTS.get(customer, LISTS['__cold__'])[:n]})

async def price(request):
    return JSONResponse({'product_id': request.path_params['product_id'], 'price': 1.0})

async def health(request): return JSONResponse({'status': 'ok'})

app = Starlette(routes=[Route('/customers/{customer_id}/recommendations', recommendations), Route('/products/{product_id}/price', price),
                        Route('/health', health)])

if __name__ == '__main__':
    uvicorn.run(app, host='127.0.0.1', port=int(sys.argv[1]), log_level='warning', **SERVER_OPTIONS)
