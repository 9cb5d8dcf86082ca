"""Locust's user for benchmarks/serve_load.py: the shop's site calling the decision service. Each request is, at random
(seeded per user), an order line posted (SERVE_WRITE_SHARE), a product's price (10%) or a customer's list (the rest;
1 in 20 of them a customer the run does not know). The ids come from the files serve_load.py writes. With SERVE_RATE
(requests a second, all users together) each user is paced to its share of that rate (Locust's constant_throughput):
an open load at a fixed rate, whose latencies are the service's at that rate; without it, each user calls again as soon
as it is answered (a closed load that finds the most the service can answer)."""
import itertools, json, os, random
from locust import FastHttpUser, constant, constant_throughput, task

CUSTOMERS = open(os.environ['SERVE_CUSTOMERS']).read().split()
PRODUCTS = open(os.environ['SERVE_PRODUCTS']).read().split()
WRITES = float(os.environ.get('SERVE_WRITE_SHARE', '0.1'))
AUTH = {'Authorization': f"Bearer {os.environ.get('PM_SERVE_TOKEN', '')}", 'Content-Type': 'application/json'}
SEEDS = itertools.count(int(os.environ.get('SERVE_SEED', '42')))
ORDERS = itertools.count()
RATE, USERS = float(os.environ.get('SERVE_RATE', '0')), int(os.environ.get('SERVE_USERS', '1'))

class Site(FastHttpUser):
    wait_time = constant_throughput(RATE / USERS) if RATE > 0 else constant(0)

    def on_start(self): self.rng = random.Random(next(SEEDS))

    @task
    def call(self):
        r = self.rng.random()
        if r < WRITES:
            n = next(ORDERS)
            line = {'customer_id': self.rng.choice(CUSTOMERS), 'order_id': f'load-{os.getpid()}-{n}', 'product_id': self.rng.choice(PRODUCTS),
                    'timestamp': '2030-01-01 12:00', 'quantity': 1, 'unit_price': 1.0}
            self.client.post('/events', data=json.dumps({'orders': [line]}), headers=AUTH, name='/events')
        elif r < WRITES + 0.1:
            self.client.get(f'/products/{self.rng.choice(PRODUCTS)}/price', name='/products/{id}/price')
        else:
            who = self.rng.choice(CUSTOMERS) if self.rng.random() >= 0.05 else f'unknown-{self.rng.randrange(10**9)}'
            self.client.get(f'/customers/{who}/recommendations?n=10', name='/customers/{id}/recommendations')
