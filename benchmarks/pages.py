"""Throughput of a real section page against a bare Flask page of the same size.

The reference ("bare") page is a route that only renders a plain template of the section
page's size, added to the same Tandem app, served by the same gunicorn processes and
requested with the same signed-in session — so it pays exactly the server setup's own
costs (session, sign-in check, headers) and nothing else. The ratio therefore shows what
the section page's own work costs: its queries, its template and its content, which must
come from the start-up cache and never be rendered per request. For context the script
also measures a separate minimal Flask app with no session at all, and prints that ratio
too.

Both are served the way ``make run`` serves Tandem: gunicorn, two sync workers, on
loopback. Tandem runs on a fresh SQLite file migrated with ``flask db upgrade``,
with a signed-in participant who has answered the section's reflections and finished a few
sections. The bare app renders a Jinja template (layout + escaped paragraphs) sized to the
section page's HTML. A pool of client processes sends the same number of requests to each
(one connection per request, as gunicorn's sync workers close them); each run measures
both, alternating which goes first, and the median of the per-run ratios is printed.

The client shares the machine with the server, so absolute figures depend on the host;
the ratio is what the issue's target (section page >= 0.5 of the bare page) is about.

    .venv/bin/python benchmarks/pages.py [--requests 1500] [--runs 5] [--concurrency 4]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlencode

from flask import Flask, render_template

ROOT = Path(__file__).resolve().parent.parent
EMAIL = "bench@example.org"
PASSWORD = secrets.token_urlsafe(16)  # a throwaway account in a throwaway database
CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
BARE_TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title>
<link rel="stylesheet" href="/static/css/tandem.css"></head>
<body><header class="site-header"><a class="brand" href="/">Tandem</a></header>
<main id="main"><h1>{{ title }}</h1>
{% for paragraph in paragraphs %}<p>{{ paragraph }}</p>
{% endfor %}</main></body></html>
"""
PARAGRAPH = ("A supervisor & a caseworker agree on what the file must show: the assessment, "
             "the plan, who does what <and when>, and how the child's views were heard.")


def _paragraphs(render: Callable[[list[str]], str]) -> list[str]:
    target = int(os.environ.get("BENCH_PAGE_BYTES", "10000"))
    one, empty = len(render([PARAGRAPH])), len(render([]))
    return [PARAGRAPH] * max(1, round((target - empty) / (one - empty)))


def bare_app() -> Flask:
    """A minimal Flask app: one route, one template, no database, no session."""
    from jinja2 import DictLoader

    app = Flask(__name__)
    app.jinja_loader = DictLoader({"page.html": BARE_TEMPLATE})
    with app.app_context():
        paragraphs = _paragraphs(
            lambda items: render_template("page.html", title="Bare", paragraphs=items))

    @app.get("/")
    def page() -> str:
        return render_template("page.html", title="Bare", paragraphs=paragraphs)

    return app


def tandem_with_reference() -> Flask:
    """Tandem as ``make run`` serves it, plus the reference route /bench/reference."""
    from learning import create_app
    from learning.access import signed_in

    app = create_app()
    template = app.jinja_env.from_string(BARE_TEMPLATE)
    paragraphs = _paragraphs(lambda items: template.render(title="Bare", paragraphs=items))

    @app.get("/bench/reference")
    @signed_in
    def reference() -> str:
        return template.render(title="Bare", paragraphs=paragraphs)

    return app


class Client:
    def __init__(self, port: int, cookies: dict[str, str] | None = None) -> None:
        self.port = port
        self.cookies = dict(cookies or {})
        self.csrf_token = ""

    def request(self, method: str, path: str, form: dict[str, str] | None = None,
                ) -> tuple[int, bytes]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers.update({"Content-Type": "application/x-www-form-urlencoded",
                            "Accept": "application/json", "X-CSRFToken": self.csrf_token})
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(method, path, body, headers)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = cookie.partition("=")
            self.cookies[name] = rest.split(";", 1)[0]
        return response.status, data


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_gunicorn(target: str, env: dict[str, str], workers: int) -> tuple[subprocess.Popen, int]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--bind", f"127.0.0.1:{port}", "--workers",
         str(workers), target], cwd=ROOT, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            Client(port).request("GET", "/static/css/tandem.css" if "app:app" in target else "/")
            return process, port
        except OSError:
            time.sleep(0.1)
    stop(process)
    raise SystemExit(f"{target} did not start")


def stop(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGTERM)
    process.wait(timeout=30)


def prepare_tandem(env: dict[str, str], port: int, section: str) -> dict[str, str]:
    """Sign in, answer the section's reflections, finish the sections before it."""
    client = Client(port)
    _, page = client.request("GET", "/login")
    match = CSRF_INPUT.search(page.decode())
    if match is None:
        raise SystemExit("no CSRF token on the sign-in page")
    client.csrf_token = match.group(1)
    status, _ = client.request("POST", "/login", {"email": EMAIL, "password": PASSWORD,
                                                  "csrf_token": client.csrf_token})
    if status != 302:
        raise SystemExit(f"sign-in failed ({status})")
    client.csrf_token = json.loads(client.request("GET", "/session/token")[1])["csrf_token"]
    status, page = client.request("GET", f"/learn/sections/{section}")
    if status != 200:
        raise SystemExit(f"section {section}: {status}")
    html = page.decode()
    reflections = re.findall(r'action="(/learn/reflections/[^"]+)"', html)
    if not reflections:
        raise SystemExit(f"section {section} has no reflection prompt")
    answer = ("I would begin by asking what the caseworker already tried, then agree on one "
              "small step for the week and a date to look at it together. ") * 6
    for path in reflections:
        client.request("POST", path, {"key": secrets.token_hex(16), "text": answer})
    for path in re.findall(r'href="(/learn/sections/[^"]+)"', html):
        client.request("POST", f"{path}/progress",
                       {"key": secrets.token_hex(16), "event": "completed"})
    return client.cookies


def fetch_many(job: tuple[int, str, dict[str, str], int]) -> int:
    port, path, cookies, count = job
    client = Client(port, cookies)
    for _ in range(count):
        status, body = client.request("GET", path)
        if status != 200 or not body:
            raise RuntimeError(f"GET {path}: {status}")
    return count


def throughput(pool: Pool, port: int, path: str, cookies: dict[str, str], requests: int,
               concurrency: int) -> float:
    share = requests // concurrency
    started = time.perf_counter()
    done = sum(pool.map(fetch_many, [(port, path, cookies, share)] * concurrency))
    return done / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=1500, help="per page and run")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--concurrency", type=int, default=4, help="client processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers per app")
    parser.add_argument("--section", default="m2-regular-records")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        env = {name: value for name, value in os.environ.items()
               if not name.startswith("TANDEM_")}
        env.update(DATABASE_URL=f"sqlite:///{folder}/bench.db",
                   TANDEM_INSTANCE_PATH=f"{folder}/instance",
                   TANDEM_SECRET_KEY=secrets.token_urlsafe(32))
        flask = [sys.executable, "-m", "flask", "--app", "app"]
        subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True,
                       capture_output=True)
        subprocess.run([*flask, "users", "create", "--email", EMAIL, "--name", "Bench",
                        "--role", "participant", "--country", "BI"], cwd=ROOT, env=env,
                       input=PASSWORD + "\n", text=True, check=True, capture_output=True)

        tandem, tandem_port = start_gunicorn("app:app", env, options.workers)
        try:
            cookies = prepare_tandem(env, tandem_port, options.section)
            section_path = f"/learn/sections/{options.section}"
            size = len(Client(tandem_port, cookies).request("GET", section_path)[1])
        finally:
            stop(tandem)
        page_env = {**env, "BENCH_PAGE_BYTES": str(size)}
        tandem, tandem_port = start_gunicorn("benchmarks.pages:tandem_with_reference()",
                                             page_env, options.workers)
        bare, bare_port = start_gunicorn("benchmarks.pages:bare_app()", page_env,
                                         options.workers)
        try:
            reference_size = len(Client(tandem_port, cookies).request(
                "GET", "/bench/reference")[1])
            print(f"section page {section_path}: {size} bytes; reference page: "
                  f"{reference_size} bytes; gunicorn {options.workers} sync workers each; "
                  f"{options.concurrency} client processes; {options.requests} requests "
                  "per page and run")
            targets = {"section": (tandem_port, section_path, cookies),
                       "reference": (tandem_port, "/bench/reference", cookies),
                       "minimal": (bare_port, "/", {})}
            ratios, minimal_ratios = [], []
            with Pool(options.concurrency) as pool:
                for target in targets.values():  # warm them up
                    throughput(pool, *target, options.concurrency * 25, options.concurrency)
                for run in range(1, options.runs + 1):
                    order = list(targets) if run % 2 else list(reversed(targets))
                    rate = {name: throughput(pool, *targets[name], options.requests,
                                             options.concurrency) for name in order}
                    ratios.append(rate["section"] / rate["reference"])
                    minimal_ratios.append(rate["section"] / rate["minimal"])
                    print(f"run {run}: section {rate['section']:7.1f} req/s   reference "
                          f"{rate['reference']:7.1f} req/s   ratio {ratios[-1]:.2f}   "
                          f"(minimal Flask app {rate['minimal']:7.1f} req/s)")
        finally:
            stop(bare)
            stop(tandem)
    print(f"median ratio section/minimal Flask app without a session: "
          f"{statistics.median(minimal_ratios):.2f}")
    median = statistics.median(ratios)
    verdict = "meets" if median >= 0.5 else "misses"
    print(f"median throughput ratio section/reference: {median:.2f} "
          f"({verdict} the 0.5 target)")


if __name__ == "__main__":
    main()
