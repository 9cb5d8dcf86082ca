# The two commands of the README: `make report` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --disable-pip-version-check --quiet
STAMP := $(VENV)/.installed
# one thread per BLAS call in every process make starts (nbdev_test's two workers, pm-report's kernels): two processes on two
# cores each with two OpenBLAS threads made chapter 06's small ARIMA fits 4-10 times slower (benchmarks/blas_threads.py)
export OPENBLAS_NUM_THREADS ?= 1

.PHONY: env data report docs test test-slow test-small-shops probe-inputs test-mysql test-serve spark-env test-spark report-spark report-media check-pages readme clean-reports

env: $(STAMP)

$(STAMP): requirements.lock settings.ini setup.py
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(PIP) install -r requirements.lock
	$(PIP) install --no-deps --no-build-isolation -e .
	@touch $@

data: $(STAMP)
	$(BIN)/pm-data fetch

# REPORT_FLAGS: more pm-report flags; CI passes --check-claims (the prose's readings of the default shop asserted on the whole book's path)
REPORT_FLAGS ?=
report: data
	$(BIN)/pm-report --config report.yaml $(REPORT_FLAGS)

# the book as a static site (reports/site/index.html) from the chapters `make report` executed
docs: $(STAMP)
	$(BIN)/pm-docs

test: data
	$(BIN)/python tools/check_sync.py
	$(BIN)/python tools/check_layers.py
	$(BIN)/python tools/test_notebooks.py --n_workers 2   # nbdev_test's runner, the longest notebooks first

# the book on the shops users have: orders and products only (the synthetic shop reduced, a 30-customer shop), and odd ones;
# two shops' books at a time (check_small_shops.py --jobs)
test-small-shops: data
	$(BIN)/python tools/check_small_shops.py $(SMALL_SHOPS)

# bad, odd and hostile input (issue 31): each case's expected outcome, 'N passed, N failed'
probe-inputs: data
	$(BIN)/python tools/probe_inputs.py

test-mysql: data
	$(BIN)/python tools/test_mysql.py

# the decision service (pm-serve) started on a free loopback port and tested over HTTP, with a kill -9 and a restart
test-serve: $(STAMP)
	$(BIN)/python tools/test_serve.py

# chapter 12 on Apache Spark in local[2] mode: PySpark (pinned, not in the lock: the book does not need it), a Java runtime
# from Debian when missing and run as root, then the chapter's cells flagged `#| spark` (which `make test` skips)
spark-env: $(STAMP)
	@$(BIN)/python -c "import pyspark" 2>/dev/null || $(PIP) install pyspark==4.3.0 py4j==0.10.9.9
	@command -v java >/dev/null || { if [ "$$(id -u)" = 0 ]; then echo 'installing Java (apt-get install openjdk-17-jre-headless) ...'; \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -q openjdk-17-jre-headless >/dev/null; \
	  else echo 'Spark needs Java 17 or later: run `apt-get install openjdk-17-jre-headless` as root, or set JAVA_HOME' >&2; exit 2; fi; }

test-spark: data spark-env
	$(BIN)/nbdev_test --flags spark --path nbs/12_spark.ipynb --timing

# the customer and demand chapters read through Spark (local[2], or $$PM_SPARK_MASTER): the default shop written as Parquet
# tables to data/spark-shop, then pm-report --shop spark:data/spark-shop into reports/spark/
report-spark: data spark-env
	@test -d data/spark-shop || $(BIN)/pm-data sample-shop data/spark-shop --parquet
	$(BIN)/pm-report 02 03 06a 07 --shop spark:data/spark-shop --out reports/spark --no-progress

# the media path end to end (issue 29): the default shop, which has media spend, through chapters 02, 07, 07a, 08 and 11 in one run;
# 08 and 11 must plan with 07a's channel_response_curves, and every chapter's readings of the default shop hold on that path
# (pm-report --check-claims); 'N passed, N failed'; the default size (11's truth checks are set for it), 3 replications.
# MEDIA_BOOK='--results reports' checks a book already run with --check-claims (CI: make report REPORT_FLAGS=--check-claims) instead
MEDIA_BOOK ?= -p replications=3
report-media: data
	$(BIN)/python tools/check_media_book.py $(MEDIA_BOOK)

check-pages: $(STAMP)
	$(BIN)/python tools/check_pages.py reports
	@if [ -f reports/spark/index.html ]; then echo 'the book read through Spark (make report-spark):'; $(BIN)/python tools/check_pages.py reports/spark; fi

test-slow: data
	$(BIN)/python tools/test_notebooks.py --n_workers 2 --flags slow

readme: $(STAMP)
	$(BIN)/python -c "from precision_marketing.reports import write_readme; print(write_readme())"

clean-reports:
	rm -rf reports/spark reports/*.html reports/business reports/_static reports/screenshots reports/metrics reports/executed reports/summary.json reports/decisions reports/site build/docs
