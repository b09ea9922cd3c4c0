#!/usr/bin/env python3
"""Sync benchmark: shopsyncd against shopify-sim over real HTTP on loopback.

Three generated stores (store-1 .. store-3, one location "Main Warehouse" each, every level 10,
so the first alignment is reads only), two groups:
  twoway: store-1 <-> store-2 (two_way, match_by sku)
  oneway: store-1  -> store-3 (one_way, match_by sku)
Every store-1 variant is therefore mapped in both groups.

Phases:
  start    first start on an empty data dir: time until `mappings` shows both groups with every
           identity, then until the first alignment is done (the sim's Admin log quiet).
  latency  for each rate: /_sim/set_level on store-1 (exactly one inventory_levels/update per
           change), each change on a distinct SKU, paced open-loop. For each change the time from
           the change request (client clock, mapped onto the sim's clock) to the destination
           write applied in the sim's /_sim/log (`at_ms`), for store-2 (adjust) and store-3 (set).
           Also reported: from the webhook's delivery (sim `delivered_at_ms`) to the write.
  memory   shopsyncd's VmHWM / VmRSS from /proc after the above.
  restart  SIGTERM, start again on the same data dir, time until `mappings` answers with every
           group mapped, then the RSS once its start-up work is done.
"""
import argparse
import http.client
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

GID_ITEM = re.compile(r"gid://shopify/InventoryItem/(\d+)")
WRITES = ("InventorySet", "InventoryAdjust")

# Cost buckets by plan (GraphQL Admin API rate limits: Standard 100 points/s, Advanced 200,
# Plus 1,000; the bucket holds 20 s of restore, as the throttleStatus of such stores reports).
PLAN_BUCKETS = {
    "unlimited": {"max": 1000000, "restore": 1000000},
    "standard": {"max": 2000, "restore": 100},
    "advanced": {"max": 4000, "restore": 200},
    "plus": {"max": 20000, "restore": 1000},
    "enterprise": {"max": 40000, "restore": 2000},
}


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


class Sim:
    def __init__(self, port):
        self.port = port
        self.local = threading.local()

    def conn(self):
        c = getattr(self.local, "c", None)
        if c is None:
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.local.c = c
        return c

    def req(self, method, path, body=None):
        for attempt in range(2):
            c = self.conn()
            try:
                c.request(method, path, body=json.dumps(body) if body is not None else None,
                          headers={"Content-Type": "application/json"})
                r = c.getresponse()
                data = r.read()
                return r.status, json.loads(data) if data else None
            except (http.client.HTTPException, ConnectionError):
                c.close()
                self.local.c = None
                if attempt:
                    raise

    def get(self, path):
        return self.req("GET", path)[1]

    def post(self, path, body):
        return self.req("POST", path, body)


def pct(xs, p):
    if not xs:
        return float("nan")
    xs = sorted(xs)
    k = min(len(xs) - 1, max(0, int(round(p / 100.0 * len(xs) + 0.5)) - 1))
    return xs[k]


def proc_mem(pid):
    out = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                k, v = line.split(":")
                out[k] = int(v.split()[0]) / 1024.0  # MiB
    return out


class Bench:
    def __init__(self, a):
        self.a = a
        self.work = os.path.abspath(a.work)
        os.makedirs(self.work, exist_ok=True)
        self.sock = os.path.join(self.work, "control.sock")
        self.data = os.path.join(self.work, "data")
        self.stores = [f"store-{i}.myshopify.com" for i in (1, 2, 3)]
        self.sim_proc = None
        self.d_proc = None
        self.d_port = free_port()
        self.nginx_port = free_port()
        self.nginx_proc = None

    # ---- set-up -------------------------------------------------------------------------
    def write_files(self):
        a = self.a
        gen = {"products": a.products, "variants_per_product": a.variants, "universe_seed": 1,
               "sku_prefix": "SKU", "missing_rate": 0, "duplicate_sku_rate": 0, "barcode_only_rate": 0,
               "no_barcode_rate": 0, "extra_products": 0, "available_min": a.level, "available_max": a.level,
               "unstocked_rate": 0}
        # Webhooks straight to shopsyncd, or through nginx (--nginx) as in production.
        hook_port = self.nginx_port if a.nginx else self.d_port
        sc = {"app_secret": "bench-webhook-secret", "app_id": 580111, "api_version": "2026-10",
              "webhook_url": f"http://127.0.0.1:{hook_port}/webhooks", "stores": []}
        for i, shop in enumerate(self.stores, 1):
            sc["stores"].append({"shop": shop, "token": f"shpat_store_{i}", "locations": ["Main Warehouse"],
                                 # By default a bucket that never throttles (the benchmark measures
                                 # shopsync); --plan gives a store's plan limits instead.
                                 "bucket": PLAN_BUCKETS[a.plan],
                                 "catalog": {"generate": gen}})
        with open(os.path.join(self.work, "scenario.json"), "w") as f:
            json.dump(sc, f)
        sec = os.path.join(self.work, "secrets")
        os.makedirs(sec, exist_ok=True)
        with open(os.path.join(sec, "webhook-secret"), "w") as f:
            f.write("bench-webhook-secret")
        for i in (1, 2, 3):
            with open(os.path.join(sec, f"store-{i}.token"), "w") as f:
                f.write(f"shpat_store_{i}")
        stores = "".join(f"""
[[stores]]
name = "s{i}"
shop_domain = "store-{i}.myshopify.com"
role = "{'source' if i == 1 else 'destination'}"
base_url = "http://127.0.0.1:{self.sim_port}"
access_token_file = "{sec}/store-{i}.token"
""" for i in (1, 2, 3))
        cfg = f"""[daemon]
listen = "127.0.0.1:{self.d_port}"
control_socket = "{self.sock}"
data_dir = "{self.data}"
batching_window_ms = {a.batching_window_ms}
reconcile_interval_s = 86400
{f"bulk_read_threshold = {a.bulk_threshold}" if a.bulk_threshold is not None else ""}
log_level = "{a.log_level}"
sync_writes = {'true' if a.sync_writes else 'false'}
scheduler_threads = {a.scheduler_threads}
app_id = 580111
webhook_secret_files = ["{sec}/webhook-secret"]
{stores}
[[groups]]
name = "twoway"
source = "s1"
destinations = ["s2"]
strategy = "two_way"
match_by = "sku"
locations = "by_name"
start = "sync"

[[groups]]
name = "oneway"
source = "s1"
destinations = ["s3"]
strategy = "one_way"
match_by = "sku"
locations = "by_name"
start = "sync"
"""
        with open(os.path.join(self.work, "shopsync.toml"), "w") as f:
            f.write(cfg)

    def start_nginx(self):
        """Debian's nginx with config/nginx/shopsync.conf as shipped, but for its listen line, its
        upstream (this run's shopsyncd) and, with --nginx-webhook-rate, its per-address webhook
        limit (here every delivery comes from 127.0.0.1; Shopify does not say from how many
        addresses it delivers)."""
        root = os.path.join(self.work, "nginx")
        os.makedirs(root, exist_ok=True)
        src = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "config", "nginx", "shopsync.conf")
        out, listen_done, upstream_done = [], False, False
        for line in open(src):
            t = line.strip()
            if t.startswith("listen "):
                if not listen_done:
                    out.append(f"    listen 127.0.0.1:{self.nginx_port};\n")
                listen_done = True
                continue
            if t.startswith("server 127.0.0.1:8080;"):
                line, upstream_done = f"    server 127.0.0.1:{self.d_port};\n", True
            if self.a.nginx_webhook_rate and t.startswith("limit_req_zone") and "zone=shopsync_webhooks" in t:
                line = re.sub(r"rate=\d+r/s", f"rate={self.a.nginx_webhook_rate}r/s", line)
            if self.a.nginx_webhook_rate and t.startswith("limit_req zone=shopsync_webhooks"):
                line = re.sub(r"burst=\d+", f"burst={2 * self.a.nginx_webhook_rate}", line)
            out.append(line)
        if not (listen_done and upstream_done):
            raise SystemExit("config/nginx/shopsync.conf no longer has the expected listen/server lines")
        with open(os.path.join(root, "shopsync.conf"), "w") as f:
            f.writelines(out)
        user = "user root root;\n" if os.geteuid() == 0 else ""
        with open(os.path.join(root, "nginx.conf"), "w") as f:
            f.write(f"worker_processes 1;\n{user}error_log {root}/error.log warn;\npid {root}/nginx.pid;\n"
                    f"events {{ worker_connections 4096; }}\nhttp {{\n  access_log off;\n"
                    + "".join(f"  {k}_temp_path {root}/{k};\n" for k in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
                    + f"  include {root}/shopsync.conf;\n}}\n")
        self.nginx_proc = subprocess.Popen(["/usr/sbin/nginx", "-p", root + "/", "-c", os.path.join(root, "nginx.conf"),
                                            "-g", "daemon off;"], stderr=open(os.path.join(root, "stderr.log"), "w"))
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", self.nginx_port), timeout=1).close()
                break
            except OSError:
                if self.nginx_proc.poll() is not None:
                    raise SystemExit(f"nginx exited at start, see {root}/error.log")
                time.sleep(0.025)
        print(f"nginx: config/nginx/shopsync.conf in front of shopsyncd"
              + (f", webhook limit {self.a.nginx_webhook_rate}/s per address" if self.a.nginx_webhook_rate else ""),
              flush=True)

    def start_sim(self):
        if self.a.nginx:
            self.start_nginx()
        self.sim_port = free_port()
        self.write_files()
        t0 = time.monotonic()
        self.sim_proc = subprocess.Popen(
            [os.path.join(self.a.build, "sim", "shopify-sim"), "--scenario", os.path.join(self.work, "scenario.json"),
             "--port", str(self.sim_port), "--webhook-threads", str(self.a.webhook_threads),
             "--webhook-keep-alive", self.a.webhook_keep_alive],
            stdout=subprocess.PIPE, stderr=open(os.path.join(self.work, "sim.log"), "w"), text=True)
        line = self.sim_proc.stdout.readline()
        if not line.startswith("listening"):
            raise SystemExit(f"shopify-sim did not start: {line!r}")
        self.sim = Sim(self.sim_port)
        print(f"sim: 3 stores x {self.a.products * self.a.variants:,} variants ready in "
              f"{time.monotonic() - t0:.2f} s", flush=True)

    def start_daemon(self):
        log = open(os.path.join(self.work, "shopsyncd.log"), "a")
        self.d_proc = subprocess.Popen(
            [os.path.join(self.a.build, "shopsyncd"), "--config", os.path.join(self.work, "shopsync.toml")],
            stdout=log, stderr=subprocess.STDOUT)
        return time.monotonic()

    def ctl_json(self, *args):
        r = subprocess.run([os.path.join(self.a.build, "shopsyncctl"), "--socket", self.sock, "--json", *args],
                           capture_output=True, text=True, timeout=60)
        if r.returncode != 0:
            return None
        try:
            return json.loads(r.stdout)
        except ValueError:
            return None

    def mapped(self):
        """True when `mappings` answers with both groups holding every identity."""
        expect = self.a.products * self.a.variants
        j = self.ctl_json("mappings", "--problems")
        if j is None:
            return False
        text = json.dumps(j)
        counts = dict(re.findall(r'"group": "(\w+)", "mode": "[\w_]+", "identities": (\d+)', text))
        return all(int(counts.get(g, -1)) == expect for g in ("twoway", "oneway"))

    def wait_mapped(self, t0, timeout):
        while time.monotonic() - t0 < timeout:
            if self.d_proc.poll() is not None:
                raise SystemExit("shopsyncd exited, see shopsyncd.log")
            if self.mapped():
                return time.monotonic() - t0
            time.sleep(0.05)
        raise SystemExit("shopsyncd not mapped in time")

    def wait_walks(self, timeout):
        """Until shopsyncd.log says both groups' start-up walks are done (every item of the first
        alignment started; needs --log-level info): with level snapshots the alignment makes no
        Admin call when the levels already agree, so the sim's log alone cannot tell."""
        t0 = time.monotonic()
        path = os.path.join(self.work, "shopsyncd.log")
        while time.monotonic() - t0 < timeout:
            with open(path, errors="replace") as f:
                text = f.read()
            if all(f"group={g} start-up walk done" in text for g in ("twoway", "oneway")):
                return time.monotonic() - t0
            if self.d_proc.poll() is not None:
                raise SystemExit("shopsyncd exited, see shopsyncd.log")
            time.sleep(0.5)
        raise SystemExit("the start-up walks never ended")

    def metric(self, name, labels):
        """A counter of shopsyncd's /metrics (0 when absent)."""
        c = http.client.HTTPConnection("127.0.0.1", self.d_port, timeout=30)
        c.request("GET", "/metrics")
        text = c.getresponse().read().decode()
        c.close()
        m = re.search(re.escape(name) + r"\{" + re.escape(labels) + r"\} (\S+)", text)
        return float(m.group(1)) if m else 0.0

    def reconcile_round(self, timeout):
        """One full inventory reconcile round of both groups (shopsyncctl reconcile), timed from
        the command to shopsync_reconcile_rounds_total of each group going up; peak RSS of both
        processes sampled meanwhile (VmHWM covers the whole run)."""
        groups = ("twoway", "oneway")
        before = {g: self.metric("shopsync_reconcile_rounds_total", f'group="{g}"') for g in groups}
        since = self.sim.get("/_sim/log?since=999999999999")["next_seq"]
        t0 = time.monotonic()
        subprocess.run([os.path.join(self.a.build, "shopsyncctl"), "--socket", self.sock, "reconcile"],
                       check=True, capture_output=True, timeout=60)
        peak = {"shopsyncd": 0.0, "sim": 0.0}
        while time.monotonic() - t0 < timeout:
            peak["shopsyncd"] = max(peak["shopsyncd"], proc_mem(self.d_proc.pid)["VmRSS"])
            peak["sim"] = max(peak["sim"], proc_mem(self.sim_proc.pid)["VmRSS"])
            if all(self.metric("shopsync_reconcile_rounds_total", f'group="{g}"') > before[g] for g in groups):
                took = time.monotonic() - t0
                calls = self.sim.get(f"/_sim/log?since={since}")
                ops = {}
                for cl in calls.get("calls", []):
                    ops[cl.get("operation")] = ops.get(cl.get("operation"), 0) + 1
                return took, peak, ops
            time.sleep(1)
        raise SystemExit("the reconcile round did not end in time")

    def wait_quiet(self, quiet_s, timeout):
        """Until the sim's Admin log has not grown for quiet_s (first alignment done)."""
        t0 = time.monotonic()
        last, since = None, time.monotonic()
        while time.monotonic() - t0 < timeout:
            n = self.sim.get("/_sim/log?since=999999999999")["next_seq"]
            if n != last:
                last, since = n, time.monotonic()
            elif time.monotonic() - since >= quiet_s:
                return since - t0, n
            time.sleep(0.25)
        raise SystemExit("the sim's Admin log never went quiet")

    # ---- load -------------------------------------------------------------------------
    def paced(self, n, rate, threads, send, offset):
        """send(i) for i in 0..n-1, open loop at `rate`/s on `threads` threads (each call when
        it was due, whatever the ones before it took). Returns the client time of each accepted
        call on the sim's clock (None: refused), the number refused, and the rate achieved."""
        at = [None] * n
        errors = [0]
        start = time.monotonic() + 0.2

        def worker(k):
            for i in range(k, n, threads):
                d = start + i / rate - time.monotonic()
                if d > 0:
                    time.sleep(d)
                t = time.monotonic()
                if send(i):
                    at[i] = t * 1000.0 - offset
                else:
                    errors[0] += 1

        ts = [threading.Thread(target=worker, args=(k,)) for k in range(threads)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        return at, errors[0], n / (time.monotonic() - start)

    # ---- latency ------------------------------------------------------------------------
    def items(self, n):
        """The first n variants of every store, matched by SKU: {sku: [item1, item2, item3]}."""
        per = []
        for shop in self.stores:
            st = self.sim.get(f"/_sim/state?store={shop}&limit={n}")
            per.append({v["sku"]: str(v["inventory_item_id"]) for v in st["variants"]})
        return [(sku, per[0][sku], per[1][sku], per[2][sku]) for sku in per[0] if sku in per[1] and sku in per[2]]

    def sim_clock_offset(self):
        """client monotonic - sim at_ms (ms), from a cheap logged Admin call bracketed in time."""
        best = None
        for _ in range(5):
            since = self.sim.get("/_sim/log?since=999999999999")["next_seq"]
            t1 = time.monotonic()
            c = http.client.HTTPConnection("127.0.0.1", self.sim_port, timeout=10)
            c.request("POST", "/admin/api/2026-10/graphql.json",
                      body=json.dumps({"operationName": "Locations", "query": "", "variables": {"first": 1}}),
                      headers={"Host": self.stores[0], "X-Shopify-Access-Token": "shpat_store_1",
                               "Content-Type": "application/json"})
            c.getresponse().read()
            t2 = time.monotonic()
            c.close()
            calls = [x for x in self.sim.get(f"/_sim/log?since={since}&operation=Locations")["calls"]]
            if not calls:
                continue
            at = calls[-1]["at_ms"]
            rtt = t2 - t1
            off = (t1 + t2) / 2 * 1000.0 - at
            if best is None or rtt < best[1]:
                best = (off, rtt)
        print(f"clock: sim at_ms mapped onto the client clock within +-{best[1] * 500 + 0.5:.2f} ms", flush=True)
        return best[0]

    def run_rate(self, rate, seconds, pool, offset):
        n = int(rate * seconds)
        chosen = pool[:n]
        del pool[:n]
        if len(chosen) < n:
            raise SystemExit("not enough distinct SKUs for this phase; raise --pool")
        log_since = self.sim.get("/_sim/log?since=999999999999")["next_seq"]
        wh_since = self.sim.get("/_sim/webhooks?since=999999999999")["next_seq"]
        def send(i):
            status, _ = self.sim.post("/_sim/set_level", {"store": self.stores[0], "sku": chosen[i][0],
                                                         "location": "Main Warehouse", "available": 9})
            return status == 200

        at, errors, achieved = self.paced(n, rate, self.a.client_threads, send, offset)
        sent = {chosen[i][0]: t for i, t in enumerate(at) if t is not None}  # sku -> client ms (sim clock)
        # Wait for every destination write (or give up after 60 s).
        by_item = {}
        for sku, i1, i2, i3 in chosen:
            by_item[("store-2.myshopify.com", i2)] = sku
            by_item[("store-3.myshopify.com", i3)] = sku
        got = {}
        deadline = time.monotonic() + 60
        seq = log_since
        while time.monotonic() < deadline and len(got) < 2 * len(sent):
            j = self.sim.get(f"/_sim/log?since={seq}")
            for c in j["calls"]:
                if c["operation"] not in ("InventorySet", "InventoryAdjust") or c["outcome"] != "applied":
                    continue
                for item in GID_ITEM.findall(json.dumps(c["variables"])):
                    k = (c["shop"], item)
                    if k in by_item and k not in got:
                        got[k] = c["at_ms"]
            seq = j["next_seq"]
            time.sleep(0.2)
        with open(os.path.join(self.work, f"sim-log-{rate}.json"), "w") as f:
            json.dump(self.sim.get(f"/_sim/log?since={log_since}"), f)
        # Webhook delivery time of each change (store-1 inventory_levels/update).
        wh = self.sim.get(f"/_sim/webhooks?since={wh_since}&store={self.stores[0]}"
                          f"&topic=inventory_levels/update&bodies=1")
        item1_to_sku = {i1: sku for sku, i1, _, _ in chosen}
        delivered = {}
        for d in wh["deliveries"] if "deliveries" in wh else wh.get("webhooks", []):
            body = d.get("body") or {}
            sku = item1_to_sku.get(str(body.get("inventory_item_id")))
            if sku and d["state"] == "delivered":
                delivered[sku] = d["delivered_at_ms"]
        lat = {"store-2 (two_way adjust)": [], "store-3 (one_way set)": [], "both": []}
        from_wh = []
        missing = 0
        for sku, i1, i2, i3 in chosen:
            if sku not in sent:
                continue
            a2 = got.get(("store-2.myshopify.com", i2))
            a3 = got.get(("store-3.myshopify.com", i3))
            if a2 is None or a3 is None:
                missing += 1
                continue
            lat["store-2 (two_way adjust)"].append(a2 - sent[sku])
            lat["store-3 (one_way set)"].append(a3 - sent[sku])
            lat["both"].append(max(a2, a3) - sent[sku])
            if sku in delivered:
                from_wh.append(max(a2, a3) - delivered[sku])
        print(f"\n== {rate}/s for {seconds} s: {n} changes sent ({achieved:.0f}/s achieved, {errors} refused), "
              f"{len(lat['both'])} confirmed in both destinations, {missing} not within 60 s", flush=True)
        print(f"   {'latency, change request -> destination write applied':58s} {'p50 ms':>8s} {'p99 ms':>8s} "
              f"{'max ms':>8s} {'n':>6s}")
        for k, xs in lat.items():
            print(f"   {k:58s} {pct(xs, 50):8.1f} {pct(xs, 99):8.1f} {max(xs) if xs else float('nan'):8.1f} {len(xs):6d}")
        print(f"   {'both, from webhook delivered (2xx) -> last write':58s} {pct(from_wh, 50):8.1f} "
              f"{pct(from_wh, 99):8.1f} {max(from_wh) if from_wh else float('nan'):8.1f} {len(from_wh):6d}",
              flush=True)
        return lat

    # ---- flash sale ---------------------------------------------------------------------
    def sim_sales(self, plan, chosen, rate, seconds):
        """The sales of `plan` placed by the simulator itself (POST /_sim/sales) at `rate`/s: no
        client process and no HTTP request per sale competing with shopsyncd for the CPU. Returns
        each sale's moment on the sim's clock (None: refused), the number refused, the rate."""
        sales = [{"store": self.stores[0 if in_1 else 1], "inventory_item_id": int(chosen[idx][1 if in_1 else 2]),
                  "location": "Main Warehouse", "quantity": 1} for idx, in_1 in plan]
        c = http.client.HTTPConnection("127.0.0.1", self.sim_port, timeout=seconds + 300)
        c.request("POST", "/_sim/sales", body=json.dumps({"rate": rate, "sales": sales}),
                  headers={"Content-Type": "application/json"})
        r = c.getresponse()
        answer = json.loads(r.read())
        c.close()
        if r.status != 200:
            raise SystemExit(f"/_sim/sales: {r.status} {answer}")
        if answer["refused"]:
            print(f"flash sale: {answer['refused']} sales refused, first: {answer['first_refusal']}", flush=True)
        at = [x for x in answer["at_ms"] if x is not None]
        span = (max(at) - min(at)) / 1000.0 if len(at) > 1 else 0.0
        return answer["at_ms"], answer["refused"], (len(at) - 1) / span if span > 0 else 0.0

    def flash_sale(self, rate, seconds, skus, offset):
        """Sales (one unit, placed by the sim or sent by this script: --flash-driver) at `rate`/s
        over `skus` SKUs for `seconds`, each in store-1 or store-2 (the two-way pair) at random.
        Lag of a sale: from the sale to the moment every other store shows it — the other store of the pair by shopsync's adjusts (their
        deltas summed per item reach the count of sales so far), store-3 by shopsync's set (a
        quantity at or below the level after this sale and every earlier one of the item)."""
        import random
        rnd = random.Random(7)
        chosen = self.items(skus)
        if len(chosen) < skus:
            raise SystemExit(f"only {len(chosen)} SKUs matched in every store; raise --products")
        n = int(rate * seconds)
        plan = [(rnd.randrange(len(chosen)), rnd.random() < 0.5) for _ in range(n)]
        log_since = self.sim.get("/_sim/log?since=999999999999")["next_seq"]
        if self.a.flash_driver == "sim":
            sent, errors, achieved = self.sim_sales(plan, chosen, rate, seconds)
        else:
            def send(i):
                idx, in_1 = plan[i]
                status, _ = self.sim.post("/_sim/sale", {"store": self.stores[0 if in_1 else 1],
                                                         "sku": chosen[idx][0], "location": "Main Warehouse",
                                                         "quantity": 1})
                return status == 200

            sent, errors, achieved = self.paced(n, rate, max(self.a.client_threads, 8), send, offset)
        # Until the sim's Admin log has not grown for 30 s (a throttled daemon waits for its
        # bucket without calling: a short quiet is not the end), or --flash-drain seconds.
        quiet_at, _ = self.wait_quiet(30, self.a.flash_drain)
        calls = self.sim.get(f"/_sim/log?since={log_since}")["calls"]
        with open(os.path.join(self.work, "sim-log-flash.json"), "w") as f:
            json.dump(calls, f)
        # Writes per (shop, item): adjust deltas (cumulative) and set quantities, in time order.
        adj, sets = {}, {}
        points, writes, entries = {}, 0, 0
        for c in calls:
            points[c["shop"]] = points.get(c["shop"], 0) + (c["actual_cost"] or 0)
            if c["operation"] not in WRITES or c["outcome"] != "applied":
                continue
            writes += 1
            inp = (c["variables"] or {}).get("input", {})
            for e in inp.get("changes", []) + inp.get("quantities", []):
                entries += 1
                item = GID_ITEM.findall(e["inventoryItemId"])[0]
                k = (c["shop"], item)
                if "delta" in e:
                    adj.setdefault(k, []).append((c["at_ms"], e["delta"]))
                else:
                    sets.setdefault(k, []).append((c["at_ms"], e["quantity"]))
        s1, s2, s3 = self.stores
        lags, missing = [], 0
        count = {}  # (idx, store) -> sales so far, in order of sending
        total = {}
        order = sorted((i for i in range(n) if sent[i] is not None), key=lambda i: sent[i])
        for i in order:
            idx, in_1 = plan[i]
            sku, i1, i2, i3 = chosen[idx]
            mine = (idx, in_1)
            count[mine] = count.get(mine, 0) + 1
            total[idx] = total.get(idx, 0) + 1
            other = (s2, i2) if in_1 else (s1, i1)
            t_other = None
            acc = 0
            for at, dlt in adj.get(other, []):
                acc -= dlt
                if acc >= count[mine]:
                    t_other = at
                    break
            t_3 = next((at for at, q in sets.get((s3, i3), []) if q <= self.a.level - total[idx]), None)
            if t_other is None or t_3 is None:
                missing += 1
                continue
            lags.append(max(t_other, t_3) - sent[i])
        one_per_change = 2 * len(order) * 10  # one 10-point mutation per change per other store
        print(f"\n== flash sale: {n:,} sales over {skus:,} SKUs in {seconds:.0f} s ({achieved:.0f}/s achieved, "
              f"{errors} refused), plan {self.a.flash_plan or self.a.plan}", flush=True)
        print(f"   lag, sale -> every store written: p50 {pct(lags, 50):.0f} ms, p99 {pct(lags, 99):.0f} ms, "
              f"max {max(lags) if lags else float('nan'):.0f} ms over {len(lags):,} sales; {missing} not seen "
              f"in every store; the last call {quiet_at:.1f} s after the last sale")
        print(f"   writes: {writes:,} mutations carrying {entries:,} level changes; API points used "
              + ", ".join(f"{k.split('.')[0]} {v:,.0f}" for k, v in sorted(points.items()))
              + f"; one mutation per change would need {one_per_change:,} points "
              f"({one_per_change / seconds:,.0f}/s against a restore of "
              f"{PLAN_BUCKETS[self.a.flash_plan or self.a.plan]['restore']:,}/s per store)",
              flush=True)
        return lags

    # ---- the paged path, bounded --------------------------------------------------------
    def paged_estimate(self, seconds):
        """Runs the first start for `seconds` (meant with --bulk-threshold above the catalog: the
        paged path), then prices what the sim's log shows: actual points per catalog page and per
        level read, and extrapolates the points a whole first start would need per store at this
        catalog size (store-1 is read by both groups), and the time at --plan's restore rate.
        An extrapolation, not a measurement: it assumes every page and level costs what the
        sampled ones cost and that the bucket is the only limit."""
        time.sleep(seconds)
        calls = self.sim.get("/_sim/log?since=0").get("calls", [])
        pages = [c for c in calls if c["operation"] == "CatalogPage" and c["outcome"] == "read"]
        reads = [c for c in calls if c["operation"] == "InventoryLevels" and c["outcome"] == "read"]
        page_rows = sum((c["variables"] or {}).get("first", 0) for c in pages)
        page_cost = sum(c.get("actual_cost") or c["requested_cost"] for c in pages)
        levels = sum(len((c["variables"] or {}).get("ids", [])) for c in reads)
        level_cost = sum(c.get("actual_cost") or c["requested_cost"] for c in reads)
        n = self.a.products * self.a.variants
        restore = PLAN_BUCKETS[self.a.plan]["restore"]
        print(f"paged path, first {seconds:.0f} s: {len(pages)} catalog pages ({page_rows:,} variants asked, "
              f"{page_cost:,.0f} points), {len(reads)} level queries ({levels:,} levels, {level_cost:,.0f} points)",
              flush=True)
        per_row = page_cost / page_rows if page_rows else None
        per_level = level_cost / levels if levels else 3.0
        if not levels:
            print("paged path: no level read in the window (the catalog comes first): 3 points a level, "
                  "InventoryLevels' cost in sim/README.md", flush=True)
        if per_row is None:
            print("paged path: no catalog page answered in the window: nothing to extrapolate", flush=True)
            return
        # store-1: its catalog read by both groups, its levels read by both groups' items.
        s1 = 2 * n * per_row + 2 * n * per_level
        other = n * per_row + n * per_level
        print(f"paged path, EXTRAPOLATED to {n:,} variants per store: {per_row:.2f} points per variant of a "
              f"catalog page, {per_level:.2f} per level read; store-1 needs {s1:,.0f} points, store-2/3 "
              f"{other:,.0f} each: {s1 / restore / 3600:.1f} h at {restore} points/s (catalog "
              f"{2 * n * per_row / restore / 3600:.1f} h, first alignment {2 * n * per_level / restore / 3600:.1f} h)",
              flush=True)

    # ---- run ----------------------------------------------------------------------------
    def run(self):
        a = self.a
        total = a.products * a.variants
        if a.paged_estimate:
            self.start_sim()
            self.start_daemon()
            self.paged_estimate(a.paged_estimate)
            return
        print(f"machine: {os.cpu_count()} cores, load average {open('/proc/loadavg').read().split()[:3]}")
        self.start_sim()
        t0 = self.start_daemon()
        tm = self.wait_mapped(t0, a.timeout)
        print(f"first start: both groups mapped ({total:,} identities each) in {tm:.2f} s", flush=True)
        if a.wait_walks:
            tw = self.wait_walks(a.timeout)
            print(f"first start: both start-up walks done {tw + tm:.1f} s after start", flush=True)
            tm += tw
        tq, n = self.wait_quiet(a.quiet, a.timeout)
        print(f"first start: alignment done (sim Admin log quiet, {n} calls) {tq + tm:.1f} s after start; "
              f"shopsyncd {proc_mem(self.d_proc.pid)}, shopify-sim {proc_mem(self.sim_proc.pid)}", flush=True)
        if a.reconcile:
            took, peak, ops = self.reconcile_round(a.timeout)
            m, ms = proc_mem(self.d_proc.pid), proc_mem(self.sim_proc.pid)
            print(f"reconcile round (both groups): {took:.1f} s; peak VmRSS sampled: shopsyncd "
                  f"{peak['shopsyncd']:.0f} MiB, shopify-sim {peak['sim']:.0f} MiB; VmHWM since start: shopsyncd "
                  f"{m['VmHWM']:.0f} MiB, shopify-sim {ms['VmHWM']:.0f} MiB; Admin calls {ops}", flush=True)
        if a.rates:
            pool = self.items(a.pool)
            offset = self.sim_clock_offset()
            for r in a.rates:
                self.run_rate(r, a.seconds, pool, offset)
                self.wait_quiet(2, 120)
        if a.flash:
            if a.flash_plan:
                for shop in self.stores:  # a plan change at run time: a new, full bucket
                    self.sim.post("/_sim/bucket", {"store": shop, "plan": a.flash_plan})
                print(f"flash sale: every store on the {a.flash_plan} plan from now", flush=True)
            self.flash_sale(a.flash, a.flash_seconds, a.flash_skus, self.sim_clock_offset())
        m = proc_mem(self.d_proc.pid)
        print(f"\nshopsyncd memory after the run: VmHWM {m['VmHWM']:.0f} MiB, VmRSS {m['VmRSS']:.0f} MiB", flush=True)
        if a.restart:
            for k in range(a.restarts):
                self.d_proc.send_signal(signal.SIGTERM)
                ts = time.monotonic()
                self.d_proc.wait(timeout=900)
                stop = time.monotonic() - ts
                t0 = self.start_daemon()
                tr = self.wait_mapped(t0, a.timeout)
                m_ready = proc_mem(self.d_proc.pid)
                print(f"restart {k + 1}: stopped in {stop:.2f} s; restart-to-ready (mappings shows both groups "
                      f"with {total:,} identities) {tr:.2f} s; RSS at ready {m_ready['VmRSS']:.0f} MiB", flush=True)
                tq, _ = self.wait_quiet(a.quiet, a.timeout)
                m = proc_mem(self.d_proc.pid)
                print(f"restart {k + 1}: start-up work done (sim log quiet) {tq + tr:.1f} s after start; "
                      f"VmHWM {m['VmHWM']:.0f} MiB, VmRSS {m['VmRSS']:.0f} MiB", flush=True)

    def stop(self):
        for p in (self.d_proc, self.sim_proc, self.nginx_proc):
            if p and p.poll() is None:
                p.send_signal(signal.SIGTERM)
                try:
                    p.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    p.kill()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", required=True, help="build dir with shopsyncd, shopsyncctl, sim/shopify-sim")
    ap.add_argument("--work", default="/tmp/shopsync-sync-bench")
    ap.add_argument("--products", type=int, default=10000)
    ap.add_argument("--variants", type=int, default=3)
    ap.add_argument("--rates", type=lambda s: [int(x) for x in s.split(",") if x], default=[100, 1000])
    ap.add_argument("--seconds", type=float, default=10)
    ap.add_argument("--pool", type=int, default=20000, help="distinct SKUs used by the latency phases")
    ap.add_argument("--client-threads", type=int, default=4)
    ap.add_argument("--webhook-threads", type=int, default=16)
    ap.add_argument("--webhook-keep-alive", choices=["true", "false"], default="true",
                    help="the sim's senders keep their connections (false: one per delivery)")
    ap.add_argument("--nginx", action="store_true",
                    help="webhooks through Debian's nginx with config/nginx/shopsync.conf, as in production")
    ap.add_argument("--nginx-webhook-rate", type=int, default=0,
                    help="with --nginx: the per-address webhook limit (limit_req rate, burst twice that); "
                         "0: the shipped one")
    ap.add_argument("--batching-window-ms", type=int, default=50)
    ap.add_argument("--quiet", type=float, default=3, help="seconds without Admin calls = start-up work done")
    ap.add_argument("--timeout", type=float, default=3600)
    ap.add_argument("--log-level", default="warn")
    ap.add_argument("--scheduler-threads", type=int, default=2, help="daemon.scheduler_threads (CAF workers)")
    ap.add_argument("--no-sync-writes", dest="sync_writes", action="store_false",
                    help="daemon.sync_writes = false (no fsync per state transition)")
    ap.add_argument("--plan", choices=sorted(PLAN_BUCKETS), default="unlimited",
                    help="every store's cost bucket: a Shopify plan's limits, or one that never throttles")
    ap.add_argument("--level", type=int, default=10, help="every level at the start")
    ap.add_argument("--flash", type=int, default=0, help="flash sale: sales per second (0: none)")
    ap.add_argument("--flash-seconds", type=float, default=300)
    ap.add_argument("--flash-skus", type=int, default=10000)
    ap.add_argument("--flash-drain", type=float, default=900, help="seconds to wait for the last write")
    ap.add_argument("--flash-driver", choices=["sim", "client"], default="sim",
                    help="who places the sales: the simulator itself at the rate (sim), or this script, one "
                         "POST /_sim/sale each from its threads (client: its CPU competes with shopsyncd's)")
    ap.add_argument("--flash-plan", choices=["standard", "advanced", "plus", "enterprise"],
                    help="switch every store to this plan just before the flash sale (the start-up "
                         "reads then run at --plan)")
    ap.add_argument("--bulk-threshold", type=int, default=None,
                    help="daemon.bulk_read_threshold (default: the daemon's, 20,000)")
    ap.add_argument("--wait-walks", action="store_true",
                    help="first start: aligned once shopsyncd.log says both start-up walks are done, then "
                         "the sim's log quiet (needs --log-level info)")
    ap.add_argument("--reconcile", action="store_true",
                    help="after the first start: one full reconcile round of both groups, timed, with RSS")
    ap.add_argument("--paged-estimate", type=float, default=0,
                    help="run the first start for this many seconds and extrapolate the paged path's time "
                         "from the points it used (with --bulk-threshold above the catalog)")
    ap.add_argument("--restart", action="store_true")
    ap.add_argument("--restarts", type=int, default=1)
    a = ap.parse_args()
    b = Bench(a)
    if os.path.exists(b.data):
        subprocess.run(["rm", "-rf", b.data], check=True)
    try:
        b.run()
    finally:
        b.stop()


if __name__ == "__main__":
    main()
